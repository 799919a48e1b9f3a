import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runVoicectl, startCli } from '../helpers/run-cli.js';
import { startFakeAri, type FakeAri, type FakeAriOptions } from '../helpers/fake-ari.js';

const PASSWORD = 'ari-secret-pw';
const cwd = mkdtempSync(path.join(os.tmpdir(), 'voicectl-ari-check-'));
const DIALPLAN: FakeAriOptions['dialplan'] = {
  // exten => _X.,1,Stasis(voicectl,inbound,${EXTEN}) dialled as 100
  'voicectl-inbound': { '_X.': { app: 'voicectl', args: ['inbound', '100'] } },
  'other-app': { '100': { app: 'someone-else', args: ['x'] } },
  'no-stasis': { '100': {} },
};

let fake: FakeAri | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function check(args: string[], env: Record<string, string> = {}) {
  return runVoicectl(['ari', 'check', ...args], {
    cwd,
    env: { ASTERISK_ARI_USERNAME: 'voicectl', ASTERISK_ARI_PASSWORD: PASSWORD, ...env },
  });
}

type Report = {
  ok: boolean;
  verdict: string;
  code?: string;
  hint?: string;
  message: string;
  url: string;
  steps: Array<{ step: string; ok: boolean; ms: number; detail: string }>;
  summary: { version?: string; entityId?: string; appRegistered: boolean; dialplan?: { target: string; proven: boolean; channel?: string; args?: string[] } };
};

describe('voicectl ari check against the fake ARI server', () => {
  it('ok: every step passes, each timed, app released afterwards', async () => {
    fake = await startFakeAri({ dialplan: DIALPLAN });
    const r = await check(['--url', fake.url, '--json']);
    expect(r.code).toBe(0);
    const report = r.json() as Report;
    expect(report).toMatchObject({ ok: true, verdict: 'ok', url: `${fake.url}/ari`, summary: { version: '22.10.1', entityId: '02:fc:00:00:00:01', appRegistered: true } });
    expect(report.steps.map((s) => [s.step, s.ok])).toEqual([['tcp', true], ['info', true], ['modules', true], ['events', true], ['app', true]]);
    expect(report.steps[2]!.detail).toBe('chan_websocket ready; AudioSocket ready');
    for (const s of report.steps) expect(Number.isInteger(s.ms) && s.ms >= 0).toBe(true);
    expect((report as Report & { warnings: string[] }).warnings).toEqual([]);
    // Basic auth was used, the events socket asked for the app, and nothing is left registered
    expect(fake.requests.find((q) => q.path === '/asterisk/info')).toMatchObject({ method: 'GET', auth: 'basic', user: 'voicectl' });
    expect(fake.requests.find((q) => q.method === 'UPGRADE')).toMatchObject({ query: { app: 'voicectl' }, auth: 'basic' });
    expect(fake.requests.find((q) => q.path === '/applications/voicectl')).toBeDefined();
    await expect.poll(() => fake!.apps()).toEqual([]);
    expect(r.stdout).not.toContain(PASSWORD);
    expect(r.stderr).not.toContain(PASSWORD);
  });

  it('ok with --dialplan: the StasisStart from the dialplan (its args, not the originate\'s) proves routing, then hangs up', async () => {
    fake = await startFakeAri({ dialplan: DIALPLAN });
    const r = await check(['--url', fake.url, '--dialplan', '100@voicectl-inbound', '--json']);
    expect(r.code).toBe(0);
    const report = r.json() as Report;
    expect(report.summary.dialplan).toMatchObject({ target: '100@voicectl-inbound', proven: true, args: ['inbound', '100'] });
    expect(report.summary.dialplan!.channel).toMatch(/^Local\/100@voicectl-inbound-\d+;2$/);
    expect(report.steps.at(-1)).toMatchObject({ step: 'dialplan', ok: true });
    const orig = fake.requests.find((q) => q.method === 'POST' && q.path === '/channels');
    expect(orig?.query).toMatchObject({ endpoint: 'Local/100@voicectl-inbound', app: 'voicectl' });
    expect(orig?.query.appArgs).toMatch(/^voicectl-check,/);
    expect(fake.requests.some((q) => q.method === 'DELETE' && q.path.startsWith('/channels/voicectl-check-'))).toBe(true);
    expect(fake.channels.size).toBe(0);
  });

  it('warns (without failing) when another client already holds the app', async () => {
    fake = await startFakeAri();
    const other = new WebSocket(`ws://127.0.0.1:${fake.port}/ari/events?app=voicectl&api_key=voicectl:${PASSWORD}`);
    await new Promise((resolve) => other.once('open', resolve));
    const r = await check(['--url', fake.url]);
    other.close();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: App "voicectl" was already listed before voicectl connected/m);
    expect(r.stdout).toMatch(/^verdict: ok: Asterisk 22\.10\.1; app "voicectl" registered$/m);
    expect(fake.requests.find((q) => q.method === 'UPGRADE' && q.auth === 'api_key')).toBeDefined();
  });

  it('honours an http.conf prefix in the URL path; without it: ari_not_found', async () => {
    fake = await startFakeAri({ prefix: '/asterisk' });
    const ok = await check(['--url', `${fake.url}/ari`, '--json']);
    expect(ok.code).toBe(0);
    expect((ok.json() as Report).url).toBe(`http://127.0.0.1:${fake.port}/asterisk/ari`);

    const missing = await check(['--url', `http://127.0.0.1:${fake.port}`, '--json']);
    expect(missing.code).toBe(1);
    const report = missing.json() as Report;
    expect(report).toMatchObject({ ok: false, verdict: 'ari_not_found', code: 'VOICECTL_ARI_NOT_FOUND' });
    expect(report.hint).toContain('module show like res_ari');
    expect(report.hint).toContain('prefix');
    expect(report.steps.map((s) => [s.step, s.ok])).toEqual([['tcp', true], ['info', false]]);
  });

  it('wrong password: auth_failed, exit 1, nothing on stdout but the JSON, password never printed', async () => {
    fake = await startFakeAri();
    const r = await check(['--url', fake.url, '--json'], { ASTERISK_ARI_PASSWORD: 'wrong-password-123' });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report; // the whole of stdout is one document
    expect(report).toMatchObject({ ok: false, verdict: 'auth_failed', code: 'VOICECTL_ARI_AUTH_FAILED' });
    expect(report.message).toBe('ARI refused the credentials of user "voicectl" (401: Authentication required)');
    expect(report.hint).toContain('ari show users');
    expect(r.stdout + r.stderr).not.toContain('wrong-password-123');
    expect(r.stderr).toBe('');
  });

  it('connection_refused when nothing listens', async () => {
    const s = http.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    const r = await check(['--url', `http://127.0.0.1:${port}`, '--json']);
    expect(r.code).toBe(1);
    const report = r.json() as Report;
    expect(report).toMatchObject({ verdict: 'connection_refused', code: 'VOICECTL_ARI_CONNECTION_REFUSED' });
    expect(report.hint).toContain('http show status');
    expect(report.steps).toHaveLength(1);
  });

  it('http_error when something else answers (500, or 200 that is not Asterisk)', async () => {
    for (const [status, body] of [[500, 'oops'], [200, '{"hello":"world"}']] as const) {
      const s = http.createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      const r = await check(['--url', `http://127.0.0.1:${(s.address() as AddressInfo).port}`, '--json']);
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({ verdict: 'http_error', code: 'VOICECTL_ARI_HTTP_ERROR' });
    }
  });

  it('http_error when the port accepts TCP but never answers HTTP', async () => {
    const held: net.Socket[] = [];
    const s = net.createServer((sock) => void held.push(sock));
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as AddressInfo).port;
    const r = await check(['--url', `http://127.0.0.1:${port}`, '--timeout', '200', '--json']);
    for (const sock of held) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({
      verdict: 'http_error',
      message: `127.0.0.1:${port} accepts TCP but sent no HTTP answer within 200 ms: is this the Asterisk HTTP server?`,
    });
  });

  it('events_failed when the events WebSocket is refused', async () => {
    fake = await startFakeAri({ eventsRefuseStatus: 404 });
    const r = await check(['--url', fake.url, '--json']);
    expect(r.code).toBe(1);
    const report = r.json() as Report;
    expect(report).toMatchObject({ verdict: 'events_failed', message: 'The events WebSocket /ari/events was refused with HTTP 404' });
    expect(report.steps.map((s) => s.step)).toEqual(['tcp', 'info', 'modules', 'events']);
  });

  it('app_not_registered when the socket opens but Asterisk does not list the app', async () => {
    fake = await startFakeAri({ registerApps: false });
    const r = await check(['--url', fake.url, '--app', 'my-app', '--json']);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ verdict: 'app_not_registered', code: 'VOICECTL_ARI_APP_NOT_REGISTERED', summary: { appRegistered: false } });
    expect((r.json() as Report).message).toContain('"my-app"');
  });

  it.each([
    ['a missing context', '100@nowhere'],
    ['a route to another app', '100@other-app'],
    ['an extension that never reaches Stasis', '100@no-stasis'],
  ])('dialplan_not_routed for %s', async (_what, target) => {
    fake = await startFakeAri({ dialplan: DIALPLAN });
    const r = await check(['--url', fake.url, '--dialplan', target, '--timeout', '300', '--json']);
    expect(r.code).toBe(1);
    const report = r.json() as Report;
    expect(report).toMatchObject({ verdict: 'dialplan_not_routed', code: 'VOICECTL_ARI_DIALPLAN_NOT_ROUTED', summary: { appRegistered: true, dialplan: { proven: false } } });
    expect(report.hint).toContain(`dialplan show ${target.split('@')[1]}`);
    expect(report.message).toContain('did not reach Stasis(voicectl)');
    expect(fake.channels.size).toBe(0); // cleaned up
  });

  it('Ctrl-C while waiting for the dialplan hangs up the test call, releases the app and exits 130', async () => {
    fake = await startFakeAri({ dialplan: DIALPLAN });
    const h = startCli(['ari', 'check', '--url', fake.url, '--dialplan', '100@no-stasis', '--timeout', '10000', '--json'], {
      cwd,
      env: { ASTERISK_ARI_USERNAME: 'voicectl', ASTERISK_ARI_PASSWORD: PASSWORD },
    });
    await expect.poll(() => fake!.channels.size).toBe(2);
    h.signal('SIGINT');
    expect(await h.done).toBe(130);
    expect(JSON.parse(h.stdout.text)).toMatchObject({ ok: false, error: { code: 'VOICECTL_INTERRUPTED', message: 'Interrupted; the test call was hung up' } });
    expect(fake.channels.size).toBe(0);
    expect(h.signalHandlers()).toBe(0);
    await expect.poll(() => fake!.apps()).toEqual([]);
  });

  it('write_denied for a read_only user with --dialplan', async () => {
    fake = await startFakeAri({ users: { ro: { password: PASSWORD, readOnly: true } }, dialplan: DIALPLAN });
    const r = await check(['--url', fake.url, '--user', 'ro', '--dialplan', '100@voicectl-inbound', '--json']);
    expect(r.code).toBe(1);
    const report = r.json() as Report;
    expect(report).toMatchObject({ verdict: 'write_denied', code: 'VOICECTL_ARI_WRITE_DENIED' });
    expect(report.message).toContain('403: Write access denied');
    expect(report.hint).toContain('read_only = no');
  });

  it('human output: one timed line per step, the verdict and the hint on stdout', async () => {
    fake = await startFakeAri();
    const r = await check(['--url', fake.url], { ASTERISK_ARI_PASSWORD: 'nope-nope' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ARI check http:\/\/127\.0\.0\.1:\d+\/ari \(user voicectl, app voicectl\)$/m);
    expect(r.stdout).toMatch(/^ {2}ok {3}tcp +\d+ ms {2}127\.0\.0\.1:\d+ accepts TCP connections$/m);
    expect(r.stdout).toMatch(/^ {2}FAIL info +\d+ ms {2}ARI refused/m);
    expect(r.stdout).toMatch(/^verdict: auth_failed \(VOICECTL_ARI_AUTH_FAILED\)$/m);
    expect(r.stdout).toMatch(/^hint: .*ari show users/m);
    expect(r.stderr).toBe('');
  });

  it('settings: URL from ASTERISK_HOST/ASTERISK_ARI_PORT, user and password from an env file, app from ASTERISK_APP_NAME', async () => {
    fake = await startFakeAri({ users: { fileuser: { password: 'from-file-pw' } } });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'voicectl-ari-env-'));
    writeFileSync(path.join(dir, '.env'), `ASTERISK_HOST=127.0.0.1\nASTERISK_ARI_PORT=${fake.port}\nASTERISK_ARI_USERNAME=fileuser\nASTERISK_ARI_PASSWORD=from-file-pw\nASTERISK_APP_NAME=from-env-app\n`);
    const r = await runVoicectl(['ari', 'check', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, user: 'fileuser', app: 'from-env-app', url: `http://127.0.0.1:${fake.port}/ari` });
  });

  it('usage errors exit 2: no password without a terminal, a bad --dialplan, a URL with credentials', async () => {
    const noPw = await runVoicectl(['ari', 'check', '--url', 'http://127.0.0.1:1', '--user', 'u', '--json'], { cwd });
    expect(noPw.code).toBe(2);
    expect(noPw.json()).toMatchObject({ ok: false, error: { code: 'VOICECTL_MISSING_VALUE' } });
    expect((noPw.json() as { error: { message: string } }).error.message).toBe(
      'Missing password for ARI user u: set ASTERISK_ARI_PASSWORD (environment or .env).',
    );
    const noPwText = await runVoicectl(['ari', 'check', '--url', 'http://127.0.0.1:1', '--user', 'u'], { cwd });
    expect(noPwText.stderr).toContain('Error: Missing password for ARI user u: set ASTERISK_ARI_PASSWORD (environment or .env).\n');

    const bad = await check(['--url', 'http://127.0.0.1:1', '--dialplan', '100', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json()).toMatchObject({ error: { code: 'VOICECTL_ARI_BAD_DIALPLAN' } });

    const creds = await check(['--url', 'http://u:p@127.0.0.1:8088', '--json']);
    expect(creds.code).toBe(2);
    expect(creds.json()).toMatchObject({ error: { code: 'VOICECTL_ARI_BAD_URL' } });

    const timeout = await check(['--timeout', 'soon']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('--timeout must be a positive integer');
  });
});
