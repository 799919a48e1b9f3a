/**
 * `voicectl scaffold all` as a new user runs it: the built bin, spawned in a non-TTY
 * shell from an unrelated working directory (templates come from the package, not cwd).
 * Needs `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAsteriskConf, sections, settings } from '../helpers/asterisk-conf.js';

const run = promisify(execFile);
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/voicectl.js');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'voicectl-scaffold-e2e-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function voicectl(args: string[]) {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd: work, env: { PATH: process.env.PATH ?? '' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('voicectl scaffold all (built CLI, non-TTY)', () => {
  it('writes the four files and .gitignore, refuses a second run, and --force keeps backups', async () => {
    const dir = path.join(work, 'some', 'dir');
    const first = await voicectl(['scaffold', 'all', '--dir', dir]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('Using default --ari-user voicectl');
    expect((await readdir(dir)).sort()).toEqual(['.env', '.gitignore', 'ari.conf', 'extensions_custom.conf', 'http.conf']);
    const modes = Object.fromEntries(
      await Promise.all(['.env', 'ari.conf', 'http.conf', 'extensions_custom.conf'].map(async (f) => [f, (await stat(path.join(dir, f))).mode & 0o777])),
    );
    expect(modes).toEqual({ '.env': 0o600, 'ari.conf': 0o640, 'http.conf': 0o644, 'extensions_custom.conf': 0o644 });
    const env = parseEnv(await readFile(path.join(dir, '.env'), 'utf8'));
    const ari = parseAsteriskConf(await readFile(path.join(dir, 'ari.conf'), 'utf8'));
    expect(settings(sections(ari, 'voicectl')[0]!).password).toBe(env.ASTERISK_ARI_PASSWORD);

    const second = await voicectl(['scaffold', 'all', '--dir', dir, '--json']);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: false, error: { code: 'VOICECTL_FILE_EXISTS' } });

    const forced = await voicectl(['scaffold', 'all', '--dir', dir, '--force', '--json']);
    expect(forced.code).toBe(0);
    const report = JSON.parse(forced.stdout) as { files: Array<{ path: string; backup?: string }> };
    const ariEntry = report.files.find((f) => f.path === path.join(dir, 'ari.conf'));
    expect(ariEntry?.backup).toMatch(/ari\.conf\.bak-\d{8}T\d{6}Z$/);
    expect(await readFile(ariEntry!.backup!, 'utf8')).toBe(await readFile(path.join(dir, 'ari.conf'), 'utf8'));
    expect((await readdir(dir)).filter((f) => f.includes('.bak-'))).toHaveLength(4);
  });
});
