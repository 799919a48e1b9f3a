/**
 * Resolve what `voicectl scaffold` will write, before anything is written.
 *
 * Each setting: flag (or `--set NAME=VALUE`) > environment / env file > a prompt (only
 * when the caller passes `ask`, i.e. on a terminal outside CI) > the default, which is
 * then reported. Every value is validated here; a bad one is a UsageError (exit 2)
 * naming the flag or variable.
 */
import { ENV_VARS, type EnvVarName } from '../config/env.js';
import { UsageError } from '../core/errors.js';
import type { AriSettings, DialplanSettings } from './asterisk.js';
import { checkBridgeUrl, checkHostPort, resolveMediaSettings, type MediaFlags, type MediaSettings } from './asterisk-media.js';
import { PROCESS_ONLY_VARS, envValueProblem, validateEnvValues, type EnvValues } from './env-template.js';
import { generatePassword, sha512Crypt } from './secrets.js';
import {
  check,
  checkAppArgs,
  checkAriUser,
  checkBindAddress,
  checkExtension,
  checkName,
  checkOrigins,
  checkPassword,
  checkPort,
  type Check,
} from './validate.js';

/** What to scaffold. */
export type ScaffoldTarget = 'env' | 'ari' | 'dialplan' | 'asterisk-media' | 'all';

/** The command's flags, as parsed. */
export interface ScaffoldFlags extends MediaFlags {
  set?: string[];
  ariUser?: string;
  ariPassword?: string;
  bind?: string;
  port?: string;
  allowedOrigins?: string;
  readOnly?: boolean;
  crypt?: boolean;
  pretty?: boolean;
  context?: string;
  exten?: string;
  appName?: string;
  appArgs?: string;
}

/** A question for the user; `validate` returns a message to reject the answer. */
export interface AskSpec {
  message: string;
  /** Flag that supplies the value (named when prompting is impossible). */
  flag: string;
  envVar?: EnvVarName;
  default?: string;
  secret?: boolean;
  validate: (value: string) => string | true;
}

/** Asks the user (prompt); absent when prompting is not allowed. */
export type Ask = (spec: AskSpec) => Promise<string>;

/** Defaults the values fall back to. */
export const DEFAULTS = {
  ariUser: 'voicectl',
  bind: '127.0.0.1',
  port: '8088',
  context: 'voicectl-inbound',
  exten: '_X.',
  appName: 'voicectl',
} as const;

/** The core variables asked for on a terminal by `scaffold env` (empty answer = placeholder). */
export const PROMPTED_ENV_VARS: readonly EnvVarName[] = [
  'AZURE_COMMUNICATION_CONNECTION_STRING',
  'CALLBACK_URI_HOST',
  'AZURE_OPENAI_ENDPOINT',
  'AZURE_OPENAI_DEPLOYMENT',
  'AZURE_OPENAI_API_KEY',
  'AOAI_VOICE',
];

/** Resolved ARI settings, plus the clear password (the file may hold only its hash). */
export interface ResolvedAri extends AriSettings {
  clearPassword: string;
  /** Where the password came from; `generated` means nobody knows it yet. */
  passwordSource: 'flag' | 'env' | 'prompt' | 'generated';
}

/** Everything needed to write the files. */
export interface ScaffoldSettings {
  ari?: ResolvedAri;
  dialplan?: DialplanSettings;
  /** chan_websocket / AudioSocket files (target asterisk-media or all). */
  media?: MediaSettings;
  /** Values for `.env` (target env or all). */
  env?: EnvValues;
  /** Defaults used without asking, reported to the user: setting (a flag) and value. */
  defaults: Array<{ setting: string; value: string }>;
}

/** Inputs of {@link resolveSettings}. */
export interface ResolveOptions {
  target: ScaffoldTarget;
  flags: ScaffoldFlags;
  /** A registered variable from the environment or an env file (`undefined` when unset). */
  lookup: (name: EnvVarName) => string | undefined;
  ask?: Ask;
  /** Random source for generated passwords and salts (tests). */
  random?: (n: number) => Buffer;
}

/**
 * Parse `--set NAME=VALUE` entries.
 * @throws UsageError naming `--set` for a malformed entry or an unregistered name.
 */
export function parseSetFlags(entries: readonly string[] = []): EnvValues {
  const out: EnvValues = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const name = eq === -1 ? entry : entry.slice(0, eq);
    if (eq <= 0)
      throw new UsageError(`--set "${name}" must be NAME=VALUE.`, {
        code: 'VOICECTL_SCAFFOLD_INVALID',
        hint: 'Example: --set AOAI_VOICE=alloy',
      });
    if (!Object.hasOwn(ENV_VARS, name)) {
      throw new UsageError(`--set ${name}: not a variable voicectl reads.`, {
        code: 'VOICECTL_SCAFFOLD_INVALID',
        hint: 'Run `voicectl scaffold env --help` for the list, or see .env written by `voicectl scaffold env`.',
      });
    }
    out[name as EnvVarName] = entry.slice(eq + 1);
  }
  return out;
}

interface Setting {
  flag: string;
  flagValue: string | undefined;
  envVar?: EnvVarName;
  fallback: string;
  check: Check;
  message: string;
}

/**
 * Resolve and validate every setting the target needs.
 * @throws UsageError `VOICECTL_SCAFFOLD_INVALID` (exit 2) naming the flag or variable of a bad value.
 */
export async function resolveSettings(o: ResolveOptions): Promise<ScaffoldSettings> {
  const set = parseSetFlags(o.flags.set);
  // every flag first, so a typo fails before any question is asked
  validateEnvValues(set, (name) => `--set ${name}`);
  validateFlags(o.flags);
  const defaults: ScaffoldSettings['defaults'] = [];

  const pick = async (s: Setting): Promise<string> => {
    if (s.flagValue !== undefined) {
      check(s.flag, s.flagValue, s.check);
      return s.flagValue;
    }
    const fromSet = s.envVar ? set[s.envVar] : undefined;
    if (fromSet !== undefined) return fromSet; // checked above
    const fromEnv = s.envVar ? o.lookup(s.envVar) : undefined;
    if (fromEnv !== undefined && s.envVar) {
      check(s.envVar, fromEnv, s.check);
      return fromEnv;
    }
    if (o.ask) {
      return o.ask({
        message: s.message,
        flag: s.flag,
        envVar: s.envVar,
        default: s.fallback,
        validate: asValidate(s.check),
      });
    }
    defaults.push({ setting: s.flag, value: s.fallback });
    return s.fallback;
  };

  const out: ScaffoldSettings = { defaults };
  const wantsAri = o.target === 'ari' || o.target === 'all';
  const wantsDialplan = o.target === 'dialplan' || o.target === 'all';

  if (wantsAri) out.ari = await resolveAri(o, set, pick);
  if (wantsDialplan) {
    const appName = await pick({
      flag: '--app-name',
      flagValue: o.flags.appName,
      envVar: 'ASTERISK_APP_NAME',
      fallback: DEFAULTS.appName,
      check: checkName,
      message: 'Stasis application name',
    });
    const context = await pick({
      flag: '--context',
      flagValue: o.flags.context,
      fallback: DEFAULTS.context,
      check: checkName,
      message: 'Dialplan context',
    });
    const exten = await pick({
      flag: '--exten',
      flagValue: o.flags.exten,
      fallback: DEFAULTS.exten,
      check: checkExtension,
      message: 'Extension pattern',
    });
    const appArgs = o.flags.appArgs ?? '';
    check('--app-args', appArgs, checkAppArgs);
    out.dialplan = { appName, context, exten, appArgs };
  }
  if (o.target === 'asterisk-media' || o.target === 'all') {
    const fromEnv = o.lookup('VOICECTL_MEDIA_TOKEN');
    const token = set.VOICECTL_MEDIA_TOKEN !== undefined ? { value: set.VOICECTL_MEDIA_TOKEN, source: 'flag' as const } : fromEnv !== undefined ? { value: fromEnv, source: 'env' as const } : undefined;
    out.media = resolveMediaSettings(o.flags, token, defaults, o.random);
  }
  if (o.target === 'env' || o.target === 'all') out.env = await resolveEnv(o, set, out);
  return out;
}

/**
 * Check every flag that was given.
 * @throws UsageError `VOICECTL_SCAFFOLD_INVALID` naming the first bad flag.
 */
export function validateFlags(flags: ScaffoldFlags): void {
  const table: Array<[string, string | undefined, Check]> = [
    ['--ari-user', flags.ariUser, checkAriUser],
    ['--ari-password', flags.ariPassword, checkPassword],
    ['--bind', flags.bind, checkBindAddress],
    ['--port', flags.port, checkPort],
    ['--allowed-origins', flags.allowedOrigins, checkOrigins],
    ['--context', flags.context, checkName],
    ['--exten', flags.exten, checkExtension],
    ['--app-name', flags.appName, checkName],
    ['--app-args', flags.appArgs, checkAppArgs],
    ['--bridge-url', flags.bridgeUrl, checkBridgeUrl],
    ['--media-context', flags.mediaContext, checkName],
    ['--audiosocket-address', flags.audiosocketAddress, checkHostPort],
  ];
  for (const [flag, value, fn] of table) {
    if (value !== undefined) check(flag, value, fn, { shown: flag !== '--ari-password' });
  }
}

async function resolveAri(
  o: ResolveOptions,
  set: EnvValues,
  pick: (s: Setting) => Promise<string>,
): Promise<ResolvedAri> {
  const user = await pick({
    flag: '--ari-user',
    flagValue: o.flags.ariUser,
    envVar: 'ASTERISK_ARI_USERNAME',
    fallback: DEFAULTS.ariUser,
    check: checkAriUser,
    message: 'ARI user',
  });
  const { password, source } = await resolvePassword(o, set);
  const bind = await pick({
    flag: '--bind',
    flagValue: o.flags.bind,
    fallback: DEFAULTS.bind,
    check: checkBindAddress,
    message: 'HTTP bind address',
  });
  const port = await pick({
    flag: '--port',
    flagValue: o.flags.port,
    envVar: 'ASTERISK_ARI_PORT',
    fallback: DEFAULTS.port,
    check: checkPort,
    message: 'HTTP port',
  });
  const allowedOrigins = o.flags.allowedOrigins ?? '';
  check('--allowed-origins', allowedOrigins, checkOrigins);
  const crypt = o.flags.crypt === true;
  return {
    user,
    clearPassword: password,
    passwordSource: source,
    passwordFormat: crypt ? 'crypt' : 'plain',
    password: crypt ? sha512Crypt(password, undefined) : password,
    readOnly: o.flags.readOnly === true,
    bind,
    port: Number(port),
    allowedOrigins,
    pretty: o.flags.pretty === true,
  };
}

async function resolvePassword(
  o: ResolveOptions,
  set: EnvValues,
): Promise<{ password: string; source: ResolvedAri['passwordSource'] }> {
  if (o.flags.ariPassword !== undefined) {
    check('--ari-password', o.flags.ariPassword, checkPassword, { shown: false });
    return { password: o.flags.ariPassword, source: 'flag' };
  }
  if (set.ASTERISK_ARI_PASSWORD !== undefined) return { password: set.ASTERISK_ARI_PASSWORD, source: 'flag' }; // checked with --set
  const fromEnv = o.lookup('ASTERISK_ARI_PASSWORD');
  if (fromEnv !== undefined) {
    check('ASTERISK_ARI_PASSWORD', fromEnv, checkPassword, { shown: false });
    return { password: fromEnv, source: 'env' };
  }
  if (o.ask) {
    const answer = await o.ask({
      message: 'ARI password (empty: generate one)',
      flag: '--ari-password',
      envVar: 'ASTERISK_ARI_PASSWORD',
      secret: true,
      validate: (v) => (v === '' ? true : asValidate(checkPassword)(v)),
    });
    if (answer !== '') return { password: answer, source: 'prompt' };
  }
  return { password: generatePassword(o.random), source: 'generated' };
}

async function resolveEnv(o: ResolveOptions, set: EnvValues, s: ScaffoldSettings): Promise<EnvValues> {
  const values: EnvValues = {};
  for (const name of Object.keys(ENV_VARS) as EnvVarName[]) {
    if (PROCESS_ONLY_VARS.includes(name)) continue;
    const v = o.lookup(name);
    if (v !== undefined && v !== '') values[name] = v;
  }
  const flagVars: Array<[string, string | undefined, EnvVarName, Check]> = [
    ['--ari-user', o.flags.ariUser, 'ASTERISK_ARI_USERNAME', checkAriUser],
    ['--ari-password', o.flags.ariPassword, 'ASTERISK_ARI_PASSWORD', checkPassword],
    ['--port', o.flags.port, 'ASTERISK_ARI_PORT', checkPort],
    ['--app-name', o.flags.appName, 'ASTERISK_APP_NAME', checkName],
  ];
  for (const [flag, value, name, fn] of flagVars) {
    if (value === undefined) continue;
    check(flag, value, fn, { shown: name !== 'ASTERISK_ARI_PASSWORD' });
    values[name] = value;
  }
  Object.assign(values, set);
  if (s.ari) {
    values.ASTERISK_ARI_USERNAME = s.ari.user;
    values.ASTERISK_ARI_PASSWORD = s.ari.clearPassword;
    values.ASTERISK_ARI_PORT = String(s.ari.port);
    values.ASTERISK_HOST ??= s.ari.bind === '0.0.0.0' || s.ari.bind === '::' ? '127.0.0.1' : s.ari.bind;
  }
  if (s.dialplan) values.ASTERISK_APP_NAME = s.dialplan.appName;
  if (s.media) values.VOICECTL_MEDIA_TOKEN = s.media.token;
  validateEnvValues(values);
  if (o.ask) {
    for (const name of PROMPTED_ENV_VARS) {
      if (values[name] !== undefined) continue;
      const answer = await o.ask({
        message: `${name} (${ENV_VARS[name].description}; empty: leave a placeholder)`,
        flag: `--set ${name}=…`,
        envVar: name,
        secret: (ENV_VARS[name] as { secret?: boolean }).secret === true,
        validate: (v) => (v === '' ? true : (envValueProblem(name, v) ?? true)),
      });
      if (answer !== '') values[name] = answer;
    }
  }
  return values;
}

function asValidate(fn: Check): (value: string) => string | true {
  return (value) => {
    const reason = fn(value);
    return reason === undefined ? true : `It ${reason}.`;
  };
}
