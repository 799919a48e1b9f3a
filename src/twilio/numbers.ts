/**
 * The account's Twilio phone numbers (REST `IncomingPhoneNumbers`), and pointing one at the bridge:
 * `POST /2010-04-01/Accounts/{AC}/IncomingPhoneNumbers/{PN}.json` with `VoiceUrl`,
 * `VoiceMethod=POST` (and `VoiceApplicationSid=` cleared when set: a TwiML App takes precedence
 * over the voice URL), through the `twilio` library.
 */
import { UsageError, type UserError } from '../core/errors.js';
import { twilioError, type TwilioCredentials, type TwilioRest } from './rest.js';

/** One number, as voicectl shows it. */
export interface TwilioNumber {
  /** `PN` + 32 hex. */
  sid: string;
  /** E.164, e.g. `+14155550100`. */
  phoneNumber: string;
  friendlyName: string;
  /** Where Twilio sends incoming calls (empty when unset). */
  voiceUrl: string;
  voiceMethod: string;
  /** A TwiML App handling calls instead of voiceUrl, if any. */
  voiceApplicationSid: string | null;
  /** An Elastic SIP trunk handling calls instead, if any. */
  trunkSid: string | null;
  accountSid: string;
}

/** The REST client and whose account it is. */
export interface NumbersDeps {
  rest: TwilioRest;
  credentials: Pick<TwilioCredentials, 'accountSid' | 'kind'>;
}

interface NumberInstanceLike {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string | null;
  voiceMethod: string | null;
  voiceApplicationSid: string | null;
  trunkSid: string | null;
  accountSid: string;
}

function toNumber(n: NumberInstanceLike): TwilioNumber {
  return {
    sid: n.sid,
    phoneNumber: n.phoneNumber,
    friendlyName: n.friendlyName,
    voiceUrl: n.voiceUrl ?? '',
    voiceMethod: n.voiceMethod ?? 'POST',
    voiceApplicationSid: n.voiceApplicationSid || null,
    trunkSid: n.trunkSid || null,
    accountSid: n.accountSid,
  };
}

/** A number as given on the command line: E.164 or a PN SID. */
export type NumberRef = { kind: 'e164'; value: string } | { kind: 'sid'; value: string };

/**
 * Parse `<+E.164 | PN…>`.
 * @throws UsageError `VOICECTL_TWILIO_NUMBER` (exit 2).
 */
export function parseNumberRef(value: string): NumberRef {
  const v = value.trim().replace(/[\s().-]/g, '');
  if (/^\+[1-9]\d{6,14}$/.test(v)) return { kind: 'e164', value: v };
  if (/^PN[0-9a-fA-F]{32}$/.test(v)) return { kind: 'sid', value: v };
  throw new UsageError(`"${value}" is neither a phone number in E.164 (+14155550100) nor a number SID (PN…).`, {
    code: 'VOICECTL_TWILIO_NUMBER',
    hint: 'Pass the number as +<country code><number>, or its PN… SID from `voicectl twilio number list`.',
  });
}

/**
 * Every number of the account.
 * @throws UserError from {@link twilioError} (401, unreachable, …).
 */
export async function listNumbers(d: NumbersDeps): Promise<TwilioNumber[]> {
  try {
    const list = await d.rest.api.v2010.accounts(d.credentials.accountSid).incomingPhoneNumbers.list({ pageSize: 100, limit: 1000 });
    return list.map((n) => toNumber(n as unknown as NumberInstanceLike));
  } catch (err) {
    throw twilioError(err, `list the numbers of ${d.credentials.accountSid}`, d.credentials);
  }
}

function notYours(ref: NumberRef, accountSid: string): { message: string; hint: string } {
  return {
    message: `${ref.value} is not a number of account ${accountSid}: it does not exist, or another account (or subaccount) owns it.`,
    hint: 'List this account\'s numbers with `voicectl twilio number list`; if the number is in a subaccount, set TWILIO_ACCOUNT_SID to that subaccount.',
  };
}

/**
 * Find one number of the account.
 * @throws UserError `VOICECTL_TWILIO_NOT_FOUND` when the account has no such number (unknown, or
 *   owned by another account: Twilio does not tell them apart), or another REST failure.
 */
export async function findNumber(d: NumbersDeps, ref: NumberRef): Promise<TwilioNumber> {
  const account = d.rest.api.v2010.accounts(d.credentials.accountSid);
  let found: TwilioNumber | undefined;
  try {
    if (ref.kind === 'sid') found = toNumber((await account.incomingPhoneNumbers(ref.value).fetch()) as unknown as NumberInstanceLike);
    else {
      const list = await account.incomingPhoneNumbers.list({ phoneNumber: ref.value, limit: 20 });
      const n = list.find((x) => x.phoneNumber === ref.value);
      found = n ? toNumber(n as unknown as NumberInstanceLike) : undefined;
    }
  } catch (err) {
    throw twilioError(err, `look up ${ref.value}`, d.credentials, notYours(ref, d.credentials.accountSid));
  }
  if (!found || found.accountSid !== d.credentials.accountSid) throw notFoundError(ref, d.credentials.accountSid);
  return found;
}

function notFoundError(ref: NumberRef, accountSid: string): UserError {
  const e = notYours(ref, accountSid);
  return twilioError({ status: 404 }, `look up ${ref.value}`, { accountSid, kind: 'auth-token' }, e);
}

/** The result of {@link configureNumber}. */
export interface ConfigureResult {
  number: TwilioNumber;
  /** The voiceUrl before the change ('' when unset). */
  previousVoiceUrl: string;
  /** True when a TwiML App SID was cleared so that voiceUrl takes effect. */
  clearedVoiceApplication: boolean;
  /** Things that still keep calls away from voiceUrl (an Elastic SIP trunk). */
  warnings: string[];
}

/**
 * Point a number's voice webhook at `voiceUrl` (POST).
 * @param voiceUrl an https:// URL (checked by the caller with {@link checkVoiceUrl}).
 * @throws UserError `VOICECTL_TWILIO_NOT_FOUND` / `VOICECTL_TWILIO_AUTH` / `VOICECTL_TWILIO_REFUSED`.
 */
export async function configureNumber(d: NumbersDeps, ref: NumberRef, voiceUrl: string): Promise<ConfigureResult> {
  const before = await findNumber(d, ref);
  const clear = before.voiceApplicationSid !== null;
  let after: TwilioNumber;
  try {
    const updated = await d.rest.api.v2010
      .accounts(d.credentials.accountSid)
      .incomingPhoneNumbers(before.sid)
      .update({ voiceUrl, voiceMethod: 'POST', ...(clear ? { voiceApplicationSid: '' } : {}) });
    after = toNumber(updated as unknown as NumberInstanceLike);
  } catch (err) {
    throw twilioError(err, `update ${before.phoneNumber}`, d.credentials, notYours(ref, d.credentials.accountSid));
  }
  const warnings = after.trunkSid
    ? [`${after.phoneNumber} is attached to the Elastic SIP trunk ${after.trunkSid}: the trunk, not voiceUrl, receives its calls; remove it from the trunk in the Console.`]
    : [];
  return { number: after, previousVoiceUrl: before.voiceUrl, clearedVoiceApplication: clear, warnings };
}

/**
 * Check a `--url` for the voice webhook: https, no credentials, no fragment.
 * @throws UsageError `VOICECTL_TWILIO_URL` (exit 2).
 */
export function checkVoiceUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw voiceUrlError(`--url is not a URL: ${value}`);
  }
  if (u.protocol !== 'https:') throw voiceUrlError(`--url must be https:// (the bridge checks signatures over the public https URL): ${value}`);
  if (u.username || u.password || u.hash) throw voiceUrlError(`--url must not carry credentials or a #fragment: ${value}`);
  return u.toString();
}

function voiceUrlError(message: string): UsageError {
  return new UsageError(message, { code: 'VOICECTL_TWILIO_URL', hint: 'For example --url https://<name>.trycloudflare.com/twilio/voice (the bridge\'s public host + /twilio/voice).' });
}
