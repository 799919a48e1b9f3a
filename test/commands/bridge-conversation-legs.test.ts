// Barge-in truncation on the legs that report playback: the AudioSocket leg (the bridge paces
// its output, so it knows exactly what it played) and chan_websocket (the bridge's estimate of
// Asterisk's playout queue). audio_end_ms is checked against what the fake caller really played.
import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamSettings } from '../../src/bridge/upstream-config.js';
import { startTestBridge, waitFor, type TestBridge } from '../helpers/acs-media-client.js';
import { dialAudioSocket } from '../helpers/fake-audiosocket.js';
import { dialBridgeAsAsterisk } from '../helpers/fake-asterisk-ws.js';
import { startFakeRealtime, type FakeRealtime, type FakeSession } from '../helpers/fake-realtime.js';

const KEY = 'test-aoai-key-0123456789';
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(extra: Partial<Parameters<typeof startTestBridge>[0]> = {}): Promise<{ fake: FakeRealtime; bridge: TestBridge }> {
  const fake = await startFakeRealtime({ protocol: 'ga', apiKey: KEY, echo: false });
  cleanups.push(() => fake.close());
  const upstream: UpstreamSettings = { kind: 'aoai', endpoint: fake.endpoint, deployment: 'gpt-realtime', protocol: 'ga', apiKey: KEY, session: {} };
  const bridge = await startTestBridge({ upstream, ...extra });
  cleanups.push(() => bridge.handle.close());
  return { fake, bridge };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const audible = (frame: Buffer): boolean => frame.some((b) => b !== 0);

/** Respond with 3 s, let the caller hear about `listenMs`, barge in; the truncate the model got. */
async function bargeInAfter(fake: FakeRealtime, listenMs: number): Promise<{ s: FakeSession; itemId: string; truncate: Record<string, any> }> {
  await waitFor(() => fake.sessions.length === 1 && fake.last().configured, 'a configured session');
  const { itemId } = fake.respond({ ms: 3000 });
  await sleep(listenMs);
  fake.userTurn();
  const s = fake.last();
  await waitFor(() => s.received.some((e) => e.type === 'conversation.item.truncate'), 'truncate');
  await sleep(100); // let the last frames in flight arrive
  return { s, itemId, truncate: s.received.find((e) => e.type === 'conversation.item.truncate')! };
}

describe('barge-in truncation on legs that report playback (±30 ms of the caller’s real position)', () => {
  it('AudioSocket: the position of the leg’s own pacing', async () => {
    const { fake, bridge } = await setup({ audioSocket: { port: 0, host: '127.0.0.1' } });
    const a = await dialAudioSocket(bridge.handle.audioSocketPort!);
    cleanups.push(() => void a.socket.destroy());
    const timer = setInterval(() => a.sendAudio(0x12, Buffer.alloc(640, 1)), 20); // slin16, a quiet hiss
    cleanups.push(() => clearInterval(timer));
    const { s, itemId, truncate } = await bargeInAfter(fake, 700);
    const heard = a.received.filter((f) => audible(f.payload)).length * 20;
    expect(heard).toBeGreaterThan(500);
    expect(truncate).toMatchObject({ item_id: itemId, content_index: 0 });
    expect(Math.abs(truncate.audio_end_ms - heard)).toBeLessThanOrEqual(30);
    expect(s.errors).toEqual([]);
    expect(bridge.of('call.barge_in')[0]).toMatchObject({ itemId, heardMs: truncate.audio_end_ms, generatedMs: 3000, action: 'truncate' });
  });

  it('chan_websocket: the estimate of Asterisk’s playout queue', async () => {
    const { fake, bridge } = await setup();
    const chan = await dialBridgeAsAsterisk({ url: `ws://127.0.0.1:${bridge.handle.port}/ws/asterisk`, control: 'json', format: 'slin16' });
    cleanups.push(() => { if (chan.ws.readyState <= 1) chan.hangUp(); });
    const timer = setInterval(() => chan.sendAudio(Buffer.alloc(640, 1)), 20);
    cleanups.push(() => clearInterval(timer));
    const { s, itemId, truncate } = await bargeInAfter(fake, 700);
    expect(chan.commands.some((c) => c.includes('FLUSH_MEDIA'))).toBe(true);
    expect(chan.commands.filter((c) => c.includes('MARK_MEDIA')).length).toBeGreaterThan(3); // the position comes from marks
    const heard = chan.played.filter(audible).length * 20;
    expect(heard).toBeGreaterThan(500);
    expect(truncate).toMatchObject({ item_id: itemId, content_index: 0 });
    expect(Math.abs(truncate.audio_end_ms - heard)).toBeLessThanOrEqual(30);
    expect(s.errors).toEqual([]);
  });

  it('an item the caller heard nothing of is deleted, not truncated to 0', async () => {
    const { fake, bridge } = await setup({ audioSocket: { port: 0, host: '127.0.0.1' } });
    const a = await dialAudioSocket(bridge.handle.audioSocketPort!);
    cleanups.push(() => void a.socket.destroy());
    a.sendAudio(0x12, Buffer.alloc(640, 1));
    await waitFor(() => fake.sessions.length === 1 && fake.last().configured, 'a configured session');
    // Audio arrives and the caller barges in before the leg's next 20 ms frame is due.
    const { itemId } = fake.respond({ ms: 3000, text: 'Never heard.' });
    fake.userTurn();
    const s = fake.last();
    await waitFor(() => s.received.some((e) => e.type === 'conversation.item.delete'), 'delete');
    expect(s.received.filter((e) => e.type === 'conversation.item.truncate')).toEqual([]);
    expect(s.received.find((e) => e.type === 'conversation.item.delete')).toMatchObject({ item_id: itemId });
    await waitFor(() => s.items.get(itemId)!.deleted === true, 'deleted at the model');
    expect(bridge.of('call.barge_in')[0]).toMatchObject({ itemId, heardMs: 0, action: 'delete' });
    expect(bridge.of('transcript').filter((t) => t.role === 'model')).toEqual([]);
  });
});
