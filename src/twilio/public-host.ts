/**
 * The bridge's public origin as Twilio sees it, and the two URLs built on it: the voice webhook
 * `https://<host>/twilio/voice` and the Media Streams URL `wss://<host>/ws/twilio`.
 *
 * Precedence (first that is set wins):
 * 1. `TWILIO_PUBLIC_HOST`: an https origin for Twilio only (when Twilio reaches the bridge by
 *    another name than ACS does);
 * 2. `CALLBACK_URI_HOST`: what `voicectl tunnel up --write-env` writes, shared with ACS;
 * 3. only for the webhook, the request's own `Host` header with `X-Forwarded-Proto` (default
 *    `http`): good enough to check a webhook's signature (the signature itself proves Twilio
 *    dialled that URL), never used to decide which URL a WebSocket upgrade was signed for.
 * Both settings are normalised like `CALLBACK_URI_HOST` everywhere else (src/calls/urls.ts):
 * `https://host`, `host` or `https://host/` all give `host`; http://, a path or a query is refused.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { publicHost } from '../calls/urls.js';

/** Path of the incoming-call webhook. */
export const TWILIO_VOICE_PATH = '/twilio/voice';
/** Path of the Media Streams WebSocket. */
export const TWILIO_STREAM_PATH = '/ws/twilio';

/** Where the public host came from. */
export type PublicHostSource = 'TWILIO_PUBLIC_HOST' | 'CALLBACK_URI_HOST' | 'request';

/** The two settings that can name the public host (unset: undefined or empty). */
export interface PublicHostSettings {
  twilioPublicHost?: string | undefined;
  callbackUriHost?: string | undefined;
}

/** A resolved public origin. */
export interface PublicOrigin {
  /** `https` for configured hosts; `http` or `https` (X-Forwarded-Proto) for the request fallback. */
  scheme: 'http' | 'https';
  /** `name.example.com[:port]`, no scheme, no trailing slash. */
  host: string;
  source: PublicHostSource;
}

/**
 * The configured public host (TWILIO_PUBLIC_HOST, else CALLBACK_URI_HOST), or undefined when
 * neither is set.
 * @throws UsageError `VOICECTL_CALLBACK_HOST` (exit 2) naming the variable that is malformed.
 */
export function configuredPublicHost(s: PublicHostSettings): PublicOrigin | undefined {
  if (s.twilioPublicHost?.trim()) return { scheme: 'https', host: publicHost(s.twilioPublicHost, 'TWILIO_PUBLIC_HOST'), source: 'TWILIO_PUBLIC_HOST' };
  if (s.callbackUriHost?.trim()) return { scheme: 'https', host: publicHost(s.callbackUriHost, 'CALLBACK_URI_HOST'), source: 'CALLBACK_URI_HOST' };
  return undefined;
}

const HOST_HEADER = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin a request was made to, from its `Host` header and the first `X-Forwarded-Proto`
 * value (`https` or `http`, default `http`: the bridge itself serves plain HTTP).
 * @returns undefined when the Host header is missing or not a host[:port].
 */
export function requestOrigin(headers: IncomingHttpHeaders): PublicOrigin | undefined {
  const host = headers.host?.trim();
  if (!host || !HOST_HEADER.test(host)) return undefined;
  const proto = String(headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim().toLowerCase();
  return { scheme: proto === 'https' ? 'https' : 'http', host: host.toLowerCase(), source: 'request' };
}

/**
 * The public origin for a webhook request: the configured host, else the request's own.
 * @throws UsageError for a malformed setting (see {@link configuredPublicHost}).
 */
export function webhookOrigin(s: PublicHostSettings, headers: IncomingHttpHeaders): PublicOrigin | undefined {
  return configuredPublicHost(s) ?? requestOrigin(headers);
}

/** `https://<host>/twilio/voice` (the number's voiceUrl). */
export function voiceWebhookUrl(host: string): string {
  return `https://${host}${TWILIO_VOICE_PATH}`;
}

/** `wss://<host>/ws/twilio` (the `<Stream url>`; Twilio dials wss only). */
export function streamUrl(host: string): string {
  return `wss://${host}${TWILIO_STREAM_PATH}`;
}
