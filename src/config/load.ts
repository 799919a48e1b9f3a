/**
 * Configuration lookup: flag > environment > env file > default.
 *
 * The env file is `--env-file <path>` (alias `--dotenv <path>`, which Node 20 does not
 * intercept), else `./.env` when it exists. It is parsed with Node's own
 * `util.parseEnv` (no hand-written parser). Secret values are registered with the
 * redaction helper as soon as they are read.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { ENV_VARS, SECRET_ENV_VARS, type EnvVarName } from './env.js';

/** Where a configuration value came from. */
export type ConfigSource = 'flag' | 'env' | 'env-file' | 'default';

/** A loaded configuration: process environment plus the env file's values. */
export interface Config {
  /** Absolute path of the env file that was read, if any. */
  readonly envFile: string | undefined;
  /** Values from the env file (all of them, registered or not). */
  readonly fileValues: Readonly<Record<string, string>>;
  /** The process environment (injected for tests). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * A registered variable's value: environment first, then the env file.
   * Empty strings count as unset. Returns `undefined` when absent.
   */
  get(name: EnvVarName): string | undefined;
  /** Like {@link get}, also telling where the value came from. */
  lookup(name: EnvVarName): { value: string; source: ConfigSource } | undefined;
}

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Process environment (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Working directory used to find `./.env` and resolve a relative `envFile` (default `process.cwd()`). */
  cwd?: string;
  /** Explicit env file path (`--env-file`); a missing or unreadable one is a UsageError (exit 2). */
  envFile?: string;
}

/**
 * Load the configuration.
 * @throws UsageError (`VOICECTL_ENV_FILE`) when an explicit env file cannot be read or parsed.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<Config> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  let envFile: string | undefined;
  let fileValues: Record<string, string> = {};

  if (options.envFile) {
    envFile = path.resolve(cwd, options.envFile);
    fileValues = await readEnvFile(envFile, true);
  } else {
    const candidate = path.join(cwd, '.env');
    const values = await readEnvFile(candidate, false);
    if (values) {
      envFile = candidate;
      fileValues = values;
    }
  }

  const lookup = (name: EnvVarName): { value: string; source: ConfigSource } | undefined => {
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: 'env' };
    const fromFile = fileValues[name];
    if (fromFile !== undefined && fromFile !== '') return { value: fromFile, source: 'env-file' };
    return undefined;
  };

  for (const name of SECRET_ENV_VARS) registerSecret(lookup(name)?.value);

  return {
    envFile,
    fileValues,
    env,
    get: (name) => lookup(name)?.value,
    lookup,
  };
}

async function readEnvFile(file: string, required: true): Promise<Record<string, string>>;
async function readEnvFile(file: string, required: false): Promise<Record<string, string> | undefined>;
async function readEnvFile(file: string, required: boolean): Promise<Record<string, string> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`Cannot read env file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      code: 'VOICECTL_ENV_FILE',
      hint: 'Check the --env-file path, or create it with `voicectl scaffold env`.',
    });
  }
  return parseEnv(text) as Record<string, string>;
}

/** True when `name` is a registered variable. */
export function isRegisteredEnvVar(name: string): name is EnvVarName {
  return Object.hasOwn(ENV_VARS, name);
}

/**
 * Resolve one setting with the documented precedence: flag > environment > env file > default.
 * @param flagValue the parsed flag value, `undefined` when the flag was not given.
 * @param name the registered env variable that can also supply it.
 * @param fallback the default, if any.
 */
export function resolveSetting(
  config: Config,
  flagValue: string | undefined,
  name: EnvVarName,
  fallback?: string,
): { value: string; source: ConfigSource } | undefined {
  if (flagValue !== undefined && flagValue !== '') return { value: flagValue, source: 'flag' };
  const found = config.lookup(name);
  if (found) return found;
  if (fallback !== undefined) return { value: fallback, source: 'default' };
  return undefined;
}

/**
 * A required value that is missing where no prompt is allowed.
 * @returns a UsageError (exit 2) naming the flag and the env variable.
 */
export function missingValueError(flag: string | undefined, name: EnvVarName | undefined, what: string): UsageError {
  const ways = [flag ? `pass ${flag}` : undefined, name ? `set ${name} (environment or .env)` : undefined]
    .filter(Boolean)
    .join(' or ');
  return new UsageError(`Missing ${what}: ${ways}.`, {
    code: 'VOICECTL_MISSING_VALUE',
    hint: `${ways.charAt(0).toUpperCase()}${ways.slice(1)}; prompts are only shown on a terminal outside CI.`,
  });
}
