/**
 * The scaffolded `.env`: generated from the env registry (`src/config/env.ts`), so every
 * variable voicectl reads is listed, grouped as the registry groups them, each under a
 * `# <description>` comment. Known values become `NAME=value` lines (quoted with the
 * shared env-file formatter, so `util.parseEnv` reads them back unchanged); the others
 * stay `# NAME=<example>` placeholders.
 */
import { ENV_GROUP_TITLES, ENV_VARS, type EnvGroup, type EnvVarName, type EnvVarSpec } from '../config/env.js';
import { formatEnvValue } from '../config/env-file.js';
import { isVoicectlError } from '../core/errors.js';
import { parseConnectionString } from '../identity/connection-string.js';
import {
  check,
  checkAriUser,
  checkGuid,
  checkHost,
  checkName,
  checkOriginUrl,
  checkPassword,
  checkPort,
  checkSid,
  type Check,
} from './validate.js';

/** Values to write into `.env`, by registered name. */
export type EnvValues = Partial<Record<EnvVarName, string>>;

/**
 * Variables checked by the parser the commands that read them use, so scaffold accepts what
 * they accept and refuses with their error (message, code, hint): the ACS connection string
 * is parsed as `identity`, `token`, `acs`, `doctor` and the bridge parse it.
 * Each parser throws a UsageError naming `where` and never repeats a secret value.
 */
const ENV_PARSERS: Partial<Record<EnvVarName, (value: string, where: string) => unknown>> = {
  AZURE_COMMUNICATION_CONNECTION_STRING: parseConnectionString,
};

/** Shape checks for the other variables whose format is known. */
export const ENV_CHECKS: Partial<Record<EnvVarName, Check>> = {
  CALLBACK_URI_HOST: checkOriginUrl(['https']),
  ACS_RESOURCE_ID: checkGuid,
  AZURE_OPENAI_ENDPOINT: checkOriginUrl(['https', 'wss']),
  ASTERISK_HOST: checkHost,
  ASTERISK_ARI_PORT: checkPort,
  ASTERISK_ARI_USERNAME: checkAriUser,
  ASTERISK_ARI_PASSWORD: checkPassword,
  ASTERISK_APP_NAME: checkName,
  TWILIO_ACCOUNT_SID: checkSid('AC'),
  TWILIO_API_KEY: checkSid('SK'),
  AZURE_SUBSCRIPTION_ID: checkGuid,
};

/**
 * Variables describing the process rather than the project (`CI`, `NO_COLOR`,
 * `VOICECTL_NO_PROMPT`): listed in `.env` as placeholders but never copied from the
 * environment (a CI runner's `CI=true` does not belong in a user's file).
 */
export const PROCESS_ONLY_VARS: readonly EnvVarName[] = ['CI', 'NO_COLOR', 'VOICECTL_NO_PROMPT'];

/**
 * Check every value whose shape is known.
 * @param label how the error names a variable (default its name; `--set NAME` for flag values).
 * @throws UsageError `VOICECTL_SCAFFOLD_INVALID` naming the first bad variable, or the error of
 *   the variable's own parser (`VOICECTL_ACS_CONNECTION_STRING`…); secret values are never repeated.
 */
export function validateEnvValues(values: EnvValues, label: (name: EnvVarName) => string = (name) => name): void {
  for (const [name, value] of Object.entries(values) as Array<[EnvVarName, string]>) {
    const fn = ENV_CHECKS[name];
    if (/[\r\n]/.test(value)) check(label(name), value, () => 'must not contain a newline', { shown: false });
    ENV_PARSERS[name]?.(value, label(name));
    if (fn) check(label(name), value, fn, { shown: (ENV_VARS[name] as EnvVarSpec).secret !== true });
  }
}

/**
 * Why `value` is not valid for `name`: the sentence {@link validateEnvValues} would throw
 * (for a prompt to show); undefined when it is valid or its shape is not known.
 */
export function envValueProblem(name: EnvVarName, value: string): string | undefined {
  try {
    validateEnvValues({ [name]: value });
    return undefined;
  } catch (err) {
    if (!isVoicectlError(err)) throw err;
    return err.message;
  }
}

/** The registry's groups in `.env` order, each with its variable names. */
export function envGroups(): Array<{ group: EnvGroup; title: string; names: EnvVarName[] }> {
  const names = Object.keys(ENV_VARS) as EnvVarName[];
  return (Object.keys(ENV_GROUP_TITLES) as EnvGroup[]).map((group) => ({
    group,
    title: ENV_GROUP_TITLES[group],
    names: names.filter((n) => (ENV_VARS[n] as EnvVarSpec).group === group),
  }));
}

/**
 * The text of a scaffolded `.env`.
 * @param header the leading comment block (the packaged `templates/env/header.env`).
 * @param values the known values; others are written as commented placeholders.
 * @param kept variables voicectl does not read, kept from the `.env` being replaced (`--force`);
 *   a value an env file line cannot hold (a newline) is left out (it stays in the backup).
 * @returns the text, and the names of the kept variables actually written.
 * @throws UsageError when a registered value cannot be written to an env file (newline, or all three quote kinds).
 */
export function renderEnvFile(
  header: string,
  values: EnvValues,
  kept: Readonly<Record<string, string>> = {},
): { text: string; kept: string[] } {
  const out: string[] = [header.trimEnd(), ''];
  for (const { title, names } of envGroups()) {
    if (names.length === 0) continue;
    out.push(groupTitle(title));
    for (const name of names) {
      const spec = ENV_VARS[name] as EnvVarSpec;
      out.push(`# ${spec.description}${spec.secret ? ' (secret)' : ''}`);
      const value = values[name];
      out.push(
        value !== undefined && value !== '' ? `${name}=${formatEnvValue(value)}` : `# ${name}=${spec.example ?? ''}`,
      );
    }
    out.push('');
  }
  const keptLines: string[] = [];
  const keptNames: string[] = [];
  for (const [name, value] of Object.entries(kept)) {
    if (Object.hasOwn(ENV_VARS, name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
    try {
      keptLines.push(`${name}=${formatEnvValue(value)}`);
      keptNames.push(name);
    } catch {
      // multi-line values stay in the backup copy only
    }
  }
  if (keptLines.length > 0) {
    out.push(groupTitle('Kept from the previous .env (not read by voicectl)'), ...keptLines, '');
  }
  return { text: `${out.join('\n').trimEnd()}\n`, kept: keptNames };
}

function groupTitle(title: string): string {
  return `# --- ${title} ${'-'.repeat(Math.max(3, 72 - title.length))}`;
}
