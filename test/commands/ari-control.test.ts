import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runVoicectl, startCli } from '../helpers/run-cli.js';
import { startFakeAri, type FakeAri } from '../helpers/fake-ari.js';

const cwd = mkdtempSync(path.join(os.tmpdir(), 'voicectl-ari-control-'));
const env = { ASTERISK_ARI_USERNAME: 'voicectl', ASTERISK_ARI_PASSWORD: 'ari-secret-pw' };

let fake: FakeAri;
beforeEach(async () => {
  fake = await startFakeAri({
    users: { voicectl: { password: 'ari-secret-pw' }, viewer: { password: 'ari-secret-pw', readOnly: true } },
    dialplan: { 'voicectl-inbound': { '_X.': { app: 'voicectl', args: ['inbound', '100'] } } },
  });
});
afterEach(async () => {
  await fake.close();
});

const ari = (args: string[], extraEnv: Record<string, string> = {}) =>
  runVoicectl(['ari', ...args, '--url', fake.url], { cwd, env: { ...env, ...extraEnv } });

type Event = { type: string; event?: { type: string; args?: string[]; channel?: { id: string; name: string } }; [k: string]: unknown };

describe('voicectl ari watch / originate / channels / hangup', () => {
  it('watch holds the app, prints NDJSON events for an originate and a hangup, and exits 0 on Ctrl-C', async () => {
    const watch = startCli(['ari', 'watch', '--url', fake.url, '--json'], { cwd, env });
    await fake.waitForApp('voicectl');

    const orig = await ari(['originate', 'Local/100@voicectl-inbound', '--app', 'voicectl', '--app-args', 'outbound,lab', '--caller-id', 'voicectl', '--timeout', '20', '--json']);
    expect(orig.code).toBe(0);
    const channel = (orig.json() as { ok: boolean; channel: { id: string; name: string } }).channel;
    expect(channel.name).toMatch(/^Local\/100@voicectl-inbound-\d+;1$/);
    const post = fake.requests.find((q) => q.method === 'POST' && q.path === '/channels');
    expect(post?.query).toEqual({ endpoint: 'Local/100@voicectl-inbound', app: 'voicectl', appArgs: 'outbound,lab', callerId: 'voicectl', timeout: '20' });

    const starts = () => watch.stdout.events().filter((e) => (e as Event).event?.type === 'StasisStart') as Event[];
    await expect.poll(() => starts().length).toBe(2);
    expect(starts().map((e) => e.event!.args)).toEqual([['outbound', 'lab'], ['inbound', '100']]);

    const list = await ari(['channels', '--json']);
    expect(list.code).toBe(0);
    const rows = (list.json() as { count: number; channels: Array<{ id: string; state: string; dialplan: string; ageSeconds: number; caller: string }> });
    expect(rows.count).toBe(2);
    expect(rows.channels[0]).toMatchObject({ id: channel.id, state: 'Up', caller: '"voicectl"' });
    expect(rows.channels[1]!.dialplan).toBe('voicectl-inbound,100,1 Stasis(voicectl,inbound,100)');
    expect(rows.channels[0]!.ageSeconds).toBeGreaterThanOrEqual(0);

    const hang = await ari(['hangup', channel.id, '--json']);
    expect(hang.code).toBe(0);
    expect(hang.json()).toEqual({ ok: true, channelId: channel.id, hungUp: true });
    expect(fake.channels.size).toBe(0);
    await expect.poll(() => watch.stdout.events().filter((e) => (e as Event).event?.type === 'ChannelDestroyed').length).toBe(2);

    watch.signal('SIGINT');
    expect(await watch.done).toBe(0);
    const events = watch.stdout.events() as Event[];
    expect(events[0]).toMatchObject({ type: 'ari.watching', version: 1, app: 'voicectl', url: `${fake.url}/ari` });
    expect(events.at(-1)).toMatchObject({ type: 'ari.stopped', app: 'voicectl', signal: 'SIGINT', events: events.length - 2 });
    expect(events.slice(1, -1).every((e) => e.type === 'ari.event')).toBe(true);
    expect(watch.signalHandlers()).toBe(0);
    await expect.poll(() => fake.apps()).toEqual([]);
  });

  it('watch in human mode prints one line per event; a server-side close ends it with events_failed (exit 1)', async () => {
    const watch = startCli(['ari', 'watch', '--url', fake.url, '--app', 'demo'], { cwd, env });
    await fake.waitForApp('demo');
    expect(fake.requests.find((q) => q.method === 'UPGRADE')?.query).toEqual({ app: 'demo' });
    fake.emit('demo', { type: 'StasisStart', args: ['a', 'b'], channel: { id: 'c1', name: 'PJSIP/alice-00000001', state: 'Ring' } });
    await expect.poll(() => watch.stdout.text).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}StasisStart PJSIP\/alice-00000001 \(c1\) Ring args=\[a,b\]$/m);
    fake.dropSockets();
    expect(await watch.done).toBe(1);
    expect(watch.stderr.text).toContain('Asterisk closed the events socket (code 1011: Asterisk shutting down) after 1 events');
    expect(watch.stderr.text).toContain('hint: ');
  });

  it('originate into a dialplan position (--context/--exten, priority 1 by default), human output', async () => {
    const r = await ari(['originate', 'PJSIP/alice', '--context', 'voicectl-inbound', '--exten', '100']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Originated PJSIP\/alice-\d+ \(id [\d.]+\), state Down$/m);
    expect(r.stderr).toMatch(/Hang up with: voicectl ari hangup [\d.]+/);
    expect(fake.requests.find((q) => q.method === 'POST')?.query).toEqual({ endpoint: 'PJSIP/alice', extension: '100', context: 'voicectl-inbound', priority: '1' });
  });

  it('originate --json answers with the channel summary of channels --json, not the raw ARI Channel', async () => {
    const orig = await ari(['originate', 'PJSIP/alice', '--app', 'voicectl', '--caller-id', 'voicectl', '--json']);
    expect(orig.code).toBe(0);
    const summary = (orig.json() as { ok: boolean; channel: Record<string, unknown> }).channel;
    const list = (await ari(['channels', '--json'])).json() as { channels: Array<Record<string, unknown>> };
    expect(list.channels).toHaveLength(1);
    const row = list.channels[0]!;
    expect(Object.keys(summary)).toEqual(Object.keys(row));
    expect(Object.keys(row)).toEqual(['id', 'name', 'state', 'caller', 'connected', 'dialplan', 'ageSeconds', 'creationtime']);
    expect(summary).toMatchObject({ id: row.id, name: row.name, caller: '"voicectl"', connected: '', creationtime: row.creationtime });
    expect(summary).not.toHaveProperty('accountcode');
    expect(summary).not.toHaveProperty('language');
  });

  it('channels with none live: an empty list (JSON) or a notice on stderr', async () => {
    const j = await ari(['channels', '--json']);
    expect(j.json()).toEqual({ ok: true, count: 0, channels: [] });
    const h = await ari(['channels']);
    expect(h.code).toBe(0);
    expect(h.stdout).toBe('');
    expect(h.stderr).toContain('No live channels.');
  });

  it('channels in human mode: a table with a header', async () => {
    await ari(['originate', 'PJSIP/bob', '--app', 'voicectl']);
    const h = await ari(['channels']);
    const lines = h.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +NAME +STATE +CALLER +DIALPLAN +AGE$/);
    expect(lines[1]).toMatch(/^[\d.]+ +PJSIP\/bob-\d+ +Down +default,s,1 +\d+s$/);
  });

  it.each([
    ['hangup of an unknown channel', ['hangup', 'nope', '--json'], {}, 'VOICECTL_ARI_CHANNEL_NOT_FOUND', 'DELETE /ari/channels/nope: 404: Channel not found'],
    ['originate by a read_only user', ['originate', 'PJSIP/alice', '--app', 'voicectl', '--user', 'viewer', '--json'], {}, 'VOICECTL_ARI_WRITE_DENIED', 'ARI denied POST /ari/channels to user "viewer" (403: Write access denied)'],
    ['a wrong password', ['channels', '--json'], { ASTERISK_ARI_PASSWORD: 'wrong-pw-42' }, 'VOICECTL_ARI_AUTH_FAILED', 'ARI refused the credentials of user "voicectl" (401: Authentication required)'],
  ])('%s: exit 1 with a verdict-like code and a hint', async (_what, args, extraEnv, code, message) => {
    const r = await ari(args, extraEnv);
    expect(r.code).toBe(1);
    const doc = r.json() as { ok: false; error: { code: string; message: string; hint: string } };
    expect(doc.error).toMatchObject({ code, message });
    expect(doc.error.hint.length).toBeGreaterThan(20);
    expect(r.stdout).not.toContain('wrong-pw-42');
  });

  it.each([
    [['originate', 'PJSIP/alice'], 'Give --app <name>, or both --context and --exten.'],
    [['originate', 'PJSIP/alice', '--context', 'c'], 'Give --app <name>, or both --context and --exten.'],
    [['originate', 'alice', '--app', 'a'], '<endpoint> must be a dial string like PJSIP/alice, got "alice"'],
    [['originate', 'PJSIP/alice', '--app', 'a', '--context', 'c'], "option '--app <name>' cannot be used with option '--context <context>'"],
    [['originate', 'PJSIP/alice', '--context', 'c', '--exten', '1', '--app-args', 'x'], '--app-args needs --app.'],
    [['hangup'], "missing required argument 'channelId'"],
  ])('usage error (exit 2): %j', async (args, message) => {
    const r = await ari([...args, '--json']);
    expect(r.code).toBe(2);
    expect((r.json() as { error: { message: string } }).error.message).toBe(message);
    expect(fake.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });
});
