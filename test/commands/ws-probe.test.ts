/**
 * `voicectl ws-probe` in-process: argv → probe → human or JSON output and exit code,
 * against real loopback servers (test/helpers/probe-servers.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeReport } from '../../src/probe/index.js';
import { closedPort, silentServer, statusServer, wsServer, type TestServer } from '../helpers/probe-servers.js';
import { runVoicectl, startCli } from '../helpers/run-cli.js';
import { testCert } from '../helpers/tls.js';

const ANSI = /\u001b\[/;
const servers: TestServer[] = [];
let ws: Awaited<ReturnType<typeof wsServer>>;
let unauthorized: TestServer;
let tls: TestServer;

beforeAll(async () => {
  ws = await wsServer({ subprotocols: ['audio.v1'] });
  unauthorized = await statusServer({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
  tls = await wsServer({ tls: await testCert() });
  servers.push(ws, unauthorized, tls);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const fast = ['--hold', '0.1', '--timeout', '2000'];

describe('voicectl ws-probe: human output', () => {
  it('ok: one line per phase with timings, the verdict, exit 0, nothing on stderr, no colour off a TTY', async () => {
    const r = await runVoicectl(['ws-probe', `http://127.0.0.1:${ws.port}`, '--path', '/ws/media', ...fast]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(ANSI);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`ws://127.0.0.1:${ws.port}/ws/media  (from http://127.0.0.1:${ws.port})`);
    expect(lines[1]).toBe(`  dns     skip${' '.repeat(13)}127.0.0.1 is an IP address`);
    expect(lines[2]).toMatch(new RegExp(`^  tcp     ok +\\d+\\.\\d ms  127\\.0\\.0\\.1:${ws.port}$`));
    expect(lines[3]).toMatch(/^ {2}upgrade ok +\d+\.\d ms {2}101 Switching Protocols$/);
    expect(lines[4]).toMatch(/^ {2}open {4}ok +\d+\.\d ms {2}ping \d+\.\d ms · held \d+\.\d ms$/);
    expect(lines[5]).toMatch(/^ {2}verdict ok {2}WebSocket open \(ping [\d.]+ ms\) and still open after the 0\.1 s hold\.$/);
    expect(lines).toHaveLength(6);
  });

  it('a 401: the failing phase, the verdict and the hint; exit 1 with nothing more on stderr', async () => {
    const r = await runVoicectl(['ws-probe', unauthorized.url('/ws/media'), ...fast]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ {2}upgrade FAIL +\d+\.\d ms {2}401 Unauthorized · www-authenticate Bearer$/m);
    expect(r.stdout).toContain('  verdict http_unauthorized  HTTP 401 Unauthorized: the server refused the upgrade');
    expect(r.stdout).toMatch(/^ {2}hint {4}The server \(or a proxy in front of it\) requires auth/m);
  });

  it('colour on a TTY (red verdict), none with NO_COLOR', async () => {
    const url = unauthorized.url('/ws/media');
    const tty = await runVoicectl(['ws-probe', url, ...fast], { tty: true, env: { CI: '1' } });
    expect(tty.code).toBe(1);
    expect(tty.stdout).toMatch(ANSI);
    expect(tty.stdout).toContain('\u001b[31m');
    const plain = await runVoicectl(['ws-probe', url, ...fast], { tty: true, env: { CI: '1', NO_COLOR: '1' } });
    expect(plain.stdout).not.toMatch(ANSI);
    expect(plain.stdout).toContain('verdict http_unauthorized');
  });

  it('several URLs: one report each, in argument order, and a summary', async () => {
    const dead = await closedPort();
    const r = await runVoicectl(['ws-probe', ws.url('/ws/media'), `ws://127.0.0.1:${dead}/ws/media`, ...fast]);
    expect(r.code).toBe(1);
    const blocks = r.stdout.split('\n\n');
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toContain('verdict ok');
    expect(blocks[1]).toContain('verdict connection_refused');
    expect(blocks[1]).toContain(`hint    Start your server on port ${dead}`);
    expect(blocks[2]!.trim()).toBe('1 of 2 URLs ok');
  });

  it('--insecure: the self-signed certificate is accepted and flagged; without it, tls_error', async () => {
    const url = `https://127.0.0.1:${tls.port}/ws/media`;
    const strict = await runVoicectl(['ws-probe', url, ...fast]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^ {2}tls {5}FAIL .*subject CN=localhost · self-signed/m);
    expect(strict.stdout).toContain('verdict tls_error');
    const loose = await runVoicectl(['ws-probe', url, '--insecure', ...fast]);
    expect(loose.code).toBe(0);
    expect(loose.stdout).toMatch(/^ {2}tls {5}ok .*TLSv1\.[23] · ALPN http\/1\.1 .*NOT TRUSTED \(DEPTH_ZERO_SELF_SIGNED_CERT, accepted with --insecure\)/m);
  });
});

describe('voicectl ws-probe --json', () => {
  it('one URL: exactly one JSON object on stdout with every phase', async () => {
    const r = await runVoicectl(['ws-probe', ws.url('/ws/media'), '--json', ...fast]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const report = r.json() as ProbeReport;
    expect(Object.keys(report)).toEqual(['url', 'target', 'verdict', 'ok', 'message', 'phases']);
    expect(report).toMatchObject({ url: ws.url('/ws/media'), target: ws.url('/ws/media'), verdict: 'ok', ok: true });
    expect(Object.keys(report.phases)).toEqual(['dns', 'tcp', 'upgrade', 'open']);
    expect(report.phases.open).toMatchObject({ ok: true, holdMs: 100, pingMs: expect.any(Number) });
  });

  it('several URLs: an array in argument order; exit 1 when one fails', async () => {
    const r = await runVoicectl(['ws-probe', unauthorized.url('/ws/media'), ws.url('/ws/media'), '--json', ...fast]);
    expect(r.code).toBe(1);
    const reports = r.json() as ProbeReport[];
    expect(reports.map((x) => x.verdict)).toEqual(['http_unauthorized', 'ok']);
    expect(reports[0]!.hint).toEqual(expect.any(String));
    // the documented order: {"url","target","verdict","ok","message","hint","phases"}
    expect(Object.keys(reports[0]!)).toEqual(['url', 'target', 'verdict', 'ok', 'message', 'hint', 'phases']);
  });

  it('--header and --subprotocol reach the server', async () => {
    const before = ws.requests.length;
    const r = await runVoicectl([
      'ws-probe', ws.url('/ws/media'), '--json', ...fast,
      '--header', 'X-Tunnel-Authorization: tunnel t0ken-value', '--header', 'X-Other:1', '--subprotocol', 'audio.v1',
    ]);
    expect(r.code).toBe(0);
    const seen = ws.requests[before]!;
    expect(seen.headers['x-tunnel-authorization']).toBe('tunnel t0ken-value');
    expect(seen.headers['x-other']).toBe('1');
    expect(seen.headers['sec-websocket-protocol']).toBe('audio.v1');
    expect((r.json() as ProbeReport).phases.upgrade!.headers!.secWebSocketProtocol).toBe('audio.v1');
    expect(r.stdout).not.toContain('t0ken-value');
  });

  it('handshake_timeout with a small --timeout', async () => {
    const silent = await silentServer();
    servers.push(silent);
    const r = await runVoicectl(['ws-probe', silent.url('/ws/media'), '--json', '--timeout', '150', '--hold', '0.1']);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ verdict: 'handshake_timeout', phases: { upgrade: { ok: false, code: 'ETIMEOUT' } } });
  });

  it('closed_early within the hold', async () => {
    const closing = await wsServer({ closeAfterMs: 20, closeCode: 1001, closeReason: 'idle' });
    servers.push(closing);
    const r = await runVoicectl(['ws-probe', closing.url('/ws/media'), '--json', '--hold', '1']);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ verdict: 'closed_early', phases: { open: { closed: { code: 1001, reason: 'idle' } } } });
  });
});

describe('voicectl ws-probe: usage errors and interruption', () => {
  it('an invalid URL is a report like any other verdict: the valid URLs beside it are still probed; exit 2', async () => {
    const json = await runVoicectl(['ws-probe', ws.url('/ws/media'), 'http://', '--json', ...fast]);
    expect(json.code).toBe(2);
    expect(json.stderr).toBe('');
    const reports = json.json() as ProbeReport[];
    expect(reports.map((x) => x.verdict)).toEqual(['ok', 'invalid_url']);
    expect(reports[1]).toEqual({
      url: 'http://',
      target: '',
      verdict: 'invalid_url',
      ok: false,
      message: 'http:// is not a valid URL.',
      hint: expect.stringContaining('Give a URL like wss://host/ws/media'),
      phases: {},
    });
    // the same report probeWebSocket() returns for that input
    const { probeWebSocket } = await import('../../src/probe/index.js');
    expect(await probeWebSocket('http://')).toEqual(reports[1]);
    expect(ws.requests.length).toBeGreaterThan(0);
  });

  it('an invalid URL in human output: the verdict and the hint for that URL, the others probed; exit 2', async () => {
    const human = await runVoicectl(['ws-probe', 'ftp://example.com', ws.url('/ws/media'), ...fast]);
    expect(human.code).toBe(2);
    expect(human.stderr).toBe('');
    expect(human.stdout).toContain('ftp://example.com\n  verdict invalid_url  Unsupported scheme "ftp" in ftp://example.com.');
    expect(human.stdout).toContain('  hint    Give a URL like wss://host/ws/media');
    expect(human.stdout).toMatch(/verdict ok {2}WebSocket open/);
    expect(human.stdout).toContain('1 of 2 URLs ok');
  });

  it('an empty --path is a usage error before anything is probed (exit 2)', async () => {
    const r = await runVoicectl(['ws-probe', ws.url('/ws/media'), '--path', ' ', '--json']);
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ ok: false, error: { code: 'VOICECTL_PROBE_INVALID_URL', message: '--path is empty.' } });
  });

  it.each([
    [['--timeout', '0'], "option '--timeout <ms>' argument '0' is invalid"],
    [['--timeout', '1.5'], 'expected a whole number of milliseconds'],
    [['--hold', '-1'], 'expected seconds between 0 and 86400'],
    [['--header', 'no colon'], 'expected "Name: value", e.g. --header "Origin: https://example.com".'],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runVoicectl(['ws-probe', 'ws://127.0.0.1:1', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('hint: Run `voicectl ws-probe --help`');
  });

  it('no URL is a usage error', async () => {
    const r = await runVoicectl(['ws-probe']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'url'");
  });

  it('SIGINT during the hold stops the probe: exit 130, handler removed', async () => {
    const h = startCli(['ws-probe', ws.url('/ws/media'), '--hold', '60']);
    for (let i = 0; i < 200 && ws.opened === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const opened = ws.opened;
    await new Promise((r) => setTimeout(r, 50));
    h.signal('SIGINT');
    expect(await h.done).toBe(130);
    expect(opened).toBeGreaterThan(0);
    expect(h.signalHandlers()).toBe(0);
  });

  it('--help explains the verdicts and the exit codes', async () => {
    const r = await runVoicectl(['ws-probe', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: voicectl ws-probe [options] <url...>');
    for (const v of ['tunnel_auth_required', 'tunnel_origin_down', 'closed_early', 'not_websocket']) expect(r.stdout).toContain(v);
    expect(r.stdout).toContain('--timeout <ms>');
    expect(r.stdout).toContain('(default: 10000)');
  });
});
