import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/voicectl.js');

async function voicectl(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('built CLI (bin/voicectl.js)', () => {
  it('--help exits 0 and lists the commands', async () => {
    const r = await voicectl(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: voicectl/m);
    expect(r.stdout).toMatch(/^ {2}ws-probe\b/m);
    expect(r.stdout).toMatch(/^ {2}bridge\b/m);
  });

  it('--help loads no heavy module (ws, Azure SDKs, ora, inquirer)', async () => {
    // A preloaded resolve hook prints every module URL the CLI resolves (test/fixtures/trace-imports.mjs).
    const tracer = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/trace-imports.mjs');
    const r = await run(process.execPath, ['--import', tracer, bin, '--help'], {
      env: { PATH: process.env.PATH ?? '', VOICECTL_TRACE_IMPORTS: '1' },
    });
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('import '));
    expect(loaded.length).toBeGreaterThan(3); // the tracer really saw the CLI's own modules
    expect(loaded.some((l) => l.includes('commander'))).toBe(true);
    const packages = loaded.filter((l) => l.includes('/node_modules/')).map((l) => l.split('/node_modules/').pop()!);
    for (const heavy of ['ws/', '@azure/', 'ora/', '@inquirer/', 'execa/', '@alexanderolsen/', 'twilio/', 'jose/', 'chalk/']) {
      expect(packages.filter((p) => p.startsWith(heavy))).toEqual([]);
    }
  });

  it('exit code 2 and a JSON error document for a usage error under --json', async () => {
    const r = await voicectl(['no-such-command', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'VOICECTL_USAGE' } });
  });
});
