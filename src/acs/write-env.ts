/**
 * `--write-env [path]` for `acs create|keys`: put the connection string (and the resource
 * id) into an env file through the shared editor (in place, other lines untouched, 0600).
 * An existing different value is never lost: without `force` it is an error (checked before
 * anything is created); with `force` the file is first copied to `<file>.bak-<time>` (0600).
 */
import { copyFile, chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { setEnvFileValues, type EnvFileEdit } from '../config/env-file.js';
import { UsageError } from '../core/errors.js';

/** What was written, for the JSON output. */
export interface EnvWriteResult extends EnvFileEdit {
  /** Copy of the previous file, when values were replaced with --force. */
  backup?: string;
}

/**
 * Resolve the target of `--write-env`: `true` means the global --env-file, else `.env`.
 * @returns an absolute path.
 */
export function envFileTarget(option: string | true, cwd: string, globalEnvFile?: string): string {
  return path.resolve(cwd, option === true ? (globalEnvFile ?? '.env') : option);
}

/**
 * Keys whose current value in `file` would be replaced by a different one.
 * @param newValues `undefined` values mean "any existing value conflicts" (the value is not known yet).
 */
export async function conflictingKeys(file: string, newValues: Record<string, string | undefined>): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UsageError(`Cannot read env file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      code: 'VOICECTL_ENV_FILE',
      hint: 'Check the --write-env path and its permissions.',
    });
  }
  const current = parseEnv(text) as Record<string, string>;
  return Object.entries(newValues)
    .filter(([k, v]) => current[k] !== undefined && current[k] !== '' && current[k] !== v)
    .map(([k]) => k);
}

/**
 * Fail (exit 2) when the file already holds other values for these keys and `force` is off.
 * @throws UsageError `VOICECTL_ENV_FILE_CONFLICT`.
 */
export async function assertEnvWritable(file: string, newValues: Record<string, string | undefined>, force: boolean): Promise<void> {
  const keys = await conflictingKeys(file, newValues);
  if (keys.length > 0 && !force) {
    throw new UsageError(`${file} already sets ${keys.join(', ')} to another value.`, {
      code: 'VOICECTL_ENV_FILE_CONFLICT',
      hint: 'Pass --force to replace it (the old file is kept as <file>.bak-<time>), or --write-env <other path>.',
    });
  }
}

/** Write the values; back the file up first when a different value gets replaced. */
export async function writeEnvValues(file: string, values: Record<string, string>, force: boolean): Promise<EnvWriteResult> {
  await assertEnvWritable(file, values, force);
  let backup: string | undefined;
  if ((await conflictingKeys(file, values)).length > 0) {
    backup = `${file}.bak-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
    await copyFile(file, backup);
    await chmod(backup, 0o600);
  }
  const edit = await setEnvFileValues(file, values);
  return backup ? { ...edit, backup } : edit;
}
