// The bridge server in-process: media token, --max-calls, routes, health, robustness, drain.
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { startFakeRealtime } from '../helpers/fake-realtime.js';
import { connectAcs, numberedFrames, startTestBridge, waitFor, type TestBridge } from '../helpers/acs-media-client.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bridgeWith(o: Parameters<typeof startTestBridge>[0] = {}): Promise<TestBridge> {
  const b = await startTestBridge(o);
  cleanups.push(() => b.handle.close());
  return b;
}

describe('media socket access', () => {
  const TOKEN = 'media-token-ABCDEFGH1234';

  it('--media-token: refused with 401 before the upgrade without it or with a wrong one', async () => {
    const b = await bridgeWith({ mediaToken: TOKEN });
    await expect(connectAcs(b.mediaUrl)).rejects.toThrow('Unexpected server response: 401');
    await expect(connectAcs(`${b.mediaUrl}?token=wrong`)).rejects.toThrow('Unexpected server response: 401');
    await expect(connectAcs(b.mediaUrl, { Authorization: 'Bearer wrong' })).rejects.toThrow('Unexpected server response: 401');
    expect(b.of('media.refused')).toHaveLength(3);
    expect(b.of('call.started')).toHaveLength(0);
    expect(JSON.stringify(b.events)).not.toContain(TOKEN);
  });

  it('accepts ?token= or Bearer, and ?token= alongside ACS’s own JWT in Authorization', async () => {
    const b = await bridgeWith({ mediaToken: TOKEN });
    const acsJwt = 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhY3MifQ.c2ln';
    for (const [url, headers] of [
      [`${b.mediaUrl}?token=${TOKEN}`, {}],
      [b.mediaUrl, { Authorization: `Bearer ${TOKEN}` }],
      [`${b.mediaUrl}?token=${TOKEN}`, { Authorization: acsJwt }],
    ] as const) {
      const c = await connectAcs(url, headers);
      c.sendMetadata(24000);
      c.sendAudio(numberedFrames(24000, 1)[0]!);
      await waitFor(() => c.audio().length === 1, 'echo');
      c.close();
    }
    await waitFor(() => b.of('call.ended').length === 3, 'three calls ended');
  });

  it('the authorizeMediaUpgrade hook refuses with its own status; other paths get 404', async () => {
    const b = await bridgeWith({
      authorizeMediaUpgrade: async (req) =>
        req.headers['x-test'] === 'ok' ? { ok: true } : { ok: false, status: 403, reason: 'ACS JWT audience mismatch' },
    });
    await expect(connectAcs(b.mediaUrl)).rejects.toThrow('Unexpected server response: 403');
    expect(b.of('media.refused')[0]).toMatchObject({ status: 403, reason: 'ACS JWT audience mismatch' });
    const ok = await connectAcs(b.mediaUrl, { 'x-test': 'ok' });
    ok.close();
    await expect(connectAcs(b.mediaUrl.replace('/ws/media', '/ws/other'))).rejects.toThrow('Unexpected server response: 404');
  });

  it('--max-calls: beyond it media sockets are closed with 1013 and counted', async () => {
    const b = await bridgeWith({ maxCalls: 1 });
    const first = await connectAcs(b.mediaUrl);
    const second = await connectAcs(b.mediaUrl);
    expect(await second.closed).toEqual({ code: 1013, reason: expect.stringContaining('call limit (1)') });
    expect(b.handle.stats()).toMatchObject({ activeCalls: 1, totalCalls: 1, refusedCalls: 1 });
    const health = (await (await fetch(`${b.httpUrl}/api/health`)).json()) as any;
    expect(health.calls).toEqual({ active: 1, total: 1, refused: 1, max: 1 });
    first.close();
  });
});

describe('HTTP routes and health', () => {
  it('GET /api/health: status, version, calls, upstream; extra routes and health extras; 404 otherwise', async () => {
    Buffer.poolSize = 8 * 1024;
    const b = await bridgeWith({
      version: '9.9.9',
      routes: [{ method: 'POST', prefix: '/api/incomingCall', handle: (_req, res) => void res.writeHead(200).end('handled') }],
      healthExtras: () => ({ callAutomation: { answered: 2 } }),
    });
    expect(Buffer.poolSize).toBe(128 * 1024); // the relay's Buffer pool (buffer-pool.ts), set at start
    const res = await fetch(`${b.httpUrl}/api/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      status: 'ok', version: '9.9.9', uptimeSeconds: expect.any(Number),
      calls: { active: 0, total: 0, refused: 0, max: 10 },
      media: { path: '/ws/media', tokenRequired: false },
      sources: { acs: 0, asterisk: 0, twilio: 0 },
      upstream: { kind: 'echo', lastError: null },
      voiceToVoice: { turns: 0, p50Ms: null, p95Ms: null },
      callAutomation: { answered: 2 },
    });
    const routed = await fetch(`${b.httpUrl}/api/incomingCall?x=1`, { method: 'POST', body: '[]' });
    expect([routed.status, await routed.text()]).toEqual([200, 'handled']);
    expect((await fetch(`${b.httpUrl}/api/incomingCall`)).status).toBe(404); // GET does not match a POST route
    expect((await fetch(`${b.httpUrl}/`)).status).toBe(404);
  });

  it('health never shows a secret: API key and media token stay out of it', async () => {
    const KEY = 'sk-SECRET-aoai-key-777777';
    const TOKEN = 'tok-SECRET-media-888888';
    const fake = await startFakeRealtime({ protocol: 'ga', apiKey: KEY });
    cleanups.push(() => fake.close());
    const b = await bridgeWith({
      mediaToken: TOKEN,
      upstream: { kind: 'aoai', endpoint: fake.endpoint, deployment: 'gpt-realtime', protocol: 'ga', apiKey: KEY, session: {} },
    });
    const c = await connectAcs(`${b.mediaUrl}?token=${TOKEN}`);
    c.sendMetadata(24000);
    await waitFor(() => fake.sessions.length === 1, 'upstream session');
    const text = await (await fetch(`${b.httpUrl}/api/health`)).text();
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text).upstream).toEqual({
      kind: 'aoai', endpointHost: `127.0.0.1:${fake.port}`, deployment: 'gpt-realtime', protocol: 'ga', credentials: 'api-key', lastError: null,
    });
    expect(JSON.parse(text).media.tokenRequired).toBe(true);
    c.close();
  });
});

describe('robustness', () => {
  it('malformed, binary, unknown, non-base64, oversized and pre-metadata frames are counted; the call keeps working', async () => {
    const b = await bridgeWith({ maxFrameBytes: 4096 });
    const c = await connectAcs(b.mediaUrl);
    const frames = numberedFrames(24000, 2);
    c.sendAudio(frames[0]!); // before AudioMetadata
    c.sendMetadata(24000);
    c.sendRaw('{not json');
    c.sendRaw(Buffer.from([1, 2, 3]), true);
    c.sendRaw('{"kind":"Video","video":{}}');
    c.sendRaw('{"kind":"AudioData","audioData":{"data":"@@@@"}}');
    c.sendRaw('{"kind":"AudioData","audioData":{}}');
    c.sendRaw(JSON.stringify({ kind: 'AudioData', audioData: { data: 'A'.repeat(8000) } })); // over maxFrameBytes
    c.sendRaw('{"kind":"DtmfData","dtmfData":{"data":"5"}}');
    c.sendAudio(frames[1]!);
    await waitFor(() => c.audio().length === 1, 'the valid frame echoed');
    expect(c.audio()).toEqual([frames[1]]);
    c.close();
    await waitFor(() => b.of('call.ended').length === 1, 'call.ended');
    expect(b.of('call.ended')[0]).toMatchObject({ malformed: 6, beforeMetadata: 1, framesIn: 1, framesOut: 1, closeCode: 1000 });
    expect(b.of('call.malformed')).toHaveLength(3); // reported three times, then only counted
    expect(b.of('call.dtmf')[0]).toMatchObject({ digit: '5' });
  });

  it('unsupported AudioMetadata (8 kHz) closes the call with 1003 naming it', async () => {
    const b = await bridgeWith();
    const c = await connectAcs(b.mediaUrl);
    c.sendRaw(JSON.stringify({ kind: 'AudioMetadata', audioMetadata: { sampleRate: 8000, channels: 1, encoding: 'PCM' } }));
    expect(await c.closed).toEqual({ code: 1003, reason: 'unsupported sampleRate 8000 (16000 or 24000)' });
  });

  it('a socket that stops answering pings is terminated', async () => {
    const b = await bridgeWith({ pingIntervalMs: 30 });
    const ws = new WebSocket(b.mediaUrl, { autoPong: false });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('error', () => {});
    expect(await closed).toBe(1006);
    await waitFor(() => b.of('call.ended').length === 1, 'call.ended');
    expect(b.handle.stats().activeCalls).toBe(0);
  });

  it('close() drains: calls get 1001, upstreams close, new upgrades are refused', async () => {
    const fake = await startFakeRealtime({ protocol: 'ga', apiKey: 'k-1234567' });
    cleanups.push(() => fake.close());
    const b = await startTestBridge({
      upstream: { kind: 'aoai', endpoint: fake.endpoint, deployment: 'gpt-realtime', protocol: 'ga', apiKey: 'k-1234567', session: {} },
    });
    const calls = await Promise.all([connectAcs(b.mediaUrl), connectAcs(b.mediaUrl)]);
    for (const c of calls) c.sendMetadata(24000);
    await waitFor(() => fake.sessions.length === 2, 'two upstream sessions');
    const upstreamClosed = fake.sessions.map((s) => new Promise<number>((r) => s.ws.on('close', (code) => r(code))));
    await b.handle.close();
    for (const c of calls) expect((await c.closed).code).toBe(1001);
    expect(await Promise.all(upstreamClosed)).toEqual([1000, 1000]);
    expect(b.of('call.ended').map((e) => e.closeCode)).toEqual([1001, 1001]);
    await expect(connectAcs(b.mediaUrl)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('robustness, protocol limits', () => {
  it('a frame over the WebSocket maxPayload closes that socket with 1009 and is counted; other calls go on', async () => {
    const b = await bridgeWith({ maxFrameBytes: 1024 }); // ws maxPayload is twice that
    const healthy = await connectAcs(b.mediaUrl);
    const abusive = await connectAcs(b.mediaUrl);
    abusive.sendRaw('x'.repeat(4096));
    expect((await abusive.closed).code).toBe(1009);
    await waitFor(() => b.of('call.ended').length === 1, 'the abusive call ended');
    expect(b.of('call.ended')[0]).toMatchObject({ malformed: 1 }); // the bridge side sees the abort as 1006
    healthy.sendMetadata(24000);
    const frame = numberedFrames(24000, 1)[0]!;
    healthy.sendRaw(JSON.stringify({ kind: 'AudioData', audioData: { data: frame.slice(0, 400) } }));
    await waitFor(() => healthy.audio().length === 1, 'the healthy call still echoes');
    healthy.close();
  });
});

describe('robustness, request targets', () => {
  async function rawRequest(port: number, text: string): Promise<string> {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (d) => (reply += d.toString('latin1')));
    socket.write(text);
    await waitFor(() => reply.includes('\r\n'), 'a status line');
    socket.destroy();
    return reply.split('\r\n')[0]!;
  }

  it('a request target that is not a URL gets 400, on HTTP and on upgrades, and the bridge lives on', async () => {
    const b = await bridgeWith();
    expect(await rawRequest(b.handle.port, 'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    const upgrade =
      'GET http://[::1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
    expect(await rawRequest(b.handle.port, upgrade)).toBe('HTTP/1.1 400 Bad Request');
    expect((await fetch(`${b.httpUrl}/api/health`)).status).toBe(200);
    expect(b.handle.stats().rejectedUpgrades).toBe(1);
  });
});

describe('robustness, hooks', () => {
  it('a healthExtras that throws makes /api/health a 500 with an http.error event, not a crash', async () => {
    const b = await bridgeWith({
      healthExtras: () => {
        throw new Error('registry exploded');
      },
    });
    const res = await fetch(`${b.httpUrl}/api/health`);
    expect([res.status, await res.json()]).toEqual([500, { status: 'error' }]);
    expect(b.of('http.error')[0]).toEqual({ path: '/api/health', message: 'registry exploded' });
    const c = await connectAcs(b.mediaUrl); // the bridge still serves calls
    c.close();
  });
});

describe('readiness', () => {
  it('GET /api/ready: 503 at --max-calls and while Azure OpenAI refuses sessions, 200 again once a session is accepted', async () => {
    const fake = await startFakeRealtime({ protocol: 'ga', apiKey: 'k-1234567' });
    cleanups.push(() => fake.close());
    const b = await startTestBridge({
      maxCalls: 1,
      upstream: { kind: 'aoai', endpoint: fake.endpoint, deployment: 'gpt-realtime', protocol: 'ga', apiKey: 'k-1234567', session: {} },
    });
    cleanups.push(() => b.handle.close());
    const ready = async () => {
      const r = await fetch(`${b.httpUrl}/api/ready`);
      return { status: r.status, ...((await r.json()) as Record<string, unknown>) };
    };
    expect(await ready()).toEqual({ status: 200, ready: true });
    fake.refuseWith = 401;
    const refused = await connectAcs(b.mediaUrl);
    refused.sendMetadata(24000);
    expect((await refused.closed).code).toBe(1011);
    await waitFor(() => b.handle.stats().activeCalls === 0, 'refused call gone');
    expect(await ready()).toMatchObject({ status: 503, ready: false, reason: 'upstream-refused' });
    fake.refuseWith = undefined;
    const ok = await connectAcs(b.mediaUrl);
    ok.sendMetadata(24000);
    await waitFor(() => fake.sessions.some((s) => s.configured), 'accepted session');
    await waitFor(() => b.handle.registry.upstreamRefusal === undefined, 'refusal cleared');
    expect(await ready()).toMatchObject({ status: 503, reason: 'max-calls' }); // one call, --max-calls 1
    ok.close();
    await waitFor(() => b.handle.stats().activeCalls === 0, 'call gone');
    expect(await ready()).toEqual({ status: 200, ready: true });
  });
});
