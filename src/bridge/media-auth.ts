/**
 * How media upgrades prove they may open a call: the bridge's media token, compared in
 * constant time, presented as `?token=` / `Authorization: Bearer` (ACS transport URL) or as
 * the HTTP Basic password (Asterisk `websocket_client.conf`).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Constant-time comparison of a presented secret with the expected one. */
export function secretMatches(presented: string | null | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when the upgrade carries the media token as `?token=` or as `Authorization: Bearer` (either may match). */
export function hasMediaToken(req: IncomingMessage, url: URL, token: string): boolean {
  if (secretMatches(url.searchParams.get('token'), token)) return true;
  const auth = req.headers.authorization;
  return typeof auth === 'string' && /^Bearer /i.test(auth) && secretMatches(auth.slice(7).trim(), token);
}

/** The password of an `Authorization: Basic` header, or undefined. */
export function basicPassword(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !/^Basic /i.test(auth)) return undefined;
  const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : decoded.slice(i + 1);
}
