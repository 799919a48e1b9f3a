/**
 * The `env` group: the env file (present, not readable by others when it holds secrets)
 * and the shape of every registered variable that is set (see shapes.ts).
 */
import { stat } from 'node:fs/promises';
import type { Config } from '../config/load.js';
import { ENV_VARS, SECRET_ENV_VARS, type EnvVarName } from '../config/env.js';
import { SHAPE_CHECKS, checkInstructionsFile } from './shapes.js';
import { fail, pass, skip, type Outcome } from './types.js';

/**
 * Names the setups voicectl replaces use for its variables (the ACS Call Automation +
 * Azure OpenAI samples: `AZURE_OPENAI_SERVICE_KEY`, `AZURE_OPENAI_SERVICE_ENDPOINT`,
 * `AZURE_OPENAI_DEPLOYMENT_MODEL_NAME`, `ACS_CONNECTION_STRING`, `CALLBACK_URI`). An env file
 * carried over from them sets these, and voicectl would silently not see the value.
 */
export const FOREIGN_NAMES: Partial<Record<EnvVarName, readonly string[]>> = {
  AZURE_COMMUNICATION_CONNECTION_STRING: ['ACS_CONNECTION_STRING', 'CONNECTION_STRING', 'AZURE_COMMUNICATION_SERVICE_CONNECTION_STRING'],
  CALLBACK_URI_HOST: ['CALLBACK_URI', 'CALLBACK_HOST'],
  AZURE_OPENAI_ENDPOINT: ['AZURE_OPENAI_SERVICE_ENDPOINT'],
  AZURE_OPENAI_API_KEY: ['AZURE_OPENAI_SERVICE_KEY', 'AZURE_OPENAI_KEY'],
  AZURE_OPENAI_DEPLOYMENT: ['AZURE_OPENAI_DEPLOYMENT_MODEL_NAME', 'AZURE_OPENAI_DEPLOYMENT_NAME'],
};

/**
 * A registered variable that is unset while the env file sets a foreign name for it with a
 * value of the right shape: a failure naming the rename (undefined when there is nothing to
 * say). Only the env file counts, and only a value that passes the variable's own shape
 * check, so a database `CONNECTION_STRING` in a CI environment is never mistaken for ACS's.
 */
export function foreignNameOutcome(name: EnvVarName, config: Pick<Config, 'fileValues'>): Outcome | undefined {
  for (const other of FOREIGN_NAMES[name] ?? []) {
    const value = config.fileValues[other] ?? '';
    if (value === '') continue;
    const shape = SHAPE_CHECKS[name];
    if (shape && shape(value).status !== 'pass') continue;
    return fail(`not set, but the env file sets ${other}: voicectl reads ${name}`, `Rename ${other} to ${name} in the env file.`);
  }
  return undefined;
}

/** One env check before timing: its name (`env file` or a variable name) and outcome. */
export interface NamedOutcome {
  name: string;
  outcome: Outcome;
}

/** Registered variables whose value is set (environment or env file), in registry order. */
export function setVariables(config: Pick<Config, 'lookup'>): EnvVarName[] {
  return (Object.keys(ENV_VARS) as EnvVarName[]).filter((name) => config.lookup(name) !== undefined);
}

/**
 * The env file's check.
 * - none found: skip (settings come from the environment only);
 * - group/other permission bits set while it holds a secret: fail, with the `chmod`;
 *   not checked on Windows, where modes do not apply.
 */
export async function checkEnvFile(config: Pick<Config, 'envFile' | 'fileValues'>, platform = process.platform): Promise<Outcome> {
  if (!config.envFile) return skip('no env file: ./.env does not exist, settings come from the environment only');
  const count = Object.keys(config.fileValues).length;
  const secrets = SECRET_ENV_VARS.filter((n) => (config.fileValues[n] ?? '') !== '');
  if (platform === 'win32') return pass(`${config.envFile}: ${count} variables`);
  let mode: number;
  try {
    mode = (await stat(config.envFile)).mode & 0o777;
  } catch (err) {
    return fail(`${config.envFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'Check the --env-file path.');
  }
  const octal = mode.toString(8).padStart(4, '0');
  if ((mode & 0o077) !== 0 && secrets.length > 0) {
    return fail(
      `${config.envFile} is readable by other users (mode ${octal}) and holds ${secrets.join(', ')}`,
      `Run \`chmod 600 ${config.envFile}\` (voicectl scaffold writes it with mode 0600).`,
    );
  }
  return pass(`${config.envFile}: ${count} variables, mode ${octal}`);
}

/**
 * Every check of the group, env file first, then in registry order one per set variable
 * that has a shape check, and one per unset variable whose foreign name is set.
 * @param cwd resolves a relative `AOAI_INSTRUCTIONS_FILE`.
 */
export async function envChecks(config: Config, cwd: string): Promise<NamedOutcome[]> {
  const out: NamedOutcome[] = [{ name: 'env file', outcome: await checkEnvFile(config) }];
  for (const name of Object.keys(ENV_VARS) as EnvVarName[]) {
    const found = config.lookup(name);
    if (!found) {
      const foreign = foreignNameOutcome(name, config);
      if (foreign) out.push({ name, outcome: foreign });
      continue;
    }
    const value = found.value;
    if (name === 'AOAI_INSTRUCTIONS_FILE') {
      out.push({ name, outcome: await checkInstructionsFile(value, cwd, config.lookup('AOAI_INSTRUCTIONS') !== undefined) });
      continue;
    }
    const check = SHAPE_CHECKS[name];
    if (check) out.push({ name, outcome: check(value) });
  }
  return out;
}
