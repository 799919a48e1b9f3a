/**
 * The secrets that authenticate ACS's requests to the bridge, derived so that the bridge and
 * `voicectl call` (two processes) agree without sharing state:
 *
 * - a signing key: `HMAC-SHA256(base64decode(accesskey), "voicectl/calls/v1")`, from the ACS
 *   connection string both processes already hold;
 * - the Event Grid `?code=` secret: `VOICECTL_WEBHOOK_SECRET` when set, else derived from the
 *   signing key (stable across restarts, so the Event Grid subscription URL keeps working);
 * - a per-call token: `base64url(HMAC(key, "call:" + callbackId))`, put in the callback path
 *   `/api/callbacks/<callbackId>/<token>` and used to read `/api/calls/<callbackId>/<token>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { registerSecret } from '../core/redact.js';
import { parseConnectionString as parseAcsConnectionString } from '../identity/connection-string.js';

/** A parsed ACS connection string. */
export interface AcsConnection {
  /** `https://<resource>.communication.azure.com` (no trailing slash). */
  endpoint: string;
  /** The base64 access key (registered with the redaction helper). */
  accessKey: string;
  /**
   * `endpoint=<endpoint>/;accesskey=<key>` in the order the Call Automation SDK's parser
   * (`/endpoint=(.*);accesskey=(.*)/i`) needs: give this, not the user's text, to the SDK.
   */
  connectionString: string;
}

/**
 * Parse AZURE_COMMUNICATION_CONNECTION_STRING with the same rules as `identity` and `token`
 * (src/identity/connection-string.ts): `endpoint=https://<res>.communication.azure.com/;accesskey=<base64>`.
 * @throws UsageError `VOICECTL_ACS_CONNECTION_STRING` / `VOICECTL_ACS_ENDPOINT` (exit 2) naming the fix, never echoing the key.
 */
export function parseConnectionString(value: string): AcsConnection {
  const cs = parseAcsConnectionString(value, 'AZURE_COMMUNICATION_CONNECTION_STRING');
  return { endpoint: cs.endpoint.replace(/\/+$/, ''), accessKey: cs.accessKey, connectionString: `endpoint=${cs.endpoint};accesskey=${cs.accessKey}` };
}

/** The bridge's request-authentication secrets (see the module doc). */
export interface CallSecrets {
  /** The Event Grid `?code=` value. */
  webhookCode: string;
  /** The per-call token for `callbackId`. */
  callToken(callbackId: string): string;
  /** Constant-time check of a presented `?code=`. */
  checkWebhookCode(presented: string | null | undefined): boolean;
  /** Constant-time check of a presented per-call token. */
  checkCallToken(callbackId: string, presented: string | null | undefined): boolean;
}

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

/** Equal strings, compared in constant time (length leaks only). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Derive the secrets from the access key (and an optional explicit webhook secret).
 * The webhook code is registered with the redaction helper.
 */
export function deriveSecrets(accessKey: string, webhookSecret?: string): CallSecrets {
  const key = createHmac('sha256', Buffer.from(accessKey, 'base64')).update('voicectl/calls/v1').digest();
  const webhookCode = webhookSecret && webhookSecret !== '' ? webhookSecret : b64url(createHmac('sha256', key).update('eventgrid').digest()).slice(0, 32);
  registerSecret(webhookCode);
  // Per-call tokens are not registered with the redaction helper: one per call would grow its list
  // (and the cost of every redaction) for as long as the bridge runs. They are never logged.
  const callToken = (callbackId: string): string => b64url(createHmac('sha256', key).update(`call:${callbackId}`).digest()).slice(0, 32);
  return {
    webhookCode,
    callToken,
    checkWebhookCode: (p) => typeof p === 'string' && safeEqual(p, webhookCode),
    checkCallToken: (id, p) => typeof p === 'string' && safeEqual(p, callToken(id)),
  };
}
