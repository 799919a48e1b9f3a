/**
 * A warm first answer: when the bridge answers an ACS call itself, it opens the call's Realtime
 * session while ACS connects the media socket, and the socket (matched by its
 * x-ms-call-connection-id) takes that session instead of opening one. Real SDK against the Call
 * Automation fake, the bridge's own /ws/media, the fake Azure OpenAI Realtime.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBridge, type BridgeHandle } from '../../src/bridge/server.js';
import { createCallAutomation, type CallAutomation } from '../../src/calls/index.js';
import { waitFor } from '../helpers/acs-media-client.js';
import { FakeCallAutomation, rewriteTo } from '../helpers/fake-call-automation.js';
import { startFakeRealtime, type FakeRealtime } from '../helpers/fake-realtime.js';

const HOST = 'voice.example.test';
const KEY = 'test-aoai-key-0123456789';

let cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function start(prewarmTimeoutMs?: number): Promise<{ fake: FakeCallAutomation; ca: CallAutomation; bridge: BridgeHandle; rt: FakeRealtime; events: Array<{ type: string; data: Record<string, any> }> }> {
  let port = 0;
  const rt = await startFakeRealtime({ protocol: 'ga', apiKey: KEY, echo: false });
  const fake = await new FakeCallAutomation({ rewriteUrl: rewriteTo(HOST, () => port), frames: 4, frameIntervalMs: 5 }).start();
  const events: Array<{ type: string; data: Record<string, any> }> = [];
  const onEvent = (type: string, data: Record<string, unknown>): void => void events.push({ type, data });
  let bridge: BridgeHandle | undefined;
  const ca = await createCallAutomation({
    connectionString: fake.connectionString, callbackHost: HOST, mediaToken: 'mt-1', acsResourceId: fake.resourceId, jwksUrl: fake.jwksUrl,
    clientOptions: fake.clientOptions(), onEvent, log: () => undefined, prewarm: () => bridge?.prewarm(),
  });
  bridge = await startBridge({
    port: 0, host: '127.0.0.1', mediaPath: '/ws/media', maxCalls: 10, mediaToken: 'mt-1',
    upstream: { kind: 'aoai', endpoint: rt.endpoint, deployment: 'gpt-realtime', protocol: 'ga', apiKey: KEY, session: {} },
    onEvent, routes: ca.routes, ...(ca.authorizeMediaUpgrade ? { authorizeMediaUpgrade: ca.authorizeMediaUpgrade } : {}),
    drainTimeoutMs: 200, ...(prewarmTimeoutMs !== undefined ? { prewarmTimeoutMs } : {}),
  });
  port = bridge.port;
  const b = bridge;
  cleanup.push(() => rt.close(), () => fake.close(), () => b.close(), () => ca.close());
  return { fake, ca, bridge, rt, events };
}

describe('warm first answer', () => {
  it('the session opened at IncomingCall is the one the media socket uses: one session, ready when the socket opens', async () => {
    const { fake, ca, bridge, rt, events } = await start();
    const u = new URL(ca.eventGridUrl);
    const res = await fetch(`http://127.0.0.1:${bridge.port}${u.pathname}${u.search}`, { method: 'POST', body: JSON.stringify(fake.makeIncomingCall().delivery) });
    expect(res.status).toBe(200);
    await fake.idle();
    await waitFor(() => events.some((e) => e.type === 'upstream.opened'), 'upstream.opened');
    expect(rt.sessions).toHaveLength(1); // no second session for the media socket
    expect(events.find((e) => e.type === 'upstream.opened')!.data).toMatchObject({ warm: true, source: 'acs' });
    const started = events.findIndex((e) => e.type === 'call.started');
    expect(started).toBeGreaterThan(-1);
    // the session was configured before the media socket arrived
    expect(rt.sessions[0]!.configured).toBe(true);
    fake.media[0]!.socket.close(1000);
    await waitFor(() => events.some((e) => e.type === 'call.ended'), 'call.ended');
    const ended = events.find((e) => e.type === 'call.ended')!.data;
    expect(ended).toMatchObject({ warmSession: true, connectionId: expect.any(String) });
    expect(ended.sessionReadyMs).toBeLessThan(50);
  });

  it('a pre-opened session no media socket claims is closed after the timeout', async () => {
    const { bridge, rt, events } = await start(150);
    const ticket = bridge.prewarm()!;
    ticket.bind('11111111-2222-3333-4444-555555555555');
    await waitFor(() => rt.sessions.length === 1 && rt.sessions[0]!.configured, 'a pre-opened session');
    await waitFor(() => rt.sessions[0]!.ws.readyState === 3, 'closed after the timeout', 2000);
    expect(events.find((e) => e.type === 'upstream.prewarm_closed')!.data).toEqual({ reason: 'no media socket claimed it' });
  });
});
