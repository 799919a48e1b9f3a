/**
 * Edit an env file in place: set some keys, keep every other line and comment as it was.
 * Used by `acs create --write-env`, `tunnel up --write-env` and `scaffold ari` (which
 * records a generated ARI password), so all of them edit `.env` the same way.
 */
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';

/** What {@link setEnvFileValues} did. */
export interface EnvFileEdit {
  /** Absolute path of the file. */
  path: string;
  /** True when the file did not exist and was created. */
  created: boolean;
  /** Keys whose existing line was replaced. */
  updated: string[];
  /** Keys appended at the end. */
  added: string[];
}

const KEY_LINE = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=)/;

/**
 * Quote a value for an env file when it needs it, so that `util.parseEnv` (and dotenv)
 * read it back unchanged: single quotes (literal) first, then double quotes, then backticks.
 * @throws UsageError when the value contains a newline or all three quote characters.
 */
export function formatEnvValue(value: string): string {
  if (/[\r\n]/.test(value)) {
    throw new UsageError('An env file value cannot contain a newline.', { code: 'VOICECTL_ENV_VALUE' });
  }
  if (/^[A-Za-z0-9_./:@+,=;-]*$/.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"') && !value.includes('\\')) return `"${value}"`;
  if (!value.includes('`')) return `\`${value}\``;
  throw new UsageError('An env file value cannot contain all of \', " and ` at once.', { code: 'VOICECTL_ENV_VALUE' });
}

/**
 * Pure part: the new text of an env file after setting `values`.
 * The first active `KEY=` line of each key is replaced (a second one is left alone);
 * missing keys are appended; comments, blank lines and other keys are untouched.
 */
export function applyEnvValues(
  text: string,
  values: Record<string, string>,
): { text: string; updated: string[]; added: string[] } {
  const lines = text === '' ? [] : text.split('\n');
  const trailingNewline = text.endsWith('\n');
  if (trailingNewline) lines.pop();
  const pending = new Map(Object.entries(values));
  const updated: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = KEY_LINE.exec(lines[i]!);
    if (!m) continue;
    const key = m[2]!;
    const value = pending.get(key);
    if (value === undefined) continue;
    lines[i] = `${m[1]}${key}=${formatEnvValue(value)}`;
    pending.delete(key);
    updated.push(key);
  }
  const added: string[] = [];
  for (const [key, value] of pending) {
    lines.push(`${key}=${formatEnvValue(value)}`);
    added.push(key);
  }
  return { text: `${lines.join('\n')}\n`, updated, added };
}

/**
 * Set keys in an env file, creating it if absent. The file ends with mode 0600 (it holds
 * secrets). Written to a temporary file and renamed, so a crash never leaves half a file.
 * @throws UsageError (`VOICECTL_ENV_FILE`) when the file cannot be read or written.
 */
export async function setEnvFileValues(file: string, values: Record<string, string>): Promise<EnvFileEdit> {
  const abs = path.resolve(file);
  let text = '';
  let created = false;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(abs, err);
    created = true;
  }
  const next = applyEnvValues(text, values);
  const tmp = `${abs}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, next.text, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, abs);
  } catch (err) {
    throw fileError(abs, err);
  }
  return { path: abs, created, updated: next.updated, added: next.added };
}

function fileError(file: string, err: unknown): UsageError {
  return new UsageError(`Cannot update env file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
    code: 'VOICECTL_ENV_FILE',
    hint: 'Check the path and its permissions.',
  });
}
