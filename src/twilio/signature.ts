/**
 * Proof that a request comes from Twilio, in three parts.
 *
 * 1. Webhooks: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, full URL + each POST
 *    parameter sorted by name as name + value)). Checked with the `twilio` library's own
 *    `validateRequest` (twilio 6 `lib/webhooks/webhooks.js`; only that module is loaded), over
 *    the public URL Twilio called, never a URL a proxy rewrote.
 *
 * 2. The Media Streams WebSocket upgrade. What the sources say:
 *    - Twilio, "Media Streams Configuration"
 *      (twilio.com/docs/global-infrastructure/firewall-configurations/media-streams-configuration):
 *      the upgrade carries `X-Twilio-Signature` and the application must validate it (pointing at
 *      "Webhooks security", the same algorithm).
 *    - The `twilio` Node library (6.2.0) has no WebSocket-specific helper: `validateRequest` is the
 *      tool, with the URL and no parameters (a GET has none). Its port variants treat every
 *      scheme but `https://` as port 80, so for `wss://` only the port-less form is meaningful.
 *    - twilio-labs/twilio-aspnet#162: the signature is computed over the `wss://` URL Twilio
 *      dialled; the `https://` form of the same URL does not validate.
 *    - openai/openai-agents-js examples/realtime-twilio/server.ts (@09bd3565): builds the stream
 *      URL from a configured public origin, refuses an upgrade whose target has a `?`, and
 *      accepts the signature for `wss://<origin>/<path>` or the same with a trailing `/`.
 *    So the URL is `wss://<configured public host>/ws/twilio` (or with a trailing `/`), built
 *    from configuration, never from the `Host` header (which an attacker controls), and a
 *    request target with a query string is refused (a `<Stream>` URL never has one).
 *
 * 3. A per-call stream token: a signed upgrade proves Twilio opened *a* stream to this URL, not
 *    which call it is for, and the same upgrade signature is valid for every call. The webhook
 *    therefore puts `v1.<expiry s>.<base64url(HMAC-SHA256(secret, "v1|<CallSid>|<expiry s>"))>`
 *    in a `<Parameter>`; the media leg accepts the stream only when `start.customParameters`
 *    carries a valid, unexpired token for the `start.callSid` it announces.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as WebhooksModule from 'twilio/lib/webhooks/webhooks.js';
import { registerSecret } from '../core/redact.js';
import { TWILIO_STREAM_PATH, streamUrl } from './public-host.js';

const requireModule = createRequire(import.meta.url);
let webhooks: typeof WebhooksModule | undefined;
const lib = (): typeof WebhooksModule => (webhooks ??= requireModule('twilio/lib/webhooks/webhooks') as typeof WebhooksModule);

/** The request header that carries Twilio's signature (lower case, as Node exposes it). */
export const SIGNATURE_HEADER = 'x-twilio-signature';
/** The `<Parameter>` name that carries the per-call stream token. */
export const STREAM_TOKEN_PARAMETER = 'voicectlStreamToken';
/** Default lifetime of a stream token, ms (the stream opens about a second after the webhook). */
export const DEFAULT_STREAM_TOKEN_TTL_MS = 60_000;

/**
 * Check a webhook's `X-Twilio-Signature` with the twilio library's `validateRequest`.
 * @param authToken the account's auth token (TWILIO_AUTH_TOKEN).
 * @param signature the header value; missing or empty never validates.
 * @param url the full public URL Twilio requested, with its query string.
 * @param params the POST parameters (form fields; repeated names as arrays).
 * @returns true when the signature matches.
 */
export function checkWebhookSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, string | string[]>,
): boolean {
  if (!signature || !authToken) return false;
  try {
    return lib().validateRequest(authToken, signature, url, params);
  } catch {
    return false; // a URL the library cannot parse is not one Twilio signed
  }
}

/** The outcome of {@link checkStreamUpgrade}. */
export type StreamUpgradeDecision = { ok: true; url: string } | { ok: false; status: 403; reason: string };

/** Inputs of {@link checkStreamUpgrade}. */
export interface StreamUpgradeInput {
  authToken: string;
  /** The upgrade's `X-Twilio-Signature` header. */
  signature: string | undefined;
  /** The request target as received (`req.url`), e.g. `/ws/twilio`. */
  requestTarget: string | undefined;
  /**
   * Public hosts the stream URL may have been built from (`name.example.com[:port]`): the
   * configured one, plus any learnt from a webhook whose signature validated. Never the upgrade's
   * own Host header.
   */
  hosts: readonly string[];
}

/**
 * Check a Media Streams WebSocket upgrade (see the module doc for the rule and its sources).
 * @returns ok with the URL that validated, or a 403 decision with the reason (for logs; never
 *   contains the signature or the token).
 */
export function checkStreamUpgrade(i: StreamUpgradeInput): StreamUpgradeDecision {
  const target = i.requestTarget ?? '';
  if (target.includes('?')) return { ok: false, status: 403, reason: 'a Media Streams URL has no query string' };
  if (target !== TWILIO_STREAM_PATH && target !== `${TWILIO_STREAM_PATH}/`) return { ok: false, status: 403, reason: `unexpected path ${target.slice(0, 80)}` };
  if (!i.signature) return { ok: false, status: 403, reason: 'no X-Twilio-Signature' };
  if (i.hosts.length === 0) return { ok: false, status: 403, reason: 'no public host configured (set TWILIO_PUBLIC_HOST or CALLBACK_URI_HOST)' };
  for (const url of streamUpgradeUrls(i.hosts)) {
    if (checkWebhookSignature(i.authToken, i.signature, url, {})) return { ok: true, url };
  }
  return { ok: false, status: 403, reason: 'X-Twilio-Signature does not match the public wss:// URL' };
}

/** The URLs an upgrade signature is checked against: `wss://<host>/ws/twilio` and the same with `/`. */
export function streamUpgradeUrls(hosts: readonly string[]): string[] {
  return [...new Set(hosts)].flatMap((h) => [streamUrl(h), `${streamUrl(h)}/`]);
}

/**
 * The stream-token secret, derived from the auth token so that every bridge replica (and the
 * webhook and the media leg) agree without more configuration:
 * HMAC-SHA256(auth token, "voicectl/twilio-stream/v1"). Registered for redaction.
 */
export function deriveStreamSecret(authToken: string): Buffer {
  const key = createHmac('sha256', authToken).update('voicectl/twilio-stream/v1').digest();
  registerSecret(key.toString('hex'));
  return key;
}

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

function mac(secret: string | Buffer, callSid: string, expiry: number): string {
  return createHmac('sha256', secret).update(`v1|${callSid}|${expiry}`).digest('base64url');
}

/**
 * Issue the per-call stream token.
 * @param callSid the call's SID (`CA` + 32 hex) from the signed webhook.
 * @param secret the bridge's secret (see {@link deriveStreamSecret}).
 * @param nowMs the current time, ms since the epoch.
 * @param ttlMs lifetime, ms (default 60 000); rounded up to whole seconds.
 * @returns `v1.<expiry, s since the epoch>.<43 base64url chars>`.
 */
export function issueStreamToken(callSid: string, secret: string | Buffer, nowMs: number, ttlMs = DEFAULT_STREAM_TOKEN_TTL_MS): string {
  const expiry = Math.ceil((nowMs + ttlMs) / 1000);
  return `v1.${expiry}.${mac(secret, callSid, expiry)}`;
}

/** The outcome of {@link verifyStreamToken}. */
export type StreamTokenCheck = { ok: true; expiresAtMs: number } | { ok: false; reason: string };

/**
 * Check the token in a stream's `start.customParameters` against the `start.callSid`.
 * Constant-time comparison of the MAC.
 * @param params `start.customParameters` as received (any shape; non-objects fail).
 * @param callSid `start.callSid`.
 * @returns ok, or the reason it failed (missing, malformed, expired, wrong call).
 */
export function verifyStreamToken(params: unknown, callSid: unknown, secret: string | Buffer, nowMs: number): StreamTokenCheck {
  if (typeof callSid !== 'string' || !CALL_SID.test(callSid)) return { ok: false, reason: 'start.callSid is not a call SID' };
  const token = params && typeof params === 'object' ? (params as Record<string, unknown>)[STREAM_TOKEN_PARAMETER] : undefined;
  if (typeof token !== 'string' || token === '') return { ok: false, reason: `no ${STREAM_TOKEN_PARAMETER} in start.customParameters` };
  const m = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed stream token' };
  const expiry = Number(m[1]);
  const expected = Buffer.from(mac(secret, callSid, expiry));
  const given = Buffer.from(m[2]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'stream token not valid for this call' };
  if (expiry * 1000 < nowMs) return { ok: false, reason: 'stream token expired' };
  return { ok: true, expiresAtMs: expiry * 1000 };
}
