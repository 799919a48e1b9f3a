/**
 * A zero-parse fast path for the two messages that make up nearly all of the bridge's
 * traffic (50 a second each way per call): the caller's ACS `AudioData` frame and the
 * model's audio delta. Each reader finds the base64 payload and the few fields the bridge
 * needs by scanning the text, without `JSON.parse` of the whole message.
 *
 * The contract, pinned by the equivalence tests: whenever a reader returns a value, the full
 * parser (`parseAcsFrame`, or `normalizeServerEvent(JSON.parse(text))`) gives the same
 * payload and fields. Anything the scanner is not sure of (escapes, whitespace, reordered or
 * unknown ACS fields, duplicate keys, numbers other than plain integers, trailing bytes, a
 * BOM, a payload that is not base64 PCM16) returns `undefined`, and the caller hands the
 * text to the full parser, which keeps counting malformed input as before.
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
const CLOSE_BRACE = 125;
/** The rest of a string literal without escapes or control characters, through its closing quote. */
const PLAIN_STRING_TAIL = /[^"\\\u0000-\u001f]*"/y;

/**
 * Index just past the closing quote of the string literal whose opening quote is at `i`,
 * or -1 when the literal is unterminated or holds an escape (`\`) or a raw control character
 * (which `JSON.parse` rejects). Without escapes, the text between the quotes IS the value.
 */
function plainStringEnd(text: string, i: number): number {
  // A sticky regex scans about twice as fast as a charCodeAt loop (measured on 80 chars).
  PLAIN_STRING_TAIL.lastIndex = i + 1;
  return PLAIN_STRING_TAIL.test(text) ? PLAIN_STRING_TAIL.lastIndex : -1;
}

/**
 * Index just past a plain decimal integer at `i` (`0` or `[1-9][0-9]*`, at most 15 digits, so
 * always a safe integer), or -1 (a sign, fraction, exponent or leading zero: not handled).
 */
function integerEnd(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === 48) return i + 1; // "0"; a following digit makes the caller's separator check fail
  if (!(first >= 49 && first <= 57)) return -1;
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) break;
    j++;
  }
  return j - i > 15 ? -1 : j;
}

/**
 * The base64 payload whose opening quote is at `i`, when it is what the bridge forwards
 * (non-empty, `isBase64`, even byte count), else undefined. A quote ends the scan; `isBase64`
 * then refuses any backslash or control character before it, so the raw text is the value.
 */
function base64At(text: string, i: number): string | undefined {
  const close = text.indexOf('"', i + 1);
  if (close < 0) return undefined;
  const b64 = text.slice(i + 1, close);
  return b64 !== '' && isBase64(b64) && base64ByteLength(b64) % 2 === 0 ? b64 : undefined;
}

const ACS_PREFIX = '{"kind":"AudioData","audioData":{';

/** Index past an optional leading `"<key>":<string|null>,` of the ACS body, or -1. */
function optionalAcsField(text: string, i: number, key: string): number {
  if (!text.startsWith(key, i)) return i;
  let j = i + key.length;
  if (text.charCodeAt(j) === QUOTE) j = plainStringEnd(text, j);
  else if (text.startsWith('null', j)) j += 4;
  else return -1;
  return j > 0 && text.charCodeAt(j) === COMMA ? j + 1 : -1;
}

/**
 * Read an ACS `AudioData` frame without parsing it.
 *
 * Accepted exactly: `{"kind":"AudioData","audioData":{` then, in this order,
 * `"timestamp":<string|null>,` (optional), `"participantRawID":<string|null>,` (optional),
 * `"data":"<base64>"`, `,"silent":true|false` (optional), then `}}` ending the text. Strings
 * may not contain escapes; no whitespace anywhere.
 * @param text one WebSocket text message from ACS.
 * @returns the payload and silent flag, equal to what `parseAcsFrame(text)` returns for
 *   kind `audio`; undefined for anything else (then use `parseAcsFrame`). Never throws.
 */
export function fastAcsAudio(text: string): FastAcsAudio | undefined {
  if (!text.startsWith(ACS_PREFIX)) return undefined;
  let i = optionalAcsField(text, ACS_PREFIX.length, '"timestamp":');
  if (i >= 0) i = optionalAcsField(text, i, '"participantRawID":');
  if (i < 0 || !text.startsWith('"data":"', i)) return undefined;
  const data = base64At(text, i + 7);
  if (data === undefined) return undefined;
  i += 7 + data.length + 2;
  let silent = false;
  if (text.startsWith(',"silent":', i)) {
    i += 10;
    if (text.startsWith('true', i)) {
      silent = true;
      i += 4;
    } else if (text.startsWith('false', i)) i += 5;
    else return undefined;
  }
  return i + 2 === text.length && text.startsWith('}}', i) ? { data, silent } : undefined;
}

const GA_DELTA = 'response.output_audio.delta';
const PREVIEW_DELTA = 'response.audio.delta';

/**
 * Read a Realtime audio delta event without parsing it.
 *
 * Accepted: one flat object, no whitespace, keys in any order, each value a string without
 * escapes or a plain non-negative integer; `type` is `response.output_audio.delta` (GA) or
 * `response.audio.delta` (preview); `delta` is non-empty base64 with an even byte count (what
 * the bridge forwards to the caller); `response_id` / `item_id` are strings and
 * `output_index` / `content_index` integers when present; none of these six keys repeats.
 * Other keys (such as `event_id`) are skipped: the full normaliser ignores them too.
 * @param text one WebSocket text message from the Realtime service.
 * @returns the delta and its ids, equal to the fields of `normalizeServerEvent(JSON.parse(text))`
 *   (type `audio`); undefined for anything else (then use the full parser). Never throws.
 */
export function fastModelAudioDelta(text: string): RealtimeAudioDelta | undefined {
  if (text.charCodeAt(0) !== 123) return undefined;
  let type: string | undefined;
  let delta: string | undefined;
  let responseId: string | undefined;
  let itemId: string | undefined;
  let outputIndex: number | undefined;
  let contentIndex: number | undefined;
  let i = 1;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = plainStringEnd(text, i);
    if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return undefined;
    const key = text.slice(i + 1, keyEnd - 1);
    const v = keyEnd + 1;
    if (key === 'delta') {
      if (delta !== undefined || text.charCodeAt(v) !== QUOTE) return undefined;
      delta = base64At(text, v);
      if (delta === undefined) return undefined;
      i = v + delta.length + 2;
    } else if (text.charCodeAt(v) === QUOTE) {
      i = plainStringEnd(text, v);
      if (i < 0) return undefined;
      if (key === 'type' || key === 'response_id' || key === 'item_id') {
        const s = text.slice(v + 1, i - 1);
        if (key === 'type') {
          if (type !== undefined || (s !== GA_DELTA && s !== PREVIEW_DELTA)) return undefined;
          type = s;
        } else if (key === 'response_id') {
          if (responseId !== undefined) return undefined;
          responseId = s;
        } else {
          if (itemId !== undefined) return undefined;
          itemId = s;
        }
      } else if (key === 'output_index' || key === 'content_index') return undefined;
    } else {
      i = integerEnd(text, v);
      if (i < 0) return undefined;
      if (key === 'output_index' || key === 'content_index') {
        const n = Number(text.slice(v, i));
        if (key === 'output_index') {
          if (outputIndex !== undefined) return undefined;
          outputIndex = n;
        } else {
          if (contentIndex !== undefined) return undefined;
          contentIndex = n;
        }
      } else if (key === 'type' || key === 'response_id' || key === 'item_id') return undefined;
    }
    const sep = text.charCodeAt(i);
    if (sep === COMMA) i += 1;
    else if (sep === CLOSE_BRACE && i + 1 === text.length) break;
    else return undefined;
  }
  if (type === undefined || delta === undefined) return undefined;
  const out: RealtimeAudioDelta = { delta };
  if (responseId !== undefined) out.responseId = responseId;
  if (itemId !== undefined) out.itemId = itemId;
  if (outputIndex !== undefined) out.outputIndex = outputIndex;
  if (contentIndex !== undefined) out.contentIndex = contentIndex;
  return out;
}
