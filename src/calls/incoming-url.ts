/**
 * The bridge's Event Grid IncomingCall endpoint, `https://<CALLBACK_URI_HOST>/api/incomingCall?code=<secret>`,
 * derived in one place: the running bridge prints and answers this URL, and `voicectl acs route-calls`
 * (and `tunnel up --route-calls`, and the doctor) subscribe Event Grid to it, so the two cannot differ.
 */
import { deriveSecrets, parseConnectionString } from './secrets.js';
import { eventGridUrl, publicHost } from './urls.js';

/** The settings the URL depends on (the bridge reads the same three). */
export interface IncomingCallUrlSettings {
  /** `AZURE_COMMUNICATION_CONNECTION_STRING` (its access key derives the default secret). */
  connectionString: string;
  /** `CALLBACK_URI_HOST`, or a new tunnel's public origin. */
  callbackHost: string;
  /** `VOICECTL_WEBHOOK_SECRET`, when set (else the secret is derived from the access key). */
  webhookSecret?: string;
}

/** The endpoint and its parts. */
export interface IncomingCallEndpoint {
  /** The full URL, secret included: give it to Event Grid, never print it. */
  url: string;
  /** The bare public host (`name.example.com[:port]`). */
  host: string;
  /** The `?code=` secret (registered with the redaction helper). */
  code: string;
}

/**
 * Derive the IncomingCall endpoint.
 * @throws UsageError `VOICECTL_ACS_CONNECTION_STRING` / `VOICECTL_CALLBACK_HOST` (exit 2) for a bad setting.
 */
export function incomingCallEndpoint(s: IncomingCallUrlSettings): IncomingCallEndpoint {
  const conn = parseConnectionString(s.connectionString);
  const host = publicHost(s.callbackHost);
  const code = deriveSecrets(conn.accessKey, s.webhookSecret).webhookCode;
  return { url: eventGridUrl(host, code), host, code };
}
