/**
 * The public URLs voicectl hands to ACS, built from `CALLBACK_URI_HOST` (an https origin such as a
 * quick tunnel URL) and the bridge's media path.
 */
import { UsageError } from '../core/errors.js';

/** Where the bridge listens for Event Grid deliveries. */
export const INCOMING_CALL_PATH = '/api/incomingCall';
/** Prefix of the per-call Call Automation callback URLs. */
export const CALLBACKS_PREFIX = '/api/callbacks/';
/** Prefix of the per-call state URLs `voicectl call` follows. */
export const CALLS_PREFIX = '/api/calls/';

/**
 * Normalise `CALLBACK_URI_HOST` / `--bridge-url` to a bare host (`name.example.com[:port]`).
 * Accepts `https://host`, `host`, or `https://host/` (a path other than `/` is refused).
 * @throws UsageError `VOICECTL_CALLBACK_HOST` (exit 2) for http://, a path, or garbage.
 */
export function publicHost(value: string, what = 'CALLBACK_URI_HOST'): string {
  const raw = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw hostError(what, `${what} is not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:') throw hostError(what, `${what} must be an https:// origin (ACS only calls https and wss): ${raw}`);
  if (url.pathname !== '/' || url.search !== '' || url.username !== '') {
    throw hostError(what, `${what} must be an origin without a path or query: ${raw}`);
  }
  return url.host;
}

function hostError(what: string, message: string): UsageError {
  return new UsageError(message, {
    code: 'VOICECTL_CALLBACK_HOST',
    hint: `Set ${what} to the public https origin of the bridge, e.g. https://<name>.trycloudflare.com (see \`voicectl tunnel\`).`,
  });
}

/** `https://<host>/api/callbacks/<callbackId>/<token>`. */
export function callbackUrl(host: string, callbackId: string, token: string): string {
  return `https://${host}${CALLBACKS_PREFIX}${encodeURIComponent(callbackId)}/${token}`;
}

/**
 * `wss://<host><mediaPath>` plus `?token=<mediaToken>` when the bridge requires one.
 * @param mediaPath the bridge's media path, default `/ws/media`.
 */
export function mediaTransportUrl(host: string, mediaPath = '/ws/media', mediaToken?: string): string {
  const base = `wss://${host}${mediaPath.startsWith('/') ? mediaPath : `/${mediaPath}`}`;
  return mediaToken ? `${base}?token=${encodeURIComponent(mediaToken)}` : base;
}

/** The Event Grid subscription endpoint: `https://<host>/api/incomingCall?code=<code>`. */
export function eventGridUrl(host: string, code: string): string {
  return `https://${host}${INCOMING_CALL_PATH}?code=${encodeURIComponent(code)}`;
}
