// The chan_websocket leg end to end in-process: a fake Asterisk channel ↔ bridge ↔ fake Azure
// OpenAI Realtime, all real WebSockets on 127.0.0.1.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamSettings } from '../../src/bridge/upstream-config.js';
import { numberedFrames, samplesOf, startTestBridge, toneShare, waitFor, type TestBridge } from '../helpers/acs-media-client.js';
import { dialBridgeAsAsterisk, type FakeAsteriskChannel } from '../helpers/fake-asterisk-ws.js';
import { startFakeRealtime, type FakeRealtime } from '../helpers/fake-realtime.js';
import { decodeG711, encodeG711, toneSamples } from '../helpers/g711.js';

const KEY = 'test-aoai-key-0123456789';
const TOKEN = 'media-token-for-asterisk-0123';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(protocol: 'ga' | 'preview' = 'ga', extra: Partial<Parameters<typeof startTestBridge>[0]> = {}): Promise<{ fake: FakeRealtime; bridge: TestBridge; url: string }> {
  const fake = await startFakeRealtime({ protocol, apiKey: KEY });
  cleanups.push(() => fake.close());
  const upstream: UpstreamSettings = {
    kind: 'aoai', endpoint: fake.endpoint, deployment: 'gpt-realtime', protocol, apiKey: KEY, session: { voice: 'alloy' },
    backoff: { baseMs: 10, maxMs: 40, maxAttempts: 3 },
  };
  const bridge = await startTestBridge({ upstream, mediaToken: TOKEN, ...extra });
  cleanups.push(() => bridge.handle.close());
  return { fake, bridge, url: `ws://127.0.0.1:${bridge.handle.port}/ws/asterisk` };
}

async function dial(url: string, o: Partial<Parameters<typeof dialBridgeAsAsterisk>[0]> = {}): Promise<FakeAsteriskChannel> {
  const chan = await dialBridgeAsAsterisk({ url, username: 'voicectl', password: TOKEN, control: 'json', ...o });
  cleanups.push(async () => {
    if (chan.ws.readyState <= 1) chan.hangUp();
  });
  return chan;
}

/** 20 ms frames of a tone in an Asterisk format. */
function toneFrames(format: 'slin' | 'slin16' | 'slin24' | 'ulaw', hz: number, frames: number): Buffer[] {
  const rate = format === 'slin16' ? 16000 : format === 'slin24' ? 24000 : 8000;
  const samples = toneSamples(rate, hz, frames * 20);
  const per = rate / 50;
  const out: Buffer[] = [];
  for (let f = 0; f < frames; f++) {
    const s = samples.subarray(f * per, (f + 1) * per);
    out.push(format === 'ulaw' ? encodeG711(s, 'ulaw') : Buffer.from(s.buffer, s.byteOffset, s.byteLength));
  }
  return out;
}

describe('chan_websocket leg: upgrade', () => {
  it('needs the media token as the Basic password (401 with WWW-Authenticate otherwise), answers without extensions, picks subprotocol media', async () => {
    const { bridge, url } = await setup();
    await expect(dialBridgeAsAsterisk({ url, control: 'json' })).rejects.toThrow(/401/);
    await expect(dialBridgeAsAsterisk({ url, username: 'voicectl', password: 'wrong', control: 'json' })).rejects.toThrow(/401/);
    const challenge = await new Promise<string | undefined>((resolve) => {
      const req = request(`http://127.0.0.1:${bridge.handle.port}/ws/asterisk`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('response', (res) => resolve(res.headers['www-authenticate'] as string | undefined));
      req.end();
    });
    expect(challenge).toMatch(/^Basic realm=/);
    const chan = await dial(url, { control: 'plain-text', format: 'slin24' });
    expect(chan.ws.extensions).toBe('');
    expect(chan.ws.protocol).toBe('media');
    expect(bridge.of('media.refused').map((r) => r.status)).toEqual([401, 401, 401]);
  });
});

describe('chan_websocket leg: formats', () => {
  it('plain text control, slin24: passes through bit-exact both ways; call.started names source, transport, format, channel', async () => {
    const { fake, bridge, url } = await setup('ga');
    const chan = await dial(url, { control: 'plain-text', format: 'slin24', channelId: '1796392736.2' });
    await waitFor(() => bridge.of('call.format').length === 1, 'call.format');
    const frames = numberedFrames(24000, 20).map((b) => Buffer.from(b, 'base64'));
    for (const f of frames) chan.sendAudio(f);
    await waitFor(() => chan.played.length === 20, '20 frames played back');
    expect(fake.last().format).toBe('pcm16');
    expect(Buffer.concat(fake.last().appended.map((a) => Buffer.from(a, 'base64')))).toEqual(Buffer.concat(frames));
    expect(Buffer.concat(chan.played)).toEqual(Buffer.concat(frames));
    expect(chan.partialMessages).toBe(0);
    // a playback mark after every 100 ms of audio sent (5 frames here), not after every frame
    await waitFor(() => chan.sentEvents.filter((e) => e.includes('MEDIA_MARK_PROCESSED')).length === 4, 'marks processed');
    expect(chan.commands.filter((c) => c.includes('MARK_MEDIA'))).toEqual(['MARK_MEDIA v1', 'MARK_MEDIA v2', 'MARK_MEDIA v3', 'MARK_MEDIA v4']);
    expect(bridge.of('call.started')[0]).toMatchObject({ source: 'asterisk', transport: 'websocket', format: 'slin24', channelId: '1796392736.2', control: 'plain-text' });
    expect(bridge.of('call.format')[0]).toMatchObject({ codec: 'pcm16', sampleRate: 24000, sessionAudio: 'pcm16', resampling: false });
  });

  it.each(['ga', 'preview'] as const)('JSON control, ulaw (%s): the session is μ-law, the payload passes untouched, channel variables reach the event', async (protocol) => {
    const { fake, bridge, url } = await setup(protocol);
    const chan = await dial(url, { control: 'json', format: 'ulaw', channelVariables: { __VOICECTL_CALLER: '+15551230000' } });
    const frames = toneFrames('ulaw', 1000, 25);
    await waitFor(() => bridge.of('call.format').length === 1, 'call.format');
    for (const f of frames) chan.sendAudio(f);
    await waitFor(() => chan.played.length === 25, 'μ-law frames back');
    const s = fake.last();
    expect(s.format).toBe('g711_ulaw');
    expect(s.formatMismatches).toBe(0);
    if (protocol === 'ga') expect(s.received[0]!.session.audio.input.format).toEqual({ type: 'audio/pcmu' });
    else expect(s.received[0]!.session.input_audio_format).toBe('g711_ulaw');
    const atModel = Buffer.concat(s.appended.map((a) => Buffer.from(a, 'base64')));
    expect(atModel).toEqual(Buffer.concat(frames)); // no transcoding
    expect(toneShare(decodeG711(atModel, 'ulaw'), 8000, 1000)).toBeGreaterThan(0.45); // what the model hears is the tone
    expect(Buffer.concat(chan.played)).toEqual(Buffer.concat(frames));
    expect(bridge.of('call.started')[0]).toMatchObject({ source: 'asterisk', format: 'ulaw', caller: '+15551230000' });
  });

  it('slin16 is resampled to 24 kHz for the model and back, in whole 640-byte frames', async () => {
    const { fake, bridge, url } = await setup('ga');
    const chan = await dial(url, { format: 'slin16' });
    await waitFor(() => bridge.of('call.format').length === 1, 'call.format');
    for (const f of toneFrames('slin16', 1000, 50)) chan.sendAudio(f);
    await waitFor(() => chan.played.length >= 45, 'frames back');
    const atModel = samplesOf(fake.last().appended);
    expect(Math.abs(atModel.length - 24000)).toBeLessThan(600);
    expect(toneShare(atModel.subarray(2400), 24000, 1000)).toBeGreaterThan(0.45);
    expect(chan.partialMessages).toBe(0);
    expect(chan.played.every((f) => f.length === 640)).toBe(true);
    const back = samplesOf(chan.played.map((b) => b.toString('base64')));
    expect(toneShare(back.subarray(1600), 16000, 1000)).toBeGreaterThan(0.45);
    expect(bridge.of('call.format')[0]).toMatchObject({ codec: 'pcm16', sampleRate: 16000, resampling: true });
  });

  it('an unsupported format is hung up with a reason naming the formats; no Realtime session is opened', async () => {
    const { fake, bridge, url } = await setup('ga');
    const chan = await dial(url, { control: 'plain-text', format: 'g722' });
    const closed = await chan.closed;
    expect(closed.code).toBe(1000); // HANGUP: Asterisk closes with 1000
    expect(chan.commands).toContain('HANGUP');
    expect(bridge.of('call.unsupported')[0]!.reason).toMatch(/g722 is not supported: use c\(slin\|slin16\|slin24\|ulaw\|alaw\)/);
    expect(fake.sessions).toHaveLength(0);
  });
});

describe('chan_websocket leg: playback', () => {
  it('model audio is sent in whole frames, carrying partial frames over, each message ≤ 64000 bytes', async () => {
    const { fake, bridge, url } = await setup('ga');
    const chan = await dial(url, { format: 'slin24', ptimeMs: 1 });
    await waitFor(() => bridge.of('call.format').length === 1 && fake.sessions.length === 1 && fake.last().configured, 'session');
    const sizes: number[] = [];
    chan.ws.on('message', (d, bin) => bin && sizes.push((d as Buffer).length));
    const odd = Buffer.alloc(1000, 1); // 1000 bytes: one 960-byte frame now, 40 carried over
    fake.delta(odd.toString('base64'));
    fake.delta(Buffer.alloc(920, 2).toString('base64')); // completes the second frame exactly
    const big = Buffer.alloc(960 * 150, 3); // 3 s in one delta
    fake.delta(big.toString('base64'));
    await waitFor(() => chan.played.length === 152, 'all frames played');
    expect(chan.partialMessages).toBe(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64000);
    expect(sizes.every((n) => n % 960 === 0)).toBe(true);
    expect(chan.played[1]!.subarray(0, 40)).toEqual(Buffer.alloc(40, 1));
    expect(chan.played[1]!.subarray(40)).toEqual(Buffer.alloc(920, 2));
  });

  it('barge-in sends FLUSH_MEDIA in the call’s control format with response.cancel', async () => {
    for (const control of ['json', 'plain-text'] as const) {
      const { fake, bridge, url } = await setup('ga');
      const chan = await dial(url, { control, format: 'slin24' });
      chan.sendAudio(Buffer.alloc(960, 5));
      await waitFor(() => chan.played.length >= 1, 'first frame');
      fake.speechStarted();
      const flushes = (): string[] => chan.commands.filter((c) => c.includes('FLUSH_MEDIA'));
      await waitFor(() => flushes().length > 0, 'FLUSH_MEDIA');
      expect(flushes()[0]).toBe(control === 'json' ? '{"command":"FLUSH_MEDIA"}' : 'FLUSH_MEDIA');
      await waitFor(() => fake.last().received.some((e) => e.type === 'response.cancel'), 'response.cancel');
      chan.hangUp();
      await waitFor(() => bridge.of('call.ended').length === 1, 'call.ended');
      expect(bridge.of('call.ended')[0]).toMatchObject({ bargeIns: 1, cancels: 1, source: 'asterisk' });
    }
  });

  it('never overruns Asterisk’s 1000-frame queue: a 24 s burst is held and released at playout pace, nothing dropped', async () => {
    const { fake, bridge, url } = await setup('ga');
    const chan = await dial(url, { format: 'slin24', ptimeMs: 2 }); // Asterisk plays 10x real time, announced as ptime 2
    await waitFor(() => fake.sessions.length === 1 && fake.last().configured && bridge.of('call.format').length === 1, 'session');
    for (let i = 0; i < 30; i++) fake.delta(Buffer.alloc(960 * 40, i).toString('base64')); // 1200 frames at once
    await waitFor(() => chan.played.length === 1200, 'all 1200 frames played', 15_000);
    expect(chan.droppedMessages).toBe(0);
    expect(chan.sentEvents.some((e) => e.includes('MEDIA_XOFF'))).toBe(false); // the bridge kept below 900
    expect(Buffer.concat(chan.played).subarray(960 * 40 * 29)).toEqual(Buffer.alloc(960 * 40, 29)); // in order, the last one intact
    chan.hangUp();
    await waitFor(() => bridge.of('call.ended').length === 1, 'call.ended');
    expect(bridge.of('call.ended')[0]).toMatchObject({ droppedOut: 0, framesOut: 30 });
  });

  it('honours MEDIA_XOFF / MEDIA_XON: stops sending at XOFF, resumes at XON, loses nothing', async () => {
    const { fake, bridge, url } = await setup('ga');
    const chan = await dial(url, { format: 'slin24', ptimeMs: 2, xoffAt: 50, xonBelow: 30 });
    await waitFor(() => fake.sessions.length === 1 && fake.last().configured && bridge.of('call.format').length === 1, 'session');
    for (let i = 0; i < 10; i++) fake.delta(Buffer.alloc(960 * 20, i).toString('base64')); // 200 frames
    await waitFor(() => chan.played.length === 200, 'all 200 frames played', 10_000);
    expect(chan.sentEvents.filter((e) => e.includes('MEDIA_XOFF')).length).toBeGreaterThanOrEqual(1);
    expect(chan.sentEvents.some((e) => e.includes('MEDIA_XON'))).toBe(true);
    expect(chan.droppedMessages).toBe(0);
    for (let i = 0; i < 10; i++) expect(chan.played[i * 20]).toEqual(Buffer.alloc(960, i));
  });
});

describe('chan_websocket leg: events and lifecycle', () => {
  it('DTMF_END becomes call.dtmf; the caller hanging up closes the Realtime session', async () => {
    const { fake, bridge, url } = await setup('ga');
    const chan = await dial(url, { format: 'slin24' });
    await waitFor(() => fake.sessions.length === 1, 'session');
    chan.sendDtmf('7');
    await waitFor(() => bridge.of('call.dtmf').length === 1, 'call.dtmf');
    expect(bridge.of('call.dtmf')[0]).toMatchObject({ digit: '7', source: 'asterisk' });
    chan.hangUp();
    await waitFor(() => fake.last().ws.readyState === 3, 'Realtime socket closed');
    expect(bridge.of('call.ended')[0]).toMatchObject({ source: 'asterisk', closeCode: 1000 });
  });

  it('a fatal upstream error hangs the channel up with the reason', async () => {
    const { fake, bridge, url } = await setup('ga');
    fake.refuseWith = 401;
    const chan = await dial(url, { format: 'slin24' });
    const closed = await chan.closed;
    expect(chan.commands).toContain('{"command":"HANGUP"}');
    expect(closed.code).toBe(1000);
    await waitFor(() => bridge.of('call.ended').length === 1, 'call.ended');
    expect(bridge.of('upstream.error')[0]).toMatchObject({ fatal: true });
    expect(bridge.of('call.ended')[0]!.closeReason).toMatch(/HTTP 401/);
  });

  it('Asterisk and ACS calls share --max-calls and the totals in /api/health', async () => {
    const { bridge, url } = await setup('ga', { maxCalls: 1 });
    const first = await dial(url, { format: 'slin24' });
    const second = await dial(url, { format: 'slin24' });
    expect((await second.closed).code).toBe(1013);
    const health = (await (await fetch(`${bridge.httpUrl}/api/health`)).json()) as Record<string, any>;
    expect(health.calls).toMatchObject({ active: 1, total: 1, refused: 1 });
    expect(health.sources).toEqual({ acs: 0, asterisk: 1, twilio: 0 });
    expect(bridge.of('call.refused')[0]).toMatchObject({ source: 'asterisk', reason: 'max-calls' });
    first.hangUp();
  });
});
