/**
 * End to end through the real bridge (`startBridge`, echo upstream): an Event Grid IncomingCall is
 * answered by the real SDK on the Call Automation fake, the fake opens the bridge's own /ws/media
 * with ACS's JWT and the media token, and the caller's audio comes back (echo). A media socket the
 * bridge refuses ends in a MediaStreamingFailed callback with a one-line diagnosis naming the fix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBridge, type BridgeHandle } from '../../src/bridge/server.js';
import { createCallAutomation, type CallAutomation } from '../../src/calls/index.js';
import { FakeCallAutomation, rewriteTo } from '../helpers/fake-call-automation.js';

const HOST = 'voice.example.test';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function start(o: { caMediaToken: string; bridgeMediaToken: string }): Promise<{
  fake: FakeCallAutomation;
  ca: CallAutomation;
  bridge: BridgeHandle;
  events: Array<{ type: string; data: Record<string, unknown> }>;
  lines: string[];
}> {
  let port = 0;
  const fake = await new FakeCallAutomation({ rewriteUrl: rewriteTo(HOST, () => port), frames: 6, frameIntervalMs: 1 }).start();
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];
  const lines: string[] = [];
  const onEvent = (type: string, data: Record<string, unknown>): void => void events.push({ type, data });
  const ca = await createCallAutomation({
    connectionString: fake.connectionString,
    callbackHost: HOST,
    mediaToken: o.caMediaToken,
    acsResourceId: fake.resourceId,
    jwksUrl: fake.jwksUrl,
    clientOptions: fake.clientOptions(),
    onEvent,
    log: (l) => lines.push(l),
  });
  const bridge = await startBridge({
    port: 0,
    host: '127.0.0.1',
    mediaPath: '/ws/media',
    maxCalls: 10,
    mediaToken: o.bridgeMediaToken,
    upstream: { kind: 'echo' },
    onEvent,
    routes: ca.routes,
    healthExtras: ca.healthExtras,
    ...(ca.authorizeMediaUpgrade ? { authorizeMediaUpgrade: ca.authorizeMediaUpgrade } : {}),
    drainTimeoutMs: 200,
  });
  port = bridge.port;
  cleanup.push(() => fake.close(), () => bridge.close(), () => ca.close());
  return { fake, ca, bridge, events, lines };
}

async function deliver(bridgePort: number, ca: CallAutomation, body: unknown): Promise<number> {
  const u = new URL(ca.eventGridUrl);
  const res = await fetch(`http://127.0.0.1:${bridgePort}${u.pathname}${u.search}`, { method: 'POST', body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

describe('the bridge answers ACS calls', () => {
  it('answers an IncomingCall with media to its own /ws/media; ACS connects with its JWT and hears the echo', async () => {
    const { fake, ca, bridge, events } = await start({ caMediaToken: 'mt-1', bridgeMediaToken: 'mt-1' });
    expect(await deliver(bridge.port, ca, fake.makeIncomingCall().delivery)).toBe(200);
    await fake.idle();
    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['call.incoming', 'call.answered', 'call.connected', 'call.started', 'media.started']));
    const session = fake.media[0]!;
    expect(session.url).toBe(`wss://${HOST}/ws/media?token=mt-1`);
    // The echo upstream plays the caller's frames back as AudioData.
    for (let i = 0; i < 200 && session.received.length < 6; i += 1) await new Promise((r) => setTimeout(r, 5));
    const back = session.received as Array<{ kind: string; audioData?: { data: string } }>;
    expect(back.length).toBeGreaterThanOrEqual(6);
    expect(back.every((m) => m.kind === 'AudioData' && typeof m.audioData?.data === 'string')).toBe(true);
    const started = events.find((e) => e.type === 'call.started')!.data;
    const answered = events.find((e) => e.type === 'call.answered')!.data;
    expect(started.connectionId).toBe(answered.callConnectionId);
    const health = (await (await fetch(`http://127.0.0.1:${bridge.port}/api/health`)).json()) as Record<string, any>;
    expect(health.acs).toMatchObject({ answering: true, jwtValidation: true, answered: 1, failed: 0, active: 1, lastCallbackFailure: null });
    expect(JSON.stringify(health)).not.toContain('mt-1');
    expect(JSON.stringify(health)).not.toContain(new URL(ca.eventGridUrl).searchParams.get('code')!);
  });

  it('a media socket the bridge refuses: MediaStreamingFailed becomes a one-line diagnosis naming ws-probe', async () => {
    const { fake, ca, bridge, events, lines } = await start({ caMediaToken: 'wrong', bridgeMediaToken: 'mt-2' });
    await deliver(bridge.port, ca, fake.makeIncomingCall().delivery);
    await fake.idle();
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['media.refused', 'media.failed']));
    const line = lines.find((l) => l.includes('media.failed'))!;
    expect(line).not.toContain('\n');
    expect(line).toContain(`ACS could not open the media WebSocket wss://${HOST}/ws/media`);
    expect(line).toContain(`Fix: Run \`voicectl ws-probe wss://${HOST}/ws/media\``);
    const health = (await (await fetch(`http://127.0.0.1:${bridge.port}/api/health`)).json()) as Record<string, any>;
    expect(health.acs).toMatchObject({ failed: 1, lastCallbackFailure: { event: 'media.failed', cause: 'media-unreachable' } });
  });
});
