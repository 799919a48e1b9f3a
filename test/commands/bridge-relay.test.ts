// The relay end to end in-process: fake ACS client ↔ bridge ↔ fake Azure OpenAI Realtime,
// all real WebSockets on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamSettings } from '../../src/bridge/upstream-config.js';
import {
  connectAcs,
  numberedFrames,
  samplesOf,
  startTestBridge,
  toneFrames,
  toneShare,
  waitFor,
  type TestBridge,
} from '../helpers/acs-media-client.js';
import { startFakeRealtime, type FakeRealtime } from '../helpers/fake-realtime.js';

const KEY = 'test-aoai-key-0123456789';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  protocol: 'ga' | 'preview',
  upstream: Partial<Extract<UpstreamSettings, { kind: 'aoai' }>> = {},
): Promise<{ fake: FakeRealtime; bridge: TestBridge }> {
  const fake = await startFakeRealtime({ protocol, apiKey: KEY, deployment: 'gpt-realtime' });
  cleanups.push(() => fake.close());
  const bridge = await startTestBridge({
    upstream: {
      kind: 'aoai', endpoint: fake.endpoint, deployment: 'gpt-realtime', protocol, apiKey: KEY,
      session: { voice: 'alloy', instructions: 'Be brief.' }, backoff: { baseMs: 10, maxMs: 40, maxAttempts: 50 },
      ...upstream,
    },
  });
  cleanups.push(() => bridge.handle.close());
  return { fake, bridge };
}

async function ended(bridge: TestBridge): Promise<Record<string, any>> {
  await waitFor(() => bridge.of('call.ended').length > 0, 'call.ended');
  return bridge.of('call.ended')[0]!;
}

describe('bridge relay, 24 kHz passthrough', () => {
  it('echo: 24 kHz frames come back bit-exact and in order; call events carry the ACS ids and counters', async () => {
    const bridge = await startTestBridge();
    cleanups.push(() => bridge.handle.close());
    const acs = await connectAcs(bridge.mediaUrl);
    const frames = numberedFrames(24000, 50);
    acs.sendMetadata(24000);
    for (const f of frames) acs.sendAudio(f, false);
    await waitFor(() => acs.audio().length === 50, '50 echoed frames');
    expect(acs.audio()).toEqual(frames);
    acs.close();
    const end = await ended(bridge);
    expect(bridge.of('call.started')[0]).toMatchObject({ connectionId: 'conn-1', correlationId: 'corr-1', upstream: 'echo' });
    expect(end).toMatchObject({ sampleRate: 24000, framesIn: 50, framesOut: 50, bytesIn: 50 * 960, bytesOut: 50 * 960, malformed: 0, droppedIn: 0 });
  });

  it.each(['ga', 'preview'] as const)('aoai %s: bytes arrive bit-exact in order both ways, after a valid session.update', async (protocol) => {
    const { fake, bridge } = await setup(protocol);
    const acs = await connectAcs(bridge.mediaUrl);
    const frames = numberedFrames(24000, 40);
    acs.sendMetadata(24000);
    frames.forEach((f, i) => acs.sendAudio(f, i % 2 === 0)); // silent frames are forwarded too
    await waitFor(() => acs.audio().length === 40, '40 frames back from the model');
    const s = fake.last();
    expect(s.headers['api-key']).toBe(KEY);
    expect(s.received[0]!.type).toBe('session.update');
    expect(s.configured).toBe(true); // the fake accepted the shape of this protocol
    expect(s.received.filter((e) => e.type === 'error')).toEqual([]);
    expect(s.appended).toEqual(frames);
    expect(acs.audio()).toEqual(frames);
    if (protocol === 'ga') expect(s.received[0]!.session.audio.output.voice).toBe('alloy');
    else expect(s.received[0]!.session.voice).toBe('alloy');
    acs.close();
    expect(await ended(bridge)).toMatchObject({ framesIn: 40, framesOut: 40, droppedIn: 0, reconnects: 0 });
  });
});

describe('bridge relay, 16 kHz calls', () => {
  it('resamples 16k → 24k toward the model and back: a 1 kHz tone keeps its pitch both ways', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await connectAcs(bridge.mediaUrl);
    acs.sendMetadata(16000);
    const frames = toneFrames(16000, 1000, 50);
    for (const f of frames) acs.sendAudio(f);
    await waitFor(() => fake.last().appended.length >= 45, 'resampled frames at the model');
    await waitFor(() => acs.audio().length >= 45, 'frames back at the caller');
    const atModel = samplesOf(fake.last().appended);
    expect(Math.abs(atModel.length - 24000)).toBeLessThan(600); // 1 s of 24 kHz audio
    expect(toneShare(atModel.subarray(2400), 24000, 1000)).toBeGreaterThan(0.45);
    const back = samplesOf(acs.audio());
    expect(Buffer.from(acs.audio()[5]!, 'base64').length).toBeLessThan(700); // 16 kHz-sized frames, not 960 B
    expect(toneShare(back.subarray(1600), 16000, 1000)).toBeGreaterThan(0.45);
    expect(bridge.of('call.format')[0]).toMatchObject({ sampleRate: 16000, resampling: true });
  });
});

describe('bridge relay, barge-in', () => {
  it('speech_started sends ACS StopAudio and response.cancel, and drops late deltas of the cancelled response', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await connectAcs(bridge.mediaUrl);
    const frames = numberedFrames(24000, 6);
    acs.sendMetadata(24000);
    for (const f of frames.slice(0, 3)) acs.sendAudio(f);
    await waitFor(() => acs.audio().length === 3, 'first response audio');
    const s = fake.last();
    const cancelledId = s.responseId!;
    fake.speechStarted();
    await waitFor(() => acs.stopAudios() === 1, 'StopAudio');
    await waitFor(() => s.received.some((e) => e.type === 'response.cancel'), 'response.cancel at the model');
    fake.delta(frames[5]!, s, cancelledId); // a late delta of the cancelled response
    acs.sendAudio(frames[3]!); // a new turn: the fake opens a new response
    await waitFor(() => acs.audio().length === 4, 'audio of the next response');
    expect(acs.audio()).toEqual(frames.slice(0, 4));
    const stopIndex = acs.received.findIndex((f) => f.kind === 'StopAudio');
    expect(stopIndex).toBe(3); // after the 3 frames of the first response, before the new one
    acs.close();
    expect(await ended(bridge)).toMatchObject({ bargeIns: 1, cancels: 1, lateDeltasDropped: 1 });
  });

  it('speech_started with no response in progress sends StopAudio but no response.cancel', async () => {
    const fake = await startFakeRealtime({ protocol: 'preview', apiKey: KEY, echo: false });
    cleanups.push(() => fake.close());
    const bridge = await startTestBridge({
      upstream: { kind: 'aoai', endpoint: fake.endpoint, deployment: 'gpt-realtime', protocol: 'preview', apiKey: KEY, session: {} },
    });
    cleanups.push(() => bridge.handle.close());
    const acs = await connectAcs(bridge.mediaUrl);
    acs.sendMetadata(24000);
    acs.sendAudio(numberedFrames(24000, 1)[0]!);
    await waitFor(() => fake.sessions.length === 1 && fake.last().appended.length === 1, 'audio at the model');
    fake.speechStarted();
    await waitFor(() => acs.stopAudios() === 1, 'StopAudio');
    acs.close();
    expect(await ended(bridge)).toMatchObject({ bargeIns: 1, cancels: 0 });
    expect(fake.last().received.filter((e) => e.type === 'response.cancel')).toEqual([]);
  });
});

describe('bridge relay, upstream failures', () => {
  it('a dropped upstream reconnects with backoff, re-sends session.update, and the call lives on', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await connectAcs(bridge.mediaUrl);
    const frames = numberedFrames(24000, 10);
    acs.sendMetadata(24000);
    acs.sendAudio(frames[0]!);
    await waitFor(() => acs.audio().length === 1, 'first frame back');
    fake.refuseWith = 503; // reconnect attempts fail until the fake comes back
    fake.dropAll();
    await waitFor(() => fake.refused.length >= 2, 'failed reconnect attempts');
    acs.sendAudio(frames[1]!); // arrives while reconnecting: dropped and counted
    await waitFor(() => bridge.handle.stats().droppedIn === 1, 'dropped count');
    fake.refuseWith = undefined;
    await waitFor(() => fake.sessions.length === 2 && fake.last().configured, 'a second, configured session');
    expect(fake.last().received[0]!.type).toBe('session.update');
    acs.sendAudio(frames[2]!);
    await waitFor(() => acs.audio().length === 2, 'audio after the reconnect');
    expect(acs.audio()).toEqual([frames[0], frames[2]]);
    const r = bridge.of('upstream.reconnecting');
    expect(r[0]).toMatchObject({ attempt: 1, delayMs: 10 });
    expect(r[1]).toMatchObject({ attempt: 2, delayMs: 20 });
    expect(r[2]).toMatchObject({ attempt: 3, delayMs: 40 });
    acs.close();
    expect(await ended(bridge)).toMatchObject({ reconnects: 1, droppedIn: 1, closeCode: 1000 });
  });

  it('a 401 from Azure OpenAI closes the call with 1011 naming the cause, and /api/health shows it', async () => {
    const { bridge } = await setup('ga', { apiKey: 'wrong-key-9876543210' });
    const acs = await connectAcs(bridge.mediaUrl);
    acs.sendMetadata(24000);
    const closed = await acs.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toContain('HTTP 401');
    expect(bridge.of('upstream.error')[0]).toMatchObject({ fatal: true, message: expect.stringContaining('AZURE_OPENAI_API_KEY') });
    const health = (await (await fetch(`${bridge.httpUrl}/api/health`)).json()) as any;
    expect(health.upstream.lastError.message).toContain('HTTP 401');
    expect(JSON.stringify(health)).not.toContain('wrong-key-9876543210');
  });

  it('a 404 (unknown deployment) is not retried', async () => {
    const { fake, bridge } = await setup('preview', { deployment: 'no-such-deployment' });
    const acs = await connectAcs(bridge.mediaUrl);
    acs.sendMetadata(24000); // the upstream opens at the first AudioMetadata
    const closed = await acs.closed;
    expect(closed).toEqual({ code: 1011, reason: expect.stringContaining('HTTP 404') });
    expect(fake.refused.length).toBe(1);
  });

  it('gives up with 1011 after maxAttempts failed connections', async () => {
    const { fake, bridge } = await setup('ga', { backoff: { baseMs: 5, maxMs: 10, maxAttempts: 3 } });
    fake.refuseWith = 503;
    const acs = await connectAcs(bridge.mediaUrl);
    acs.sendMetadata(24000); // the upstream opens at the first AudioMetadata
    const closed = await acs.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toContain('Azure OpenAI: 3 connection attempts failed: Unexpected server response: 503');
    expect(fake.refused.length).toBe(3);
  });
});

describe('bridge relay, a model that hangs up at once', () => {
  it('a connection closed before its session is configured counts as a failed attempt: no endless redial', async () => {
    const { fake, bridge } = await setup('ga', { backoff: { baseMs: 5, maxMs: 10, maxAttempts: 3 } });
    fake.hangUpWith = 1008;
    const acs = await connectAcs(bridge.mediaUrl);
    acs.sendMetadata(24000); // the upstream opens at the first AudioMetadata
    const closed = await acs.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toBe('Azure OpenAI: 3 connection attempts failed: Azure OpenAI closed the connection (1008 policy violation)');
    expect(fake.sessions.length).toBe(3);
  });
});

describe('bridge relay, slow model socket', () => {
  it('bounds what is queued toward a model that stops reading: excess is dropped and counted, the call lives', async () => {
    const { fake, bridge } = await setup('ga', { maxQueuedBytes: 64 * 1024 });
    const acs = await connectAcs(bridge.mediaUrl);
    acs.sendMetadata(24000);
    const frame = numberedFrames(24000, 1)[0]!;
    acs.sendAudio(frame);
    await waitFor(() => acs.audio().length === 1, 'first frame back');
    const socket = (fake.last().ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause(); // the model stops reading; the kernel buffers fill, then ws buffers
    for (let i = 0; i < 12_000; i++) acs.sendAudio(frame); // ≈15 MB offered at once
    await waitFor(() => bridge.handle.stats().droppedIn > 0, 'frames dropped at the cap', 10_000);
    await waitFor(() => bridge.handle.stats().framesIn === 12_001, 'all frames read from the caller', 10_000);
    const stats = bridge.handle.stats();
    expect(stats.droppedIn).toBeGreaterThan(0);
    expect(stats.activeCalls).toBe(1);
    socket.resume();
    acs.close();
    expect((await ended(bridge)).closeCode).toBe(1000);
  });
});

describe('bridge relay, model events', () => {
  it('transcripts become events; a non-fatal model error is reported and the call continues', async () => {
    const { fake, bridge } = await setup('preview');
    const acs = await connectAcs(bridge.mediaUrl);
    acs.sendMetadata(24000);
    await waitFor(() => fake.last().configured, 'configured session');
    const s = fake.last();
    s.ws.send(JSON.stringify({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'i1', content_index: 0, transcript: 'I need help' }));
    s.ws.send(JSON.stringify({ type: 'response.audio_transcript.done', response_id: 'r1', transcript: 'Sure, how can I help?' }));
    s.ws.send(JSON.stringify({ type: 'error', error: { type: 'server_error', code: 'server_error', message: 'temporary failure', event_id: null } }));
    await waitFor(() => bridge.of('transcript').length === 2 && bridge.of('upstream.error').length === 1, 'events');
    expect(bridge.of('transcript')).toEqual([
      { callId: expect.any(String), role: 'caller', text: 'I need help', itemId: 'i1', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { callId: expect.any(String), role: 'model', text: 'Sure, how can I help?', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ]);
    expect(bridge.of('upstream.error')[0]).toMatchObject({ message: 'temporary failure', code: 'server_error', fatal: false });
    const frame = numberedFrames(24000, 1)[0]!;
    acs.sendAudio(frame);
    await waitFor(() => acs.audio().length === 1, 'audio still flows');
    expect(acs.audio()).toEqual([frame]);
  });
});

describe('bridge relay, untrusted model output', () => {
  it('a delta that is not base64 never reaches the caller (no JSON injection)', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await connectAcs(bridge.mediaUrl);
    acs.sendMetadata(24000);
    await waitFor(() => fake.last().configured, 'configured session');
    const frame = numberedFrames(24000, 1)[0]!;
    fake.delta('AAAA"},"kind":"StopAudio","stopAudio":{}}', fake.last(), 'resp_x');
    acs.sendAudio(frame);
    await waitFor(() => acs.audio().length === 1, 'the echoed frame');
    expect(acs.received.map((f) => f.kind)).toEqual(['AudioData']);
    acs.close();
    expect(await ended(bridge)).toMatchObject({ invalidDeltas: 1, framesOut: 1 });
  });

  it('no Realtime session until the first AudioMetadata: a socket that sends none (a probe) costs none', async () => {
    const { fake, bridge } = await setup('ga');
    const before = fake.sessions.length + fake.refused.length;
    const probe = await connectAcs(bridge.mediaUrl);
    probe.sendAudio(numberedFrames(24000, 1)[0]!); // AudioData before AudioMetadata: ignored
    await waitFor(() => bridge.handle.stats().beforeMetadata === 1, 'the early frame counted');
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.sessions.length + fake.refused.length).toBe(before);
    probe.close();
    expect(await ended(bridge)).toMatchObject({ beforeMetadata: 1, framesIn: 0, reconnects: 0 });
    expect(fake.sessions.length + fake.refused.length).toBe(before);
    const call = await connectAcs(bridge.mediaUrl);
    call.sendMetadata(24000);
    await waitFor(() => fake.sessions.length === before + 1 && fake.last().configured, 'a session for the real call');
    call.close();
  });
});

describe('bridge relay, fuzzed input from both sides', () => {
  it('500 mutated ACS frames and 500 mutated model events leave the call working and the process alive', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await connectAcs(bridge.mediaUrl);
    acs.sendMetadata(24000);
    await waitFor(() => fake.last().configured, 'configured session');
    let x = 12345;
    const rand = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) % n);
    const mutate = (text: string): string => {
      const chars = [...text];
      for (let k = 0, m = 1 + rand(4); k < m; k++) {
        const i = rand(chars.length);
        const op = rand(3);
        if (op === 0) chars.splice(i, 1);
        else if (op === 1) chars.splice(i, 0, '{}[]":,\\0aZ'[rand(12)]!);
        else chars[i] = String.fromCharCode(rand(128));
      }
      return chars.join('');
    };
    const frame = numberedFrames(24000, 1)[0]!;
    const acsFrame = JSON.stringify({ kind: 'AudioData', audioData: { timestamp: 't', participantRawID: 'p', data: frame.slice(0, 64), silent: false } });
    const events = [
      JSON.stringify({ type: 'response.output_audio.delta', response_id: 'r9', delta: frame.slice(0, 64) }),
      JSON.stringify({ type: 'response.created', response: { id: 'r9' } }),
      JSON.stringify({ type: 'input_audio_buffer.speech_started', audio_start_ms: 1 }),
      JSON.stringify({ type: 'error', error: { code: 'x', message: 'y' } }),
    ];
    for (let i = 0; i < 500; i++) {
      acs.sendRaw(mutate(acsFrame));
      fake.last().ws.send(mutate(events[i % events.length]!));
    }
    acs.sendAudio(frame);
    await waitFor(() => fake.last().appended.includes(frame), 'a valid frame after the fuzz reaches the model');
    fake.delta(frame, fake.last(), 'resp_after_fuzz');
    await waitFor(() => acs.audio().includes(frame), 'model audio after the fuzz reaches the caller');
    expect(bridge.handle.stats().activeCalls).toBe(1);
  });
});
