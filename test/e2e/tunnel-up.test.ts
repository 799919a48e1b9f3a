/**
 * The built CLI as a new user runs it: `voicectl tunnel up --write-env` with the stand-in
 * cloudflared on PATH, then a real Ctrl-C (SIGINT to the process). Run `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alive } from '../helpers/process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '../../bin/voicectl.js');
const fixtures = path.join(here, '../fixtures/bin');


describe('built CLI: tunnel up', () => {
  it('prints the URL, updates .env, and a real SIGINT stops cloudflared and exits 130', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'voicectl-e2e-tunnel-'));
    await writeFile(path.join(cwd, '.env'), '# keep me\nAOAI_VOICE=alloy\n');
    const pidFile = path.join(cwd, 'child.pid');
    const child = spawn(process.execPath, [bin, 'tunnel', 'up', '--write-env', '--no-probe'], {
      cwd,
      env: { PATH: `${fixtures}${path.delimiter}${process.env.PATH}`, HOME: cwd, FAKE_TUNNEL_DELAY_MS: '5', FAKE_TUNNEL_PIDFILE: pidFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 500 && !stderr.includes('Tunnel up.'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(stderr).toContain('Tunnel up.');
    expect(stdout).toContain('Public URL          https://gentle-river-proof-demo.trycloudflare.com');
    expect(await readFile(path.join(cwd, '.env'), 'utf8')).toBe(
      '# keep me\nAOAI_VOICE=alloy\nCALLBACK_URI_HOST=https://gentle-river-proof-demo.trycloudflare.com\n',
    );
    const toolPid = Number(await readFile(pidFile, 'utf8'));
    expect(alive(toolPid)).toBe(true);

    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(alive(toolPid)).toBe(false);
    expect(stderr).toContain('cloudflared stopped.');
  });
});
