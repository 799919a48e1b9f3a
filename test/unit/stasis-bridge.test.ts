// startStasisBridge against the fake ARI with a stand-in for the bridge's media dialling:
// registration warnings, ApplicationReplaced, reconnection with backoff, foreign channels, failures.
import net from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { AriClient } from '../../src/ari/client.js';
import { startStasisBridge, type StasisBridge } from '../../src/ari/stasis-bridge.js';
import { parseAriUrl } from '../../src/ari/url.js';
import { waitFor } from '../helpers/acs-media-client.js';
import { startFakeAri, type FakeAri } from '../helpers/fake-ari.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Ev = { type: string; data: Record<string, any> };

async function start(fake: FakeAri, connectMedia?: (url: string) => Promise<string>, extra: { media?: 'websocket' | 'audiosocket'; audioSocket?: string; initialMs?: number } = {}): Promise<{ bridge: StasisBridge; events: Ev[]; sockets: WebSocket[] }> {
  const events: Ev[] = [];
  const sockets: WebSocket[] = [];
  const client = new AriClient({ url: parseAriUrl(fake.url), user: 'voicectl', password: 'ari-secret-pw', timeoutMs: 2000 });
  const bridge = await startStasisBridge({
    client,
    app: 'voicectl',
    media: extra.media ?? 'websocket',
    ...(extra.audioSocket ? { audioSocket: extra.audioSocket } : {}),
    connectMedia:
      connectMedia ??
      (async (url) => {
        const ws = new WebSocket(url, 'media');
        sockets.push(ws);
        await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
        return `c${sockets.length}`;
      }),
    onEvent: (type, data) => events.push({ type, data }),
    backoff: { initialMs: extra.initialMs ?? 20, maxMs: 1000 },
  });
  cleanups.push(() => bridge.close());
  return { bridge, events, sockets };
}

describe('startStasisBridge', () => {
  it('warns when the app is already registered, and reports ApplicationReplaced without reconnecting', async () => {
    const fake = await startFakeAri();
    cleanups.push(() => fake.close());
    const other = new WebSocket(`ws://127.0.0.1:${fake.port}/ari/events?app=voicectl&api_key=voicectl:ari-secret-pw`);
    await new Promise((r) => other.once('open', r));
    cleanups.push(async () => other.close());
    const { events } = await start(fake);
    expect(events[0]).toMatchObject({ type: 'ari.warning', data: { app: 'voicectl', message: expect.stringContaining('already registered') } });
    expect(events[1]).toMatchObject({ type: 'ari.connected' });
    fake.emit('voicectl', { type: 'ApplicationReplaced' });
    await waitFor(() => events.some((e) => e.type === 'ari.error'), 'ari.error');
    expect(events.find((e) => e.type === 'ari.error')!.data).toMatchObject({ code: 'app_replaced', message: expect.stringContaining('Another ARI client') });
    fake.dropSockets();
    await new Promise((r) => setTimeout(r, 100));
    expect(events.filter((e) => e.type === 'ari.disconnected')).toEqual([]);
  });

  it('reconnects with backoff when the events socket drops, and keeps handling calls', async () => {
    const fake = await startFakeAri({ frames: 0 });
    cleanups.push(() => fake.close());
    const { events } = await start(fake);
    expect(events.map((e) => e.type)).toEqual(['ari.connected']);
    fake.dropSockets();
    await waitFor(() => events.filter((e) => e.type === 'ari.connected').length === 2, 'reconnected');
    expect(events.find((e) => e.type === 'ari.disconnected')!.data).toMatchObject({ attempt: 1, delayMs: 20, reason: expect.stringContaining('1011') });
    expect(events.at(-1)!.data).toMatchObject({ reconnected: true });
    const caller = fake.stasis.callIn('voicectl', '300');
    await waitFor(() => events.some((e) => e.type === 'ari.call'), 'ari.call after reconnection');
    expect(events.find((e) => e.type === 'ari.call')!.data).toMatchObject({ callerChannelId: caller.id, callId: 'c1' });
  });

  it('after a reconnection, ends the calls whose caller hung up while no events came', async () => {
    const fake = await startFakeAri({ frames: 0 });
    cleanups.push(() => fake.close());
    const { events, bridge } = await start(fake, undefined, { initialMs: 300 });
    const caller = fake.stasis.callIn('voicectl', '700');
    await waitFor(() => events.some((e) => e.type === 'ari.call'), 'ari.call');
    fake.dropSockets();
    await waitFor(() => events.some((e) => e.type === 'ari.disconnected'), 'disconnected');
    fake.stasis.hangupChannel(caller.id); // its StasisEnd goes nowhere
    expect(bridge.active()).toBe(1);
    await waitFor(() => events.some((e) => e.type === 'ari.ended'), 'swept', 3000);
    expect(events.find((e) => e.type === 'ari.ended')!.data).toMatchObject({ callerChannelId: caller.id, reason: 'caller hung up while ARI was disconnected' });
    expect(fake.stasis.bridges.size).toBe(0);
  });

  it("dials Asterisk's /media/<connection id> as the fake checks it: an unknown id is 404, a second connection 409", async () => {
    const fake = await startFakeAri({ frames: 0 });
    cleanups.push(() => fake.close());
    const urls: string[] = [];
    const sockets: WebSocket[] = [];
    const open = (url: string, protocol = 'media') =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, protocol);
        sockets.push(ws);
        ws.once('open', () => resolve(101));
        ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
        ws.once('error', () => undefined);
      });
    cleanups.push(async () => sockets.forEach((w) => w.terminate()));
    const { events } = await start(fake, async (url) => {
      urls.push(url);
      expect(await open(url)).toBe(101);
      return 'c1';
    });
    fake.stasis.callIn('voicectl', '800');
    await waitFor(() => events.some((e) => e.type === 'ari.call'), 'ari.call');
    expect(urls[0]).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${fake.port}/media/[0-9a-f-]{36}$`));
    expect(await open(urls[0]!)).toBe(409);
    expect(await open(urls[0]!.replace(/[0-9a-f-]{36}$/, '00000000-0000-0000-0000-000000000000'))).toBe(404);
  });

  it('handles two callers at once, each with its own bridge and media channel', async () => {
    const fake = await startFakeAri({ frames: 0 });
    cleanups.push(() => fake.close());
    const { events, bridge } = await start(fake);
    const a = fake.stasis.callIn('voicectl', '601');
    const b = fake.stasis.callIn('voicectl', '602');
    await waitFor(() => events.filter((e) => e.type === 'ari.call').length === 2, 'two ari.call');
    const calls = events.filter((e) => e.type === 'ari.call').map((e) => e.data);
    expect(calls.map((c) => c.callerChannelId).sort()).toEqual([a.id, b.id].sort());
    expect(new Set(calls.map((c) => c.bridgeId)).size).toBe(2);
    for (const c of calls) expect(fake.stasis.bridges.get(c.bridgeId)!.channels).toEqual([c.callerChannelId, c.mediaChannelId]);
    expect(bridge.active()).toBe(2);
    fake.stasis.hangupChannel(a.id);
    await waitFor(() => bridge.active() === 1, 'one left');
    expect(fake.channels.has(b.id)).toBe(true);
    expect(fake.stasis.bridges.size).toBe(1);
  });

  it('leaves externalMedia channels it did not create alone, and tears down when the media cannot be reached', async () => {
    const fake = await startFakeAri();
    cleanups.push(() => fake.close());
    const { events, bridge } = await start(fake, async () => {
      throw new Error('Unexpected server response: 404');
    });
    fake.emit('voicectl', { type: 'StasisStart', args: [], channel: { id: 'x1', name: 'WebSocket/INCOMING/0x1', state: 'Up', caller: { name: '', number: '' } } });
    const caller = fake.stasis.callIn('voicectl', '400');
    await waitFor(() => events.some((e) => e.type === 'ari.ended'), 'ari.ended');
    expect(events.find((e) => e.type === 'ari.error')!.data).toMatchObject({ step: 'media', callerChannelId: caller.id, message: 'Unexpected server response: 404' });
    expect(fake.requests.filter((r) => r.path.endsWith('/answer')).map((r) => r.path)).toEqual([`/channels/${caller.id}/answer`]);
    expect(fake.channels.size).toBe(0); // caller and externalMedia channel hung up
    expect(fake.stasis.bridges.size).toBe(0);
    expect(bridge.active()).toBe(0);
  });

  it('picks 8 kHz slin for AudioSocket before 22.7, and warns that chan_websocket needs 22.6', async () => {
    const fake = await startFakeAri({ version: '22.5.0', frames: 0 });
    cleanups.push(() => fake.close());
    const conns: net.Socket[] = [];
    const server = net.createServer((s) => (s.on('error', () => undefined), conns.push(s)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => (conns.forEach((c) => c.destroy()), server.close(r))));
    const port = (server.address() as net.AddressInfo).port;
    const as = await start(fake, undefined, { media: 'audiosocket', audioSocket: `127.0.0.1:${port}` });
    fake.stasis.callIn('voicectl', '500');
    await waitFor(() => as.events.some((e) => e.type === 'ari.call'), 'ari.call');
    expect(fake.requests.find((r) => r.path === '/channels/externalMedia')!.query).toMatchObject({ format: 'slin', external_host: `127.0.0.1:${port}` });
    expect(as.events.find((e) => e.type === 'ari.call')!.data).toMatchObject({ media: 'audiosocket', format: 'slin' });
    await as.bridge.close();
    const ws = await start(fake);
    expect(ws.events[0]).toMatchObject({
      type: 'ari.warning',
      data: { message: 'chan_websocket path unavailable: Asterisk 22.5.0 is older than 20.16 / 21.11 / 22.6 / 23.0; fix: upgrade Asterisk to 20.16 / 21.11 / 22.6 / 23.0 or later: calls will fail at externalMedia.' },
    });
  });

  it('warns at start when the chosen path lacks a module, naming the module load fix', async () => {
    const fake = await startFakeAri({ modules: ['res_ari.so', 'res_audiosocket.so', 'chan_audiosocket.so'] });
    cleanups.push(() => fake.close());
    const { events } = await start(fake);
    expect(events[0]!.data.message).toBe(
      'chan_websocket path unavailable: res_http_websocket.so, res_websocket_client.so, chan_websocket.so not loaded; fix: asterisk -rx "module load res_http_websocket.so"; asterisk -rx "module load res_websocket_client.so"; asterisk -rx "module load chan_websocket.so": calls will fail at externalMedia.',
    );
  });

  it('stops at start with the ARI verdict when the credentials are refused', async () => {
    const fake = await startFakeAri();
    cleanups.push(() => fake.close());
    const client = new AriClient({ url: parseAriUrl(fake.url), user: 'voicectl', password: 'wrong-one' });
    await expect(
      startStasisBridge({ client, app: 'voicectl', media: 'websocket', connectMedia: async () => 'x', onEvent: () => undefined }),
    ).rejects.toMatchObject({ verdict: 'auth_failed', code: 'VOICECTL_ARI_AUTH_FAILED' });
  });
});
