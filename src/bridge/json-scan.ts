/**
 * Byte-level scanning of compact JSON for the bridge's fast paths (fast-path.ts and the Twilio
 * leg's): literals compared in place, plain strings and integers skipped or read, base64
 * payloads cut out and checked. Every helper accepts only what it is sure `JSON.parse` reads
 * the same way and reports anything else (-1 or undefined), so a reader built on them can fall
 * back to the full parser.
 */
import { base64BytesLength, isBase64Bytes } from './base64.js';

/** Byte values of the JSON punctuation the readers look for (ASCII). */
export const QUOTE = 34;
export const COMMA = 44;
export const COLON = 58;
const BACKSLASH = 92;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;

/** True when `buf` holds the bytes of `lit` at `i`. */
export function bytesAt(buf: Buffer, i: number, lit: Uint8Array): boolean {
  if (i + lit.length > buf.length) return false;
  for (let k = 0; k < lit.length; k++) if (buf[i + k] !== lit[k]) return false;
  return true;
}

/**
 * Index just past the closing quote of the string literal whose opening quote is at `i`, or
 * -1 when it is unterminated or holds an escape (`\`), a raw control character (which
 * `JSON.parse` rejects) or a byte outside ASCII. Without those, the bytes between the quotes
 * ARE the value. For short strings (ids, keys): payloads go through {@link base64End}.
 */
export function plainStringEnd(buf: Buffer, i: number): number {
  for (let j = i + 1; j < buf.length; j++) {
    const c = buf[j]!;
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH || c < 0x20 || c >= 0x80) return -1;
  }
  return -1;
}

/**
 * Index of the colon after the object key whose opening quote is at `i` (a plain string, see
 * {@link plainStringEnd}), or -1. The key's bytes are [i + 1, colon - 1).
 */
export function keyEnd(buf: Buffer, i: number): number {
  if (buf[i] !== QUOTE) return -1;
  const end = plainStringEnd(buf, i);
  return end >= 0 && buf[end] === COLON ? end : -1;
}

/**
 * Index just past a plain decimal integer at `i` (`0` or `[1-9][0-9]*`, at most 15 digits, so
 * always a safe integer), or -1 (a sign, fraction, exponent or leading zero: not handled).
 */
export function integerEnd(buf: Buffer, i: number): number {
  const first = buf[i];
  if (first === 48) return i + 1; // "0"; a following digit makes the caller's separator check fail
  if (first === undefined || first < 49 || first > 57) return -1;
  let j = i + 1;
  while (j < buf.length) {
    const c = buf[j]!;
    if (c < 48 || c > 57) break;
    j++;
  }
  return j - i > 15 ? -1 : j;
}

/** The value of the digits [from, to) that {@link integerEnd} accepted. */
export function integerValue(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) n = n * 10 + (buf[k]! - 48);
  return n;
}

/**
 * Index of the closing quote of the base64 payload whose opening quote is at `i`, when it is
 * what the bridge forwards (non-empty, standard base64 as {@link isBase64Bytes} checks it, and
 * an even byte count when `pcm16`), else -1. The first quote after `i` ends it (memchr); the
 * check then refuses any backslash, control character or non-ASCII byte before it, so the raw
 * bytes between the quotes are the value.
 */
export function base64End(buf: Buffer, i: number, pcm16: boolean): number {
  const close = buf.indexOf(QUOTE, i + 1);
  if (close <= i + 1 || !isBase64Bytes(buf, i + 1, close)) return -1;
  return !pcm16 || base64BytesLength(buf, i + 1, close) % 2 === 0 ? close : -1;
}

/** The bytes of an ASCII literal, to compare with {@link bytesAt}. */
export const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
