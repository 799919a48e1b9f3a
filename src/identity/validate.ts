/**
 * Input rules for ACS identities and tokens, checked before any request is sent.
 *
 * - Scopes: the SDK's `TokenScope` union in @azure/communication-identity 1.3.1.
 * - Expiry: 60 to 1440 minutes, the service's range (the SDK does not check it).
 * - User ids: `8:acs:<resourceId>_<uuid>` as returned by `identity create`.
 */
import { UsageError } from '../core/errors.js';

/** Every token scope ACS accepts. */
export const TOKEN_SCOPES = ['chat', 'voip', 'chat.join', 'chat.join.limited', 'voip.join'] as const;

/** One ACS token scope. */
export type TokenScopeName = (typeof TOKEN_SCOPES)[number];

/** Shortest token lifetime the service accepts, in minutes. */
export const MIN_EXPIRES_IN_MINUTES = 60;
/** Longest (and default) token lifetime, in minutes (24 h). */
export const MAX_EXPIRES_IN_MINUTES = 1440;

/**
 * Validate scopes (repeated flags or comma-separated), removing duplicates, order kept.
 * @throws UsageError `VOICECTL_TOKEN_SCOPE` (exit 2) for an empty list or an unknown scope.
 */
export function parseScopes(values: readonly string[]): TokenScopeName[] {
  const out: TokenScopeName[] = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const scope = raw.trim();
    if (scope === '') continue;
    if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) {
      throw new UsageError(`Unknown token scope "${scope}".`, {
        code: 'VOICECTL_TOKEN_SCOPE',
        hint: `Use one or more of: ${TOKEN_SCOPES.join(', ')} (e.g. --scope voip).`,
      });
    }
    if (!out.includes(scope as TokenScopeName)) out.push(scope as TokenScopeName);
  }
  if (out.length === 0) {
    throw new UsageError('At least one token scope is required.', {
      code: 'VOICECTL_TOKEN_SCOPE',
      hint: `Pass --scope with one or more of: ${TOKEN_SCOPES.join(', ')}.`,
    });
  }
  return out;
}

/**
 * Parse `--expires-in <minutes>`: a whole number from 60 to 1440.
 * @returns minutes, or `undefined` when not given (the service default, 1440).
 * @throws UsageError `VOICECTL_TOKEN_EXPIRY` (exit 2).
 */
export function parseExpiresIn(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < MIN_EXPIRES_IN_MINUTES || n > MAX_EXPIRES_IN_MINUTES) {
    throw new UsageError(
      `--expires-in must be a whole number of minutes from ${MIN_EXPIRES_IN_MINUTES} to ${MAX_EXPIRES_IN_MINUTES}, got "${value}".`,
      {
        code: 'VOICECTL_TOKEN_EXPIRY',
        hint: 'ACS issues tokens valid for 1 to 24 hours; omit --expires-in for 24 hours.',
      },
    );
  }
  return n;
}

/** An ACS user raw id, `8:acs:<resource id>_<guid>` (also the call targets of `voicectl call`). */
export const ACS_USER_ID = /^8:acs:[A-Za-z0-9-]+_[A-Za-z0-9-]+$/;

/**
 * Check an ACS user id (`8:acs:<resourceId>_<uuid>`).
 * @throws UsageError `VOICECTL_ACS_USER_ID` (exit 2).
 */
export function parseUserId(value: string): string {
  const id = value.trim();
  if (!ACS_USER_ID.test(id)) {
    throw new UsageError(`"${value}" is not an ACS user id.`, {
      code: 'VOICECTL_ACS_USER_ID',
      hint: 'ACS user ids look like 8:acs:<resource id>_<guid>; create one with `voicectl identity create`.',
    });
  }
  return id;
}
