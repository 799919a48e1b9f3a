/**
 * Writing scaffolded files without losing anything a user had.
 *
 * - An existing file is never replaced unless `force` is set; then it is first copied to
 *   `<file>.bak-<UTC timestamp>` (e.g. `ari.conf.bak-20261122T044448Z`).
 * - Every target is checked before the first write, so a refusal writes nothing.
 * - New content goes to a temporary file that is renamed over the target, so a crash
 *   never leaves half a file; the mode is set explicitly (umask does not apply).
 * - When running as root in a directory owned by someone else (e.g. `/etc/asterisk`
 *   owned by `asterisk`), written files are given the directory's owner and group, so
 *   Asterisk can still read them.
 */
import { constants } from 'node:fs';
import {
  appendFile,
  chmod,
  chown,
  copyFile,
  lstat,
  mkdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { UsageError, UserError } from '../core/errors.js';

/** What happened to one file. */
export interface WrittenFile {
  /** Absolute path. */
  path: string;
  /** env, ari, http, dialplan, gitignore. */
  kind: string;
  /** created, replaced (after a backup), updated (keys set in place), appended, unchanged. */
  action: 'created' | 'replaced' | 'updated' | 'appended' | 'unchanged';
  /** File mode as an octal string, e.g. `0600`. */
  mode: string;
  /** Absolute path of the backup copy, when one was made. */
  backup?: string;
}

/** A file to write. */
export interface PlannedFile {
  path: string;
  kind: string;
  text: string;
  mode: number;
}

/** `0600`-style octal string for a mode. */
export function modeString(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** The UTC timestamp used in backup names: `YYYYMMDDTHHMMSSZ`. */
export function backupStamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Make sure `dir` exists (created with parents when missing) and is a directory.
 * @throws UsageError `VOICECTL_SCAFFOLD_DIR` when it is a file or cannot be created.
 */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    if ((await stat(dir)).isDirectory()) return;
  } catch (err) {
    throw dirError(dir, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  throw dirError(dir, 'not a directory');
}

function dirError(dir: string, why: string): UsageError {
  return new UsageError(`Cannot use --dir ${dir}: ${why}`, {
    code: 'VOICECTL_SCAFFOLD_DIR',
    hint: 'Pass --dir with a directory you can write to.',
  });
}

/** True when something (file, link, directory) exists at `file`. */
export async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Refuse when any target exists and `force` is not set.
 * @throws UserError `VOICECTL_FILE_EXISTS` (exit 1) listing every existing path.
 */
export async function assertWritable(paths: readonly string[], force: boolean): Promise<void> {
  if (force) return;
  const existing: string[] = [];
  for (const p of paths) if (await exists(p)) existing.push(p);
  if (existing.length === 0) return;
  throw new UserError(
    `Refusing to overwrite ${existing.join(', ')}: ${existing.length === 1 ? 'it exists' : 'they exist'}.`,
    {
      code: 'VOICECTL_FILE_EXISTS',
      hint: 'Pass --force to replace (the current file is first copied to <file>.bak-<UTC timestamp>), or choose another --dir.',
    },
  );
}

/**
 * Copy `file` to a fresh `<file>.bak-<stamp>` (`-1`, `-2`… appended if taken); never overwrites.
 * @returns the backup path.
 */
export async function backupFile(file: string, now: Date): Promise<string> {
  const base = `${file}.bak-${backupStamp(now)}`;
  for (let i = 0; ; i++) {
    const candidate = i === 0 ? base : `${base}-${i}`;
    try {
      await copyFile(file, candidate, constants.COPYFILE_EXCL);
      return candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Owner to give new files: the directory's, when we are root and it differs. */
async function dirOwner(dir: string): Promise<{ uid: number; gid: number } | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const s = await stat(dir);
  return s.uid === 0 && s.gid === 0 ? undefined : { uid: s.uid, gid: s.gid };
}

/**
 * Write `file` (backing up an existing one first when `force`), atomically, with its mode.
 * Callers run {@link assertWritable} on all targets first.
 */
export async function writePlannedFile(
  file: PlannedFile,
  options: { force: boolean; now: Date },
): Promise<WrittenFile> {
  const had = await exists(file.path);
  if (had && !options.force) await assertWritable([file.path], false);
  let backup: string | undefined;
  try {
    if (had) backup = await backupFile(file.path, options.now);
  } catch (err) {
    throw writeError(`${file.path}.bak-${backupStamp(options.now)}`, err);
  }
  const tmp = `${file.path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, file.text, { mode: file.mode });
    await chmod(tmp, file.mode);
    const owner = await dirOwner(path.dirname(file.path));
    if (owner) await chown(tmp, owner.uid, owner.gid);
    await rename(tmp, file.path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw writeError(file.path, err);
  }
  return {
    path: file.path,
    kind: file.kind,
    action: had ? 'replaced' : 'created',
    mode: modeString(file.mode),
    ...(backup ? { backup } : {}),
  };
}

/** The exit-1 error for a file that could not be written (permissions, full disk). */
export function writeError(file: string, err: unknown): UserError {
  return new UserError(`Cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
    code: 'VOICECTL_SCAFFOLD_WRITE',
    hint: 'Check the permissions of --dir (Asterisk directories usually need sudo).',
    cause: err,
  });
}

/** Lines of a .gitignore that already keep `.env` out of git. */
const IGNORES_ENV = new Set(['.env', '/.env', '.env*', '/.env*', '*.env']);

/**
 * Make sure `<dir>/.gitignore` lists `.env`: created when absent, the line appended when missing.
 * Existing lines are kept as they are.
 */
export async function ensureGitignore(dir: string): Promise<WrittenFile> {
  const file = path.join(dir, '.gitignore');
  try {
    return await gitignoreEnv(file);
  } catch (err) {
    throw writeError(file, err);
  }
}

async function gitignoreEnv(file: string): Promise<WrittenFile> {
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text === undefined) {
    await writeFile(file, '.env\n', { mode: 0o644 });
    return { path: file, kind: 'gitignore', action: 'created', mode: modeString((await stat(file)).mode) };
  }
  const mode = modeString((await stat(file)).mode);
  if (text.split(/\r?\n/).some((l) => IGNORES_ENV.has(l.trim()))) {
    return { path: file, kind: 'gitignore', action: 'unchanged', mode };
  }
  await appendFile(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}.env\n`);
  return { path: file, kind: 'gitignore', action: 'appended', mode };
}
