/**
 * Reading Twilio Media Streams messages (JSON text; source: Twilio "Media Streams — WebSocket
 * Messages"). `media` messages are 50 a second per call:
 * `{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"<base64 μ-law>"},"streamSid":"MZ…"}`.
 * {@link fastTwilioMedia} reads that shape from the received bytes without `JSON.parse`;
 * {@link parseTwilioMessage} is the full parser every other message (and any media message the
 * fast reader is unsure of) goes through. Tests pin the two to the same verdict.
 */
import { isBase64 } from '../base64.js';
import { CLOSE_BRACE, COMMA, OPEN_BRACE, QUOTE, ascii, base64End, bytesAt, integerEnd, keyEnd, plainStringEnd } from '../json-scan.js';
import type { Base64Bytes } from '../payload.js';

type Json = Record<string, unknown>;

/** What the leg does with one inbound message. */
export type TwilioInbound =
  /** Caller audio: base64 μ-law, 8 kHz (valid base64; may be empty). */
  | { kind: 'audio'; payload: string }
  /** A media message of another track: not the caller's side. */
  | { kind: 'ignored' }
  | { kind: 'malformed'; reason: string }
  /** Any other event (`start`, `mark`, `dtmf`, `stop`, `connected`, unknown): the parsed object. */
  | { kind: 'event'; message: Json };

/**
 * Parse one inbound message in full.
 * @param text the WebSocket text message as received (decoded as UTF-8).
 * @returns its verdict; never throws (not JSON, or not an object: malformed).
 */
export function parseTwilioMessage(text: string): TwilioInbound {
  let m: Json;
  try {
    const doc: unknown = JSON.parse(text);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { kind: 'malformed', reason: 'not a JSON object' };
    m = doc as Json;
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (m.event !== 'media') return { kind: 'event', message: m };
  const media = (m.media ?? {}) as Json;
  const payload = typeof media.payload === 'string' ? media.payload : undefined;
  if (payload === undefined || !isBase64(payload)) return { kind: 'malformed', reason: 'media without base64 payload' };
  if (media.track !== undefined && media.track !== 'inbound') return { kind: 'ignored' };
  return { kind: 'audio', payload };
}

const EVENT = ascii('event');
const MEDIA = ascii('media');
const PAYLOAD = ascii('payload');
const TRACK = ascii('track');
const MEDIA_VALUE = ascii('"media"');
const INBOUND_VALUE = ascii('"inbound"');

/** Index past a plain string or integer value at `i` (a value the reader skips), or -1. */
function skipValue(buf: Buffer, i: number): number {
  return buf[i] === QUOTE ? plainStringEnd(buf, i) : integerEnd(buf, i);
}

/** True when the key whose opening quote is at `at` and whose colon is at `colon` is `lit`. */
const keyIs = (buf: Buffer, at: number, colon: number, lit: Buffer): boolean => colon - at - 2 === lit.length && bytesAt(buf, at + 1, lit);

/**
 * Read a `media` message of the caller's track without parsing it.
 *
 * Accepted: one compact object (no whitespace), keys in any order: `event` = `"media"`,
 * `media` = a flat object whose `payload` is non-empty base64 and whose `track`, when present,
 * is `"inbound"`; every other key, at either level, with a string (no escapes, ASCII) or plain
 * integer value, skipped. `event`, `media`, `payload` and `track` each appear once.
 * @param buf one WebSocket text message from Twilio, as received (UTF-8 bytes).
 * @returns where the payload lies (as Latin-1, the payload {@link parseTwilioMessage} returns
 *   for kind `audio`); undefined for anything else (then use the full parser). Never throws.
 */
export function fastTwilioMedia(buf: Buffer): Base64Bytes | undefined {
  if (buf[0] !== OPEN_BRACE) return undefined;
  let event = false;
  let start = -1;
  let end = -1;
  let track = false;
  let media = false;
  let i = 1;
  for (;;) {
    const colon = keyEnd(buf, i);
    if (colon < 0) return undefined;
    const v = colon + 1;
    if (keyIs(buf, i, colon, EVENT)) {
      if (event || !bytesAt(buf, v, MEDIA_VALUE)) return undefined;
      event = true;
      i = v + MEDIA_VALUE.length;
    } else if (keyIs(buf, i, colon, MEDIA)) {
      if (media || buf[v] !== OPEN_BRACE) return undefined;
      media = true;
      // the media object: flat, keys in any order
      i = v + 1;
      for (;;) {
        const innerColon = keyEnd(buf, i);
        if (innerColon < 0) return undefined;
        const w = innerColon + 1;
        if (keyIs(buf, i, innerColon, PAYLOAD)) {
          if (start >= 0 || buf[w] !== QUOTE) return undefined;
          end = base64End(buf, w, false);
          if (end < 0) return undefined;
          start = w + 1;
          i = end + 1;
        } else if (keyIs(buf, i, innerColon, TRACK)) {
          if (track || !bytesAt(buf, w, INBOUND_VALUE)) return undefined;
          track = true;
          i = w + INBOUND_VALUE.length;
        } else {
          i = skipValue(buf, w);
          if (i < 0) return undefined;
        }
        if (buf[i] === COMMA) i += 1;
        else if (buf[i] === CLOSE_BRACE) break;
        else return undefined;
      }
      i += 1;
    } else {
      i = skipValue(buf, v);
      if (i < 0) return undefined;
    }
    if (buf[i] === COMMA) i += 1;
    else if (buf[i] === CLOSE_BRACE && i + 1 === buf.length) break;
    else return undefined;
  }
  return event && start >= 0 ? { msg: buf, start, end } : undefined;
}
