/**
 * `voicectl tunnel up` in-process, driving the stand-in cloudflared / devtunnel / ngrok from
 * test/fixtures/bin (put first on PATH). Each stand-in prints the real tool's documented
 * output (see the scripts for the sources) and checks its argv like the real one.
 */
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { clearRegisteredSecrets } from '../../src/core/redact.js';
import { freePort } from '../../src/tunnel/local-port.js';
import { startCli, type RunHandle } from '../helpers/run-cli.js';
import { alive } from '../helpers/process.js';

const BIN = fileURLToPath(new URL('../fixtures/bin', import.meta.url));
const PATH = `${BIN}${path.delimiter}${process.env.PATH}`;
const QUICK = 'https://gentle-river-proof-demo.trycloudflare.com';

let dir: string;
let closedPort: number;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-tunnel-up-'));
  closedPort = await freePort();
});
afterAll(() => clearRegisteredSecrets());

let n = 0;
/** Start `voicectl tunnel up …` with the stand-ins on PATH; returns the handle and its pid/log files. */
function up(args: string[], env: Record<string, string> = {}, tty = false): { h: RunHandle; pidFile: string; logFile: string } {
  n += 1;
  const pidFile = path.join(dir, `pid-${n}`);
  const logFile = path.join(dir, `log-${n}.jsonl`);
  const h = startCli(['tunnel', 'up', ...args], {
    cwd: dir,
    tty,
    env: { PATH, HOME: dir, FAKE_TUNNEL_DELAY_MS: '5', FAKE_TUNNEL_PIDFILE: pidFile, FAKE_TUNNEL_LOG: logFile, ...env },
  });
  return { h, pidFile, logFile };
}

async function until(what: string, check: () => boolean, h: RunHandle): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}\nstdout: ${h.stdout.text}\nstderr: ${h.stderr.text}`);
}


async function invocations(logFile: string): Promise<Array<{ tool: string; argv: string[]; authtokenInEnv: boolean }>> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { tool: string; argv: string[]; authtokenInEnv: boolean });
}

const events = (h: RunHandle): Array<Record<string, unknown>> => h.stdout.events();
const hasEvent = (h: RunHandle, type: string): boolean => h.stdout.text.includes(`"type":"${type}"`);

describe('tunnel up: cloudflared', () => {
  it('--json: tunnel.ready, --write-env edits the file in place (0600), Ctrl-C stops the child and exits 130', async () => {
    const envFile = path.join(dir, 'app.env');
    await writeFile(envFile, '# my settings\nFOO=bar\nCALLBACK_URI_HOST=https://old.example\n\n# end\n', { mode: 0o644 });
    const { h, pidFile, logFile } = up(['--provider', 'cloudflared', '--port', String(closedPort), '--write-env', envFile, '--json']);
    await until('tunnel.probe', () => hasEvent(h, 'tunnel.probe'), h);
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);

    const [ready, env, probe] = events(h);
    expect(ready).toMatchObject({
      type: 'tunnel.ready',
      provider: 'cloudflared',
      publicUrl: QUICK,
      wssUrl: 'wss://gentle-river-proof-demo.trycloudflare.com/ws/media',
      callbackUriHost: QUICK,
    });
    expect(env).toMatchObject({ type: 'tunnel.env', path: envFile, created: false, value: QUICK });
    expect(await readFile(envFile, 'utf8')).toBe(`# my settings\nFOO=bar\nCALLBACK_URI_HOST=${QUICK}\n\n# end\n`);
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    expect(probe).toMatchObject({ type: 'tunnel.probe', skipped: true, reason: 'nothing-listening' });
    expect(String(probe!.hint)).toContain(`voicectl bridge --listen ${closedPort}`);

    const [call] = await invocations(logFile);
    expect(call!.argv.slice(0, 3)).toEqual(['tunnel', '--no-autoupdate', '--config']);
    expect(await readFile(call!.argv[3]!, 'utf8').catch(() => 'gone')).toBe(''); // empty config (still there while running)
    expect(call!.argv).toContain('--metrics');
    expect(call!.argv.slice(-2)).toEqual(['--url', `http://127.0.0.1:${closedPort}`]);

    h.signal('SIGINT');
    expect(await h.done).toBe(130);
    expect(alive(pid)).toBe(false);
    const last = events(h).at(-1)!;
    expect(events(h).find((e) => e.type === 'tunnel.stopped')).toMatchObject({ provider: 'cloudflared', signal: 'SIGINT', exitCode: 0 });
    expect(last).toMatchObject({ ok: false, error: { code: 'VOICECTL_INTERRUPTED' } });
    expect(h.signalHandlers()).toBe(0);
    await expect(stat(call!.argv[3]!)).rejects.toThrow(); // the temporary config is removed
  });

  it('human output: a readable block on stdout, SIGTERM exits 0 and leaves no child', async () => {
    const { h, pidFile } = up(['--port', String(closedPort), '--no-probe']);
    await until('ready block', () => h.stderr.text.includes('Tunnel up.'), h);
    expect(h.stdout.text).toBe(
      [
        '✓ Tunnel ready (cloudflared)',
        `  Public URL          ${QUICK}`,
        '  Media WebSocket     wss://gentle-river-proof-demo.trycloudflare.com/ws/media',
        `  CALLBACK_URI_HOST   ${QUICK}`,
        '',
      ].join('\n'),
    );
    expect(h.stderr.text).not.toContain('Registered tunnel connection'); // INF lines only with --verbose
    const pid = Number(await readFile(pidFile, 'utf8'));
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(h.stderr.text).toContain('cloudflared stopped.');
  });

  it('--verbose passes every line of the tool to stderr', async () => {
    const { h } = up(['--port', String(closedPort), '--no-probe', '--verbose']);
    await until('ready', () => h.stderr.text.includes('Tunnel up.'), h);
    expect(h.stderr.text).toContain('[cloudflared]');
    expect(h.stderr.text).toContain('Registered tunnel connection connIndex=0');
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('URL and readiness from the metrics server when the log has neither', async () => {
    const { h } = up(['--port', String(closedPort), '--no-probe', '--json'], { FAKE_CLOUDFLARED: 'metrics-only' });
    await until('ready', () => hasEvent(h, 'tunnel.ready'), h);
    expect(events(h)[0]).toMatchObject({ publicUrl: QUICK });
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('rate limited (1015 / 429): exit 1, explained, the ERR line passed on', async () => {
    const { h } = up(['--port', String(closedPort)], { FAKE_CLOUDFLARED: 'ratelimit' });
    expect(await h.done).toBe(1);
    expect(h.stdout.text).toBe('');
    expect(h.stderr.text).toContain('Error: Cloudflare refused a new quick tunnel: rate limited (error 1015, HTTP 429).');
    expect(h.stderr.text).toContain('hint: Wait a few minutes before trying again');
    expect(h.stderr.text).toContain('status_code="429 Too Many Requests"');
  });

  it('rate limited under --json: one error document with the stable code', async () => {
    const { h } = up(['--port', String(closedPort), '--json'], { FAKE_CLOUDFLARED: 'ratelimit' });
    expect(await h.done).toBe(1);
    expect(events(h)).toEqual([
      { ok: false, error: { code: 'VOICECTL_TUNNEL_RATE_LIMITED', message: expect.stringContaining('rate limited'), hint: expect.any(String) } },
    ]);
  });

  it('QUIC blocked: after --timeout, exit 1 naming --cloudflared-protocol http2; with it the tunnel comes up', async () => {
    const { h, pidFile } = up(['--port', String(closedPort), '--timeout', '2', '--json'], { FAKE_CLOUDFLARED: 'quic-blocked' });
    // the hint comes with the first failed QUIC dial, not only when the timeout expires
    let finished = false;
    void h.done.then(() => (finished = true));
    await until('tunnel.warning', () => hasEvent(h, 'tunnel.warning'), h);
    expect(finished).toBe(false);
    expect(events(h)[0]).toEqual({
      type: 'tunnel.warning',
      version: expect.any(Number),
      time: expect.any(String),
      provider: 'cloudflared',
      code: 'VOICECTL_TUNNEL_QUIC_BLOCKED',
      message: 'cloudflared cannot open its QUIC connection to the Cloudflare edge (UDP port 7844 looks blocked).',
      hint: 'Retry over TCP: voicectl tunnel up --provider cloudflared --cloudflared-protocol http2',
    });
    expect(await h.done).toBe(1);
    expect(events(h).filter((e) => e.type === 'tunnel.warning')).toHaveLength(1);
    expect(events(h).at(-1)).toMatchObject({
      ok: false,
      error: { code: 'VOICECTL_TUNNEL_QUIC_BLOCKED', hint: 'Retry over TCP: voicectl tunnel up --provider cloudflared --cloudflared-protocol http2' },
    });
    expect(alive(Number(await readFile(pidFile, 'utf8')))).toBe(false);

    const ok = up(['--port', String(closedPort), '--no-probe', '--cloudflared-protocol', 'http2', '--json'], { FAKE_CLOUDFLARED: 'quic-blocked' });
    await until('ready', () => hasEvent(ok.h, 'tunnel.ready'), ok.h);
    expect((await invocations(ok.logFile))[0]!.argv).toEqual(expect.arrayContaining(['--protocol', 'http2']));
    ok.h.signal('SIGTERM');
    expect(await ok.h.done).toBe(0);
  });

  it('QUIC blocked, then cloudflared falls back to http2 itself: one warning with the hint as soon as the dial fails, then ready', async () => {
    const { h } = up(['--port', String(closedPort), '--no-probe'], { FAKE_CLOUDFLARED: 'quic-fallback' });
    await until('warning', () => h.stderr.text.includes('Failed to dial a quic connection'), h);
    expect(h.stderr.text).toContain('cloudflared cannot open its QUIC connection to the Cloudflare edge (UDP port 7844 looks blocked).');
    expect(h.stderr.text).toContain('hint: Retry over TCP: voicectl tunnel up --provider cloudflared --cloudflared-protocol http2');
    expect(h.stdout.text).not.toContain('Tunnel ready');
    await until('ready', () => h.stdout.text.includes('Tunnel ready'), h);
    expect(h.stderr.text.match(/UDP port 7844 looks blocked/g)).toHaveLength(1);
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('the tool dying on its own: exit 1 with its last error lines', async () => {
    const { h, pidFile } = up(['--port', String(closedPort), '--no-probe'], { FAKE_CLOUDFLARED: 'crash', FAKE_CRASH_AFTER_MS: '100' });
    expect(await h.done).toBe(1);
    expect(h.stderr.text).toContain('Error: cloudflared exited with code 1; the tunnel is down:');
    expect(h.stderr.text).toMatch(/ERR failed to serve tunnel connection error="unexpected EOF"/);
    expect(h.stderr.text).toContain('hint: Run voicectl tunnel up again');
    expect(alive(Number(await readFile(pidFile, 'utf8')))).toBe(false);
    expect(h.signalHandlers()).toBe(0);
  });
});

describe('tunnel up: devtunnel', () => {
  async function state(s: unknown): Promise<string> {
    const file = path.join(dir, `devtunnel-state-${++n}.json`);
    await writeFile(file, JSON.stringify(s));
    return file;
  }

  it('logged out: exit 2 naming `devtunnel user login -d`, nothing hosted', async () => {
    const st = await state({ loggedIn: false, tunnels: {} });
    const { h, logFile } = up(['--provider', 'devtunnel', '--no-probe'], { FAKE_DEVTUNNEL_STATE: st });
    expect(await h.done).toBe(2);
    expect(h.stderr.text).toContain('Error: devtunnel is not logged in.');
    expect(h.stderr.text).toContain('`devtunnel user login -d`');
    expect((await invocations(logFile)).map((c) => c.argv[0])).toEqual(['user']);
  });

  it.each([
    ['lines', '0'],
    ['two-urls', '1'],
    ['oneline', '0'],
  ])('a temporary anonymous tunnel; host output form %s (colour %s) gives the -<port>. URL', async (form, color) => {
    const port = closedPort;
    const { h, logFile } = up(['--provider', 'devtunnel', '--port', String(port), '--no-probe', '--json'], {
      FAKE_DEVTUNNEL: form,
      FAKE_TUNNEL_COLOR: color,
    });
    await until('ready', () => hasEvent(h, 'tunnel.ready'), h);
    expect(events(h)[0]).toMatchObject({
      provider: 'devtunnel',
      publicUrl: `https://k7x2q9m-${port}.usw2.devtunnels.ms`,
      wssUrl: `wss://k7x2q9m-${port}.usw2.devtunnels.ms/ws/media`,
    });
    const calls = await invocations(logFile);
    expect(calls.map((c) => c.argv)).toEqual([
      ['user', 'show', '--json', '--nologo'],
      ['host', '-p', String(port), '--allow-anonymous', '--protocol', 'http'],
    ]);
    h.signal('SIGINT');
    expect(await h.done).toBe(130);
  });

  it('a devtunnel that prints no "Ready" line is taken as ready shortly after its URL', async () => {
    const { h } = up(['--provider', 'devtunnel', '--no-probe', '--json'], { FAKE_DEVTUNNEL: 'no-ready' });
    await until('ready', () => hasEvent(h, 'tunnel.ready'), h);
    expect(events(h)[0]).toMatchObject({ publicUrl: 'https://k7x2q9m-8000.usw2.devtunnels.ms' });
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('--tunnel-id: adds the port and anonymous access before hosting it (implies --provider devtunnel)', async () => {
    const st = await state({ loggedIn: true, tunnels: { 'voicectl-demo.usw2': { ports: [], anonymous: [] } } });
    const { h, logFile } = up(['--tunnel-id', 'voicectl-demo.usw2', '--port', '8123', '--no-probe', '--json'], { FAKE_DEVTUNNEL_STATE: st });
    await until('ready', () => hasEvent(h, 'tunnel.ready'), h);
    expect(events(h)[0]).toMatchObject({ provider: 'devtunnel', publicUrl: 'https://voicectl-demo-8123.usw2.devtunnels.ms' });
    expect(JSON.parse(await readFile(st, 'utf8'))).toEqual({ loggedIn: true, tunnels: { 'voicectl-demo.usw2': { ports: [8123], anonymous: [8123] } } });
    expect((await invocations(logFile)).map((c) => c.argv.slice(0, 2).join(' '))).toEqual(['user show', 'port create', 'access create', 'host voicectl-demo.usw2']);
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('--tunnel-id already set up: "already exists" answers are fine', async () => {
    const st = await state({ loggedIn: true, tunnels: { 'demo.usw2': { ports: [8000], anonymous: [8000] } } });
    const { h } = up(['--tunnel-id', 'demo.usw2', '--no-probe', '--json'], { FAKE_DEVTUNNEL_STATE: st });
    await until('ready', () => hasEvent(h, 'tunnel.ready'), h);
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('an unknown --tunnel-id: exit 2 with the create command', async () => {
    const st = await state({ loggedIn: true, tunnels: {} });
    const { h } = up(['--tunnel-id', 'nope.usw2', '--no-probe'], { FAKE_DEVTUNNEL_STATE: st });
    expect(await h.done).toBe(2);
    expect(h.stderr.text).toContain('Error: devtunnel has no tunnel "nope.usw2": Tunnel not found: nope.usw2');
    expect(h.stderr.text).toContain('devtunnel create nope.usw2 --allow-anonymous');
  });

  it('--tunnel-id with another --provider is a usage error', async () => {
    const { h } = up(['--provider', 'ngrok', '--tunnel-id', 'x']);
    expect(await h.done).toBe(2);
    expect(h.stderr.text).toContain('--tunnel-id is for --provider devtunnel.');
  });

  it('the relay dropping after start: exit 1 with devtunnel\'s error line', async () => {
    const { h } = up(['--provider', 'devtunnel', '--no-probe'], { FAKE_DEVTUNNEL: 'crash', FAKE_CRASH_AFTER_MS: '50' });
    expect(await h.done).toBe(1);
    expect(h.stderr.text).toContain('Error: devtunnel exited with code 1; the tunnel is down:');
    expect(h.stderr.text).toContain('Error: Tunnel service returned 404 (Not Found): the tunnel was deleted.');
  });
});

describe('tunnel up: ngrok', () => {
  it('no authtoken: exit 2 (ERR_NGROK_4018 explained)', async () => {
    const { h } = up(['--provider', 'ngrok', '--no-probe']);
    expect(await h.done).toBe(2);
    expect(h.stderr.text).toContain('Error: ngrok needs an authtoken (ERR_NGROK_4018).');
    expect(h.stderr.text).toContain('hint: Copy your authtoken from https://dashboard.ngrok.com/get-started/your-authtoken');
    expect(h.stderr.text).toContain('NGROK_AUTHTOKEN');
  });

  it('the authtoken from .env reaches ngrok through its environment, never argv, never output', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'voicectl-ngrok-'));
    const token = '2abcDEFghiJKLmnoPQRstu_3vwxYZ0123456789';
    await writeFile(path.join(cwd, '.env'), `NGROK_AUTHTOKEN=${token}\n`);
    const logFile = path.join(cwd, 'log.jsonl');
    const h = startCli(['tunnel', 'up', '--provider', 'ngrok', '--no-probe', '--json', '--verbose'], {
      cwd,
      env: { PATH, FAKE_TUNNEL_DELAY_MS: '5', FAKE_TUNNEL_LOG: logFile },
    });
    await until('ready', () => hasEvent(h, 'tunnel.ready'), h);
    expect(events(h)[0]).toMatchObject({ provider: 'ngrok', publicUrl: 'https://1a2b-203-0-113-7.ngrok-free.app' });
    const [call] = await invocations(logFile);
    expect(call).toEqual({ tool: 'ngrok', argv: ['http', '8000', '--log', 'stdout', '--log-format', 'json'], authtokenInEnv: true });
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
    expect(h.stdout.text + h.stderr.text).not.toContain(token);
  });

  it('the URL from the local agent API when the log has no "started tunnel" line', async () => {
    const { h } = up(['--provider', 'ngrok', '--no-probe', '--json'], { FAKE_NGROK: 'api-only', NGROK_AUTHTOKEN: 'tok_abcdefgh' });
    await until('ready', () => hasEvent(h, 'tunnel.ready'), h);
    expect(events(h)[0]).toMatchObject({ publicUrl: 'https://1a2b-203-0-113-7.ngrok-free.app' });
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });
});

describe('tunnel up: tool selection', () => {
  it('no tool on PATH: exit 2 with the install command of each', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'voicectl-nopath-'));
    const h = startCli(['tunnel', 'up'], { cwd: empty, env: { PATH: empty } });
    expect(await h.done).toBe(2);
    expect(h.stderr.text).toContain('Error: No tunnel tool found on PATH (looked for cloudflared, devtunnel, ngrok).');
    expect(h.stderr.text).toContain('brew install cloudflared');
    expect(h.stderr.text).toContain('https://aka.ms/DevTunnelCliInstall');
    expect(h.stderr.text).toContain('brew install ngrok');
  });
});

describe('tunnel up: the probe step', () => {
  let server: http.Server;
  let port: number;
  let mode: 'ok' | 'private' | 'token' = 'ok';
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/ws/media') {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (mode === 'token' && req.headers.authorization !== 'Bearer media-secret-123') {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (mode === 'private') {
        // what a private dev tunnel answers a WebSocket client: a sign-in redirect
        socket.end(
          'HTTP/1.1 302 Found\r\nLocation: https://global.rel.tunnels.api.visualstudio.com/auth/aad?redirect=x\r\nContent-Length: 0\r\n\r\n',
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', () => {}));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a local bridge answering: the probe verdict is ok', async () => {
    mode = 'ok';
    const { h } = up(['--port', String(port), '--probe-url', `ws://127.0.0.1:${port}/ws/media`, '--probe-hold', '0.1', '--json']);
    await until('probe', () => hasEvent(h, 'tunnel.probe'), h);
    expect(events(h).find((e) => e.type === 'tunnel.probe')).toMatchObject({
      target: `ws://127.0.0.1:${port}/ws/media`,
      verdict: 'ok',
      ok: true,
    });
    h.signal('SIGINT');
    expect(await h.done).toBe(130);
  });

  it('a bridge that requires VOICECTL_MEDIA_TOKEN: the probe sends it (as Bearer), never prints it', async () => {
    mode = 'token';
    const { h } = up(['--port', String(port), '--probe-url', `ws://127.0.0.1:${port}/ws/media`, '--probe-hold', '0.1', '--json', '--verbose'], {
      VOICECTL_MEDIA_TOKEN: 'media-secret-123',
    });
    await until('probe', () => hasEvent(h, 'tunnel.probe'), h);
    expect(events(h).find((e) => e.type === 'tunnel.probe')).toMatchObject({ verdict: 'ok', ok: true });
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
    expect(h.stdout.text + h.stderr.text).not.toContain('media-secret-123');
  });

  it('the same bridge without the token configured: the probe reports the 401', async () => {
    mode = 'token';
    const { h } = up(['--port', String(port), '--probe-url', `ws://127.0.0.1:${port}/ws/media`, '--probe-hold', '0.1', '--json']);
    await until('probe', () => hasEvent(h, 'tunnel.probe'), h);
    expect(events(h).find((e) => e.type === 'tunnel.probe')).toMatchObject({ verdict: 'http_unauthorized', ok: false });
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('a sign-in redirect (private dev tunnel): the verdict and its hint are reported, the tunnel stays up', async () => {
    mode = 'private';
    const { h, pidFile } = up(['--port', String(port), '--probe-url', `ws://127.0.0.1:${port}/ws/media`, '--probe-hold', '0.1']);
    await until('probe', () => h.stderr.text.includes('Tunnel up.'), h);
    expect(h.stderr.text).toMatch(/warning: probe (tunnel_auth_required|http_redirect): /);
    expect(h.stderr.text).toMatch(/hint: .*anonymous/i);
    expect(alive(Number(await readFile(pidFile, 'utf8')))).toBe(true);
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });
});

describe('tunnel up: flags', () => {
  it.each([
    [['--port', '0'], "option '--port <port>' argument '0' is invalid. expected a TCP port 1-65535, e.g. --port 8000."],
    [['--provider', 'bore'], "option '--provider <tool>' argument 'bore' is invalid. Allowed choices are cloudflared, devtunnel, ngrok."],
    [['--timeout', 'soon'], "option '--timeout <seconds>' argument 'soon' is invalid. expected a number of seconds between 0 and 3600, e.g. 30 or 0.5."],
    [['--cloudflared-protocol', 'h3'], "option '--cloudflared-protocol <protocol>' argument 'h3' is invalid. Allowed choices are auto, quic, http2."],
  ])('%j is a usage error (exit 2) naming the flag', async (args, message) => {
    const { h } = up(args);
    expect(await h.done).toBe(2);
    expect(h.stderr.text).toContain(`Error: ${message}`);
    expect(h.stderr.text).toContain('hint: Run `voicectl tunnel --help`');
  });

  it('--help explains the providers, the events and the exit codes', async () => {
    const { h } = up(['--help']);
    expect(await h.done).toBe(0);
    expect(h.stdout.text).toContain('Usage: voicectl tunnel up [options]');
    expect(h.stdout.text).toContain('devtunnel user login -d');
    expect(h.stdout.text).toContain('NGROK_AUTHTOKEN');
    expect(h.stdout.text).toContain('Ctrl-C stops the tool and exits 130');
  });
});

describe('tunnel up: --write-env creates the file', () => {
  it('./.env absent: created with only CALLBACK_URI_HOST, mode 0600', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'voicectl-writeenv-'));
    const h = startCli(['tunnel', 'up', '--provider', 'cloudflared', '--write-env', '--no-probe', '--json'], {
      cwd,
      env: { PATH, HOME: cwd, FAKE_TUNNEL_DELAY_MS: '5' },
    });
    await until('env', () => hasEvent(h, 'tunnel.env'), h);
    const file = path.join(cwd, '.env');
    expect(events(h)[1]).toMatchObject({ type: 'tunnel.env', path: file, created: true });
    expect(await readFile(file, 'utf8')).toBe(`CALLBACK_URI_HOST=${QUICK}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('--env-file naming a file not there yet: --write-env creates it', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'voicectl-writeenv-'));
    const h = startCli(['--env-file', 'voice.env', 'tunnel', 'up', '--provider', 'cloudflared', '--write-env', '--no-probe', '--json'], {
      cwd,
      env: { PATH, HOME: cwd, FAKE_TUNNEL_DELAY_MS: '5' },
    });
    await until('env', () => hasEvent(h, 'tunnel.env'), h);
    expect(await readFile(path.join(cwd, 'voice.env'), 'utf8')).toBe(`CALLBACK_URI_HOST=${QUICK}\n`);
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });
});
