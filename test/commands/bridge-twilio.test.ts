// Twilio calls through `voicectl bridge` in-process: a fake Twilio (signed webhook, signed Media
// Streams upgrade, real-time μ-law) ↔ bridge ↔ fake Azure OpenAI Realtime, on 127.0.0.1.
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/acs-media-client.js';
import { startFakeRealtime, type FakeRealtime } from '../helpers/fake-realtime.js';
import { callBridgeAsTwilio, type FakeTwilioCall } from '../helpers/fake-twilio-media.js';
import { decodeG711, encodeG711, toneSamples } from '../helpers/g711.js';
import { toneShare } from '../helpers/acs-media-client.js';
import { startCli, type RunHandle } from '../helpers/run-cli.js';
import { openSignedStream, postSignedWebhook } from '../helpers/twilio-signer.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'voicectl-twilio-'));
const KEY = 'test-aoai-key-0123456789';
const TOKEN = 'twilio-auth-token-0123456789abcdef';
const HOST = 'bridge.example.trycloudflare.com';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(env: Record<string, string> = {}): Promise<{ h: RunHandle; port: number; fake: FakeRealtime }> {
  const fake = await startFakeRealtime({ protocol: 'ga', apiKey: KEY });
  cleanups.push(() => fake.close());
  const h = startCli(['bridge', '--listen', '0', '--host', '127.0.0.1', '--drain-timeout', '0', '--json'], {
    env: {
      AZURE_OPENAI_ENDPOINT: fake.endpoint, AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime', AZURE_OPENAI_API_KEY: KEY,
      TWILIO_AUTH_TOKEN: TOKEN, TWILIO_PUBLIC_HOST: HOST, ...env,
    },
    cwd,
  });
  cleanups.push(async () => {
    if (h.signalHandlers() > 0) h.signal('SIGTERM');
    await h.done;
  });
  await waitFor(() => h.stdout.text.includes('bridge.listening'), 'bridge.listening');
  const port = h.stdout.events().find((e) => e.type === 'bridge.listening')!.port as number;
  return { h, port, fake };
}

const events = (h: RunHandle, type: string) => h.stdout.events().filter((e) => e.type === type);

function ulawFrames(hz: number, frames: number): Buffer[] {
  const s = toneSamples(8000, hz, frames * 20);
  return Array.from({ length: frames }, (_, f) => encodeG711(s.subarray(f * 160, (f + 1) * 160), 'ulaw'));
}

async function call(port: number): Promise<FakeTwilioCall> {
  const c = await callBridgeAsTwilio({ port, publicHost: HOST, authToken: TOKEN });
  cleanups.push(async () => c.ws.close());
  return c;
}

describe('voicectl bridge: Twilio calls', () => {
  it('webhook answers <Connect><Stream> with a per-call token; μ-law passes untouched to a μ-law session and back; playback is real time', async () => {
    const { h, port, fake } = await setup();
    const c = await call(port);
    expect(c.streamUrl).toBe(`wss://${HOST}/ws/twilio`);
    expect(c.twiml).toMatch(/^<\?xml[^>]*\?>\s*<Response><Connect><Stream url="wss:\/\/[^"]+\/ws\/twilio">/);
    expect(Object.keys(c.parameters)).toContain('voicectlStreamToken');
    c.sendStart();
    await waitFor(() => fake.sessions.length === 1 && fake.last().configured, 'μ-law session');
    const frames = ulawFrames(1000, 50);
    await c.sendAudio(frames);
    await waitFor(() => c.played().length >= 50 * 160, 'model audio played to the caller', 4000);
    const s = fake.last();
    expect(s.format).toBe('g711_ulaw');
    expect(s.received[0]!.session.audio.output.format).toEqual({ type: 'audio/pcmu' });
    const atModel = Buffer.concat(s.appended.map((a) => Buffer.from(a, 'base64')));
    expect(atModel).toEqual(Buffer.concat(frames));
    expect(toneShare(decodeG711(atModel, 'ulaw'), 8000, 1000)).toBeGreaterThan(0.45);
    expect(c.played().subarray(0, 50 * 160)).toEqual(Buffer.concat(frames));
    expect(events(h, 'call.started')[0]).toMatchObject({ source: 'twilio', callSid: c.callSid, streamSid: c.streamSid, transport: 'media-streams' });
    expect(events(h, 'call.format')[0]).toMatchObject({ codec: 'g711_ulaw', sampleRate: 8000, sessionAudio: 'g711_ulaw', resampling: false });
    // a mark follows the media once 100 ms (800 μ-law bytes) went out since the last one, echoed once played
    let unmarked = 0;
    const marksAfter: number[] = [];
    for (const m of c.received) {
      if (m.event === 'media') unmarked += Buffer.from(m.media.payload, 'base64').length;
      if (m.event === 'mark') {
        marksAfter.push(unmarked);
        unmarked = 0;
      }
    }
    expect(marksAfter.length).toBe(10); // 1000 ms of audio
    expect(marksAfter.every((bytes) => bytes >= 800 && bytes < 800 + 160)).toBe(true);
    expect(c.echoedMarks.length).toBeGreaterThanOrEqual(8);
    c.sendStop();
    await waitFor(() => events(h, 'call.ended').length === 1, 'call.ended');
    expect(events(h, 'call.ended')[0]).toMatchObject({ source: 'twilio', framesIn: 50, codec: 'g711_ulaw' });
    expect(h.stdout.text + h.stderr.text).not.toContain(TOKEN);
  });

  it('warm first answer: the webhook opens the call’s μ-law session, and the stream’s start claims it by CallSid', async () => {
    const { h, port, fake } = await setup();
    const c = await call(port); // webhook answered, stream upgraded, no start yet
    await waitFor(() => fake.sessions.length === 1 && fake.last().configured, 'session opened at the webhook');
    expect(fake.last().format).toBe('g711_ulaw');
    c.sendStart();
    await c.sendAudio(ulawFrames(1000, 5));
    await waitFor(() => c.played().length >= 5 * 160, 'audio through the warm session');
    expect(fake.sessions).toHaveLength(1); // no second session for the call
    c.sendStop();
    await waitFor(() => events(h, 'call.ended').length === 1, 'call.ended');
    expect(events(h, 'call.ended')[0]).toMatchObject({ warmSession: true, source: 'twilio' });
    expect(events(h, 'call.ended')[0]!.sessionReadyMs).toBeLessThan(50); // ready before the stream started
  });

  it('barge-in: clear to Twilio and response.cancel to the model; the caller’s playback stops at once', async () => {
    const { h, port, fake } = await setup();
    const c = await call(port);
    c.sendStart();
    await waitFor(() => fake.sessions.length === 1 && fake.last().configured, 'session');
    await c.sendAudio(ulawFrames(1000, 1)); // the fake model opens a response
    await waitFor(() => fake.last().responseId !== undefined, 'response');
    fake.delta(Buffer.alloc(8000 * 3, 0x55).toString('base64')); // 3 s of answer at once
    await waitFor(() => c.played().length > 1600, 'answer playing');
    fake.speechStarted();
    await waitFor(() => c.received.some((m) => m.event === 'clear'), 'clear');
    await waitFor(() => fake.last().received.some((e) => e.type === 'response.cancel'), 'response.cancel');
    const playedAtClear = c.played().length;
    await new Promise((r) => setTimeout(r, 200));
    expect(c.played().length - playedAtClear).toBeLessThanOrEqual(8 * 40); // at most a tick or two
    expect(c.buffered()).toBe(0);
    expect(c.echoedMarks.some((m) => m.byClear)).toBe(true);
    expect(events(h, 'call.started')).toHaveLength(1);
  });

  it('refuses what Twilio did not sign: webhook (403, no TwiML), upgrade (403), a token for another call (closed), none of them reaching a Realtime session', async () => {
    const { h, port, fake } = await setup();
    const params = { CallSid: 'CA1', AccountSid: 'AC1', From: '+1555', To: '+1666' };
    const wrong = await postSignedWebhook({ port, publicUrl: `https://${HOST}/twilio/voice`, authToken: 'not-the-token', params });
    expect(wrong.status).toBe(403);
    expect(wrong.body).not.toContain('<Response>');
    const tampered = await postSignedWebhook({ port, publicUrl: `https://${HOST}/twilio/voice`, authToken: TOKEN, params, sendParams: { ...params, To: '+1777' } });
    expect(tampered.status).toBe(403);
    for (const signature of [null, 'bm90LWEtc2lnbmF0dXJl']) {
      const ws = openSignedStream({ port, wssUrl: `wss://${HOST}/ws/twilio`, authToken: TOKEN, signature });
      const status = await new Promise<number>((resolve) => {
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
        ws.once('error', () => resolve(-1));
      });
      expect(status).toBe(403);
    }
    expect(fake.sessions).toHaveLength(0); // nothing unsigned opened a Realtime session
    // a validly signed upgrade whose start names another call than its token was issued for
    const c = await call(port);
    c.sendStart({ callSid: 'CA99999999999999999999999999999999' });
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
    expect(events(h, 'twilio.stream.refused')).toHaveLength(1);
    // the signed webhook pre-opened its call's session; the refused stream never got to use it
    expect(fake.sessions.length).toBeLessThanOrEqual(1);
    expect(fake.sessions.every((x) => x.appended.length === 0)).toBe(true);
    expect(h.stdout.text + h.stderr.text).not.toContain(TOKEN);
  });

  it('DTMF becomes call.dtmf; Twilio calls count in /api/health by source', async () => {
    const { h, port } = await setup();
    const c = await call(port);
    c.sendStart();
    c.sendDtmf('5');
    await waitFor(() => events(h, 'call.dtmf').length === 1, 'call.dtmf');
    expect(events(h, 'call.dtmf')[0]).toMatchObject({ digit: '5', source: 'twilio' });
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as Record<string, any>;
    expect(health.sources).toMatchObject({ twilio: 1 });
  });

  it('without TWILIO_AUTH_TOKEN /twilio/voice and /ws/twilio are 404 and the start-up text says what to set', async () => {
    const { h, port } = await setup({ TWILIO_AUTH_TOKEN: '' });
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/twilio/voice' }, (res) => resolve(res.statusCode ?? 0));
      req.end('CallSid=CA1');
    });
    expect(status).toBe(404);
    const ws = openSignedStream({ port, wssUrl: `wss://${HOST}/ws/twilio`, authToken: TOKEN });
    const up = await new Promise<number>((resolve) => ws.once('unexpected-response', (_r, res) => resolve(res.statusCode ?? 0)));
    expect(up).toBe(404);
    expect(h.stderr.text).toContain('TWILIO_AUTH_TOKEN is not set');
  });
});
