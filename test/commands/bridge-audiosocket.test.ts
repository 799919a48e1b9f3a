// The AudioSocket leg end to end in-process: a fake Asterisk AudioSocket connection ↔ bridge ↔
// fake Azure OpenAI Realtime (or the echo), on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { audioSocketMessage, AudioSocketReader } from '../../src/bridge/legs/audiosocket-frames.js';
import type { UpstreamSettings } from '../../src/bridge/upstream-config.js';
import { connectAcs, samplesOf, startTestBridge, toneShare, waitFor, type TestBridge } from '../helpers/acs-media-client.js';
import { dialAudioSocket, frame, type FakeAudioSocket } from '../helpers/fake-audiosocket.js';
import { startFakeRealtime, type FakeRealtime } from '../helpers/fake-realtime.js';
import { toneSamples } from '../helpers/g711.js';

const KEY = 'test-aoai-key-0123456789';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(aoai: boolean, extra: Partial<Parameters<typeof startTestBridge>[0]> = {}): Promise<{ fake?: FakeRealtime; bridge: TestBridge; port: number }> {
  let fake: FakeRealtime | undefined;
  let upstream: UpstreamSettings = { kind: 'echo' };
  if (aoai) {
    fake = await startFakeRealtime({ protocol: 'ga', apiKey: KEY });
    cleanups.push(() => fake!.close());
    upstream = { kind: 'aoai', endpoint: fake.endpoint, deployment: 'gpt-realtime', protocol: 'ga', apiKey: KEY, session: {} };
  }
  const bridge = await startTestBridge({ upstream, audioSocket: { port: 0, host: '127.0.0.1' }, ...extra });
  cleanups.push(() => bridge.handle.close());
  return { ...(fake ? { fake } : {}), bridge, port: bridge.handle.audioSocketPort! };
}

async function dial(port: number): Promise<FakeAudioSocket> {
  const a = await dialAudioSocket(port);
  cleanups.push(async () => a.socket.destroy());
  return a;
}

function pcmFrames(rate: number, hz: number, frames: number): Buffer[] {
  const s = toneSamples(rate, hz, frames * 20);
  const per = rate / 50;
  return Array.from({ length: frames }, (_, f) => Buffer.from(s.buffer, s.byteOffset + f * per * 2, per * 2));
}

describe('AudioSocket framing', () => {
  it('reads messages split anywhere across TCP chunks, and builds the 3-byte header', () => {
    const msgs = Buffer.concat([audioSocketMessage(0x01, Buffer.alloc(16, 7)), audioSocketMessage(0x12, Buffer.alloc(640, 1)), audioSocketMessage(0x03, Buffer.from('5'))]);
    for (const cut of [1, 2, 3, 19, 20, 100, 662]) {
      const r = new AudioSocketReader();
      const got = [...r.push(msgs.subarray(0, cut)), ...r.push(msgs.subarray(cut))].map((m) => [m.kind, m.payload.length]);
      expect(got).toEqual([[0x01, 16], [0x12, 640], [0x03, 1]]);
      expect(r.pending).toBe(0);
    }
    expect(audioSocketMessage(0x10, Buffer.alloc(320)).subarray(0, 3)).toEqual(Buffer.from([0x10, 0x01, 0x40]));
    expect(() => audioSocketMessage(0x10, Buffer.alloc(70000))).toThrow(RangeError);
  });
});

describe('AudioSocket leg', () => {
  it('slin16 with the echo: paced 20 ms frames of the caller’s kind, silence when quiet, only audio kinds sent', async () => {
    const { bridge, port } = await setup(false);
    const a = await dial(port);
    const frames = pcmFrames(16000, 1000, 10);
    for (const f of frames) a.sendAudio(0x12, f); // a burst: the bridge must still pace its output
    await waitFor(() => a.received.length >= 40, '40 frames back', 5000);
    const gaps = a.received.slice(1, 40).map((r, i) => r.at - a.received[i]!.at);
    const span = a.received[39]!.at - a.received[0]!.at;
    expect(span).toBeGreaterThan(39 * 20 * 0.85); // real time, not a burst
    expect(span).toBeLessThan(39 * 20 * 1.25);
    expect(gaps.filter((g) => g < 5).length).toBeLessThan(4);
    expect(a.received.every((r) => r.kind === 0x12 && r.payload.length === 640)).toBe(true);
    expect(Buffer.concat(a.received.slice(0, 10).map((r) => r.payload))).toEqual(Buffer.concat(frames)); // the echo, in order
    expect(a.received.slice(12, 30).every((r) => r.payload.equals(Buffer.alloc(640)))).toBe(true); // then silence
    expect(a.fatalKind).toBeUndefined();
    expect(bridge.of('call.started')[0]).toMatchObject({ source: 'asterisk', transport: 'audiosocket', uuid: '4a1c6f3e-9d2b-4c8e-8f00-112233445566' });
  });

  it('slin (0x10, the AudioSocket() app) with Azure OpenAI: resampled 8k → 24k for the model and back', async () => {
    const { fake, bridge, port } = await setup(true);
    const a = await dial(port);
    for (const f of pcmFrames(8000, 1000, 50)) a.sendAudio(0x10, f);
    await waitFor(() => fake!.sessions.length === 1 && samplesOf(fake!.last().appended).length >= 22000, 'audio at the model');
    expect(fake!.last().format).toBe('pcm16');
    expect(fake!.last().formatMismatches).toBe(0);
    expect(toneShare(samplesOf(fake!.last().appended).subarray(2400), 24000, 1000)).toBeGreaterThan(0.45);
    await waitFor(() => a.received.filter((r) => !r.payload.equals(Buffer.alloc(320))).length >= 40, 'model audio back');
    const heard = a.received.filter((r) => !r.payload.equals(Buffer.alloc(320)));
    expect(heard.every((r) => r.kind === 0x10 && r.payload.length === 320)).toBe(true);
    expect(toneShare(samplesOf(heard.map((r) => r.payload.toString('base64'))).subarray(800), 8000, 1000)).toBeGreaterThan(0.4);
    expect(bridge.of('call.format')[0]).toMatchObject({ codec: 'pcm16', sampleRate: 8000, resampling: true });
  });

  it('barge-in empties the bridge’s own playout queue at once', async () => {
    const { fake, port } = await setup(true);
    const a = await dial(port);
    a.sendAudio(0x13, Buffer.alloc(960, 9));
    await waitFor(() => fake!.sessions.length === 1 && fake!.last().configured, 'session');
    fake!.delta(Buffer.alloc(960 * 150, 3).toString('base64')); // 3 s of answer
    await waitFor(() => a.received.filter((r) => r.payload[0] === 3).length >= 10, 'answer playing');
    fake!.speechStarted();
    await waitFor(() => fake!.last().received.some((e) => e.type === 'response.cancel'), 'response.cancel');
    const n = a.received.length;
    await new Promise((r) => setTimeout(r, 200));
    const after = a.received.slice(n + 2); // a frame or two may have been in flight
    expect(after.length).toBeGreaterThan(5);
    expect(after.every((r) => r.payload.equals(Buffer.alloc(960)))).toBe(true); // silence, not the rest of the answer
    expect(a.received.filter((r) => r.payload[0] === 3).length).toBeLessThan(60);
  });

  it('DTMF becomes call.dtmf; an unsupported kind is hung up with 0x00 and a reason; a closed socket ends the call', async () => {
    const { bridge, port } = await setup(false);
    const a = await dial(port);
    a.sendDtmf('#');
    await waitFor(() => bridge.of('call.dtmf').length === 1, 'call.dtmf');
    expect(bridge.of('call.dtmf')[0]).toMatchObject({ digit: '#', source: 'asterisk' });
    a.sendAudio(0x11, Buffer.alloc(480)); // slin12
    await a.closed;
    expect(a.hungUp).toBe(true);
    expect(a.fatalKind).toBeUndefined();
    expect(bridge.of('call.unsupported')[0]!.reason).toMatch(/0x11 is not carried/);
    await waitFor(() => bridge.of('call.ended').length === 1, 'call.ended');
    const b = await dial(port);
    b.sendAudio(0x12, Buffer.alloc(640));
    await waitFor(() => bridge.of('call.format').length === 1, 'second call format');
    b.close();
    await waitFor(() => bridge.of('call.ended').length === 2, 'second call ended');
    expect(bridge.of('call.ended')[1]).toMatchObject({ source: 'asterisk', closeCode: 1000, framesIn: 1 });
  });

  it('a malformed stream is counted, and AudioSocket calls count against the same --max-calls as ACS', async () => {
    const { bridge, port } = await setup(false, { maxCalls: 1 });
    const acs = await connectAcs(bridge.mediaUrl);
    cleanups.push(async () => acs.close());
    const a = await dial(port);
    await a.closed;
    expect(a.hungUp).toBe(true);
    expect(bridge.of('call.refused')[0]).toMatchObject({ source: 'asterisk', reason: 'max-calls' });
    acs.close();
    await waitFor(() => bridge.handle.stats().activeCalls === 0, 'ACS call gone');
    const b = await dial(port);
    b.sendRaw(frame(0x42, Buffer.from('?')));
    await waitFor(() => bridge.handle.stats().malformed === 1, 'malformed counted');
    expect(bridge.handle.stats().bySource).toEqual({ acs: 1, asterisk: 1, twilio: 0 });
  });
});
