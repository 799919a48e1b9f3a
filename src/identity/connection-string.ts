/**
 * ACS connection strings, parsed by voicectl before the SDK sees them.
 *
 * Format (portal: Communication Services > Keys):
 * `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64>`.
 * The SDK parses it with `/endpoint=(.*);accesskey=(.*)/i` (@azure/communication-common
 * 2.x `credential/connectionString.js`) and, when that fails, throws an error that repeats
 * the whole string, access key included. voicectl validates first so that never happens,
 * and registers the key with the redaction helper.
 */
import { UsageError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';

/** A parsed ACS connection string. */
export interface AcsConnectionString {
  /** `https://<host>[:port]/`, origin only, always with a trailing slash. */
  endpoint: string;
  /** The host (with port when not 443), for messages. */
  host: string;
  /** The base64 access key (a secret: registered for redaction). */
  accessKey: string;
}

/**
 * Parse and validate a connection string. The access key is registered as a secret
 * before anything else happens; error messages never include the string or the key.
 * @param where where the value came from, for the message (e.g. `--connection-string`).
 * @throws UsageError `VOICECTL_ACS_CONNECTION_STRING` (exit 2) when it is malformed.
 */
export function parseConnectionString(value: string, where = 'the connection string'): AcsConnectionString {
  const parts = new Map<string, string>();
  for (const piece of value.trim().split(';')) {
    if (piece.trim() === '') continue;
    const eq = piece.indexOf('=');
    if (eq <= 0) throw malformed(where, 'expected name=value pairs separated by ";"');
    parts.set(piece.slice(0, eq).trim().toLowerCase(), piece.slice(eq + 1).trim());
  }
  const accessKey = parts.get('accesskey');
  registerSecret(accessKey);
  const endpointText = parts.get('endpoint');
  if (!endpointText) throw malformed(where, 'the endpoint=https://<resource>.communication.azure.com/ part is missing');
  if (!accessKey) throw malformed(where, 'the accesskey=<key> part is missing');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(accessKey) || accessKey.length % 4 !== 0) {
    throw malformed(where, 'the access key is not base64 (copy it again from the portal: Keys)');
  }
  const endpoint = parseEndpoint(endpointText, where);
  return { endpoint: endpoint.href, host: endpoint.host, accessKey };
}

/**
 * Validate an ACS endpoint (`https://<resource>.communication.azure.com`): https, no path,
 * no query. Returns the URL with a trailing slash.
 * @throws UsageError `VOICECTL_ACS_ENDPOINT` (exit 2).
 */
export function parseEndpoint(value: string, where = '--endpoint'): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw endpointError(where, 'it is not a URL');
  }
  if (url.protocol !== 'https:') throw endpointError(where, 'it must start with https://');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw endpointError(where, 'it must be the resource origin only, without a path or query');
  }
  return url;
}

function malformed(where: string, why: string): UsageError {
  return new UsageError(`The ACS connection string in ${where} is malformed: ${why}.`, {
    code: 'VOICECTL_ACS_CONNECTION_STRING',
    hint: 'Copy it from the portal (Communication Services > Keys > Connection string); it looks like endpoint=https://<resource>.communication.azure.com/;accesskey=<key>.',
  });
}

function endpointError(where: string, why: string): UsageError {
  return new UsageError(`The ACS endpoint in ${where} is invalid: ${why}.`, {
    code: 'VOICECTL_ACS_ENDPOINT',
    hint: 'Use https://<resource>.communication.azure.com (portal: Communication Services > Overview > Endpoint).',
  });
}
