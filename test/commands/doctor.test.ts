/**
 * `voicectl doctor` in-process against the project's fakes, each checking what the real
 * service checks: the HMAC-verifying ACS identity fake, the Realtime fake (api-key,
 * deployment, session shape), the real bridge behind a TLS edge (a tunnel stand-in), a
 * refusing edge (a private tunnel's 401), and the ARI fake (401 on a bad password).
 * The test certificate is trusted through NODE_EXTRA_CA_CERTS in the injected environment.
 *
 * The point of each "broken" case: exactly one check turns red, with its fix.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BridgeHandle } from '../../src/bridge/server.js';
import type { DoctorReport } from '../../src/doctor/types.js';
import { startFakeAcsIdentity, type FakeAcsIdentity } from '../helpers/fake-acs-identity.js';
import { startFakeAri, type FakeAri } from '../helpers/fake-ari.js';
import { startFakeRealtime, type FakeRealtime } from '../helpers/fake-realtime.js';
import { closedPort, silentServer } from '../helpers/probe-servers.js';
import { runVoicectl, startCli } from '../helpers/run-cli.js';
import { tlsFront, tlsRefusingFront, type TlsFront } from '../helpers/tls-front.js';
import { testCert, type TestCert } from '../helpers/tls.js';

// The Azure pipeline honours HTTPS_PROXY even for loopback; keep these requests direct.
vi.stubEnv('NO_PROXY', '127.0.0.1,localhost');

const AOAI_KEY = `aoai-${randomBytes(16).toString('hex')}`;
const ARI_PASSWORD = 'ari-secret-pw';
const MEDIA_TOKEN = `media-${randomBytes(12).toString('hex')}`;

let cert: TestCert;
let acs: FakeAcsIdentity;
let realtime: FakeRealtime;
let ari: FakeAri;
let bridge: BridgeHandle;
let edge: TlsFront;
let toolsDir: string;

beforeAll(async () => {
  cert = await testCert();
  acs = await startFakeAcsIdentity(cert);
  realtime = await startFakeRealtime({ protocol: 'ga', apiKey: AOAI_KEY, deployment: 'gpt-realtime' });
  ari = await startFakeAri();
  const { startBridge } = await import('../../src/bridge/server.js');
  bridge = await startBridge({
    port: 0,
    host: '127.0.0.1',
    mediaPath: '/ws/media',
    maxCalls: 10,
    mediaToken: MEDIA_TOKEN,
    upstream: { kind: 'echo' },
    onEvent: () => {},
    version: '9.9.9',
    drainTimeoutMs: 200,
  });
  edge = await tlsFront(cert, bridge.port);
  // PATH for the tools group: one stand-in tool, nothing else.
  toolsDir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-doctor-tools-'));
  await writeFile(path.join(toolsDir, 'cloudflared'), '#!/bin/sh\necho "cloudflared version 2025.8.0 (built 2025-08-12-1050 UTC)"\n', { mode: 0o755 });
});

afterAll(async () => {
  await Promise.all([acs?.close(), realtime?.close(), ari?.close(), edge?.close(), bridge?.close()]);
});

type Settings = Record<string, string | undefined>;

/** A complete, working setup pointing at the fakes. */
function goodSettings(): Settings {
  return {
    AZURE_COMMUNICATION_CONNECTION_STRING: acs.connectionString,
    CALLBACK_URI_HOST: edge.origin,
    AZURE_OPENAI_ENDPOINT: realtime.endpoint,
    AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime',
    AZURE_OPENAI_API_KEY: AOAI_KEY,
    AOAI_VOICE: 'alloy',
    ASTERISK_HOST: '127.0.0.1',
    ASTERISK_ARI_PORT: String(ari.port),
    ASTERISK_ARI_USERNAME: 'voicectl',
    ASTERISK_ARI_PASSWORD: ARI_PASSWORD,
    ASTERISK_APP_NAME: 'voicectl-doctor',
    VOICECTL_MEDIA_TOKEN: MEDIA_TOKEN,
  };
}

/** Write `settings` as a .env (mode 0600 unless told) in a fresh directory; returns the directory. */
async function envDir(settings: Settings, mode = 0o600): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-doctor-'));
  const text = Object.entries(settings)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${v}"`)
    .join('\n');
  await writeFile(path.join(dir, '.env'), `${text}\n`);
  await chmod(path.join(dir, '.env'), mode);
  return dir;
}

async function doctor(settings: Settings, args: string[] = [], mode?: number) {
  const cwd = await envDir(settings, mode);
  const r = await runVoicectl(['doctor', '--json', '--timeout', '5000', ...args], {
    cwd,
    env: { PATH: toolsDir, NODE_EXTRA_CA_CERTS: cert.caFile, NO_PROXY: '127.0.0.1,localhost' },
  });
  const secrets = [AOAI_KEY, ARI_PASSWORD, MEDIA_TOKEN, acs.accessKey, settings.AZURE_OPENAI_API_KEY, settings.ASTERISK_ARI_PASSWORD];
  for (const s of secrets) if (s) expect(r.stdout + r.stderr).not.toContain(s);
  return { ...r, report: r.stdout.trim() === '' ? undefined : (r.json() as DoctorReport), cwd };
}

const failed = (r: DoctorReport | undefined): string[] => (r?.checks ?? []).filter((c) => c.status === 'fail').map((c) => `${c.group}/${c.name}`);
const check = (r: DoctorReport | undefined, group: string, name: string) => r?.checks.find((c) => c.group === group && c.name === name);

describe('voicectl doctor against the fakes', () => {
  it('a good setup: every check passes, exit 0, and the probes leave nothing behind', async () => {
    const usersBefore = acs.users.size;
    const sessionsBefore = realtime.sessions.length;
    const r = await doctor(goodSettings());
    expect(r.code).toBe(0);
    expect(r.report?.ok).toBe(true);
    expect(failed(r.report)).toEqual([]);
    const statuses = Object.fromEntries(r.report!.checks.map((c) => [`${c.group}/${c.name}`, c.status]));
    expect(statuses).toMatchObject({
      'env/env file': 'pass',
      'env/AZURE_COMMUNICATION_CONNECTION_STRING': 'pass',
      'env/CALLBACK_URI_HOST': 'pass',
      'env/AZURE_OPENAI_DEPLOYMENT': 'pass',
      'env/AOAI_VOICE': 'pass',
      'tools/cloudflared': 'pass',
      'tools/ngrok': 'skip',
      'acs/identity round trip': 'pass',
      'aoai/realtime session': 'pass',
      'public/health': 'pass',
      'public/media websocket': 'pass',
      'asterisk/ari': 'pass',
    });
    // groups in the documented order, every check with the documented fields
    expect([...new Set(r.report!.checks.map((c) => c.group))]).toEqual(['env', 'tools', 'acs', 'aoai', 'public', 'asterisk', 'twilio']);
    for (const c of r.report!.checks) {
      expect(Object.keys(c).sort()).toEqual(expect.arrayContaining(['group', 'message', 'ms', 'name', 'status']));
      expect(Number.isInteger(c.ms)).toBe(true);
    }
    expect(check(r.report, 'tools', 'cloudflared')?.message).toContain('2025.8.0');
    expect(check(r.report, 'public', 'health')?.message).toContain('voicectl bridge 9.9.9');
    expect(check(r.report, 'asterisk', 'ari')?.message).toContain('app "voicectl-doctor" registered');
    // ACS: one user created with a valid signature, then deleted
    const acsCalls = acs.requests.slice(-2).map((q) => `${q.method} ${q.url.split('?')[0]!.replace(/\/identities\/.*/, '/identities/<id>')}`);
    expect(acsCalls).toEqual(['POST /identities', 'DELETE /identities/<id>']);
    expect(acs.users.size).toBe(usersBefore);
    // Realtime: one session, configured by the bridge's own session.update, then closed
    expect(realtime.sessions.length).toBe(sessionsBefore + 1);
    const session = realtime.last();
    expect(session.configured).toBe(true);
    expect(session.appended).toEqual([]);
    await vi.waitFor(() => expect(session.ws.readyState).toBe(3));
  });

  it('a wrong ACS key: only acs fails, with the fix', async () => {
    const wrong = acs.connectionString.replace(/accesskey=.*$/, `accesskey=${randomBytes(32).toString('base64')}`);
    const r = await doctor({ ...goodSettings(), AZURE_COMMUNICATION_CONNECTION_STRING: wrong });
    expect(r.code).toBe(1);
    expect(failed(r.report)).toEqual(['acs/identity round trip']);
    const c = check(r.report, 'acs', 'identity round trip')!;
    expect(c.message).toMatch(/answered 401: the access key in the connection string was rejected/);
    expect(c.hint).toContain('Communication Services > Keys');
  });

  it('a wrong deployment: only aoai fails (the Realtime fake answers 404)', async () => {
    const r = await doctor({ ...goodSettings(), AZURE_OPENAI_DEPLOYMENT: 'gpt-4o-mini' });
    expect(r.code).toBe(1);
    expect(failed(r.report)).toEqual(['aoai/realtime session']);
    const c = check(r.report, 'aoai', 'realtime session')!;
    expect(c.message).toContain('no Realtime deployment "gpt-4o-mini" (404)');
    expect(c.message).toContain('DeploymentNotFound');
    expect(c.hint).toContain('AZURE_OPENAI_DEPLOYMENT');
  });

  it('a wrong Azure OpenAI key: only aoai fails with 401 and the key fix', async () => {
    const r = await doctor({ ...goodSettings(), AZURE_OPENAI_API_KEY: 'not-the-key-0123456789' });
    expect(failed(r.report)).toEqual(['aoai/realtime session']);
    const c = check(r.report, 'aoai', 'realtime session')!;
    expect(c.message).toContain('refused the API key (401)');
    expect(c.hint).toContain('Keys and Endpoint');
    expect(r.stdout).not.toContain('not-the-key-0123456789');
  });

  it('the preview protocol against a GA-only deployment is a refusal with the protocol fix', async () => {
    const r = await doctor(goodSettings(), ['--only', 'aoai', '--aoai-protocol', 'preview']);
    expect(r.code).toBe(1);
    expect(r.report!.checks.map((c) => c.group)).toEqual(['aoai']);
    expect(check(r.report, 'aoai', 'realtime session')?.message).toMatch(/\(404\)/);
  });

  it('an unreachable public host: health fails with the fix, the media probe is skipped', async () => {
    const port = await closedPort();
    const r = await doctor({ ...goodSettings(), CALLBACK_URI_HOST: `https://127.0.0.1:${port}` });
    expect(failed(r.report)).toEqual(['public/health']);
    const health = check(r.report, 'public', 'health')!;
    expect(health.message).toContain('refused the connection');
    expect(health.hint).toContain('voicectl tunnel up');
    expect(check(r.report, 'public', 'media websocket')).toMatchObject({ status: 'skip', message: expect.stringContaining('did not answer') });
  });

  it('a tunnel answering 401: health names the sign-in, the media probe says the same hop', async () => {
    const refusing = await tlsRefusingFront(cert, 401, { 'www-authenticate': 'Bearer' });
    try {
      const r = await doctor({ ...goodSettings(), CALLBACK_URI_HOST: refusing.origin });
      expect(failed(r.report)).toEqual(['public/health', 'public/media websocket']);
      const health = check(r.report, 'public', 'health')!;
      expect(health.message).toContain('answered 401');
      expect(health.message).toContain('asks for sign-in');
      expect(health.hint).toContain('--anonymous');
      const media = check(r.report, 'public', 'media websocket')!;
      expect(media.message).toContain('401');
      expect(media.hint).toBeTruthy();
    } finally {
      await refusing.close();
    }
  });

  it('a bridge that requires a media token the setup does not have: the media check says so', async () => {
    const r = await doctor({ ...goodSettings(), VOICECTL_MEDIA_TOKEN: undefined });
    expect(failed(r.report)).toEqual(['public/media websocket']);
    expect(check(r.report, 'public', 'media websocket')?.message).toContain('requires a media token');
  });

  it('a bad env value: exactly that env check fails, the group that needs it is skipped', async () => {
    const r = await doctor({ ...goodSettings(), AOAI_VOICE: 'robot' });
    expect(r.code).toBe(1);
    expect(failed(r.report)).toEqual(['env/AOAI_VOICE']);
    expect(check(r.report, 'env', 'AOAI_VOICE')?.hint).toContain('alloy');
    expect(check(r.report, 'aoai', 'realtime session')).toMatchObject({ status: 'skip', message: 'not run: fix AOAI_VOICE first (see env)' });
  });

  it('an env file carried over from the ACS samples: the renamed variable is named, its group waits', async () => {
    const { AZURE_OPENAI_API_KEY: key, ...rest } = goodSettings();
    const r = await doctor({ ...rest, AZURE_OPENAI_SERVICE_KEY: key });
    expect(failed(r.report)).toEqual(['env/AZURE_OPENAI_API_KEY']);
    expect(check(r.report, 'env', 'AZURE_OPENAI_API_KEY')).toMatchObject({
      message: 'not set, but the env file sets AZURE_OPENAI_SERVICE_KEY: voicectl reads AZURE_OPENAI_API_KEY',
      hint: 'Rename AZURE_OPENAI_SERVICE_KEY to AZURE_OPENAI_API_KEY in the env file.',
    });
    expect(check(r.report, 'aoai', 'realtime session')?.status).toBe('skip');
  });

  it('an http:// CALLBACK_URI_HOST: the env check fails with the https fix', async () => {
    const r = await doctor({ ...goodSettings(), CALLBACK_URI_HOST: `http://127.0.0.1:${bridge.port}` });
    expect(failed(r.report)).toEqual(['env/CALLBACK_URI_HOST']);
    expect(check(r.report, 'env', 'CALLBACK_URI_HOST')?.message).toContain('must be an https:// origin');
    expect(check(r.report, 'public', 'health')?.status).toBe('skip');
  });

  it('a wrong ARI password: only asterisk fails, with the auth fix', async () => {
    const r = await doctor({ ...goodSettings(), ASTERISK_ARI_PASSWORD: 'wrong-password' });
    expect(failed(r.report)).toEqual(['asterisk/ari']);
    const c = check(r.report, 'asterisk', 'ari')!;
    expect(c.message).toMatch(/401|rejected|auth/i);
    expect(c.hint).toBeTruthy();
    expect(r.stdout).not.toContain('wrong-password');
  });

  it('an env file readable by others: the env file check fails with chmod', async () => {
    const r = await doctor(goodSettings(), ['--offline'], 0o644);
    expect(failed(r.report)).toEqual(['env/env file']);
    expect(check(r.report, 'env', 'env file')?.hint).toMatch(/^Run `chmod 600 .*\.env`/);
  });

  it('--offline makes no connection at all and reports the network groups as skipped', async () => {
    const before = { acs: acs.requests.length, realtime: realtime.sessions.length + realtime.refused.length, ari: ari.requests.length, edge: edge.connections() };
    const r = await doctor(goodSettings(), ['--offline']);
    expect(r.code).toBe(0);
    expect({ acs: acs.requests.length, realtime: realtime.sessions.length + realtime.refused.length, ari: ari.requests.length, edge: edge.connections() }).toEqual(before);
    for (const [g, n] of [['acs', 'identity round trip'], ['aoai', 'realtime session'], ['public', 'health'], ['public', 'media websocket'], ['asterisk', 'ari']] as const) {
      expect(check(r.report, g, n)).toMatchObject({ status: 'skip', message: 'not run: --offline' });
    }
    expect(check(r.report, 'env', 'AZURE_OPENAI_API_KEY')?.status).toBe('pass');
  });

  it('groups without settings are skipped; named in --only they fail', async () => {
    const only = await doctor({ AZURE_COMMUNICATION_CONNECTION_STRING: acs.connectionString });
    expect(only.code).toBe(0);
    expect(check(only.report, 'acs', 'identity round trip')?.status).toBe('pass');
    for (const [g, n] of [['aoai', 'realtime session'], ['public', 'health'], ['asterisk', 'ari']] as const) {
      expect(check(only.report, g, n)).toMatchObject({ status: 'skip', message: expect.stringMatching(/^not configured \(set /) });
    }
    const named = await doctor({ AZURE_COMMUNICATION_CONNECTION_STRING: acs.connectionString }, ['--only', 'aoai,asterisk']);
    expect(named.code).toBe(1);
    expect(named.report!.checks.map((c) => `${c.group}/${c.status}`)).toEqual(['aoai/fail', 'asterisk/fail']);
    expect(check(named.report, 'aoai', 'realtime session')?.message).toBe('missing AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_DEPLOYMENT');
  });

  it('nothing configured: the summary says so and names the first command; exit 0', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'voicectl-doctor-empty-'));
    const r = await runVoicectl(['doctor'], { cwd, env: { PATH: toolsDir } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(/^nothing configured yet: 1 passed · 0 failed · \d+ skipped$/);
    expect(lines.at(-1)).toMatch(/^next: run `voicectl scaffold env`, then fill in the variables of a group: AZURE_COMMUNICATION_CONNECTION_STRING \(acs\)/);
    expect(r.stdout).not.toMatch(/^ready/m);
    const named = await runVoicectl(['doctor', '--only', 'acs'], { cwd, env: { PATH: toolsDir } });
    expect(named.code).toBe(1);
  });

  it('a check that hangs is bounded by --timeout', async () => {
    const silent = await silentServer(); // accepts TCP, never speaks TLS
    const port = silent.port;
    try {
      const started = performance.now();
      const cwd = await envDir({ CALLBACK_URI_HOST: `https://127.0.0.1:${port}` });
      const r = await runVoicectl(['doctor', '--json', '--only', 'public', '--timeout', '400'], { cwd, env: { PATH: toolsDir } });
      const report = r.json() as DoctorReport;
      expect(performance.now() - started).toBeLessThan(4000);
      expect(failed(report)).toEqual(['public/health']);
      expect(check(report, 'public', 'health')?.message).toMatch(/400 ms|ETIMEDOUT/);
    } finally {
      await silent.close();
    }
  });

  it('the checklist: marks, the fix under a failure, no secrets', async () => {
    const cwd = await envDir({ ...goodSettings(), AZURE_OPENAI_DEPLOYMENT: 'nope' });
    const r = await runVoicectl(['doctor', '--only', 'env,aoai'], { cwd, env: { PATH: toolsDir } });
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`voicectl doctor (${path.join(cwd, '.env')})`);
    expect(lines).toContain('env');
    expect(lines.some((l) => /^ {2}✓ AZURE_OPENAI_DEPLOYMENT +nope$/.test(l))).toBe(true);
    const i = lines.findIndex((l) => l.startsWith('  ✗ realtime session'));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toMatch(/^ {6}fix: Set AZURE_OPENAI_DEPLOYMENT/);
    expect(lines.at(-2)).toMatch(/^not ready: \d+ passed · 1 failed · 0 skipped$/);
    expect(r.stdout).not.toContain(AOAI_KEY);
  });

  it('--only acs with a malformed connection string: acs fails with the parse error itself', async () => {
    const r = await doctor({ AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint=https://x.communication.azure.com/' }, ['--only', 'acs']);
    expect(r.report!.checks).toEqual([
      expect.objectContaining({ group: 'acs', status: 'fail', message: expect.stringContaining('the accesskey=<key> part is missing') }),
    ]);
  });

  it('Ctrl-C stops a run that waits on a silent host: exit 130, no report', async () => {
    const silent = await silentServer();
    try {
      const cwd = await envDir({ CALLBACK_URI_HOST: `https://127.0.0.1:${silent.port}` });
      const h = startCli(['doctor', '--json', '--timeout', '60000'], { cwd, env: { PATH: toolsDir } });
      await vi.waitFor(() => expect(h.signalHandlers()).toBe(1));
      await new Promise((r) => setTimeout(r, 100));
      const started = performance.now();
      h.signal('SIGINT');
      expect(await h.done).toBe(130);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(h.stdout.text).not.toContain('"checks"');
    } finally {
      await silent.close();
    }
  });

  it('usage errors exit 2: an unknown group, --offline with a network group', async () => {
    const cwd = await envDir({});
    const unknown = await runVoicectl(['doctor', '--only', 'aoai,dns'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown group "dns"; groups are env, tools, acs, aoai, public, asterisk, twilio');
    const both = await runVoicectl(['doctor', '--offline', '--only', 'acs', '--json'], { cwd });
    expect(both.code).toBe(2);
    expect(both.json()).toMatchObject({ ok: false, error: { code: 'VOICECTL_USAGE' } });
  });
});
