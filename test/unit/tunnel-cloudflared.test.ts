import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudflaredArgs, parseCloudflaredLine, queryCloudflaredMetrics } from '../../src/tunnel/cloudflared.js';

const TS = '2026-01-05T10:00:00Z';

describe('cloudflaredArgs', () => {
  it('runs a quick tunnel to 127.0.0.1 with an empty config and a pinned metrics address', () => {
    expect(cloudflaredArgs({ port: 8000, configFile: '/tmp/x/config.yml', metricsAddr: '127.0.0.1:20300' })).toEqual([
      'tunnel',
      '--no-autoupdate',
      '--config',
      '/tmp/x/config.yml',
      '--metrics',
      '127.0.0.1:20300',
      '--url',
      'http://127.0.0.1:8000',
    ]);
  });

  it('adds --protocol only when a transport is chosen', () => {
    const args = cloudflaredArgs({ port: 9000, configFile: 'c', metricsAddr: 'm', protocol: 'http2' });
    expect(args.slice(-4)).toEqual(['--protocol', 'http2', '--url', 'http://127.0.0.1:9000']);
    expect(cloudflaredArgs({ port: 1, configFile: 'c', metricsAddr: 'm', protocol: 'auto' })).not.toContain('--protocol');
  });
});

describe('parseCloudflaredLine', () => {
  const cases: Array<[string, string, Partial<ReturnType<typeof parseCloudflaredLine>> & { failureCode?: string }]> = [
    ['URL box line', `${TS} INF |  https://gentle-river-proof-demo.trycloudflare.com                |`, { url: 'https://gentle-river-proof-demo.trycloudflare.com', level: 'info' }],
    [
      'URL box line with colours',
      `\u001b[90m${TS}\u001b[0m \u001b[32mINF\u001b[0m |  https://Four-Words-Here-Now.trycloudflare.com  |`,
      { url: 'https://four-words-here-now.trycloudflare.com', level: 'info' },
    ],
    ['box header is not a URL', `${TS} INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |`, { url: undefined }],
    [
      'api.trycloudflare.com in a request error is not the tunnel URL',
      `${TS} ERR failed to request quick Tunnel: Post "https://api.trycloudflare.com/tunnel": dial tcp: lookup api.trycloudflare.com: no such host`,
      { url: undefined, level: 'error', failureCode: 'VOICECTL_TUNNEL_UNREACHABLE' },
    ],
    [
      'Registered line means ready',
      `${TS} INF Registered tunnel connection connIndex=0 connection=6f1c9f8a event=0 ip=198.41.200.13 location=fra08 protocol=quic`,
      { ready: true, level: 'info' },
    ],
    [
      'rate limit (1015 / 429)',
      `${TS} ERR Error unmarshaling QuickTunnel response: error code: 1015 error="invalid character 'e' looking for beginning of value" status_code="429 Too Many Requests"`,
      { level: 'error', failureCode: 'VOICECTL_TUNNEL_RATE_LIMITED' },
    ],
    ['invalid UUID from the service', 'failed to parse quick Tunnel ID: invalid UUID length: 0', { level: 'info', failureCode: 'VOICECTL_TUNNEL_SERVICE_ERROR' }],
    [
      'QUIC dial blocked',
      `${TS} ERR Failed to dial a quic connection error="failed to dial to edge with quic: timeout: no recent network activity" connIndex=0 event=0 addr=198.41.192.167:7844`,
      { level: 'error', failureCode: 'VOICECTL_TUNNEL_QUIC_BLOCKED' },
    ],
    ['warning level', `${TS} WRN Cannot determine default origin certificate path.`, { level: 'warn' }],
  ];
  it.each(cases)('%s', (_name, line, want) => {
    const got = parseCloudflaredLine(line);
    const { failureCode, ...rest } = want;
    for (const [k, v] of Object.entries(rest)) expect(got[k as keyof typeof got], k).toEqual(v);
    expect(got.failure?.code).toBe(failureCode);
    expect(got.text).not.toContain('\u001b');
  });

  it('the rate-limit failure is fatal and its hint names the fix', () => {
    const f = parseCloudflaredLine('error code: 1015').failure!;
    expect(f.fatal).toBe(true);
    expect(f.hint).toContain('--provider devtunnel');
  });

  it('the QUIC failure is not fatal (cloudflared retries) and says to use http2', () => {
    const f = parseCloudflaredLine(`${TS} ERR Failed to dial a quic connection error="x"`).failure!;
    expect(f.fatal).toBe(false);
    expect(f.hint).toBe('Retry over TCP: voicectl tunnel up --provider cloudflared --cloudflared-protocol http2');
  });
});

describe('queryCloudflaredMetrics', () => {
  let server: http.Server;
  let addr: string;
  let state = { hostname: '', ready: false };
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/quicktunnel') res.end(JSON.stringify({ hostname: state.hostname }));
      else if (req.url === '/ready') {
        res.statusCode = state.ready ? 200 : 503;
        res.end(JSON.stringify({ status: res.statusCode, readyConnections: state.ready ? 1 : 0 }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads nothing while the hostname is empty and /ready is 503', async () => {
    state = { hostname: '', ready: false };
    expect(await queryCloudflaredMetrics(addr)).toEqual({ ready: false });
  });

  it('reads the hostname (no scheme) as an https URL, and /ready 200 as ready', async () => {
    state = { hostname: 'abc-def.trycloudflare.com', ready: true };
    expect(await queryCloudflaredMetrics(addr)).toEqual({ url: 'https://abc-def.trycloudflare.com', ready: true });
  });

  it('never throws when nothing listens', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    expect(await queryCloudflaredMetrics(`127.0.0.1:${port}`)).toEqual({ ready: false });
  });
});
