/**
 * The `--out` directory: created when missing, and checked to be a writable directory
 * before the server starts, so a bad path fails at once (exit 2) instead of on the first call.
 */
import { constants as fsc } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';

/**
 * Resolve `dir` against `cwd`, create it (and its parents) when missing, and check it.
 * @returns the absolute directory.
 * @throws UsageError `VOICECTL_CATCH_OUT_DIR` when it is not a directory or not writable.
 */
export async function prepareOutDir(dir: string, cwd: string): Promise<string> {
  const abs = path.resolve(cwd, dir);
  try {
    await mkdir(abs, { recursive: true });
    if (!(await stat(abs)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(abs, fsc.W_OK | fsc.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'it is not a directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(err));
    throw new UsageError(`Cannot record into ${abs}: ${why}`, {
      code: 'VOICECTL_CATCH_OUT_DIR',
      hint: 'Pass --out <dir> with a directory you can write to (it is created when missing).',
      cause: err,
    });
  }
  return abs;
}
