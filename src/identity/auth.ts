/**
 * How `identity` and `token` authenticate to ACS: an access key from a connection
 * string (`--connection-string`, else AZURE_COMMUNICATION_CONNECTION_STRING from the
 * environment or the env file), or Entra ID for `--endpoint` (DefaultAzureCredential).
 */
import type { Config } from '../config/load.js';
import { UsageError } from '../core/errors.js';
import { parseConnectionString, parseEndpoint } from './connection-string.js';

/** Resolved ACS authentication. */
export type IdentityAuth =
  | { kind: 'key'; endpoint: string; host: string; accessKey: string; source: string }
  | { kind: 'entra'; endpoint: string; host: string; source: string };

/** The flags that choose the authentication. */
export interface IdentityAuthFlags {
  connectionString?: string;
  endpoint?: string;
}

/**
 * Pick the authentication: `--connection-string` > `--endpoint` (Entra ID) >
 * AZURE_COMMUNICATION_CONNECTION_STRING (environment, then env file).
 * @throws UsageError (exit 2): both flags given (`VOICECTL_USAGE`), nothing configured
 *   (`VOICECTL_MISSING_VALUE`), or a malformed value (`VOICECTL_ACS_CONNECTION_STRING`,
 *   `VOICECTL_ACS_ENDPOINT`).
 */
export function resolveIdentityAuth(flags: IdentityAuthFlags, config: Pick<Config, 'lookup'>): IdentityAuth {
  if (flags.connectionString && flags.endpoint) {
    throw new UsageError('--connection-string and --endpoint cannot be used together.', {
      code: 'VOICECTL_USAGE',
      hint: 'Use --connection-string for an access key, or --endpoint for Entra ID (az login).',
    });
  }
  if (flags.connectionString) {
    return { kind: 'key', ...fromConnectionString(flags.connectionString, '--connection-string'), source: 'flag' };
  }
  if (flags.endpoint) {
    const url = parseEndpoint(flags.endpoint, '--endpoint');
    return { kind: 'entra', endpoint: url.href, host: url.host, source: 'flag' };
  }
  const found = config.lookup('AZURE_COMMUNICATION_CONNECTION_STRING');
  if (found) {
    const where = found.source === 'env' ? 'AZURE_COMMUNICATION_CONNECTION_STRING' : 'AZURE_COMMUNICATION_CONNECTION_STRING (env file)';
    return { kind: 'key', ...fromConnectionString(found.value, where), source: found.source };
  }
  throw new UsageError('Missing ACS credentials: no connection string and no --endpoint.', {
    code: 'VOICECTL_MISSING_VALUE',
    hint: 'Set AZURE_COMMUNICATION_CONNECTION_STRING (environment or .env), pass --connection-string, or pass --endpoint https://<resource>.communication.azure.com to sign in with Entra ID.',
  });
}

function fromConnectionString(value: string, where: string): { endpoint: string; host: string; accessKey: string } {
  const parsed = parseConnectionString(value, where);
  return { endpoint: parsed.endpoint, host: parsed.host, accessKey: parsed.accessKey };
}
