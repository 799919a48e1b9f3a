/**
 * ACS identity operations (data plane, REST api-version 2023-10-01 through
 * @azure/communication-identity 1.3.x): create and delete users, issue and revoke tokens.
 *
 * Each function validates nothing itself (see validate.ts), calls the SDK with a time
 * limit, and turns every failure into a voicectl error with a stable code:
 * - `VOICECTL_ACS_AUTH_FAILED` (401/403): the access key (or Entra ID role) was rejected
 * - `VOICECTL_ACS_USER_NOT_FOUND` (404)
 * - `VOICECTL_ACS_BAD_REQUEST` (400), `VOICECTL_ACS_REQUEST_FAILED` (other answers)
 * - `VOICECTL_ACS_UNREACHABLE`, `VOICECTL_ACS_TLS`, `VOICECTL_ACS_TIMEOUT`, `VOICECTL_AZURE_LOGIN`
 * All are UserError (exit 1). Messages never contain the access key.
 */
import type { CommunicationIdentityClient } from '@azure/communication-identity';
import { UserError, type VoicectlError } from '../core/errors.js';
import type { IdentityAuth } from './auth.js';
import { asSdkError, describeTransportFailure, serviceMessage } from './azure-errors.js';
import { IDENTITY_TIMEOUT_MS, createIdentityClient, type AzureClientSeam } from './sdk.js';
import type { TokenScopeName } from './validate.js';

/** An issued ACS access token. */
export interface IssuedToken {
  /** The JWT the ACS calling/chat SDKs take. */
  token: string;
  /** Expiry, ISO 8601 (UTC). */
  expiresOn: string;
  /** The scopes it carries. */
  scopes: TokenScopeName[];
}

/** The ACS identity operations voicectl uses, bound to one resource. */
export interface IdentityService {
  /** Create a user; returns its id `8:acs:…`. */
  createUser(): Promise<{ userId: string }>;
  /** Create a user and a token in one request. `expiresInMinutes` 60–1440, default 1440 (service side). */
  createUserAndToken(scopes: TokenScopeName[], expiresInMinutes?: number): Promise<{ userId: string } & IssuedToken>;
  /** Issue a token for an existing user. */
  issueToken(userId: string, scopes: TokenScopeName[], expiresInMinutes?: number): Promise<IssuedToken>;
  /** Revoke every token of a user (the user remains). */
  revokeTokens(userId: string): Promise<void>;
  /** Delete a user and revoke its tokens. */
  deleteUser(userId: string): Promise<void>;
}

/** Open the identity service for `auth`; the SDK is loaded here, lazily. */
export function openIdentityService(auth: IdentityAuth, seam: AzureClientSeam = {}): IdentityService {
  const client: CommunicationIdentityClient = createIdentityClient(auth, seam);
  const timeoutMs = seam.timeoutMs ?? IDENTITY_TIMEOUT_MS;
  const call = async <T>(userId: string | undefined, fn: (abortSignal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await fn(AbortSignal.timeout(timeoutMs));
    } catch (err) {
      throw mapIdentityError(err, { auth, timeoutMs, userId });
    }
  };
  const expiry = (m?: number): { tokenExpiresInMinutes?: number } => (m === undefined ? {} : { tokenExpiresInMinutes: m });
  return {
    createUser: () =>
      call(undefined, async (abortSignal) => ({ userId: (await client.createUser({ abortSignal })).communicationUserId })),
    createUserAndToken: (scopes, minutes) =>
      call(undefined, async (abortSignal) => {
        const r = await client.createUserAndToken(scopes, { abortSignal, ...expiry(minutes) });
        return { userId: r.user.communicationUserId, token: r.token, expiresOn: r.expiresOn.toISOString(), scopes };
      }),
    issueToken: (userId, scopes, minutes) =>
      call(userId, async (abortSignal) => {
        const r = await client.getToken({ communicationUserId: userId }, scopes, { abortSignal, ...expiry(minutes) });
        return { token: r.token, expiresOn: r.expiresOn.toISOString(), scopes };
      }),
    revokeTokens: (userId) => call(userId, (abortSignal) => client.revokeTokens({ communicationUserId: userId }, { abortSignal })),
    deleteUser: (userId) => call(userId, (abortSignal) => client.deleteUser({ communicationUserId: userId }, { abortSignal })),
  };
}

/**
 * Translate an SDK failure into a voicectl error (see the module comment for the codes).
 * Exported for tests.
 */
export function mapIdentityError(
  err: unknown,
  o: { auth: Pick<IdentityAuth, 'kind' | 'host'>; timeoutMs: number; userId?: string },
): VoicectlError {
  const transport = describeTransportFailure(err, {
    service: 'ACS',
    host: o.auth.host,
    timeoutMs: o.timeoutMs,
    codePrefix: 'VOICECTL_ACS',
  });
  if (transport) return transport;
  const status = asSdkError(err).statusCode;
  const said = serviceMessage(err);
  if (status === 401 || status === 403) {
    return o.auth.kind === 'key'
      ? new UserError(`ACS at ${o.auth.host} answered ${status}: the access key in the connection string was rejected.`, {
          code: 'VOICECTL_ACS_AUTH_FAILED',
          hint: 'Copy the current connection string from the portal (Communication Services > Keys); regenerating a key invalidates the old one.',
          cause: err,
        })
      : new UserError(`ACS at ${o.auth.host} answered ${status}: your Entra ID sign-in was not accepted (${said}).`, {
          code: 'VOICECTL_ACS_AUTH_FAILED',
          hint: 'Give your identity a role on the Communication Services resource (e.g. Contributor), or use a connection string.',
          cause: err,
        });
  }
  if (status === 404) {
    return new UserError(`ACS user ${o.userId ?? ''} was not found on ${o.auth.host}.`.replace('  ', ' '), {
      code: 'VOICECTL_ACS_USER_NOT_FOUND',
      hint: 'Check the user id and that it belongs to this resource; create one with `voicectl identity create`.',
      cause: err,
    });
  }
  if (status === 400) {
    return new UserError(`ACS at ${o.auth.host} refused the request (400): ${said}`, {
      code: 'VOICECTL_ACS_BAD_REQUEST',
      hint: 'Check the scopes, --expires-in (60–1440) and the user id.',
      cause: err,
    });
  }
  return new UserError(`ACS request to ${o.auth.host} failed${status ? ` (${status})` : ''}: ${said}`, {
    code: 'VOICECTL_ACS_REQUEST_FAILED',
    hint: 'Try again; if it persists, check the ACS resource in the portal (Communication Services > Overview).',
    cause: err,
  });
}
