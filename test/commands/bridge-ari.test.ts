// `voicectl bridge --ari` in-process against the fake ARI (REST, events, and Asterisk's side of
// the externalMedia channels): a caller entering Stasis reaches the call core and hears itself
// (echo upstream), and every ARI resource is cleaned up afterwards.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/acs-media-client.js';
import { startFakeAri, type FakeAri } from '../helpers/fake-ari.js';
import { startFakeRealtime } from '../helpers/fake-realtime.js';
import { startCli, type RunHandle } from '../helpers/run-cli.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'voicectl-bridge-ari-'));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PASSWORD = 'ari-secret-pw';

async function setup(argv: string[], fakeOptions: Parameters<typeof startFakeAri>[0] = {}, env: Record<string, string> = {}): Promise<{ fake: FakeAri; h: RunHandle }> {
  const fake = await startFakeAri(fakeOptions);
  cleanups.push(() => fake.close());
  const h = startCli(['bridge', '--listen', '0', '--host', '127.0.0.1', '--json', '--ari', '--drain-timeout', '0', ...argv], {
    cwd,
    env: { ASTERISK_HOST: '127.0.0.1', ASTERISK_ARI_PORT: String(fake.port), ASTERISK_ARI_USERNAME: 'voicectl', ASTERISK_ARI_PASSWORD: PASSWORD, ...env },
  });
  cleanups.push(async () => {
    if (h.signalHandlers() > 0) h.signal('SIGTERM');
    await h.done;
  });
  await waitFor(() => h.stdout.text.includes('ari.connected'), 'ari.connected');
  return { fake, h };
}

const events = (h: RunHandle, type: string): Array<Record<string, any>> => h.stdout.events().filter((e) => e.type === type);
const concat = (bufs: Buffer[]): Buffer => Buffer.concat(bufs);

describe('voicectl bridge --ari', () => {
  it('websocket (default): answer, mixing bridge, chan_websocket externalMedia in server mode dialled by the bridge; echo; caller hang-up cleans up', async () => {
    const { fake, h } = await setup(['--upstream', 'echo'], { frames: 10 });
    expect(fake.apps()).toEqual(['voicectl']);
    const caller = fake.stasis.callIn('voicectl', '+4930123456');
    await waitFor(() => events(h, 'ari.call').length === 1, 'ari.call', 5000);
    const call = events(h, 'ari.call')[0]!;
    expect(call).toMatchObject({ callerChannelId: caller.id, callerNumber: '+4930123456', media: 'websocket', format: 'slin16', callId: expect.stringMatching(/^c1-/) });
    const mediaId = call.mediaChannelId as string;

    const posts = fake.requests.filter((r) => r.method !== 'GET' && r.method !== 'UPGRADE');
    expect(posts.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /channels/${caller.id}/answer`,
      'POST /bridges',
      `POST /bridges/${call.bridgeId}/addChannel`,
      'POST /channels/externalMedia',
      `POST /bridges/${call.bridgeId}/addChannel`,
    ]);
    expect(posts[1]!.query).toMatchObject({ type: 'mixing' });
    expect(posts[2]!.query).toEqual({ channel: caller.id });
    expect(posts[3]!.query).toEqual({ app: 'voicectl', channelId: mediaId, format: 'slin16', transport: 'websocket', encapsulation: 'none', connection_type: 'server' });
    expect(posts[4]!.query).toEqual({ channel: mediaId });
    expect(fake.stasis.bridges.get(call.bridgeId)!.channels).toEqual([caller.id, mediaId]);

    // the media call reached the call core as an Asterisk call and the caller hears itself
    const media = fake.stasis.media.get(mediaId)!;
    await waitFor(() => concat(media.audio).length >= 10 * 640, 'echoed audio', 5000);
    expect(concat(media.audio)).toEqual(concat(media.sent));
    expect(events(h, 'call.started')[0]).toMatchObject({ source: 'asterisk', transport: 'websocket-server', format: 'slin16', channelId: mediaId, callerChannelId: caller.id });

    fake.stasis.hangupChannel(caller.id);
    await waitFor(() => events(h, 'ari.ended').length === 1 && events(h, 'call.ended').length === 1, 'clean-up');
    expect(events(h, 'ari.ended')[0]).toMatchObject({ callerChannelId: caller.id, reason: 'caller hung up' });
    expect(fake.stasis.bridges.size).toBe(0);
    expect(fake.channels.has(mediaId)).toBe(false);
    expect(fake.requests.some((r) => r.method === 'DELETE' && r.path === `/bridges/${call.bridgeId}`)).toBe(true);
    expect(fake.requests.some((r) => r.method === 'DELETE' && r.path === `/channels/${mediaId}`)).toBe(true);
    await media.closed;
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
    expect(h.stdout.text).not.toContain(PASSWORD);
    expect(h.stderr.text).not.toContain(PASSWORD);
  });

  it('audiosocket: externalMedia to the bridge listener with a UUID, 0x12 frames echoed at 20 ms; the media channel hanging up ends the caller', async () => {
    const { fake, h } = await setup(['--upstream', 'echo', '--ari-media', 'audiosocket', '--audiosocket-listen', '0'], { frames: 10 });
    const listening = events(h, 'bridge.listening')[0]!;
    const caller = fake.stasis.callIn('voicectl', '100');
    await waitFor(() => events(h, 'ari.call').length === 1, 'ari.call', 5000);
    const call = events(h, 'ari.call')[0]!;
    const em = fake.requests.find((r) => r.path === '/channels/externalMedia')!;
    expect(em.query).toEqual({
      app: 'voicectl', channelId: call.mediaChannelId, format: 'slin16', transport: 'tcp', encapsulation: 'audiosocket',
      external_host: listening.audioSocket, data: call.uuid,
    });
    expect(call.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const media = fake.stasis.media.get(call.mediaChannelId)!;
    await waitFor(() => concat(media.audio).length >= 10 * 640, 'echoed audio', 5000);
    expect(concat(media.audio)).toEqual(concat(media.sent));
    expect(new Set(media.kinds)).toEqual(new Set([0x12])); // audio only, slin16 like the caller's
    expect(events(h, 'call.started')[0]).toMatchObject({ source: 'asterisk', transport: 'audiosocket', uuid: call.uuid });

    fake.stasis.hangupChannel(call.mediaChannelId);
    await waitFor(() => events(h, 'ari.ended').length === 1 && events(h, 'call.ended').length === 1, 'clean-up');
    expect(events(h, 'ari.ended')[0]).toMatchObject({ reason: 'media channel hung up' });
    expect(fake.channels.has(caller.id)).toBe(false);
    expect(fake.stasis.bridges.size).toBe(0);
  });

  it('reaches the model: the fake Realtime gets the caller audio (resampled to 24 kHz) and the caller gets model audio back', async () => {
    const KEY = 'aoai-key-ari-SECRET';
    const rt = await startFakeRealtime({ protocol: 'ga', apiKey: KEY, deployment: 'rt' });
    cleanups.push(() => rt.close());
    const { fake, h } = await setup([], { frames: 10 }, { AZURE_OPENAI_ENDPOINT: rt.endpoint, AZURE_OPENAI_DEPLOYMENT: 'rt', AZURE_OPENAI_API_KEY: KEY });
    fake.stasis.callIn('voicectl', '200');
    await waitFor(() => events(h, 'ari.call').length === 1, 'ari.call', 5000);
    const media = fake.stasis.media.get(events(h, 'ari.call')[0]!.mediaChannelId)!;
    await waitFor(() => rt.sessions.length === 1 && rt.last().configured && rt.last().appended.length > 0, 'Realtime session with audio');
    await waitFor(() => concat(media.audio).length >= 640, 'model audio at the caller', 5000);
    expect(concat(media.audio).length % 640).toBe(0); // whole frames only
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
    // stopping the bridge hangs the ARI calls up
    expect(events(h, 'ari.ended')[0]).toMatchObject({ reason: 'bridge stopping' });
    expect(fake.channels.size).toBe(0);
    expect(fake.stasis.bridges.size).toBe(0);
  });

  it('refuses to start without ARI credentials, and reports ARI refusing them', async () => {
    const fake = await startFakeAri();
    cleanups.push(() => fake.close());
    const { runVoicectl } = await import('../helpers/run-cli.js');
    const missing = await runVoicectl(['bridge', '--listen', '0', '--host', '127.0.0.1', '--ari'], { cwd, env: { ASTERISK_ARI_USERNAME: 'voicectl' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ASTERISK_ARI_PASSWORD');
    const wrong = await runVoicectl(['bridge', '--listen', '0', '--host', '127.0.0.1', '--ari'], {
      cwd,
      env: { ASTERISK_HOST: '127.0.0.1', ASTERISK_ARI_PORT: String(fake.port), ASTERISK_ARI_USERNAME: 'voicectl', ASTERISK_ARI_PASSWORD: 'nope-wrong' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('401');
    expect(wrong.stderr).toContain('ari show users');
    const media = await runVoicectl(['bridge', '--listen', '0', '--ari-media', 'audiosocket'], { cwd });
    expect(media.code).toBe(2);
    expect(media.stderr).toContain('--ari-media only applies with --ari');
  });
});
