/**
 * Asterisk configuration written by `voicectl scaffold ari|dialplan`, built from the
 * packaged fragments in `templates/asterisk/`.
 *
 * Formats (Asterisk 22 `configs/samples/ari.conf.sample`, `http.conf.sample`; FreePBX
 * arimanager's generated `ari.conf`, see docs/scaffold.md):
 * - plain Asterisk: `ari.conf` = `[general]` + settings + one `type = user` section;
 *   `http.conf` = `[general]` with `enabled`, `bindaddr`, `bindport`.
 * - FreePBX regenerates `ari.conf` and `http.conf` and `#include`s `*_custom.conf` files:
 *   `ari_general_custom.conf` and `http_custom.conf` are included inside `[general]`
 *   (keys only, no section header); `ari_additional_custom.conf` holds the user section.
 * - `extensions_custom.conf`: one context, `exten => <pattern>,1,NoOp(…)`, then
 *   `same => n,Answer()`, `same => n,Stasis(<app>[,args])`, `same => n,Hangup()`.
 */
import { renderTemplate } from './templates.js';

/** Settings of the ARI user and HTTP server. */
export interface AriSettings {
  /** ARI user (ari.conf section name). */
  user: string;
  /** What goes on the `password =` line: the clear password, or a `$6$` hash when `passwordFormat` is crypt. */
  password: string;
  passwordFormat: 'plain' | 'crypt';
  readOnly: boolean;
  /** http.conf `bindaddr`, an IP address. */
  bind: string;
  /** http.conf `bindport`, 1-65535. */
  port: number;
  /** ari.conf `allowed_origins`, comma list (may be empty). */
  allowedOrigins: string;
  /** ari.conf `pretty`. */
  pretty: boolean;
}

/** Settings of the Stasis dialplan. */
export interface DialplanSettings {
  /** Dialplan context name. */
  context: string;
  /** Extension or pattern, e.g. `_X.`. */
  exten: string;
  /** Stasis application name (ASTERISK_APP_NAME). */
  appName: string;
  /** Extra `Stasis()` arguments (they become StasisStart `args`), may be empty. */
  appArgs: string;
}

/** One file to write: a name relative to `--dir`, its text and its mode. */
export interface FileContent {
  /** File name, e.g. `ari.conf`. */
  name: string;
  /** What it is, for reports: env, ari, http, dialplan, websocket (websocket_client.conf). */
  kind: 'env' | 'ari' | 'http' | 'dialplan' | 'websocket';
  text: string;
  /** File mode, e.g. 0o640. */
  mode: number;
}

/** Mode of files holding the ARI password: owner read-write, group read (Asterisk's group). */
export const SECRET_CONF_MODE = 0o640;
/** Mode of the other Asterisk files. */
export const CONF_MODE = 0o644;

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

function banner(file: string, freepbx = false): string {
  const where = freepbx
    ? `FreePBX #includes it from the ${file.startsWith('ari') ? 'ari.conf' : file.startsWith('http') ? 'http.conf' : 'extensions.conf'} it generates.`
    : `Copy it to /etc/asterisk/${file} (merge it with what is there).`;
  return `; ${file}: written by \`voicectl scaffold\`.\n; ${where}\n`;
}

async function fragments(s: AriSettings): Promise<{ general: string; user: string; http: string }> {
  const [general, user, http] = await Promise.all([
    renderTemplate('asterisk/ari-general.conf', { pretty: yesNo(s.pretty), allowed_origins: s.allowedOrigins }),
    renderTemplate('asterisk/ari-user.conf', {
      user: s.user,
      read_only: yesNo(s.readOnly),
      password_format: s.passwordFormat,
      password: s.password,
    }),
    renderTemplate('asterisk/http-general.conf', { bind: s.bind, port: String(s.port) }),
  ]);
  return { general, user, http };
}

/** `ari.conf` and `http.conf` for a plain Asterisk. */
export async function renderAriFiles(s: AriSettings): Promise<FileContent[]> {
  const f = await fragments(s);
  return [
    {
      name: 'ari.conf',
      kind: 'ari',
      mode: SECRET_CONF_MODE,
      text: `${banner('ari.conf')}\n[general]\n${f.general}\n${f.user}`,
    },
    { name: 'http.conf', kind: 'http', mode: CONF_MODE, text: `${banner('http.conf')}\n[general]\n${f.http}` },
  ];
}

/** The FreePBX split: `ari_general_custom.conf`, `ari_additional_custom.conf`, `http_custom.conf`. */
export async function renderFreepbxAriFiles(s: AriSettings): Promise<FileContent[]> {
  const f = await fragments(s);
  const inGeneral = '; Included inside [general]: settings only, no section header.\n';
  return [
    {
      name: 'ari_general_custom.conf',
      kind: 'ari',
      mode: CONF_MODE,
      text: `${banner('ari_general_custom.conf', true)}${inGeneral}\n${f.general}`,
    },
    {
      name: 'ari_additional_custom.conf',
      kind: 'ari',
      mode: SECRET_CONF_MODE,
      text: `${banner('ari_additional_custom.conf', true)}\n${f.user}`,
    },
    {
      name: 'http_custom.conf',
      kind: 'http',
      mode: CONF_MODE,
      text: `${banner('http_custom.conf', true)}${inGeneral}\n${f.http}`,
    },
  ];
}

/**
 * `extensions_custom.conf` with the Stasis context (when `s` is given) followed by `extra`
 * (the chan_websocket / AudioSocket context of `scaffold asterisk-media`).
 */
export async function renderDialplanFile(s: DialplanSettings | undefined, freepbx = false, extra = ''): Promise<FileContent> {
  const stasis = s ? (s.appArgs === '' ? s.appName : `${s.appName},${s.appArgs}`) : '';
  const parts = [s ? await renderTemplate('asterisk/dialplan.conf', { context: s.context, exten: s.exten, stasis }) : '', extra];
  const body = parts.filter((p) => p !== '').join('\n');
  return {
    name: 'extensions_custom.conf',
    kind: 'dialplan',
    mode: CONF_MODE,
    text: `${banner('extensions_custom.conf', freepbx)}\n${body}`,
  };
}

/** The Asterisk CLI commands that load and check what was written. */
export interface AsteriskCommands {
  load: string[];
  check: string[];
}

/**
 * The exact commands to load and check the written files (`asterisk -rx "…"`).
 * @param wrote which kinds of file were written.
 */
export function asteriskCommands(wrote: { ari: boolean; dialplan: boolean; media?: boolean }, context: string, mediaContext?: string): AsteriskCommands {
  const rx = (c: string): string => `asterisk -rx "${c}"`;
  const load: string[] = [];
  const checks: string[] = [];
  if (wrote.ari) {
    load.push(rx('module reload res_ari.so'), rx('module reload http'));
    checks.push(rx('ari show users'), rx('http show status'));
  }
  if (wrote.media) {
    load.push(rx('module reload res_websocket_client.so'));
    checks.push(rx('module show like websocket'), rx('module show like audiosocket'));
  }
  if (wrote.dialplan || wrote.media) load.push(rx('dialplan reload'));
  if (wrote.dialplan) checks.push(rx(`dialplan show ${context}`));
  if (wrote.media && mediaContext) checks.push(rx(`dialplan show ${mediaContext}`));
  return { load, check: checks };
}
