/**
 * Settings of `voicectl bridge --ari`, from the same `ASTERISK_*` variables `voicectl ari check`
 * uses: ASTERISK_HOST / ASTERISK_ARI_PORT (the Asterisk HTTP server), ASTERISK_ARI_USERNAME,
 * ASTERISK_ARI_PASSWORD (environment or env file only: never a flag), ASTERISK_APP_NAME
 * (default `voicectl`, the app the scaffolded dialplan sends calls to).
 */
import type { Config } from '../config/load.js';
import { missingValueError } from '../config/load.js';
import { registerSecret } from '../core/redact.js';
import type { AriMediaMode } from './stasis-call.js';
import { parseAriUrl, urlFromHostPort, type AriUrl } from './url.js';

/** Default TCP port of the AudioSocket listener `--ari-media audiosocket` starts when `--audiosocket-listen` is not given. */
export const DEFAULT_AUDIOSOCKET_PORT = 9092;

/** Resolved ARI settings of the bridge. */
export interface StasisSettings {
  url: AriUrl;
  user: string;
  password: string;
  app: string;
  media: AriMediaMode;
}

/**
 * Resolve the ARI settings.
 * @throws UsageError `VOICECTL_MISSING_VALUE` (exit 2) without ASTERISK_ARI_USERNAME or
 *   ASTERISK_ARI_PASSWORD; `VOICECTL_ARI_BAD_URL` for a bad ASTERISK_HOST.
 */
export function resolveStasisSettings(config: Pick<Config, 'get'>, media: AriMediaMode): StasisSettings {
  const url = parseAriUrl(urlFromHostPort(config.get('ASTERISK_HOST'), config.get('ASTERISK_ARI_PORT')));
  const user = config.get('ASTERISK_ARI_USERNAME');
  if (!user) throw missingValueError(undefined, 'ASTERISK_ARI_USERNAME', 'ARI user for --ari');
  const password = config.get('ASTERISK_ARI_PASSWORD');
  if (!password) throw missingValueError(undefined, 'ASTERISK_ARI_PASSWORD', 'ARI password for --ari');
  registerSecret(password);
  return { url, user, password, app: config.get('ASTERISK_APP_NAME') || 'voicectl', media };
}

/**
 * The AudioSocket address Asterisk dials: the listener's, with a wildcard address replaced by
 * loopback (a wildcard listener is reachable there; Asterisk elsewhere needs a real address).
 */
export function audioSocketTarget(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `${h.includes(':') ? `[${h}]` : h}:${port}`;
}
