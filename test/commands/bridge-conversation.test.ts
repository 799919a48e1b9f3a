// The conversation end to end in-process: barge-in truncation against the fake caller's real
// playback, context replayed into a new Realtime session, voice-to-voice latency, transcripts.
// Fake ACS caller / AudioSocket / chan_websocket ↔ bridge ↔ fake Azure OpenAI Realtime, on 127.0.0.1.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamSettings } from '../../src/bridge/upstream-config.js';
import { connectAcs, numberedFrames, startTestBridge, waitFor, type AcsClient, type TestBridge } from '../helpers/acs-media-client.js';
import { startFakeRealtime, type FakeRealtime, type FakeSession } from '../helpers/fake-realtime.js';

const KEY = 'test-aoai-key-0123456789';
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(protocol: 'ga' | 'preview', extra: Partial<Parameters<typeof startTestBridge>[0]> = {}): Promise<{ fake: FakeRealtime; bridge: TestBridge }> {
  const fake = await startFakeRealtime({ protocol, apiKey: KEY, echo: false });
  cleanups.push(() => fake.close());
  const upstream: UpstreamSettings = {
    kind: 'aoai', endpoint: fake.endpoint, deployment: 'gpt-realtime', protocol, apiKey: KEY,
    session: { instructions: 'Be brief.' }, backoff: { baseMs: 10, maxMs: 40, maxAttempts: 50 },
  };
  const bridge = await startTestBridge({ upstream, ...extra });
  cleanups.push(() => bridge.handle.close());
  return { fake, bridge };
}

/** An ACS caller at 24 kHz that keeps talking (a frame every 20 ms) until the test ends. */
async function caller(bridge: TestBridge, fake: FakeRealtime): Promise<AcsClient> {
  const acs = await connectAcs(bridge.mediaUrl);
  acs.sendMetadata(24000);
  const frame = numberedFrames(24000, 1)[0]!;
  const timer = setInterval(() => acs.ws.readyState === 1 && acs.sendAudio(frame), 20);
  cleanups.push(() => clearInterval(timer));
  await waitFor(() => fake.sessions.length === 1 && fake.last().configured, 'a configured session');
  return acs;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const clientEvents = (s: FakeSession, type: string): Array<Record<string, any>> => s.received.filter((e) => e.type === type);

/** One complete turn: the caller speaks, the model answers `ms` of audio, the caller hears it all. */
async function fullTurn(fake: FakeRealtime, acs: AcsClient, said: string, answer: string, ms = 200): Promise<void> {
  fake.userTurn({ stopped: true, transcript: said, transcriptDelayMs: 30 });
  fake.respond({ ms, text: answer });
  await waitFor(() => fake.last().responseId === undefined && acs.playback.idle(), 'the answer played');
  // the delayed caller transcription; and the bridge's own real-time estimate of what ACS played
  // ends a little after the fake caller's (each starts its clock on its side of the socket)
  await sleep(150);
}

describe('barge-in truncation, ACS (real-time estimate)', () => {
  it('truncates the item to what the caller heard (±80 ms), corrects the transcript, and the service accepts it', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await caller(bridge, fake);
    const text = 'We are open from nine in the morning to five in the evening on weekdays, and on Saturdays from ten to two.';
    fake.userTurn({ stopped: true, transcript: 'When are you open?' });
    const { itemId } = fake.respond({ ms: 3000, text });
    await waitFor(() => fake.last().responseId === undefined, 'all 3 s generated (faster than real time)');
    await sleep(900);
    fake.userTurn(); // the caller barges in (the first turn's speech_started sent a StopAudio too)
    await waitFor(() => acs.playback.atStop.length === 2, 'StopAudio');
    const s = fake.last();
    await waitFor(() => clientEvents(s, 'conversation.item.truncate').length === 1, 'truncate at the model');
    const truncate = clientEvents(s, 'conversation.item.truncate')[0]!;
    const heard = acs.playback.atStop[1]!;
    expect(heard).toBeGreaterThan(800);
    expect(truncate).toMatchObject({ item_id: itemId, content_index: 0 });
    expect(Math.abs(truncate.audio_end_ms - heard)).toBeLessThanOrEqual(80);
    await waitFor(() => s.items.get(itemId)!.truncatedAt !== undefined, 'the service truncated the item');
    expect(s.errors).toEqual([]);
    expect(bridge.of('call.barge_in')).toEqual([
      { callId: expect.any(String), itemId, heardMs: truncate.audio_end_ms, generatedMs: 3000, action: 'truncate' },
    ]);
    // The model line was reported in full before the barge-in, then again cut to what was heard.
    const lines = bridge.of('transcript').filter((t) => t.role === 'model');
    expect(lines.map((l) => l.truncated ?? false)).toEqual([false, true]);
    expect(lines[0]!.text).toBe(text);
    expect(text.startsWith(lines[1]!.text)).toBe(true);
    expect(Math.abs(lines[1]!.text.length / text.length - truncate.audio_end_ms / 3000)).toBeLessThan(0.1);
    acs.close();
    await waitFor(() => bridge.of('call.ended').length === 1, 'call.ended');
    expect(bridge.of('call.ended')[0]).toMatchObject({ bargeIns: 2, truncations: 1, itemsDeleted: 0 });
  });

  it('a barge-in while the answer is still streaming: truncate then response.cancel, late deltas dropped, audio_end_ms within what was generated', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await caller(bridge, fake);
    // Generated at real time (100 ms every 100 ms): the model is barely ahead of the caller.
    const { itemId } = fake.respond({ ms: 5000, chunkMs: 100, intervalMs: 100 });
    await sleep(450);
    fake.userTurn();
    const s = fake.last();
    await waitFor(() => clientEvents(s, 'response.cancel').length === 1, 'response.cancel');
    const types = s.received.map((e) => e.type).filter((t) => t !== 'input_audio_buffer.append');
    expect(types.indexOf('conversation.item.truncate')).toBeLessThan(types.indexOf('response.cancel'));
    const truncate = clientEvents(s, 'conversation.item.truncate')[0]!;
    expect(truncate.audio_end_ms).toBeLessThanOrEqual(s.items.get(itemId)!.audioMs());
    expect(Math.abs(truncate.audio_end_ms - acs.playback.atStop[0]!)).toBeLessThanOrEqual(80);
    await sleep(50);
    expect(s.errors).toEqual([]);
  });
});

describe('context across sessions', () => {
  it('after a drop, the new session gets session.update, then the turns in order as items, then caller audio', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await caller(bridge, fake);
    await fullTurn(fake, acs, 'I would like to book a table.', 'For how many people?');
    await fullTurn(fake, acs, 'Four, tonight at eight.', 'Booked: four people at eight tonight.');
    fake.dropAll();
    await waitFor(() => fake.sessions.length === 2 && fake.last().configured, 'a second session');
    await waitFor(() => fake.last().appended.length > 3, 'caller audio flowing again');
    const s = fake.last();
    const types = s.received.map((e) => e.type);
    expect(types.slice(0, 5)).toEqual(['session.update', 'conversation.item.create', 'conversation.item.create', 'conversation.item.create', 'conversation.item.create']);
    expect(types.slice(5).every((t) => t === 'input_audio_buffer.append')).toBe(true);
    expect(s.created).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'I would like to book a table.' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'For how many people?' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Four, tonight at eight.' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Booked: four people at eight tonight.' }] },
    ]);
    expect(s.errors).toEqual([]);
    expect(s.received[0]).toEqual(fake.sessions[0]!.received[0]); // the same session.update
    acs.close();
    await waitFor(() => bridge.of('call.ended').length === 1, 'call.ended');
    expect(bridge.of('call.ended')[0]).toMatchObject({ reconnects: 1, turnsReplayed: 4 });
  });

  it('a truncated assistant turn is replayed truncated (preview text items); an unheard item is not replayed', async () => {
    const { fake, bridge } = await setup('preview');
    const acs = await caller(bridge, fake);
    await fullTurn(fake, acs, 'What is the weather?', 'Sunny.');
    const long = 'Tomorrow will be cloudy in the morning with showers in the afternoon and a cool breeze from the north in the evening.';
    fake.userTurn({ stopped: true, transcript: 'And tomorrow?' });
    fake.respond({ ms: 2000, text: long });
    await waitFor(() => fake.last().responseId === undefined, 'generated');
    await sleep(500);
    fake.userTurn();
    await waitFor(() => bridge.of('call.barge_in').length === 1, 'barge-in');
    const heard = bridge.of('call.barge_in')[0]!.heardMs as number;
    fake.dropAll();
    await waitFor(() => fake.sessions.length === 2 && fake.last().created.length === 4, 'replayed items');
    const replayed = fake.last().created;
    expect(replayed.map((i) => [i.role, i.content[0].type])).toEqual([['user', 'input_text'], ['assistant', 'text'], ['user', 'input_text'], ['assistant', 'text']]);
    const cut = replayed[3]!.content[0].text as string;
    expect(long.startsWith(cut)).toBe(true);
    expect(long[cut.length]).toBe(' '); // cut at a word boundary
    expect(Math.abs(cut.length / long.length - heard / 2000)).toBeLessThan(0.1);
    expect(fake.last().errors).toEqual([]);
  });

  it('a session the service ends at its maximum duration is replaced at once, with the context', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await caller(bridge, fake);
    await fullTurn(fake, acs, 'Hello.', 'Hi, how can I help?');
    fake.expire();
    await waitFor(() => fake.sessions.length === 2 && fake.last().created.length === 2, 'a new session with the context');
    expect(bridge.of('upstream.reconnecting')[0]).toMatchObject({ delayMs: 0, reason: expect.stringMatching(/session expired/i) });
    expect(bridge.of('upstream.error').filter((e) => e.fatal)).toEqual([]);
    expect(fake.last().created.map((i) => i.content[0].text)).toEqual(['Hello.', 'Hi, how can I help?']);
    acs.close();
  });
});

describe('context across sessions, a close without the error event', () => {
  it('a close whose reason says "maximum duration" is replaced at once too', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await caller(bridge, fake);
    await fullTurn(fake, acs, 'Hello.', 'Hi.');
    fake.last().ws.close(1001, 'Your session hit the maximum duration of 30 minutes.');
    await waitFor(() => fake.sessions.length === 2 && fake.last().created.length === 2, 'a new session with the context');
    expect(bridge.of('upstream.reconnecting')).toEqual([expect.objectContaining({ delayMs: 0, reason: expect.stringMatching(/expired/) })]);
    acs.close();
  });
});

describe('voice-to-voice latency', () => {
  it('per turn from speech_stopped to the first answer audio sent to the caller; per call and bridge-wide figures', async () => {
    const { fake, bridge } = await setup('ga');
    const acs = await caller(bridge, fake);
    for (let turn = 0; turn < 3; turn++) {
      fake.userTurn({ stopped: true });
      fake.respond({ ms: 100 }); // the model answers instantly: the figure is the bridge's own share
      await waitFor(() => bridge.of('turn.latency').length === turn + 1, 'turn.latency');
      await waitFor(() => acs.playback.idle(), 'played');
    }
    const figures = bridge.of('turn.latency').map((t) => t.voiceToVoiceMs as number);
    for (const ms of figures) expect(ms).toBeGreaterThanOrEqual(0);
    for (const ms of figures) expect(ms).toBeLessThan(100);
    const health = (await (await fetch(`${bridge.httpUrl}/api/health`)).json()) as Record<string, any>;
    expect(health.voiceToVoice).toMatchObject({ turns: 3, p50Ms: [...figures].sort((a, b) => a - b)[1], p95Ms: Math.max(...figures) });
    acs.close();
    await waitFor(() => bridge.of('call.ended').length === 1, 'call.ended');
    expect(bridge.of('call.ended')[0]).toMatchObject({ turns: 3, voiceToVoiceMedianMs: [...figures].sort((a, b) => a - b)[1], voiceToVoiceMaxMs: Math.max(...figures) });
  });
});

describe('transcripts', () => {
  it('--transcripts: one JSON Lines file per call (call id in the name, mode 0600), final lines of both sides, nothing else', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'voicectl-transcripts-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const out = path.join(dir, 'calls');
    const { fake, bridge } = await setup('ga', { transcriptsDir: out });
    const acs = await caller(bridge, fake);
    await fullTurn(fake, acs, 'Is the shop open?', 'Yes, until six.');
    acs.close();
    await waitFor(() => bridge.of('call.ended').length === 1, 'call.ended');
    const callId = bridge.of('call.ended')[0]!.callId as string;
    await bridge.handle.close();
    const files = await readdir(out);
    expect(files).toEqual([expect.stringMatching(new RegExp(`^\\d{8}T\\d{6}Z-${callId}\\.jsonl$`))]);
    expect((await stat(path.join(out, files[0]!))).mode & 0o777).toBe(0o600);
    const lines = (await readFile(path.join(out, files[0]!), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.role, l.text])).toEqual([['model', 'Yes, until six.'], ['caller', 'Is the shop open?']]);
    for (const l of lines) expect(l).toMatchObject({ callId, time: expect.stringMatching(/^\d{4}-/), itemId: expect.stringMatching(/^item_/) });
    expect(bridge.of('transcript')).toHaveLength(2);
  });
});
