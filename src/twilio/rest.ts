/**
 * The Twilio REST client voicectl uses (the `twilio` library's own, loaded lazily), the
 * credentials it takes, and Twilio's errors turned into voicectl errors.
 *
 * Credentials, the same names `voicectl token twilio` reads: `TWILIO_ACCOUNT_SID` with either
 * `TWILIO_API_KEY` + `TWILIO_API_SECRET` (preferred when both pairs are set: a key can be revoked
 * alone) or `TWILIO_AUTH_TOKEN`. Twilio authenticates with HTTP Basic `user:password`, the account
 * SID always in the path (`/2010-04-01/Accounts/{AccountSid}/…`).
 *
 * Test seam: `TWILIO_API_BASE_URL` (e.g. `http://127.0.0.1:8099`) sends every request the library
 * would send to `https://*.twilio.com` there instead, through a custom `httpClient` that wraps the
 * library's own RequestClient (the library's documented extension point; `edge`/`region` only pick
 * other `*.twilio.com` hosts). Only for local fakes.
 */
import { createRequire } from 'node:module';
import type RequestClientClass from 'twilio/lib/base/RequestClient.js';
import type TwilioClient from 'twilio/lib/rest/Twilio.js';
import { UsageError, UserError } from '../core/errors.js';
import { redact, registerSecret } from '../core/redact.js';

const requireModule = createRequire(import.meta.url);

/** The Twilio REST client type (twilio 6 `lib/rest/Twilio`). */
export type TwilioRest = TwilioClient;

/** Resolved credentials. */
export interface TwilioCredentials {
  accountSid: string;
  /** Basic-auth user: the account SID or an API key SID (SK…). */
  username: string;
  /** Basic-auth password: the auth token or the API key secret (registered for redaction). */
  password: string;
  kind: 'auth-token' | 'api-key';
}

/** Reads a setting (the config's `get`). */
export type SettingReader = (name: 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_API_KEY' | 'TWILIO_API_SECRET') => string | undefined;

/**
 * Pick the credentials from the settings.
 * @throws UsageError `VOICECTL_TWILIO_CREDENTIALS` (exit 2) naming what to set.
 */
export function twilioCredentials(get: SettingReader): TwilioCredentials {
  const accountSid = get('TWILIO_ACCOUNT_SID')?.trim();
  const [key, secret, token] = [get('TWILIO_API_KEY')?.trim(), get('TWILIO_API_SECRET'), get('TWILIO_AUTH_TOKEN')];
  registerSecret(secret);
  registerSecret(token);
  const fix = 'Set TWILIO_ACCOUNT_SID (AC…) and TWILIO_AUTH_TOKEN, or TWILIO_API_KEY (SK…) and TWILIO_API_SECRET (Twilio Console > Account info / API keys & tokens).';
  if (!accountSid) throw new UsageError('Missing Twilio account SID: set TWILIO_ACCOUNT_SID (environment or .env).', { code: 'VOICECTL_TWILIO_CREDENTIALS', hint: fix });
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new UsageError('TWILIO_ACCOUNT_SID must be "AC" followed by 32 hex characters.', { code: 'VOICECTL_TWILIO_SID', hint: 'Copy the Account SID from the Twilio Console (Account info).' });
  }
  if (key && secret) {
    if (!/^SK[0-9a-fA-F]{32}$/.test(key)) {
      throw new UsageError('TWILIO_API_KEY must be "SK" followed by 32 hex characters.', { code: 'VOICECTL_TWILIO_SID', hint: 'Copy the API key SID from Twilio Console > API keys & tokens.' });
    }
    return { accountSid, username: key, password: secret, kind: 'api-key' };
  }
  if (token) return { accountSid, username: accountSid, password: token, kind: 'auth-token' };
  throw new UsageError('Missing Twilio credentials: TWILIO_AUTH_TOKEN, or TWILIO_API_KEY with TWILIO_API_SECRET.', { code: 'VOICECTL_TWILIO_CREDENTIALS', hint: fix });
}

/** Options of {@link createTwilioRest}. */
export interface TwilioRestOptions {
  /** `TWILIO_API_BASE_URL`: test seam, see the module doc. */
  baseUrl?: string | undefined;
  /** Request timeout, ms (default 15 000). */
  timeoutMs?: number;
}

/**
 * A REST client for these credentials (the library is loaded on first use).
 * @throws UsageError `VOICECTL_TWILIO_BASE_URL` for a base URL that is not http(s)://host[:port].
 */
export function createTwilioRest(c: TwilioCredentials, o: TwilioRestOptions = {}): TwilioRest {
  const origin = o.baseUrl ? baseOrigin(o.baseUrl) : undefined;
  const Twilio = requireModule('twilio/lib/rest/Twilio') as typeof TwilioClient;
  const RequestClient = requireModule('twilio/lib/base/RequestClient') as typeof RequestClientClass;
  const inner = new RequestClient({ timeout: o.timeoutMs ?? 15_000, autoRetry: false });
  // Same interface as RequestClient: only the request's origin changes.
  const httpClient: RequestClientClass = origin
    ? Object.assign(Object.create(inner) as RequestClientClass, {
        request: (opts: Parameters<RequestClientClass['request']>[0]) =>
          inner.request({ ...opts, uri: String(opts.uri).replace(/^https:\/\/[a-z0-9.-]*twilio\.com/i, origin) }),
      })
    : inner;
  // env {}: no ambient TWILIO_* variable changes the credentials the library uses.
  return new Twilio(c.username, c.password, { accountSid: c.accountSid, httpClient, env: {}, autoRetry: false });
}

/** The origin of a TWILIO_API_BASE_URL; throws for anything but http(s)://host[:port][/]. */
function baseOrigin(value: string): string {
  let base: URL;
  try {
    base = new URL(value);
  } catch {
    throw baseUrlError(value);
  }
  if (!/^https?:$/.test(base.protocol) || base.pathname !== '/' || base.search !== '') throw baseUrlError(value);
  return base.origin;
}

function baseUrlError(value: string): UsageError {
  return new UsageError(`TWILIO_API_BASE_URL must be an http(s):// origin without a path: ${value}`, {
    code: 'VOICECTL_TWILIO_BASE_URL',
    hint: 'TWILIO_API_BASE_URL is a test seam for local fakes; unset it to talk to api.twilio.com.',
  });
}

/** A Twilio REST error as the library raises it (RestException) or a transport error. */
interface TwilioErrorLike {
  status?: number;
  code?: number | string;
  message?: string;
  moreInfo?: string;
}

/**
 * Turn a Twilio REST failure into a voicectl error.
 * @param what what was being done, e.g. `list the numbers of AC…`.
 * @param notFound the message for a 404 (Twilio answers 404 both for unknown resources and for
 *   those of another account), when the caller knows better than the generic one.
 * @returns a UserError (exit 1): `VOICECTL_TWILIO_AUTH` (401/403), `VOICECTL_TWILIO_NOT_FOUND`
 *   (404), `VOICECTL_TWILIO_REFUSED` (other 4xx with Twilio's error code and link),
 *   `VOICECTL_TWILIO_UNREACHABLE` (no answer). Never carries a credential.
 */
export function twilioError(err: unknown, what: string, c: Pick<TwilioCredentials, 'accountSid' | 'kind'>, notFound?: { message: string; hint: string }): UserError {
  const e = (err ?? {}) as TwilioErrorLike & { code?: unknown };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const msg = redact(String(e.message ?? err).split('\n')[0]!.slice(0, 200));
  const code = typeof e.code === 'number' ? ` (Twilio error ${e.code})` : '';
  if (status === 401 || status === 403) {
    const creds = c.kind === 'api-key' ? 'TWILIO_API_KEY / TWILIO_API_SECRET (the key must belong to TWILIO_ACCOUNT_SID)' : 'TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN';
    return new UserError(`Twilio refused the credentials (${status}${code}) while trying to ${what}.`, {
      code: 'VOICECTL_TWILIO_AUTH',
      hint: `Check ${creds}; an auth token changes when it is rotated in the Console.`,
      cause: err,
    });
  }
  if (status === 404) {
    return new UserError(notFound?.message ?? `Twilio answered 404${code} while trying to ${what}: ${msg}`, {
      code: 'VOICECTL_TWILIO_NOT_FOUND',
      hint: notFound?.hint ?? `Check the SID; Twilio answers 404 for resources of another account too (this one is ${c.accountSid}).`,
      cause: err,
    });
  }
  if (status !== undefined) {
    return new UserError(`Twilio refused to ${what} (${status}${code}): ${msg}`, {
      code: 'VOICECTL_TWILIO_REFUSED',
      hint: typeof e.moreInfo === 'string' ? `See ${e.moreInfo}.` : 'See the Twilio Console > Monitor > Errors.',
      cause: err,
    });
  }
  const net = typeof e.code === 'string' ? e.code : '';
  return new UserError(`Could not reach the Twilio API to ${what}${net ? ` (${net})` : ''}: ${msg}`, {
    code: 'VOICECTL_TWILIO_UNREACHABLE',
    hint: 'Check the network (and HTTPS_PROXY / HTTP_PROXY) toward api.twilio.com.',
    cause: err,
  });
}

/**
 * Credentials and a client from the settings (`config.get`), honouring `TWILIO_API_BASE_URL`.
 * @throws UsageError as {@link twilioCredentials} and {@link createTwilioRest}.
 */
export function twilioRestFromSettings(get: (name: SettingName) => string | undefined, o: Omit<TwilioRestOptions, 'baseUrl'> = {}): { rest: TwilioRest; credentials: TwilioCredentials } {
  const credentials = twilioCredentials(get);
  const baseUrl = get('TWILIO_API_BASE_URL');
  return { rest: createTwilioRest(credentials, { ...o, ...(baseUrl ? { baseUrl } : {}) }), credentials };
}

/** The settings {@link twilioRestFromSettings} reads. */
export type SettingName = Parameters<SettingReader>[0] | 'TWILIO_API_BASE_URL';
