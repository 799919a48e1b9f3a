/**
 * `voicectl doctor` as a new user runs it: the built CLI, a `.env` pointing at the fakes,
 * and a real `voicectl bridge` (started from the same `.env`) behind a TLS edge standing
 * in for the tunnel. The test certificate is trusted with NODE_EXTRA_CA_CERTS at start.
 * Run `npm run build` first.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/types.js';
import { waitFor } from '../helpers/acs-media-client.js';
import { startFakeAcsIdentity, type FakeAcsIdentity } from '../helpers/fake-acs-identity.js';
import { startFakeAri, type FakeAri } from '../helpers/fake-ari.js';
import { startFakeRealtime, type FakeRealtime } from '../helpers/fake-realtime.js';
import { closedPort } from '../helpers/probe-servers.js';
import { tlsFront, type TlsFront } from '../helpers/tls-front.js';
import { testCert, type TestCert } from '../helpers/tls.js';

const run = promisify(execFile);
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/voicectl.js');
const AOAI_KEY = `aoai-${randomBytes(16).toString('hex')}`;
const MEDIA_TOKEN = `media-${randomBytes(12).toString('hex')}`;

let cert: TestCert;
let acs: FakeAcsIdentity;
let realtime: FakeRealtime;
let ari: FakeAri;
let edge: TlsFront;
let bridge: ChildProcess;
let cwd: string;
let emptyPath: string;

async function voicectl(args: string[]) {
  const env = { PATH: emptyPath, NODE_EXTRA_CA_CERTS: cert.caFile, NO_PROXY: '127.0.0.1,localhost' };
  try {
    const r = await run(process.execPath, [bin, ...args], { env, cwd });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  cert = await testCert();
  acs = await startFakeAcsIdentity(cert);
  realtime = await startFakeRealtime({ protocol: 'ga', apiKey: AOAI_KEY, deployment: 'gpt-realtime' });
  ari = await startFakeAri();
  const bridgePort = await closedPort();
  edge = await tlsFront(cert, bridgePort);
  cwd = await mkdtemp(path.join(os.tmpdir(), 'voicectl-e2e-doctor-'));
  emptyPath = await mkdtemp(path.join(os.tmpdir(), 'voicectl-e2e-doctor-path-'));
  const env = [
    `AZURE_COMMUNICATION_CONNECTION_STRING="${acs.connectionString}"`,
    `CALLBACK_URI_HOST=${edge.origin}`,
    `AZURE_OPENAI_ENDPOINT=${realtime.endpoint}`,
    'AZURE_OPENAI_DEPLOYMENT=gpt-realtime',
    `AZURE_OPENAI_API_KEY=${AOAI_KEY}`,
    'AOAI_VOICE=alloy',
    `VOICECTL_MEDIA_TOKEN=${MEDIA_TOKEN}`,
    'ASTERISK_HOST=127.0.0.1',
    `ASTERISK_ARI_PORT=${ari.port}`,
    'ASTERISK_ARI_USERNAME=voicectl',
    'ASTERISK_ARI_PASSWORD=ari-secret-pw',
    'ASTERISK_APP_NAME=voicectl-e2e',
  ].join('\n');
  await writeFile(path.join(cwd, '.env'), `${env}\n`, { mode: 0o600 });
  bridge = spawn(process.execPath, [bin, 'bridge', '--listen', String(bridgePort), '--host', '127.0.0.1', '--json', '--drain-timeout', '0'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: cert.caFile, NO_PROXY: '127.0.0.1,localhost' },
  });
  let out = '';
  bridge.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('bridge.listening'), 'bridge.listening', 15_000);
});

afterAll(async () => {
  if (bridge && bridge.exitCode === null) bridge.kill('SIGKILL');
  await Promise.all([acs?.close(), realtime?.close(), ari?.close(), edge?.close()]);
});

describe('voicectl doctor (built CLI, real bridge behind a TLS edge)', () => {
  it('every check passes: the checklist on stdout, exit 0; one Realtime session (the aoai check), none for the media probe', async () => {
    const sessionsBefore = realtime.sessions.length;
    const r = await voicectl(['doctor']);
    expect(r.code).toBe(0);
    expect(realtime.sessions.length).toBe(sessionsBefore + 1);
    expect(r.stdout).toMatch(/^ {2}✓ realtime session +127\.0\.0\.1:\d+: GA Realtime session on deployment gpt-realtime accepted the session\.update, voice alloy/m);
    expect(r.stdout).toMatch(/^ {2}✓ health +voicectl bridge \S+ answers at https:\/\/127\.0\.0\.1:\d+: upstream aoai \(gpt-realtime\)/m);
    expect(r.stdout).toMatch(/^ {2}✓ media websocket +wss:\/\/127\.0\.0\.1:\d+\/ws\/media\?token=\*\*\* upgraded and stayed open/m);
    expect(r.stdout).toMatch(/^ready: \d+ passed · 0 failed · 8 skipped$/m);
    for (const secret of [AOAI_KEY, MEDIA_TOKEN, acs.accessKey, 'ari-secret-pw']) expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('one broken setting (--env-file with a wrong deployment): exactly that check is red, --json parses', async () => {
    const text = await readFile(path.join(cwd, '.env'), 'utf8');
    await writeFile(path.join(cwd, 'broken.env'), text.replace('AZURE_OPENAI_DEPLOYMENT=gpt-realtime', 'AZURE_OPENAI_DEPLOYMENT=gpt-realtim'), { mode: 0o600 });
    const r = await voicectl(['doctor', '--env-file', 'broken.env', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([
      expect.objectContaining({ group: 'aoai', name: 'realtime session', message: expect.stringContaining('no Realtime deployment "gpt-realtim" (404)'), hint: expect.stringContaining('AZURE_OPENAI_DEPLOYMENT') }),
    ]);
    expect(report.checks.filter((c) => c.status === 'pass').map((c) => c.group)).toEqual(expect.arrayContaining(['env', 'acs', 'public', 'asterisk']));
    expect(r.stderr).toBe('');
  });
});
