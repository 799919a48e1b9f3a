/**
 * Twilio Voice access tokens, minted offline with the Twilio helper library's own
 * AccessToken class (twilio 6 `lib/jwt/AccessToken`; only that module is loaded, lazily,
 * not the whole REST client).
 *
 * The result is an HS256 JWT signed with the API key secret: header
 * `{"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"}`, payload `{jti:"<SK…>-<iat>",
 * grants:{identity, voice:{incoming:{allow:true}?, outgoing:{application_sid}}}, iat, exp,
 * iss:<API key SID>, sub:<account SID>}` (twilio.com/docs/iam/access-tokens).
 */
import { createRequire } from 'node:module';
import type AccessTokenClass from 'twilio/lib/jwt/AccessToken.js';
import { UsageError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';

const requireModule = createRequire(import.meta.url);

/** Default token lifetime in seconds (1 h, the helper library's default). */
export const DEFAULT_TTL_SECONDS = 3600;
/** Longest lifetime Twilio accepts, in seconds (24 h; errors 20157 / 20104 beyond). */
export const MAX_TTL_SECONDS = 86_400;

/** Inputs of {@link createVoiceToken}. */
export interface VoiceTokenOptions {
  /** Account SID `AC` + 32 hex. */
  accountSid: string;
  /** API key SID `SK` + 32 hex. */
  apiKey: string;
  /** API key secret (a secret: registered for redaction). */
  apiSecret: string;
  /** The client identity the token is for (e.g. `alice`). */
  identity: string;
  /** TwiML App SID `AP` + 32 hex used for outgoing calls. */
  appSid: string;
  /** Lifetime in seconds, 1 to 86400 (default 3600). */
  ttlSeconds?: number;
  /** Allow incoming calls to this identity (default true). */
  incoming?: boolean;
}

/** A minted token. */
export interface VoiceToken {
  token: string;
  identity: string;
  /** Expiry, ISO 8601 (UTC). */
  expiresAt: string;
  ttlSeconds: number;
  incoming: boolean;
  appSid: string;
}

const SID = (prefix: string): RegExp => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);

/**
 * Check the inputs and mint the token.
 * @throws UsageError (exit 2): `VOICECTL_TWILIO_SID` for a malformed SID, `VOICECTL_TWILIO_TTL`
 *   for a lifetime outside 1–86400 s, `VOICECTL_USAGE` for an empty identity or secret.
 */
export function createVoiceToken(o: VoiceTokenOptions): VoiceToken {
  registerSecret(o.apiSecret);
  checkSid(o.accountSid, 'AC', 'TWILIO_ACCOUNT_SID', 'the account SID (Console > Account info)');
  checkSid(o.apiKey, 'SK', 'TWILIO_API_KEY', 'an API key SID (Console > API keys & tokens)');
  checkSid(o.appSid, 'AP', '--app-sid', 'a TwiML App SID (Console > Voice > TwiML Apps)');
  if (o.apiSecret.trim() === '') {
    throw new UsageError('TWILIO_API_SECRET is empty.', {
      code: 'VOICECTL_USAGE',
      hint: 'Set TWILIO_API_SECRET to the secret shown once when the API key was created.',
    });
  }
  if (o.identity.trim() === '') {
    throw new UsageError('--identity cannot be empty.', { code: 'VOICECTL_USAGE', hint: 'Pass --identity <name>, e.g. --identity alice.' });
  }
  const ttl = o.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, got ${ttl}.`, {
      code: 'VOICECTL_TWILIO_TTL',
      hint: 'Twilio rejects access tokens valid for more than 24 hours (errors 20157 / 20104).',
    });
  }
  const incoming = o.incoming !== false;
  const AccessToken = requireModule('twilio/lib/jwt/AccessToken') as typeof AccessTokenClass;
  const at = new AccessToken(o.accountSid, o.apiKey, o.apiSecret, { identity: o.identity, ttl });
  at.addGrant(new AccessToken.VoiceGrant({ outgoingApplicationSid: o.appSid, incomingAllow: incoming }));
  // The helper reads the clock itself; the reported expiry follows its iat.
  const token = at.toJwt();
  const iat = readIat(token) ?? Math.floor(Date.now() / 1000);
  return { token, identity: o.identity, expiresAt: new Date((iat + ttl) * 1000).toISOString(), ttlSeconds: ttl, incoming, appSid: o.appSid };
}

/**
 * Parse `--ttl <seconds>` (a whole number).
 * @throws UsageError `VOICECTL_TWILIO_TTL` (exit 2).
 */
export function parseTtl(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, got "${value}".`, {
      code: 'VOICECTL_TWILIO_TTL',
      hint: 'For example --ttl 3600 (one hour, the default).',
    });
  }
  return Number(value.trim());
}

function checkSid(value: string, prefix: string, where: string, what: string): void {
  if (!SID(prefix).test(value.trim())) {
    throw new UsageError(`${where} must be ${what}: "${prefix}" followed by 32 hex characters.`, {
      code: 'VOICECTL_TWILIO_SID',
      hint: `Copy ${what.replace(/^an? /, 'the ')} from the Twilio Console.`,
    });
  }
}

function readIat(jwt: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iat?: unknown };
    return typeof payload.iat === 'number' ? payload.iat : undefined;
  } catch {
    return undefined;
  }
}
