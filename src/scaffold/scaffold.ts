/**
 * `voicectl scaffold <env|ari|dialplan|all>`: render the files from resolved settings,
 * refuse to clobber, write, and report what was written. No printing here: the command
 * renders the returned {@link ScaffoldReport}.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ENV_VARS, type EnvVarName } from '../config/env.js';
import { setEnvFileValues } from '../config/env-file.js';
import {
  asteriskCommands,
  renderAriFiles,
  renderDialplanFile,
  renderFreepbxAriFiles,
  type AsteriskCommands,
  type FileContent,
} from './asterisk.js';
import { renderEnvFile } from './env-template.js';
import { renderMediaDialplan, renderWebsocketClientFile } from './asterisk-media.js';
import {
  assertWritable,
  ensureDir,
  ensureGitignore,
  exists,
  modeString,
  writePlannedFile,
  type WrittenFile,
} from './files.js';
import {
  resolveSettings,
  type Ask,
  type ScaffoldFlags,
  type ScaffoldSettings,
  type ScaffoldTarget,
} from './settings.js';
import { readTemplate } from './templates.js';

/** Mode of the scaffolded `.env` (it holds secrets). */
export const ENV_FILE_MODE = 0o600;

/** Inputs of {@link scaffold}. */
export interface ScaffoldOptions {
  target: ScaffoldTarget;
  /** Absolute directory the files go to. */
  dir: string;
  force: boolean;
  /** Write the FreePBX `*_custom.conf` split instead of ari.conf / http.conf. */
  freepbx: boolean;
  settings: ScaffoldSettings;
  /** Values of the `.env` being replaced, to keep the variables voicectl does not read. */
  keptEnv?: Readonly<Record<string, string>>;
  /** Clock for backup names (tests). */
  now?: Date;
}

/** What {@link scaffold} did: the `--json` document. */
export interface ScaffoldReport {
  ok: true;
  target: ScaffoldTarget;
  dir: string;
  /** Every file written or edited, in order. */
  files: WrittenFile[];
  /** Defaults used without asking. */
  defaults: Array<{ setting: string; value: string }>;
  /** For `.env`: which variables got values, which stay placeholders, which were kept from the replaced file. */
  env?: { filled: EnvVarName[]; placeholders: EnvVarName[]; kept: string[] };
  /**
   * The ARI password: where it came from, which `.env` holds it, and, only when it was
   * generated and no `.env` holds it, the clear value (shown once: nobody else knows it).
   */
  ariPassword?: { source: string; format: 'plain' | 'crypt'; envFile?: string; generated?: string };
  /** The bridge's media token in websocket_client.conf: where it came from and where it is kept, as for the ARI password. */
  mediaToken?: { source: string; envFile?: string; generated?: string };
  /** Commands that load and check the Asterisk files written. */
  asterisk?: AsteriskCommands & { context?: string; mediaContext?: string };
}

/**
 * Values of an existing env file, or `{}` when it does not exist.
 * @throws the read error for anything other than a missing file.
 */
export async function readEnvValues(file: string): Promise<Record<string, string>> {
  try {
    return parseEnv(await readFile(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

/**
 * Write the target's files into `dir`.
 * @throws UserError `VOICECTL_FILE_EXISTS` (exit 1, nothing written) when a file exists and `force` is off;
 *   UserError `VOICECTL_SCAFFOLD_WRITE` when a file cannot be written; UsageError `VOICECTL_SCAFFOLD_DIR`.
 */
export async function scaffold(o: ScaffoldOptions): Promise<ScaffoldReport> {
  const now = o.now ?? new Date();
  const s = o.settings;
  const contents: FileContent[] = [];
  const envText = s.env ? renderEnvFile(await readTemplate('env/header.env'), s.env, o.keptEnv) : undefined;
  if (s.env) {
    contents.push({
      name: '.env',
      kind: 'env',
      mode: ENV_FILE_MODE,
      text: envText!.text,
    });
  }
  if (s.ari) contents.push(...(await (o.freepbx ? renderFreepbxAriFiles(s.ari) : renderAriFiles(s.ari))));
  if (s.media) contents.push(await renderWebsocketClientFile(s.media));
  if (s.dialplan || s.media) contents.push(await renderDialplanFile(s.dialplan, o.freepbx, s.media ? await renderMediaDialplan(s.media) : ''));

  await ensureDir(o.dir);
  const planned = contents.map((c) => ({ path: path.join(o.dir, c.name), kind: c.kind, text: c.text, mode: c.mode }));
  await assertWritable(
    planned.map((p) => p.path),
    o.force,
  );

  const files: WrittenFile[] = [];
  for (const p of planned) files.push(await writePlannedFile(p, { force: o.force, now }));
  if (s.env) files.push(await ensureGitignore(o.dir));

  const report: ScaffoldReport = { ok: true, target: o.target, dir: o.dir, files, defaults: s.defaults };
  if (s.env) {
    const names = Object.keys(ENV_VARS) as EnvVarName[];
    const filled = names.filter((n) => s.env?.[n] !== undefined && s.env[n] !== '');
    report.env = { filled, placeholders: names.filter((n) => !filled.includes(n)), kept: envText?.kept ?? [] };
  }
  if (s.ari) report.ariPassword = await recordPassword(o, files);
  if (s.media) report.mediaToken = await recordSecret(o, files, 'VOICECTL_MEDIA_TOKEN', s.media.tokenSource, s.media.token);
  if (s.ari || s.dialplan || s.media) {
    report.asterisk = {
      ...asteriskCommands({ ari: s.ari !== undefined, dialplan: s.dialplan !== undefined, media: s.media !== undefined }, s.dialplan?.context ?? '', s.media?.context),
      ...(s.dialplan ? { context: s.dialplan.context } : {}),
      ...(s.media ? { mediaContext: s.media.context } : {}),
    };
  }
  return report;
}

/**
 * Where the ARI password ends up. A generated one is written into the scaffolded `.env`
 * (target all) or set in an existing `<dir>/.env` (target ari); otherwise it is returned
 * in clear so the caller can show it once.
 */
async function recordPassword(
  o: ScaffoldOptions,
  files: WrittenFile[],
): Promise<NonNullable<ScaffoldReport['ariPassword']>> {
  const ari = o.settings.ari!;
  const kept = await recordSecret(o, files, 'ASTERISK_ARI_PASSWORD', ari.passwordSource, ari.clearPassword);
  return { ...kept, format: ari.passwordFormat };
}

/** Where a secret ends up: the scaffolded `.env`, an existing `<dir>/.env` (generated ones), or shown once. */
async function recordSecret(
  o: ScaffoldOptions,
  files: WrittenFile[],
  name: 'ASTERISK_ARI_PASSWORD' | 'VOICECTL_MEDIA_TOKEN',
  source: string,
  value: string,
): Promise<{ source: string; envFile?: string; generated?: string }> {
  const envFile = path.join(o.dir, '.env');
  if (o.settings.env) return { source, envFile };
  if (source !== 'generated') return { source };
  if (await exists(envFile)) {
    const edit = await setEnvFileValues(envFile, { [name]: value });
    if (!files.some((f) => f.path === edit.path && f.action === 'updated')) files.push({ path: edit.path, kind: 'env', action: 'updated', mode: modeString(ENV_FILE_MODE) });
    return { source, envFile };
  }
  return { source, generated: value };
}

/** Inputs of {@link runScaffold}: the command's parsed arguments plus injected lookups. */
export interface RunScaffoldOptions {
  target: ScaffoldTarget;
  flags: ScaffoldFlags & { dir?: string; force?: boolean; freepbx?: boolean };
  /** Working directory `--dir` is resolved against. */
  cwd: string;
  /** A registered variable from the environment or the loaded env file. */
  lookup: (name: EnvVarName) => string | undefined;
  ask?: Ask;
  now?: Date;
  random?: (n: number) => Buffer;
}

/**
 * Resolve the settings (flags > environment / env file > `<dir>/.env` > prompt > default)
 * and write the files.
 * @throws UsageError (exit 2) for a bad value, before anything is written; see {@link scaffold}.
 */
export async function runScaffold(o: RunScaffoldOptions): Promise<ScaffoldReport> {
  const dir = path.resolve(o.cwd, o.flags.dir ?? '.');
  let dirEnv: Record<string, string> = {};
  try {
    dirEnv = await readEnvValues(path.join(dir, '.env'));
  } catch {
    // an unreadable .env in --dir is not a source; writing over it is refused or backed up later
  }
  const lookup = (name: EnvVarName): string | undefined => {
    const v = o.lookup(name) ?? dirEnv[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const settings = await resolveSettings({ target: o.target, flags: o.flags, lookup, ask: o.ask, random: o.random });
  return scaffold({
    target: o.target,
    dir,
    force: o.flags.force === true,
    freepbx: o.flags.freepbx === true,
    settings,
    keptEnv: o.flags.force === true ? dirEnv : undefined,
    now: o.now,
  });
}
