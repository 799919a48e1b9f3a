/**
 * A zero-parse fast path for the two messages that make up nearly all of the bridge's
 * traffic (50 a second each way per call): the caller's ACS `AudioData` frame and the
 * model's audio delta. Each reader scans the message's bytes as `ws` received them, finds
 * the base64 payload (checked, and left in place as a {@link Base64Bytes}) and the few fields
 * the bridge needs, and makes strings of the ids alone: no decoding of the whole message to a
 * string, no `JSON.parse`, no string of the payload.
 *
 * The contract, pinned by the equivalence tests: whenever a reader returns a value, the full
 * parser (`parseAcsFrame`, or `normalizeServerEvent(JSON.parse(text))`, on the message decoded
 * as UTF-8) gives the same payload (the bytes [start, end) as Latin-1) and fields. Anything the scanner is not sure of (escapes,
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
import { CLOSE_BRACE, COMMA, OPEN_BRACE, QUOTE, ascii, base64End, bytesAt, integerEnd, integerValue, keyEnd, plainStringEnd } from './json-scan.js';
import type { Base64Bytes } from './payload.js';
import type { AudioDeltaRef } from './realtime-protocol.js';

/**
 * An ACS `AudioData` frame as read from its bytes: the payload where it lies (base64 PCM16 LE
 * mono at the negotiated sample rate: non-empty, valid base64, even byte count) and ACS's
 * `silent` flag (false when absent).
 */
export interface FastAcsAudio extends Base64Bytes {
  silent: boolean;
}

/** A model audio delta as read from its bytes: the payload where it lies and the delta's ids. */
export interface FastAudioDelta extends Base64Bytes, AudioDeltaRef {}

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
 * @returns where the payload lies (as Latin-1, the `data` that `parseAcsFrame(buf.toString())`
 *   returns for kind `audio`) and the silent flag; undefined for anything else (then use
 *   `parseAcsFrame`). Never throws.
 */
export function fastAcsAudio(buf: Buffer): FastAcsAudio | undefined {
  if (!bytesAt(buf, 0, ACS_PREFIX)) return undefined;
  let i = optionalAcsField(buf, ACS_PREFIX.length, TIMESTAMP_KEY);
  if (i >= 0) i = optionalAcsField(buf, i, PARTICIPANT_KEY);
  if (i < 0 || !bytesAt(buf, i, DATA_KEY)) return undefined;
  const start = i + 8;
  const end = base64End(buf, i + 7, true);
  if (end < 0) return undefined;
  i = end + 1;
  let silent = false;
  if (bytesAt(buf, i, SILENT_KEY)) {
    i += SILENT_KEY.length;
    if (bytesAt(buf, i, TRUE)) {
      silent = true;
      i += 4;
    } else if (bytesAt(buf, i, FALSE)) i += 5;
    else return undefined;
  }
  return i + 2 === buf.length && buf[i] === CLOSE_BRACE && buf[i + 1] === CLOSE_BRACE ? { msg: buf, start, end, silent } : undefined;
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
  switch (to - from) {
    case 4:
      return bytesAt(buf, from, TYPE) ? KEY_TYPE : KEY_OTHER;
    case 5:
      return bytesAt(buf, from, DELTA) ? KEY_DELTA : KEY_OTHER;
    case 7:
      return bytesAt(buf, from, ITEM_ID) ? KEY_ITEM_ID : KEY_OTHER;
    case 11:
      return bytesAt(buf, from, RESPONSE_ID) ? KEY_RESPONSE_ID : KEY_OTHER;
    case 12:
      return bytesAt(buf, from, OUTPUT_INDEX) ? KEY_OUTPUT_INDEX : KEY_OTHER;
    case 13:
      return bytesAt(buf, from, CONTENT_INDEX) ? KEY_CONTENT_INDEX : KEY_OTHER;
    default:
      return KEY_OTHER;
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
 * @returns where the delta lies (as Latin-1, the `delta` of
 *   `normalizeServerEvent(JSON.parse(buf.toString()))`, type `audio`) and its ids, equal to that
 *   event's; undefined for anything else (then use the full parser). Never throws.
 */
export function fastModelAudioDelta(buf: Buffer): FastAudioDelta | undefined {
  if (buf[0] !== OPEN_BRACE) return undefined;
  let typed = false;
  let start = -1;
  let end = -1;
  let responseId: string | undefined;
  let itemId: string | undefined;
  let outputIndex: number | undefined;
  let contentIndex: number | undefined;
  let i = 1;
  for (;;) {
    const colon = keyEnd(buf, i);
    if (colon < 0) return undefined;
    const key = keyAt(buf, i + 1, colon - 1);
    const v = colon + 1;
    if (key === KEY_DELTA) {
      if (start >= 0 || buf[v] !== QUOTE) return undefined;
      end = base64End(buf, v, true);
      if (end < 0) return undefined;
      start = v + 1;
      i = end + 1;
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
  if (!typed || start < 0) return undefined;
  const out: FastAudioDelta = { msg: buf, start, end };
  if (responseId !== undefined) out.responseId = responseId;
  if (itemId !== undefined) out.itemId = itemId;
  if (outputIndex !== undefined) out.outputIndex = outputIndex;
  if (contentIndex !== undefined) out.contentIndex = contentIndex;
  return out;
}
