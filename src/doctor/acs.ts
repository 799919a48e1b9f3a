/**
 * The `acs` group: one authenticated identity round trip that leaves nothing behind,
 * create a user and delete it again (REST api-version 2023-10-01 through
 * @azure/communication-identity, HMAC-SHA256 signed with the connection string's key).
 * A 401 there is the one answer that proves the key wrong.
 */
import { isVoicectlError } from '../core/errors.js';
import { parseConnectionString } from '../identity/connection-string.js';
import { openIdentityService } from '../identity/service.js';
import { fail, pass, type Outcome } from './types.js';

/** Options of {@link checkAcs}. */
export interface AcsCheckOptions {
  /** `AZURE_COMMUNICATION_CONNECTION_STRING` (already shape-checked). */
  connectionString: string;
  /** Time limit of each request, ms. */
  timeoutMs: number;
  /** Certificates to trust instead of Node's defaults (see `caFromEnv`). */
  ca?: string[];
}

/**
 * Create a test user and delete it.
 * @returns pass naming the resource host; fail with the identity error's message and fix
 *   (`VOICECTL_ACS_AUTH_FAILED` for a rejected key, unreachable host, TLS, timeout).
 */
export async function checkAcs(o: AcsCheckOptions): Promise<Outcome> {
  const cs = parseConnectionString(o.connectionString, 'AZURE_COMMUNICATION_CONNECTION_STRING');
  const service = openIdentityService(
    { kind: 'key', endpoint: cs.endpoint, host: cs.host, accessKey: cs.accessKey, source: 'env' },
    { timeoutMs: o.timeoutMs, ...(o.ca ? { tlsCa: o.ca } : {}) },
  );
  let userId: string;
  try {
    userId = (await service.createUser()).userId;
  } catch (err) {
    if (!isVoicectlError(err)) throw err;
    return fail(err.message, err.hint);
  }
  try {
    await service.deleteUser(userId);
  } catch (err) {
    if (!isVoicectlError(err)) throw err;
    return pass(`${cs.host} accepted the access key, but the test user ${userId} was not deleted (${err.message}); delete it with \`voicectl identity delete ${userId}\``);
  }
  return pass(`${cs.host} accepted the access key (created and deleted a test user)`);
}
