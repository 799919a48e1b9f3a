// The call's per-frame audio path: a payload read from its bytes goes on in them (no string)
// when neither side converts, and as a string where the call resamples or the other side
// cannot build around bytes; counters the same either way.
import { describe, expect, it } from 'vitest';
import { CallCore, type MediaLeg } from '../../src/bridge/call-core.js';
import { payloadString, type Base64Bytes } from '../../src/bridge/payload.js';
import type { Upstream, UpstreamFactory, UpstreamSink } from '../../src/bridge/upstream.js';

/** `bytes` bytes of PCM as base64, inside a message shaped like an ACS AudioData frame. */
function inMessage(bytes: number): Base64Bytes {
  const b64 = Buffer.alloc(bytes, 0x11).toString('base64');
  const msg = Buffer.from(`{"kind":"AudioData","audioData":{"data":"${b64}","silent":false}}`);
  const start = msg.indexOf(b64);
  return { msg, start, end: start + b64.length };
}

interface Recorded {
  strings: string[];
  views: Base64Bytes[];
}

function setup(o: { sampleRate: number; legTakesBytes?: boolean; upstreamTakesBytes?: boolean }) {
  const toModel: Recorded = { strings: [], views: [] };
  const toCaller: Recorded = { strings: [], views: [] };
  let sink: UpstreamSink | undefined;
  const upstream: UpstreamFactory = (call) => {
    sink = call.sink;
    const up: Upstream = {
      passthrough: false,
      send: (b64) => (toModel.strings.push(b64), true),
      counters: () => ({ reconnects: 0, dropped: 0, lateDeltasDropped: 0, cancels: 0, invalidDeltas: 0 }),
      close: () => {},
    };
    if (o.upstreamTakesBytes !== false) up.sendBytes = (p) => (toModel.views.push(p), true);
    return up;
  };
  const events: Array<[string, Record<string, unknown>]> = [];
  const core = new CallCore({ callId: 'c1', source: 'acs' }, { upstream, onEvent: (t, d) => events.push([t, d]), onEnd: () => {}, onUpstreamError: () => {} });
  const leg: MediaLeg = {
    play: (b64) => (toCaller.strings.push(b64), true),
    stopPlayback: () => {},
    hangUp: () => {},
    terminate: () => {},
  };
  if (o.legTakesBytes !== false) leg.playBytes = (p) => (toCaller.views.push(p), true);
  core.attach(leg);
  return { core, toModel, toCaller, sink: () => sink!, events };
}

describe('the call audio path with payloads in their bytes', () => {
  it('24 kHz: caller and model audio go on as the same bytes, counted', () => {
    const { core, toModel, toCaller, sink } = setup({ sampleRate: 24000 });
    core.start({ codec: 'pcm16', sampleRate: 24000 });
    const caller = inMessage(960);
    core.callerAudioBytes(caller);
    expect(toModel.views).toEqual([caller]);
    expect(toModel.views[0]).toBe(caller);
    expect(toModel.strings).toEqual([]);
    const model = inMessage(480);
    sink().audioBytes!(model, { itemId: 'item_1', contentIndex: 0, responseId: 'resp_1' });
    expect(toCaller.views[0]).toBe(model);
    expect(toCaller.strings).toEqual([]);
    expect(core.counters()).toMatchObject({ framesIn: 1, bytesIn: 960, framesOut: 1, bytesOut: 480 });
  });

  it('16 kHz: both directions are resampled, so strings at the other rate go on', () => {
    const { core, toModel, toCaller, sink } = setup({ sampleRate: 16000 });
    core.start({ codec: 'pcm16', sampleRate: 16000 });
    for (let i = 0; i < 3; i++) core.callerAudioBytes(inMessage(640)); // 20 ms at 16 kHz
    expect(toModel.views).toEqual([]);
    const sent = toModel.strings.reduce((n, s) => n + Buffer.from(s, 'base64').length, 0);
    expect(sent).toBeGreaterThan(2 * 960 - 100); // ~3 × 960 bytes at 24 kHz, less the filter's delay
    expect(sent).toBeLessThanOrEqual(3 * 960);
    for (let i = 0; i < 3; i++) sink().audioBytes!(inMessage(960)); // 20 ms at 24 kHz
    expect(toCaller.views).toEqual([]);
    const played = toCaller.strings.reduce((n, s) => n + Buffer.from(s, 'base64').length, 0);
    expect(played).toBeGreaterThan(2 * 640 - 100);
    expect(played).toBeLessThanOrEqual(3 * 640);
    expect(core.counters()).toMatchObject({ framesIn: 3, bytesIn: 3 * 640 });
  });

  it('a leg or an upstream that cannot build around bytes gets the payload as a string', () => {
    const { core, toModel, toCaller, sink } = setup({ sampleRate: 24000, legTakesBytes: false, upstreamTakesBytes: false });
    core.start({ codec: 'pcm16', sampleRate: 24000 });
    const caller = inMessage(960);
    core.callerAudioBytes(caller);
    expect(toModel.strings).toEqual([payloadString(caller)]);
    const model = inMessage(480);
    sink().audioBytes!(model);
    expect(toCaller.strings).toEqual([payloadString(model)]);
    expect(core.counters()).toMatchObject({ framesIn: 1, bytesIn: 960, framesOut: 1, bytesOut: 480 });
  });

  it('before the format is known caller audio is counted and goes nowhere; odd PCM16 is malformed', () => {
    const { core, toModel, events } = setup({ sampleRate: 24000 });
    core.callerAudioBytes(inMessage(960));
    expect(core.counters()).toMatchObject({ beforeMetadata: 1, framesIn: 0 });
    core.start({ codec: 'pcm16', sampleRate: 24000 });
    core.callerAudioBytes(inMessage(961));
    expect(toModel.views).toEqual([]);
    expect(core.counters()).toMatchObject({ malformed: 1, framesIn: 0 });
    expect(events.find(([t]) => t === 'call.malformed')?.[1]).toMatchObject({ reason: 'PCM16 frame of 961 bytes (odd)' });
  });
});
