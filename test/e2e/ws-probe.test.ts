/**
 * The built CLI (`bin/voicectl.js`, run `npm run build` first) probing real loopback
 * servers: a plain ws server, and a wss server whose test-time certificate is trusted
 * through NODE_EXTRA_CA_CERTS, the way a user trusts a corporate proxy CA.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeReport } from '../../src/probe/index.js';
import { statusServer, wsServer, type TestServer } from '../helpers/probe-servers.js';
import { testCert } from '../helpers/tls.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '../../bin/voicectl.js');

function voicectl(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const servers: TestServer[] = [];
let plain: TestServer;
let secure: TestServer;
let origin502: TestServer;
let caFile: string;

beforeAll(async () => {
  const cert = await testCert();
  caFile = cert.caFile;
  plain = await wsServer();
  secure = await wsServer({ tls: cert });
  origin502 = await statusServer({ status: 502, body: 'Bad Gateway' });
  servers.push(plain, secure, origin502);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('voicectl ws-probe (built CLI)', () => {
  it('--json against a ws server: ok, every phase timed, stdout is only the JSON document', async () => {
    const r = await voicectl(['ws-probe', `http://localhost:${plain.port}`, '--path', '/ws/media', '--hold', '0.2', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ProbeReport;
    expect(report.verdict).toBe('ok');
    expect(report.target).toBe(`ws://localhost:${plain.port}/ws/media`);
    expect(report.phases.dns!.addresses).toContain('127.0.0.1');
    for (const phase of [report.phases.dns!, report.phases.tcp!, report.phases.upgrade!]) {
      expect(phase.ok).toBe(true);
      expect(typeof phase.ms).toBe('number');
    }
    expect(report.phases.open!.pingMs).toEqual(expect.any(Number));
  });

  it('wss with the CA trusted through NODE_EXTRA_CA_CERTS: authorized, no --insecure needed', async () => {
    const r = await voicectl(['ws-probe', `https://127.0.0.1:${secure.port}/ws/media`, '--hold', '0.2', '--json'], {
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ProbeReport;
    expect(report.verdict).toBe('ok');
    expect(report.phases.tls).toMatchObject({ ok: true, authorized: true, certificate: { subject: 'CN=localhost' } });
    expect(report.phases.tls!.authorizationError).toBeUndefined();
  });

  it('a failing URL among two: exit 1, human report on stdout, nothing on stderr', async () => {
    const r = await voicectl(['ws-probe', plain.url('/ws/media'), origin502.url('/ws/media'), '--hold', '0.1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('verdict tunnel_origin_down');
    expect(r.stdout).toContain('body: "Bad Gateway"');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 of 2 URLs ok');
  });

  it('ws-probe --help does not load ws', async () => {
    const tracer = path.join(here, '../fixtures/trace-imports.mjs');
    const r = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', tracer, bin, 'ws-probe', '--help'], { env: { PATH: process.env.PATH ?? '', VOICECTL_TRACE_IMPORTS: '1' } }, (err, stdout, stderr) =>
        err ? reject(err) : resolve(`${stdout}\n${stderr}`),
      ),
    );
    expect(r).toContain('Usage: voicectl ws-probe');
    const loaded = r.split('\n').filter((l) => l.startsWith('import '));
    expect(loaded.some((l) => l.includes('commands/ws-probe.js'))).toBe(true);
    expect(loaded.filter((l) => l.includes('/ws/') || l.includes('/probe/'))).toEqual([]);
  });
});
