import { chmod, chown, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_FAILURE, EXIT_USAGE } from '../../src/core/errors.js';
import {
  assertWritable,
  backupStamp,
  ensureDir,
  ensureGitignore,
  modeString,
  writePlannedFile,
} from '../../src/scaffold/files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'voicectl-scaffold-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NOW = new Date('2026-11-22T04:44:48.123Z');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('writePlannedFile', () => {
  it('creates a file with exactly the given mode, whatever the umask', async () => {
    const file = path.join(dir, '.env');
    const old = process.umask(0o000);
    try {
      const r = await writePlannedFile(
        { path: file, kind: 'env', text: 'A=1\n', mode: 0o600 },
        { force: false, now: NOW },
      );
      expect(r).toEqual({ path: file, kind: 'env', action: 'created', mode: '0600' });
    } finally {
      process.umask(old);
    }
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe('A=1\n');
    expect(await readdir(dir)).toEqual(['.env']); // no temporary file left behind
  });

  it('refuses an existing file without force, leaving it untouched', async () => {
    const file = path.join(dir, 'ari.conf');
    await writeFile(file, 'mine\n');
    await expect(
      writePlannedFile({ path: file, kind: 'ari', text: 'new', mode: 0o640 }, { force: false, now: NOW }),
    ).rejects.toMatchObject({
      exitCode: EXIT_FAILURE,
      code: 'VOICECTL_FILE_EXISTS',
    });
    expect(await readFile(file, 'utf8')).toBe('mine\n');
  });

  it('with force, keeps the old content as <file>.bak-<UTC stamp> first, twice in the same second too', async () => {
    const file = path.join(dir, 'ari.conf');
    await writeFile(file, 'v1\n');
    await chmod(file, 0o600);
    const r1 = await writePlannedFile(
      { path: file, kind: 'ari', text: 'v2\n', mode: 0o640 },
      { force: true, now: NOW },
    );
    expect(r1).toEqual({
      path: file,
      kind: 'ari',
      action: 'replaced',
      mode: '0640',
      backup: `${file}.bak-20261122T044448Z`,
    });
    expect(await readFile(r1.backup!, 'utf8')).toBe('v1\n');
    expect((await stat(r1.backup!)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe('v2\n');
    expect((await stat(file)).mode & 0o777).toBe(0o640);

    const r2 = await writePlannedFile(
      { path: file, kind: 'ari', text: 'v3\n', mode: 0o640 },
      { force: true, now: NOW },
    );
    expect(r2.backup).toBe(`${file}.bak-20261122T044448Z-1`);
    expect(await readFile(r2.backup!, 'utf8')).toBe('v2\n');
    expect(await readFile(r1.backup!, 'utf8')).toBe('v1\n');
  });

  it.skipIf(!isRoot)(
    'as root, gives new files the owner of a directory owned by someone else (e.g. asterisk)',
    async () => {
      await chown(dir, 4321, 4322);
      const file = path.join(dir, 'http.conf');
      await writePlannedFile({ path: file, kind: 'http', text: 'x', mode: 0o644 }, { force: false, now: NOW });
      const s = await stat(file);
      expect([s.uid, s.gid]).toEqual([4321, 4322]);
    },
  );
});

describe('assertWritable', () => {
  it('lists every existing path in one error', async () => {
    const a = path.join(dir, 'a.conf');
    const b = path.join(dir, 'b.conf');
    await writeFile(a, '');
    await writeFile(b, '');
    await expect(assertWritable([a, path.join(dir, 'new.conf'), b], false)).rejects.toMatchObject({
      message: `Refusing to overwrite ${a}, ${b}: they exist.`,
      hint: 'Pass --force to replace (the current file is first copied to <file>.bak-<UTC timestamp>), or choose another --dir.',
    });
    await expect(assertWritable([a], true)).resolves.toBeUndefined();
  });
});

describe('ensureGitignore', () => {
  it('creates .gitignore with .env when absent', async () => {
    const r = await ensureGitignore(dir);
    expect(r).toMatchObject({ path: path.join(dir, '.gitignore'), action: 'created', kind: 'gitignore' });
    expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).toBe('.env\n');
  });

  it('appends .env, adding the missing final newline, and keeps existing lines', async () => {
    await writeFile(path.join(dir, '.gitignore'), 'node_modules\n.env.example');
    expect((await ensureGitignore(dir)).action).toBe('appended');
    expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n.env.example\n.env\n');
  });

  it.each(['.env', '/.env', '.env*', '*.env'])('leaves a file that already has %s alone', async (line) => {
    await writeFile(path.join(dir, '.gitignore'), `dist\n${line}\n`);
    expect((await ensureGitignore(dir)).action).toBe('unchanged');
    expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).toBe(`dist\n${line}\n`);
  });
});

describe('helpers', () => {
  it('backupStamp is compact UTC', () => {
    expect(backupStamp(NOW)).toBe('20261122T044448Z');
  });
  it('modeString is 4-digit octal', () => {
    expect(modeString(0o100600)).toBe('0600');
    expect(modeString(0o644)).toBe('0644');
  });
  it('ensureDir creates parents, and refuses a file', async () => {
    const nested = path.join(dir, 'a', 'b');
    await ensureDir(nested);
    expect((await stat(nested)).isDirectory()).toBe(true);
    const file = path.join(dir, 'f');
    await writeFile(file, '');
    await expect(ensureDir(file)).rejects.toMatchObject({ exitCode: EXIT_USAGE, code: 'VOICECTL_SCAFFOLD_DIR' });
  });
});
