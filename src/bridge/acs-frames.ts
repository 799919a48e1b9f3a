/**
 * ACS bidirectional media streaming frames: a small typed parser for what ACS sends, and
 * builders for what the bridge sends back.
 *
 * Source of the format: Microsoft Learn "audio streaming quickstart" (js/python/csharp) and
 * the `@azure/communication-call-automation` 1.6.0 `StreamingData` types. Inbound frames are
 * JSON text in camelCase:
 * - `{"kind":"AudioMetadata","audioMetadata":{"subscriptionId","encoding":"PCM","sampleRate":16000|24000,"channels":1,"length":640}}`
 * - `{"kind":"AudioData","audioData":{"timestamp","participantRawID","data":<base64 PCM16 LE>,"silent":bool}}`
 * - `{"kind":"DtmfData","dtmfData":{"data":"3"}}`
 *
 * The SDK's own parser keeps the last kind in a static field (process-global), so voicectl
 * parses frames itself. The parser never throws: anything it cannot use comes back as
 * `{ kind: 'malformed', reason }`.
 */
import { base64ByteLength, isBase64 } from './base64.js';
import { asciiMessage } from './ws-text.js';
import { frameAround, type Base64Bytes } from './payload.js';

/** Sample rates ACS media streaming offers (Hz): `pcm16KMono` and `pcm24KMono`. */
export type AcsSampleRate = 16000 | 24000;

/** A parsed inbound ACS frame. */
export type AcsInboundFrame =
  | { kind: 'metadata'; sampleRate: AcsSampleRate; channels: number; subscriptionId?: string }
  | {
      kind: 'audio';
      /** base64 PCM16 little-endian mono at the negotiated sample rate (validated base64). */
      data: string;
      /** ACS marks frames with no speech; the bridge forwards them anyway (server VAD needs silence). */
      silent: boolean;
      participantRawId?: string;
    }
  | { kind: 'dtmf'; digit: string }
  /** A known kind the bridge does not use (TranscriptionMetadata/TranscriptionData). */
  | { kind: 'ignored'; type: string }
  /** AudioMetadata announcing a format the bridge cannot serve (the call is then closed). */
  | { kind: 'unsupported'; reason: string }
  | { kind: 'malformed'; reason: string };

type Json = Record<string, unknown>;

function field(obj: Json, camel: string): unknown {
  // Inbound JSON is camelCase; PascalCase is accepted too (what .NET emitters produce).
  const v = obj[camel];
  return v !== undefined ? v : obj[camel.charAt(0).toUpperCase() + camel.slice(1)];
}

/**
 * Parse one inbound text frame.
 * @param text the WebSocket text message as received.
 * @returns the typed frame; `malformed` (with a short reason) for anything unusable.
 */
export function parseAcsFrame(text: string): AcsInboundFrame {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { kind: 'malformed', reason: 'not a JSON object' };
  const kind = field(doc as Json, 'kind');
  if (typeof kind !== 'string') return { kind: 'malformed', reason: 'no kind' };
  switch (kind.toLowerCase()) {
    case 'audiodata':
      return parseAudio(field(doc as Json, 'audioData'));
    case 'audiometadata':
      return parseMetadata(field(doc as Json, 'audioMetadata'));
    case 'dtmfdata': {
      const d = field(doc as Json, 'dtmfData');
      const digit = d && typeof d === 'object' ? field(d as Json, 'data') : undefined;
      return typeof digit === 'string' ? { kind: 'dtmf', digit } : { kind: 'malformed', reason: 'DtmfData without data' };
    }
    case 'transcriptionmetadata':
    case 'transcriptiondata':
      return { kind: 'ignored', type: kind };
    default:
      return { kind: 'malformed', reason: `unknown kind ${kind.slice(0, 40)}` };
  }
}

function parseAudio(body: unknown): AcsInboundFrame {
  if (!body || typeof body !== 'object') return { kind: 'malformed', reason: 'AudioData without audioData' };
  const data = field(body as Json, 'data');
  if (typeof data !== 'string' || data === '') return { kind: 'malformed', reason: 'AudioData without data' };
  if (!isBase64(data)) return { kind: 'malformed', reason: 'AudioData data is not base64' };
  if (base64ByteLength(data) % 2 !== 0) return { kind: 'malformed', reason: 'AudioData has an odd byte count (not PCM16)' };
  const silent = field(body as Json, 'silent') === true;
  const raw = (body as Json).participantRawID ?? field(body as Json, 'participantRawId');
  return typeof raw === 'string' ? { kind: 'audio', data, silent, participantRawId: raw } : { kind: 'audio', data, silent };
}

function parseMetadata(body: unknown): AcsInboundFrame {
  if (!body || typeof body !== 'object') return { kind: 'malformed', reason: 'AudioMetadata without audioMetadata' };
  const rate = field(body as Json, 'sampleRate');
  const channels = field(body as Json, 'channels') ?? 1;
  const encoding = field(body as Json, 'encoding') ?? 'PCM';
  if (rate !== 16000 && rate !== 24000) {
    return { kind: 'unsupported', reason: `unsupported sampleRate ${String(rate).slice(0, 20)} (16000 or 24000)` };
  }
  if (channels !== 1) return { kind: 'unsupported', reason: `unsupported channels ${String(channels).slice(0, 20)} (mono only)` };
  if (typeof encoding !== 'string' || encoding.toUpperCase() !== 'PCM') {
    return { kind: 'unsupported', reason: `unsupported encoding ${String(encoding).slice(0, 20)} (PCM only)` };
  }
  const sub = field(body as Json, 'subscriptionId');
  return typeof sub === 'string'
    ? { kind: 'metadata', sampleRate: rate, channels: 1, subscriptionId: sub }
    : { kind: 'metadata', sampleRate: rate, channels: 1 };
}

const ACS_AUDIO_HEAD = Buffer.from('{"kind":"AudioData","audioData":{"data":"');
const ACS_AUDIO_TAIL = Buffer.from('"}}');

/**
 * The outbound audio frame, `{"kind":"AudioData","audioData":{"data":<b64>}}` (the casing
 * call-center-ai and semantic-kernel send), as UTF-8 bytes built from its head, payload and
 * tail (base64 needs no JSON escaping; no intermediate string: this runs 50 times a second per
 * call).
 * @param b64 base64 PCM16 LE at the call's negotiated sample rate (ASCII).
 */
export function acsAudioFrameBytes(b64: string): Buffer {
  return asciiMessage(ACS_AUDIO_HEAD, b64, ACS_AUDIO_TAIL);
}

/**
 * The same frame built around a payload inside the message it arrived in (see
 * {@link frameAround}: `p` is used up).
 */
export function acsAudioFrameAround(p: Base64Bytes): Buffer {
  return frameAround(p, ACS_AUDIO_HEAD, ACS_AUDIO_TAIL);
}

/** The outbound barge-in frame: ACS drops the audio it has queued but not yet played. */
export const ACS_STOP_AUDIO_FRAME = '{"kind":"StopAudio","stopAudio":{}}';
