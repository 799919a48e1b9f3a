/**
 * A zero-parse fast path for the two messages that make up nearly all of the bridge's
 * traffic (50 a second each way per call): the caller's ACS `AudioData` frame and the
 * model's audio delta. Each reader scans the message's bytes as `ws` received them, finds
 * the base64 payload and the few fields the bridge needs, and makes strings of those alone:
 * no decoding of the whole message to a string, no `JSON.parse`.
 *
 * The contract, pinned by the equivalence tests: whenever a reader returns a value, the full
 * parser (`parseAcsFrame`, or `normalizeServerEvent(JSON.parse(text))`, on the message decoded
 * as UTF-8) gives the same payload and fields. Anything the scanner is not sure of (escapes,
 * whitespace, bytes outside ASCII, reordered or unknown ACS fields, duplicate keys, numbers
 * other than plain integers, trailing bytes, a BOM, a payload that is not base64 PCM16)
 * returns `undefined`, and the caller hands the text to the full parser, which keeps counting
 * malformed input as before. Within ASCII, UTF-8 and Latin-1 agree, so the strings made here
 * as Latin-1 (a plain copy) are the ones the full parser would make.
 *
 * Sources of the shapes:
 * - ACS: `{"kind":"AudioData","audioData":{"timestamp","participantRawID","data","silent"}}`,
 *   compact camelCase in that key order (Microsoft Learn audio streaming quickstarts; see
 *   acs-frames.ts). PascalCase (.NET emitters) is left to the full parser.
 * - Realtime: flat `{"type","event_id","response_id","item_id","output_index","content_index","delta"}`
 *   for `response.output_audio.delta` (GA) and `response.audio.delta` (preview); the key
 *   order differs between emitters, so keys are scanned in any order.
 */
import { base64ByteLength, isBase64 } from './acs-frames.js';
import type { RealtimeAudioDelta } from './realtime-protocol.js';

/** The payload of an ACS `AudioData` frame, as `parseAcsFrame` would return it. */
export interface FastAcsAudio {
  /** base64 PCM16 LE mono at the negotiated sample rate: non-empty, valid base64, even byte count. */
  data: string;
  /** ACS's `silent` flag (false when absent). */
  silent: boolean;
}

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** True when `buf` holds the bytes of `lit` at `i`. */
function bytesAt(buf: Buffer, i: number, lit: Uint8Array): boolean {
  if (i + lit.length > buf.length) return false;
  for (let k = 0; k < lit.length; k++) if (buf[i + k] !== lit[k]) return false;
  return true;
}

/**
 * Index just past the closing quote of the string literal whose opening quote is at `i`, or
 * -1 when it is unterminated or holds an escape (`\`), a raw control character (which
 * `JSON.parse` rejects) or a byte outside ASCII. Without those, the bytes between the quotes
 * ARE the value. For short strings (ids, keys): the payloads go through {@link base64At}.
 */
function plainStringEnd(buf: Buffer, i: number): number {
  for (let j = i + 1; j < buf.length; j++) {
    const c = buf[j]!;
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH || c < 0x20 || c >= 0x80) return -1;
  }
  return -1;
}

/**
 * Index just past a plain decimal integer at `i` (`0` or `[1-9][0-9]*`, at most 15 digits, so
 * always a safe integer), or -1 (a sign, fraction, exponent or leading zero: not handled).
 */
function integerEnd(buf: Buffer, i: number): number {
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
function integerValue(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) n = n * 10 + (buf[k]! - 48);
  return n;
}

/**
 * The base64 payload whose opening quote is at `i`, when it is what the bridge forwards
 * (non-empty, `isBase64`, even byte count), else undefined. The first quote after `i` ends it
 * (memchr); `isBase64` then refuses any backslash, control character or non-ASCII byte
 * before it (a byte ≥ 0x80 makes a Latin-1 string whose UTF-8 length differs), so the raw
 * bytes are the value.
 */
function base64At(buf: Buffer, i: number): string | undefined {
  const close = buf.indexOf(QUOTE, i + 1);
  if (close <= i + 1) return undefined;
  const b64 = buf.toString('latin1', i + 1, close);
  return isBase64(b64) && base64ByteLength(b64) % 2 === 0 ? b64 : undefined;
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const ACS_PREFIX = ascii('{"kind":"AudioData","audioData":{');
const TIMESTAMP_KEY = ascii('"timestamp":');
const PARTICIPANT_KEY = ascii('"participantRawID":');
const DATA_KEY = ascii('"data":"');
const SILENT_KEY = ascii(',"silent":');
const NULL = ascii('null');
const TRUE = ascii('true');
const FALSE = ascii('false');

/** Index past an optional leading `"<key>":<string|null>,` of the ACS body, or -1. */
function optionalAcsField(buf: Buffer, i: number, key: Buffer): number {
  if (!bytesAt(buf, i, key)) return i;
  let j = i + key.length;
  if (buf[j] === QUOTE) j = plainStringEnd(buf, j);
  else if (bytesAt(buf, j, NULL)) j += 4;
  else return -1;
  return j > 0 && buf[j] === COMMA ? j + 1 : -1;
}

/**
 * Read an ACS `AudioData` frame without parsing it.
 *
 * Accepted exactly: `{"kind":"AudioData","audioData":{` then, in this order,
 * `"timestamp":<string|null>,` (optional), `"participantRawID":<string|null>,` (optional),
 * `"data":"<base64>"`, `,"silent":true|false` (optional), then `}}` ending the message.
 * Strings may not contain escapes or non-ASCII bytes; no whitespace anywhere.
 * @param buf one WebSocket text message from ACS, as received (UTF-8 bytes).
 * @returns the payload and silent flag, equal to what `parseAcsFrame(buf.toString())` returns
 *   for kind `audio`; undefined for anything else (then use `parseAcsFrame`). Never throws.
 */
export function fastAcsAudio(buf: Buffer): FastAcsAudio | undefined {
  if (!bytesAt(buf, 0, ACS_PREFIX)) return undefined;
  let i = optionalAcsField(buf, ACS_PREFIX.length, TIMESTAMP_KEY);
  if (i >= 0) i = optionalAcsField(buf, i, PARTICIPANT_KEY);
  if (i < 0 || !bytesAt(buf, i, DATA_KEY)) return undefined;
  const data = base64At(buf, i + 7);
  if (data === undefined) return undefined;
  i += 7 + data.length + 2;
  let silent = false;
  if (bytesAt(buf, i, SILENT_KEY)) {
    i += SILENT_KEY.length;
    if (bytesAt(buf, i, TRUE)) {
      silent = true;
      i += 4;
    } else if (bytesAt(buf, i, FALSE)) i += 5;
    else return undefined;
  }
  return i + 2 === buf.length && buf[i] === CLOSE_BRACE && buf[i + 1] === CLOSE_BRACE ? { data, silent } : undefined;
}

const GA_DELTA = ascii('response.output_audio.delta');
const PREVIEW_DELTA = ascii('response.audio.delta');
// The keys the delta reader acts on (any other key's value is skipped), told apart by length.
const KEY_OTHER = 0;
const KEY_TYPE = 1;
const KEY_DELTA = 2;
const KEY_RESPONSE_ID = 3;
const KEY_ITEM_ID = 4;
const KEY_OUTPUT_INDEX = 5;
const KEY_CONTENT_INDEX = 6;
const TYPE = ascii('type');
const DELTA = ascii('delta');
const RESPONSE_ID = ascii('response_id');
const ITEM_ID = ascii('item_id');
const OUTPUT_INDEX = ascii('output_index');
const CONTENT_INDEX = ascii('content_index');

/** Which key the bytes [from, to) name: its length picks the one candidate, compared once. */
function keyAt(buf: Buffer, from: number, to: number): number {
  const is = (lit: Buffer, key: number): number => (bytesAt(buf, from, lit) ? key : KEY_OTHER);
  switch (to - from) {
    case 4: return is(TYPE, KEY_TYPE);
    case 5: return is(DELTA, KEY_DELTA);
    case 7: return is(ITEM_ID, KEY_ITEM_ID);
    case 11: return is(RESPONSE_ID, KEY_RESPONSE_ID);
    case 12: return is(OUTPUT_INDEX, KEY_OUTPUT_INDEX);
    case 13: return is(CONTENT_INDEX, KEY_CONTENT_INDEX);
    default: return KEY_OTHER;
  }
}

/**
 * Read a Realtime audio delta event without parsing it.
 *
 * Accepted: one flat object, no whitespace, keys in any order, each value a string without
 * escapes or non-ASCII bytes, or a plain non-negative integer; `type` is
 * `response.output_audio.delta` (GA) or `response.audio.delta` (preview); `delta` is
 * non-empty base64 with an even byte count (what the bridge forwards to the caller);
 * `response_id` / `item_id` are strings and `output_index` / `content_index` integers when
 * present; none of these six keys repeats. Other keys (such as `event_id`) are skipped: the
 * full normaliser ignores them too.
 * @param buf one WebSocket text message from the Realtime service, as received (UTF-8 bytes).
 * @returns the delta and its ids, equal to the fields of
 *   `normalizeServerEvent(JSON.parse(buf.toString()))` (type `audio`); undefined for anything
 *   else (then use the full parser). Never throws.
 */
export function fastModelAudioDelta(buf: Buffer): RealtimeAudioDelta | undefined {
  if (buf[0] !== OPEN_BRACE) return undefined;
  let typed = false;
  let delta: string | undefined;
  let responseId: string | undefined;
  let itemId: string | undefined;
  let outputIndex: number | undefined;
  let contentIndex: number | undefined;
  let i = 1;
  for (;;) {
    if (buf[i] !== QUOTE) return undefined;
    const keyEnd = plainStringEnd(buf, i);
    if (keyEnd < 0 || buf[keyEnd] !== COLON) return undefined;
    const key = keyAt(buf, i + 1, keyEnd - 1);
    const v = keyEnd + 1;
    if (key === KEY_DELTA) {
      if (delta !== undefined || buf[v] !== QUOTE) return undefined;
      delta = base64At(buf, v);
      if (delta === undefined) return undefined;
      i = v + delta.length + 2;
    } else if (buf[v] === QUOTE) {
      i = plainStringEnd(buf, v);
      if (i < 0) return undefined;
      if (key === KEY_TYPE) {
        const n = i - v - 2;
        const lit = n === GA_DELTA.length ? GA_DELTA : n === PREVIEW_DELTA.length ? PREVIEW_DELTA : undefined;
        if (typed || lit === undefined || !bytesAt(buf, v + 1, lit)) return undefined;
        typed = true;
      } else if (key === KEY_RESPONSE_ID) {
        if (responseId !== undefined) return undefined;
        responseId = buf.toString('latin1', v + 1, i - 1);
      } else if (key === KEY_ITEM_ID) {
        if (itemId !== undefined) return undefined;
        itemId = buf.toString('latin1', v + 1, i - 1);
      } else if (key !== KEY_OTHER) return undefined; // an index as a string
    } else {
      i = integerEnd(buf, v);
      if (i < 0) return undefined;
      if (key === KEY_OUTPUT_INDEX) {
        if (outputIndex !== undefined) return undefined;
        outputIndex = integerValue(buf, v, i);
      } else if (key === KEY_CONTENT_INDEX) {
        if (contentIndex !== undefined) return undefined;
        contentIndex = integerValue(buf, v, i);
      } else if (key !== KEY_OTHER) return undefined; // an id or the type as a number
    }
    const sep = buf[i];
    if (sep === COMMA) i += 1;
    else if (sep === CLOSE_BRACE && i + 1 === buf.length) break;
    else return undefined;
  }
  if (!typed || delta === undefined) return undefined;
  const out: RealtimeAudioDelta = { delta };
  if (responseId !== undefined) out.responseId = responseId;
  if (itemId !== undefined) out.itemId = itemId;
  if (outputIndex !== undefined) out.outputIndex = outputIndex;
  if (contentIndex !== undefined) out.contentIndex = contentIndex;
  return out;
}
