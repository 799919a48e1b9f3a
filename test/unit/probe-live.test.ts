/**
 * probeWebSocket against real loopback servers: one test per verdict, asserting the
 * verdict, the phases reached and the values that drive the hint. DNS failures and a
 * black-holed address use the injectable lookup / connect (no traffic leaves loopback).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { probeWebSocket, type ProbeOptions } from '../../src/probe/index.js';
import { upgrade } from '../../src/probe/session.js';
import {
  closedPort,
  hangupServer,
  resetServer,
  silentServer,
  statusServer,
  wsServer,
  type StatusAnswer,
  type TestServer,
} from '../helpers/probe-servers.js';
import { testCert } from '../helpers/tls.js';

const FAST: ProbeOptions = { holdMs: 150, timeoutMs: 2000 };
const servers: TestServer[] = [];
async function keep<T extends TestServer>(s: Promise<T>): Promise<T> {
  const server = await s;
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function probeStatus(answer: StatusAnswer, url?: (s: TestServer) => string, o: ProbeOptions = {}) {
  const s = await keep(statusServer(answer));
  const report = await probeWebSocket(url ? url(s) : s.url('/ws/media'), { ...FAST, ...o });
  return { s, report };
}

/** Resolve every name to loopback, as if the tunnel host name pointed here. */
const toLoopback: ProbeOptions['lookup'] = async () => [{ address: '127.0.0.1', family: 4 }];

describe('probeWebSocket: ok', () => {
  let ws: Awaited<ReturnType<typeof wsServer>>;
  beforeAll(async () => {
    ws = await keep(wsServer({ subprotocols: ['audio.v1'] }));
  });

  it('ws:// to a ws server: every phase timed, ping measured, held, ok', async () => {
    const r = await probeWebSocket(ws.url('/ws/media'), FAST);
    expect(r).toMatchObject({ verdict: 'ok', ok: true, target: `ws://127.0.0.1:${ws.port}/ws/media` });
    expect(r.hint).toBeUndefined();
    expect(r.phases.dns).toMatchObject({ ok: true, skipped: true, addresses: ['127.0.0.1'] });
    expect(r.phases.tcp).toMatchObject({ ok: true, address: '127.0.0.1', port: ws.port });
    expect(r.phases.tls).toBeUndefined();
    expect(r.phases.upgrade).toMatchObject({ ok: true, status: 101 });
    expect(r.phases.open).toMatchObject({ ok: true, holdMs: 150, messages: 0 });
    expect(r.phases.open!.pingMs).toEqual(expect.any(Number));
    expect(r.phases.open!.heldMs).toBeGreaterThanOrEqual(140);
    for (const p of [r.phases.tcp!, r.phases.upgrade!]) expect(p.ms).toBeGreaterThanOrEqual(0);
  });

  it('http:// becomes ws://, --path replaces the path, headers and subprotocols are sent', async () => {
    const before = ws.requests.length;
    const r = await probeWebSocket(`http://127.0.0.1:${ws.port}/wrong`, {
      ...FAST,
      path: '/ws/media',
      headers: { 'X-Tunnel-Authorization': 'tunnel abc.def' },
      subprotocols: ['audio.v1'],
    });
    expect(r.verdict).toBe('ok');
    const seen = ws.requests.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe('/ws/media');
    expect(seen[0]!.headers['x-tunnel-authorization']).toBe('tunnel abc.def');
    expect(seen[0]!.headers['sec-websocket-protocol']).toBe('audio.v1');
    expect(r.phases.upgrade!.headers!.secWebSocketProtocol).toBe('audio.v1');
  });

  it('a host name is looked up (injected lookup) and the TCP phase names the address used', async () => {
    const r = await probeWebSocket(`ws://media.example.test:${ws.port}/ws/media`, { ...FAST, lookup: toLoopback });
    expect(r.verdict).toBe('ok');
    expect(r.phases.dns).toEqual({ ok: true, ms: expect.any(Number), host: 'media.example.test', addresses: ['127.0.0.1'] });
  });

  it('falls back to the next address when the first refuses', async () => {
    const lookup: ProbeOptions['lookup'] = async () => [
      { address: '127.0.0.2', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    // 127.0.0.2 is loopback too, but the server listens on 127.0.0.1 only
    const r = await probeWebSocket(`ws://two.example.test:${ws.port}/ws/media`, { ...FAST, lookup });
    expect(r.verdict).toBe('ok');
    expect(r.phases.tcp).toMatchObject({ address: '127.0.0.1', attempts: [{ address: '127.0.0.2', code: 'ECONNREFUSED' }] });
  });
});

describe('probeWebSocket: transport failures', () => {
  it('invalid_url: a report, not an exception', async () => {
    const r = await probeWebSocket('ftp://example.com/x');
    expect(r).toMatchObject({ verdict: 'invalid_url', ok: false, target: '', phases: {} });
    expect(r.message).toContain('Unsupported scheme "ftp"');
    expect(r.hint).toContain('wss://host/ws/media');
  });

  it('dns_error: ENOTFOUND from the lookup; the quick tunnel hint says the name changes per run', async () => {
    const lookup: ProbeOptions['lookup'] = async (h) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' });
    };
    const r = await probeWebSocket('https://gone-four-words-here.trycloudflare.com', { ...FAST, lookup, path: '/ws/media' });
    expect(r.verdict).toBe('dns_error');
    expect(r.target).toBe('wss://gone-four-words-here.trycloudflare.com/ws/media');
    expect(r.phases.dns).toMatchObject({ ok: false, code: 'ENOTFOUND', host: 'gone-four-words-here.trycloudflare.com' });
    expect(r.phases.tcp).toBeUndefined();
    expect(r.hint).toContain('change on every cloudflared run');
  });

  it('dns_error: a lookup that never answers is bounded by the timeout', async () => {
    const r = await probeWebSocket('wss://slow.example.test', { ...FAST, timeoutMs: 100, lookup: () => new Promise(() => {}) });
    expect(r.verdict).toBe('dns_error');
    expect(r.phases.dns).toMatchObject({ ok: false, code: 'ETIMEOUT' });
    expect(r.message).toContain('timed out after 100 ms');
  });

  it('connection_refused: a closed loopback port', async () => {
    const port = await closedPort();
    const r = await probeWebSocket(`ws://127.0.0.1:${port}/ws/media`, FAST);
    expect(r.verdict).toBe('connection_refused');
    expect(r.phases.tcp).toMatchObject({ ok: false, port, code: 'ECONNREFUSED' });
    expect(r.hint).toBe(`Start your server on port ${port} (or fix the port in the URL), then probe again.`);
  });

  it('connect_timeout: a connect that never completes (injected), bounded by the timeout', async () => {
    const sockets: net.Socket[] = [];
    const connect: ProbeOptions['connect'] = () => {
      const s = new net.Socket(); // never connected: no connect, no error, like a black-holed SYN
      sockets.push(s);
      return s;
    };
    const r = await probeWebSocket('wss://firewalled.example.test', { ...FAST, timeoutMs: 120, lookup: toLoopback, connect });
    expect(r.verdict).toBe('connect_timeout');
    expect(r.phases.tcp).toMatchObject({ ok: false, port: 443, code: 'ETIMEDOUT' });
    expect(r.hint).toContain('allow inbound TCP 443');
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  it('a black-holed first address gets only its share of the timeout; the next one is tried', async () => {
    const ws = await keep(wsServer());
    const lookup: ProbeOptions['lookup'] = async () => [
      { address: '2001:db8::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ];
    const connect: ProbeOptions['connect'] = ({ host, port }) => (host === '127.0.0.1' ? net.connect({ host, port }) : new net.Socket());
    const r = await probeWebSocket(`ws://dual.example.test:${ws.port}/ws/media`, { ...FAST, timeoutMs: 1000, lookup, connect });
    expect(r.verdict).toBe('ok');
    expect(r.phases.tcp).toMatchObject({ ok: true, address: '127.0.0.1', attempts: [{ address: '2001:db8::1', code: 'ETIMEDOUT' }] });
  });

  it('handshake_timeout: TCP accepted, no answer to the upgrade', async () => {
    const s = await keep(silentServer());
    const r = await probeWebSocket(s.url('/ws/media'), { ...FAST, timeoutMs: 150 });
    expect(r.verdict).toBe('handshake_timeout');
    expect(r.phases.tcp!.ok).toBe(true);
    expect(r.phases.upgrade).toMatchObject({ ok: false, code: 'ETIMEOUT' });
    expect(r.message).toContain('within 150 ms');
  });

  it('http_error: the server hangs up without an HTTP answer', async () => {
    const s = await keep(hangupServer());
    const r = await probeWebSocket(s.url('/ws/media'), FAST);
    expect(r.verdict).toBe('http_error');
    expect(r.message).toContain('without an HTTP answer');
    expect(r.hint).toContain('wss://');
  });

  it('http_error, not handshake_timeout: the server closes the connection right after accepting it', async () => {
    const s = await keep(resetServer());
    const r = await probeWebSocket(s.url('/ws/media'), { ...FAST, timeoutMs: 5000 });
    expect(r.verdict).toBe('http_error');
    expect(r.phases.tcp!.ok).toBe(true);
    expect(r.phases.upgrade).toMatchObject({ ok: false, code: 'ECONNRESET' });
    expect(r.message).toContain('without an HTTP answer (ECONNRESET)');
  });

  it('upgrade() on a socket the server already closed answers ECONNRESET at once, not after the timeout', async () => {
    const s = await keep(resetServer());
    const socket = net.connect({ host: '127.0.0.1', port: s.port });
    await new Promise((resolve) => socket.once('close', resolve));
    const up = await upgrade(WebSocket, s.url('/ws/media'), socket, { timeoutMs: 5000 });
    expect(up.ws).toBeUndefined();
    expect(up.phase).toMatchObject({ ok: false, code: 'ECONNRESET' });
  });
});

describe('probeWebSocket: TLS', () => {
  let tls: Awaited<ReturnType<typeof wsServer>>;
  beforeAll(async () => {
    tls = await keep(wsServer({ tls: await testCert() }));
  });

  it('tls_error: a self-signed certificate is refused without --insecure, with the certificate reported', async () => {
    const r = await probeWebSocket(`https://localhost:${tls.port}/ws/media`, { ...FAST, lookup: toLoopback });
    expect(r.verdict).toBe('tls_error');
    expect(r.phases.tls).toMatchObject({ ok: false, code: 'DEPTH_ZERO_SELF_SIGNED_CERT', authorized: false });
    expect(r.phases.tls!.certificate).toMatchObject({ subject: 'CN=localhost', selfSigned: true });
    expect(r.phases.upgrade).toBeUndefined();
    expect(r.hint).toContain('--insecure');
    expect(tls.opened).toBe(0);
  });

  it('ok with --insecure: TLS details reported, the verification problem kept', async () => {
    const r = await probeWebSocket(`wss://localhost:${tls.port}/ws/media`, { ...FAST, insecure: true, lookup: toLoopback });
    expect(r.verdict).toBe('ok');
    expect(r.message).toContain('Only because of --insecure: the certificate does not verify (DEPTH_ZERO_SELF_SIGNED_CERT)');
    const t = r.phases.tls!;
    expect(t).toMatchObject({ ok: true, alpn: 'http/1.1', authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(t.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(t.certificate!.subjectAltNames).toEqual(['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']);
    expect(Date.parse(t.certificate!.validTo)).toBeGreaterThan(Date.now());
  });

  it('tls_error: wss:// to a plain HTTP port says the port does not speak TLS', async () => {
    const plain = await keep(wsServer());
    const r = await probeWebSocket(`wss://127.0.0.1:${plain.port}/ws/media`, FAST);
    expect(r.verdict).toBe('tls_error');
    expect(r.hint).toContain('does not speak TLS');
    expect(r.message).toBe(`TLS with 127.0.0.1:${plain.port} failed: wrong version number (ERR_SSL_WRONG_VERSION_NUMBER).`);
    expect(r.phases.tls).toMatchObject({ ok: false, error: 'wrong version number', code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
  });
});

describe('probeWebSocket: HTTP answers', () => {
  it('tunnel_auth_required: 302 to the dev tunnels sign-in page; the hint names the tunnel id and port', async () => {
    const { report: r } = await probeStatus(
      { status: 302, headers: { location: 'https://global.rel.tunnels.api.visualstudio.com/auth/aad?redirect=x' } },
      (s) => `http://k7x2m9q-8000.usw2.devtunnels.ms:${s.port}/ws/media`,
      { lookup: toLoopback },
    );
    expect(r.verdict).toBe('tunnel_auth_required');
    expect(r.phases.upgrade).toMatchObject({ status: 302, headers: { location: expect.stringContaining('/auth/aad') } });
    expect(r.hint).toContain('devtunnel access create k7x2m9q.usw2 --anonymous --port-number 8000');
  });

  it('tunnel_auth_required: 401 with the relay marks (vssaas-request-id, x-served-by) on a plain address', async () => {
    const { report: r } = await probeStatus({
      status: 401,
      headers: { 'vssaas-request-id': 'b1c2', 'x-served-by': 'tunnels-prod-rel-usw2-v3-cluster' },
    });
    expect(r.verdict).toBe('tunnel_auth_required');
    expect(r.hint).toContain('devtunnel access create <tunnel-id> --anonymous --port-number <port>');
  });

  it('http_unauthorized: a 401 without tunnel marks', async () => {
    const { report: r } = await probeStatus({ status: 401, headers: { 'www-authenticate': 'Bearer realm="media"' } });
    expect(r.verdict).toBe('http_unauthorized');
    expect(r.phases.upgrade!.headers!.wwwAuthenticate).toBe('Bearer realm="media"');
    expect(r.hint).toContain('ACS sends no custom headers');
    // the hint goes through redact(): its example header must come out whole
    expect(r.hint).toContain("--header 'Authorization: Bearer <token>'");
  });

  it('http_unauthorized: a 403 without tunnel marks', async () => {
    const { report: r } = await probeStatus({ status: 403, body: 'forbidden' });
    expect(r.verdict).toBe('http_unauthorized');
    expect(r.phases.upgrade!.body).toBe('forbidden');
  });

  it('http_redirect: another 3xx, with the location reported', async () => {
    const { report: r } = await probeStatus({ status: 301, headers: { location: 'https://elsewhere.example/ws' } });
    expect(r.verdict).toBe('http_redirect');
    expect(r.message).toContain('https://elsewhere.example/ws');
    expect(r.hint).toContain('final URL');
  });

  it('http_not_found: 404; the hint is about the path', async () => {
    const { report: r } = await probeStatus({ status: 404, headers: { 'content-type': 'text/plain' }, body: 'Cannot GET /ws/media' });
    expect(r.verdict).toBe('http_not_found');
    expect(r.phases.upgrade).toMatchObject({ status: 404, headers: { contentType: 'text/plain' }, body: 'Cannot GET /ws/media' });
    expect(r.hint).toContain('must upgrade WebSockets on /ws/media');
  });

  it('http_not_found: 404 through Cloudflare names the cloudflared config.yml catch-all', async () => {
    const { report: r } = await probeStatus({ status: 404, headers: { server: 'cloudflare', 'cf-ray': '8a1b-AMS' } });
    expect(r.verdict).toBe('http_not_found');
    expect(r.phases.upgrade!.headers).toMatchObject({ server: 'cloudflare', cfRay: '8a1b-AMS' });
    expect(r.hint).toContain('config.yml');
    expect(r.hint).toContain('http_status:404');
  });

  it('tunnel_origin_down: 502 from a dev tunnel; the hint names the forwarded port', async () => {
    const { report: r } = await probeStatus(
      { status: 502 },
      (s) => `ws://k7x2m9q-8000.usw2.devtunnels.ms:${s.port}/ws/media`,
      { lookup: toLoopback },
    );
    expect(r.verdict).toBe('tunnel_origin_down');
    expect(r.hint).toContain('Start your server on port 8000');
  });

  it('tunnel_origin_down: 530 with "error code: 1033" (cloudflared not connected)', async () => {
    const { report: r } = await probeStatus({ status: 530, statusText: '', headers: { server: 'cloudflare' }, body: 'error code: 1033' });
    expect(r.verdict).toBe('tunnel_origin_down');
    expect(r.message).toContain('Cloudflare error 1033');
    expect(r.hint).toContain('restart `cloudflared tunnel --url');
  });

  it('http_error: 500', async () => {
    const { report: r } = await probeStatus({ status: 500, body: 'boom' });
    expect(r.verdict).toBe('http_error');
    expect(r.message).toContain('HTTP 500 Internal Server Error');
    expect(r.hint).toContain('check its logs');
  });

  it('not_websocket: 200 with an HTML page; the body is cut to 200 bytes', async () => {
    const body = `<!DOCTYPE html><html><body>${'x'.repeat(500)}</body></html>`;
    const { report: r } = await probeStatus({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body });
    expect(r.verdict).toBe('not_websocket');
    expect(r.message).toContain('(text/html)');
    expect(r.phases.upgrade!.body).toBe(body.slice(0, 200));
    expect(r.phases.open).toBeUndefined();
  });
});

describe('probeWebSocket: the open connection', () => {
  it('closed_early: the server closes with 1011 during the hold; code and reason reported', async () => {
    const s = await keep(wsServer({ closeAfterMs: 30, closeCode: 1011, closeReason: 'no AudioMetadata' }));
    const r = await probeWebSocket(s.url('/ws/media'), { ...FAST, holdMs: 1500 });
    expect(r.verdict).toBe('closed_early');
    expect(r.phases.upgrade!.ok).toBe(true);
    expect(r.phases.open).toMatchObject({ ok: false, closed: { code: 1011, reason: 'no AudioMetadata' } });
    expect(r.phases.open!.closed!.afterMs).toBeLessThan(1500);
    expect(r.message).toContain('code 1011 "no AudioMetadata"');
  });

  it('not_websocket: a subprotocol the server does not accept fails the handshake', async () => {
    const s = await keep(wsServer());
    const r = await probeWebSocket(s.url('/ws/media'), { ...FAST, subprotocols: ['nope'] });
    expect(r.verdict).toBe('not_websocket');
    expect(r.message).toContain('Server sent no subprotocol');
    expect(r.hint).toContain('--subprotocol');
  });

  it('an abort signal stops a stuck upgrade at once (not at the timeout)', async () => {
    const s = await keep(silentServer());
    const ac = new AbortController();
    const p = probeWebSocket(s.url('/ws/media'), { timeoutMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toMatchObject({ code: 'VOICECTL_INTERRUPTED', exitCode: 130 });
  });

  it('an abort signal stops a long hold with CancelledError', async () => {
    const s = await keep(wsServer());
    const ac = new AbortController();
    const p = probeWebSocket(s.url('/ws/media'), { holdMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toMatchObject({ code: 'VOICECTL_INTERRUPTED', exitCode: 130 });
  });
});
