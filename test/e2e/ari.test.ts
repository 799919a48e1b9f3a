import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAri, type FakeAri } from '../helpers/fake-ari.js';

// Spawns the built CLI: run `npm run build` first.
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/voicectl.js');
const cwd = mkdtempSync(path.join(os.tmpdir(), 'voicectl-ari-e2e-'));

function spawnCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, out: () => stdout };
}

let fake: FakeAri;
beforeAll(async () => {
  fake = await startFakeAri({ dialplan: { 'voicectl-inbound': { '_X.': { app: 'voicectl', args: ['inbound', '100'] } } } });
});
afterAll(async () => {
  await fake.close();
});

describe('built CLI: voicectl ari', () => {
  it('a wrong password ends in auth_failed, exit 1, and stdout holds only the JSON report', async () => {
    const r = await spawnCli(['ari', 'check', '--url', fake.url, '--user', 'voicectl', '--json'], { ASTERISK_ARI_PASSWORD: 'not-the-password' }).done;
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; verdict: string; steps: Array<{ step: string }> };
    expect(report).toMatchObject({ ok: false, verdict: 'auth_failed' });
    expect(r.stdout + r.stderr).not.toContain('not-the-password');
  });

  it('check with --dialplan passes end to end (exit 0)', async () => {
    const r = await spawnCli(['ari', 'check', '--url', fake.url, '--user', 'voicectl', '--dialplan', '100@voicectl-inbound', '--json'], { ASTERISK_ARI_PASSWORD: 'ari-secret-pw' }).done;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, verdict: 'ok', summary: { dialplan: { proven: true, args: ['inbound', '100'] } } });
  });

  it('watch holds the app until SIGINT, then exits 0 and releases it', async () => {
    const w = spawnCli(['ari', 'watch', '--url', fake.url, '--user', 'voicectl', '--app', 'e2e-app', '--json'], { ASTERISK_ARI_PASSWORD: 'ari-secret-pw' });
    await fake.waitForApp('e2e-app');
    fake.emit('e2e-app', { type: 'StasisStart', args: ['x'], channel: { id: 'c9', name: 'PJSIP/alice-00000009', state: 'Ring' } });
    await expect.poll(() => w.out()).toContain('"StasisStart"');
    w.child.kill('SIGINT');
    const r = await w.done;
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['ari.watching', 'ari.event', 'ari.stopped']);
    await expect.poll(() => fake.apps()).toEqual([]);
  });
});
