/**
 * `voicectl scaffold asterisk-media`: the Asterisk side of the bridge's chan_websocket and
 * AudioSocket legs, with no Stasis app.
 *
 * - `websocket_client.conf` (res_websocket_client, Asterisk 20.16+/21.11+/22.6+): one
 *   `[voicectl]` connection, `type = websocket_client`, `uri` the bridge's Asterisk path,
 *   `protocols = media`, and `username` / `password` sent as HTTP Basic: the bridge checks the
 *   password against its media token (VOICECTL_MEDIA_TOKEN). `wss://` adds `tls_enabled = yes`.
 *   FreePBX does not generate this file, so it keeps its name there too.
 * - dialplan (`extensions_custom.conf`, included by FreePBX as well): a context whose `_X.`
 *   sets `__VOICECTL_CALLER` (inherited, so the JSON `MEDIA_START` carries it) and runs
 *   `Dial(WebSocket/voicectl/c(slin16)f(json))`, and an `audiosocket` extension that answers
 *   and runs `AudioSocket(${UUID()},host:port)` (8 kHz slin, Asterisk 18+).
 * Source: the Asterisk 22.10.1 tree (`res/res_websocket_client.c`, `channels/chan_websocket.c`,
 * `apps/app_audiosocket.c`) as summarised in the project's Asterisk media reference.
 */
import type { EnvVarName } from '../config/env.js';
import type { FileContent } from './asterisk.js';
import { generatePassword } from './secrets.js';
import { renderTemplate } from './templates.js';
import { check, checkName, checkPassword, type Check } from './validate.js';

/** The websocket_client.conf section, and the user name the bridge ignores (only the password is checked). */
export const MEDIA_CONNECTION = 'voicectl';

/** Defaults of the media target. */
export const MEDIA_DEFAULTS = {
  bridgeUrl: 'ws://127.0.0.1:8000/ws/asterisk',
  context: 'voicectl-media',
  exten: '_X.',
  audioSocket: '127.0.0.1:9092',
} as const;

/** The media target's flags. */
export interface MediaFlags {
  bridgeUrl?: string;
  mediaContext?: string;
  exten?: string;
  audiosocketAddress?: string;
}

/** Resolved settings of the media target. */
export interface MediaSettings {
  bridgeUrl: string;
  context: string;
  exten: string;
  /** `host:port` the AudioSocket() app dials. */
  audioSocket: string;
  /** The bridge's media token: the websocket_client.conf password. */
  token: string;
  tokenSource: 'flag' | 'env' | 'generated';
}

/** `ws://` or `wss://` with a host, no credentials and no fragment (a path and query are kept). */
export const checkBridgeUrl: Check = (value) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8000/ws/asterisk';
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return 'must start with ws:// or wss://';
  if (url.hostname === '') return 'must name a host';
  if (url.username || url.password) return 'must not contain credentials (the media token goes in as the password)';
  if (url.hash || /[\s;]/.test(value)) return 'must not contain a fragment, spaces or ";"';
  return undefined;
};

/** `host:port` (IPv4, a host name, or `[IPv6]`) with a port 1-65535. */
export const checkHostPort: Check = (value) => {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return 'must be host:port, e.g. 127.0.0.1:9092';
  return undefined;
};

/**
 * Resolve and validate the media settings: flags, then VOICECTL_MEDIA_TOKEN (`--set`, the
 * environment, the env file or `<dir>/.env`), else a generated 24-character token.
 * @throws UsageError `VOICECTL_SCAFFOLD_INVALID` naming the flag or variable of a bad value.
 */
export function resolveMediaSettings(
  flags: MediaFlags,
  token: { value: string; source: 'flag' | 'env' } | undefined,
  defaults: Array<{ setting: string; value: string }>,
  random?: (n: number) => Buffer,
): MediaSettings {
  const pick = (flag: string, value: string | undefined, fallback: string, fn: Check): string => {
    if (value !== undefined) {
      check(flag, value, fn);
      return value;
    }
    defaults.push({ setting: flag, value: fallback });
    return fallback;
  };
  if (token) check(token.source === 'flag' ? '--set VOICECTL_MEDIA_TOKEN' : 'VOICECTL_MEDIA_TOKEN', token.value, checkPassword, { shown: false });
  return {
    bridgeUrl: pick('--bridge-url', flags.bridgeUrl, MEDIA_DEFAULTS.bridgeUrl, checkBridgeUrl),
    context: pick('--media-context', flags.mediaContext, MEDIA_DEFAULTS.context, checkName),
    exten: flags.exten ?? MEDIA_DEFAULTS.exten, // --exten is checked with the other flags
    audioSocket: pick('--audiosocket-address', flags.audiosocketAddress, MEDIA_DEFAULTS.audioSocket, checkHostPort),
    token: token?.value ?? generatePassword(random),
    tokenSource: token?.source ?? 'generated',
  };
}

/** The variable that holds the token. */
export const MEDIA_TOKEN_VAR: EnvVarName = 'VOICECTL_MEDIA_TOKEN';

/** `websocket_client.conf` (mode 0640: it holds the token). */
export async function renderWebsocketClientFile(s: MediaSettings): Promise<FileContent> {
  const body = await renderTemplate('asterisk/websocket-client.conf', {
    name: MEDIA_CONNECTION,
    uri: s.bridgeUrl,
    user: MEDIA_CONNECTION,
    password: s.token,
    tls: s.bridgeUrl.startsWith('wss:') ? 'tls_enabled = yes\nverify_server_cert = yes' : '',
  });
  const text = `; websocket_client.conf: written by \`voicectl scaffold\`.\n; Copy it to /etc/asterisk/websocket_client.conf (merge it with what is there).\n\n${body.replace(/\n+$/, '\n')}`;
  return { name: 'websocket_client.conf', kind: 'websocket', mode: 0o640, text };
}

/** The media contexts, appended to the dialplan file. */
export function renderMediaDialplan(s: MediaSettings): Promise<string> {
  return renderTemplate('asterisk/media-dialplan.conf', {
    name: MEDIA_CONNECTION,
    context: s.context,
    exten: s.exten,
    audiosocket: s.audioSocket,
    audiosocket_port: s.audioSocket.slice(s.audioSocket.lastIndexOf(':') + 1),
  });
}
