/**
 * Call targets for `voicectl call`: an ACS user raw id (`8:acs:<resource>_<guid>`) or an E.164
 * phone number (`+14255550123`, which needs an ACS number as `--from`).
 */
import { UsageError } from '../core/errors.js';
import { ACS_USER_ID } from '../identity/validate.js';

/** A parsed target. */
export type CallTarget =
  | { kind: 'acsUser'; communicationUserId: string }
  | { kind: 'phone'; phoneNumber: string; from: string };

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Parse the target and `--from`.
 * @throws UsageError (exit 2): `VOICECTL_BAD_TARGET` for anything else, `VOICECTL_MISSING_FROM`
 *   for a phone target without `--from`, `VOICECTL_BAD_FROM` for a `--from` that is not E.164.
 */
export function parseTarget(target: string, from?: string): CallTarget {
  const t = target.trim();
  if (ACS_USER_ID.test(t)) return { kind: 'acsUser', communicationUserId: t };
  if (E164.test(t)) {
    if (from === undefined || from === '') {
      throw new UsageError(`Calling a phone number (${t}) needs --from <+E.164>, an ACS phone number of this resource.`, {
        code: 'VOICECTL_MISSING_FROM',
        hint: 'Pass --from +1800… (portal: Communication Services > Phone numbers).',
      });
    }
    if (!E164.test(from.trim())) {
      throw new UsageError(`--from must be an E.164 phone number like +18005550199, got "${from}".`, {
        code: 'VOICECTL_BAD_FROM',
        hint: 'Give the ACS number in international format with a leading +.',
      });
    }
    return { kind: 'phone', phoneNumber: t, from: from.trim() };
  }
  throw new UsageError(`"${target}" is not a call target: give an ACS user id (8:acs:…) or a phone number in E.164 (+14255550123).`, {
    code: 'VOICECTL_BAD_TARGET',
    hint: 'Create an ACS user with `voicectl identity create`, or give a phone number with --from.',
  });
}
