/**
 * Azure OpenAI Realtime over WebSocket: URLs, the `session.update` each protocol expects,
 * and a normaliser for the server events the bridge acts on.
 *
 * Sources: MicrosoftDocs/azure-ai-docs `realtime-audio-websockets.md` (2026-01) and
 * `realtime-audio-preview-api-migration-guide.md` (2026-02); OpenAI realtime client-events
 * reference ("Only a 24kHz sample rate is supported").
 * - GA: `wss://<host>/openai/v1/realtime?model=<deployment>`, no `api-version` (adding it is a 401).
 * - preview: `wss://<host>/openai/realtime?api-version=2024-10-01-preview&deployment=<deployment>`.
 * - Audio deltas: GA `response.output_audio.delta`, preview `response.audio.delta`.
 */
import { UsageError } from '../core/errors.js';
import { gaFormat, type SessionAudio } from './media-format.js';
import { asciiMessage } from './ws-text.js';
import { frameAround, type Base64Bytes } from './payload.js';

/** Which Realtime protocol to speak. */
export type RealtimeProtocol = 'ga' | 'preview';

/** The preview api-version voicectl uses (deprecated by Microsoft from 2026-04-30). */
export const PREVIEW_API_VERSION = '2024-10-01-preview';

/**
 * The Realtime WebSocket URL.
 * @param endpoint `https://<resource>.openai.azure.com` or `wss://…` (http:// and ws:// are
 *   accepted for local test servers); a path or query on it is ignored.
 * @throws UsageError `VOICECTL_AOAI_ENDPOINT` when it is not a URL with one of those schemes.
 */
export function realtimeUrl(endpoint: string, deployment: string, protocol: RealtimeProtocol): string {
  let u: URL;
  try {
    u = new URL(endpoint.trim());
  } catch {
    throw endpointError(endpoint);
  }
  const scheme = { 'https:': 'wss:', 'wss:': 'wss:', 'http:': 'ws:', 'ws:': 'ws:' }[u.protocol];
  if (!scheme) throw endpointError(endpoint);
  const base = `${scheme}//${u.host}`;
  const dep = encodeURIComponent(deployment);
  return protocol === 'ga'
    ? `${base}/openai/v1/realtime?model=${dep}`
    : `${base}/openai/realtime?api-version=${PREVIEW_API_VERSION}&deployment=${dep}`;
}

function endpointError(endpoint: string): UsageError {
  return new UsageError(`AZURE_OPENAI_ENDPOINT is not an https:// or wss:// URL: ${JSON.stringify(endpoint.slice(0, 80))}`, {
    code: 'VOICECTL_AOAI_ENDPOINT',
    hint: 'Set AZURE_OPENAI_ENDPOINT to https://<resource>.openai.azure.com (portal: Azure OpenAI > Keys and Endpoint).',
  });
}

/** What the bridge configures on every Realtime session. */
export interface SessionSettings {
  /** Voice name (`AOAI_VOICE`), e.g. `alloy`; omitted when undefined (service default). */
  voice?: string;
  /** System instructions (`AOAI_INSTRUCTIONS` / `AOAI_INSTRUCTIONS_FILE`). */
  instructions?: string;
  /** Input transcription model (default `whisper-1`); transcripts become NDJSON events. */
  transcriptionModel?: string;
}

/** `event_id` voicectl puts on its session.update, so an error answering it can be told apart. */
export const SESSION_UPDATE_EVENT_ID = 'voicectl_session_update';

/**
 * Server VAD as the bridge configures it: service defaults (threshold 0.5, 300 ms prefix,
 * 500 ms silence), the model answers on its own and interrupts itself on speech.
 */
const SERVER_VAD = {
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 500,
  create_response: true,
  interrupt_response: true,
} as const;

/**
 * The first client event of a session, in the protocol's own shape.
 * - GA: `session.type:"realtime"` (required), `output_modalities`, nested `audio.input/output`
 *   with `format {type:"audio/pcm", rate:24000}` (or `audio/pcmu` / `audio/pcma` for G.711).
 * - preview: flat `input_audio_format` / `output_audio_format: "pcm16"` (or `g711_ulaw` /
 *   `g711_alaw`), `modalities`.
 * @param audio the session's audio format in both directions (default PCM16 24 kHz).
 */
export function sessionUpdate(protocol: RealtimeProtocol, s: SessionSettings, audio: SessionAudio = 'pcm16'): Record<string, unknown> {
  const transcription = { model: s.transcriptionModel ?? 'whisper-1' };
  const instructions = s.instructions !== undefined ? { instructions: s.instructions } : {};
  if (protocol === 'ga') {
    return {
      type: 'session.update',
      event_id: SESSION_UPDATE_EVENT_ID,
      session: {
        type: 'realtime',
        ...instructions,
        output_modalities: ['audio'],
        audio: {
          input: {
            format: gaFormat(audio),
            transcription,
            turn_detection: { ...SERVER_VAD },
          },
          output: {
            format: gaFormat(audio),
            ...(s.voice !== undefined ? { voice: s.voice } : {}),
          },
        },
      },
    };
  }
  return {
    type: 'session.update',
    event_id: SESSION_UPDATE_EVENT_ID,
    session: {
      ...instructions,
      ...(s.voice !== undefined ? { voice: s.voice } : {}),
      modalities: ['text', 'audio'],
      input_audio_format: audio,
      output_audio_format: audio,
      input_audio_transcription: transcription,
      turn_detection: { ...SERVER_VAD },
    },
  };
}

const APPEND_HEAD = Buffer.from('{"type":"input_audio_buffer.append","audio":"');
const JSON_STRING_END = Buffer.from('"}');

/**
 * `{"type":"input_audio_buffer.append","audio":<b64>}` for one frame, as UTF-8 bytes built from
 * its head, payload and tail (base64 needs no JSON escaping; no intermediate string: this runs
 * 50 times a second per call).
 * @param b64 base64 PCM16 LE, 24 kHz, mono (ASCII).
 */
export function appendAudioBytes(b64: string): Buffer {
  return asciiMessage(APPEND_HEAD, b64, JSON_STRING_END);
}

/**
 * The same append built around a payload inside the message it arrived in (see
 * {@link frameAround}: `p` is used up).
 */
export function appendAudioAround(p: Base64Bytes): Buffer {
  return frameAround(p, APPEND_HEAD, JSON_STRING_END);
}

/**
 * Where an audio delta (`response.output_audio.delta` / `response.audio.delta`) belongs.
 * `itemId` and `contentIndex` (with `outputIndex`) locate the audio for a
 * `conversation.item.truncate` on barge-in. Each field is present only when the event carries
 * it with the right type: ids as strings, indexes as non-negative safe integers.
 */
export interface AudioDeltaRef {
  responseId?: string;
  itemId?: string;
  outputIndex?: number;
  contentIndex?: number;
}

/** What the bridge reads from an audio delta: its ids and its payload. */
export interface RealtimeAudioDelta extends AudioDeltaRef {
  /**
   * base64 PCM16 LE, 24 kHz, mono, as the service sent it: `normalizeServerEvent` does not
   * validate it (the upstream does before forwarding it).
   */
  delta: string;
}

/** The server events the bridge acts on, with GA and preview names folded together. */
export type RealtimeServerEvent =
  | ({ type: 'audio' } & RealtimeAudioDelta)
  | { type: 'speech_started'; itemId?: string }
  | { type: 'speech_stopped' }
  | { type: 'response.created'; responseId?: string }
  | { type: 'response.done'; responseId?: string }
  | { type: 'session.updated' }
  | { type: 'transcript'; role: 'caller' | 'model'; text: string; itemId?: string }
  | { type: 'item.truncated'; itemId?: string; audioEndMs?: number }
  | { type: 'error'; code?: string; message: string; eventId?: string }
  | { type: 'other'; name: string };

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A non-negative safe integer (-0 read as 0), else undefined. */
const index = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? (v === 0 ? 0 : v) : undefined;

/** The audio event of a delta, with only the optional fields the event carries. */
function audioEvent(e: Json, delta: string): RealtimeServerEvent {
  const ev: { type: 'audio' } & RealtimeAudioDelta = { type: 'audio', delta };
  const responseId = str(e.response_id);
  if (responseId !== undefined) ev.responseId = responseId;
  const itemId = str(e.item_id);
  if (itemId !== undefined) ev.itemId = itemId;
  const outputIndex = index(e.output_index);
  if (outputIndex !== undefined) ev.outputIndex = outputIndex;
  const contentIndex = index(e.content_index);
  if (contentIndex !== undefined) ev.contentIndex = contentIndex;
  return ev;
}

/** A final transcript line, with the item it belongs to when the event names one. */
function transcriptEvent(role: 'caller' | 'model', e: Json): RealtimeServerEvent {
  const itemId = str(e.item_id);
  return { type: 'transcript', role, text: str(e.transcript) ?? '', ...(itemId !== undefined ? { itemId } : {}) };
}

/**
 * Normalise one server event (already JSON-parsed).
 * @returns `other` for events the bridge does not act on, and for anything malformed.
 */
export function normalizeServerEvent(ev: unknown): RealtimeServerEvent {
  if (!ev || typeof ev !== 'object') return { type: 'other', name: '(not an object)' };
  const e = ev as Json;
  const type = str(e.type) ?? '(no type)';
  switch (type) {
    case 'response.output_audio.delta': // GA
    case 'response.audio.delta': {
      // preview
      const delta = str(e.delta);
      return delta === undefined ? { type: 'other', name: type } : audioEvent(e, delta);
    }
    case 'input_audio_buffer.speech_started':
      return str(e.item_id) !== undefined ? { type: 'speech_started', itemId: str(e.item_id) } : { type: 'speech_started' };
    case 'input_audio_buffer.speech_stopped':
      return { type: 'speech_stopped' };
    case 'conversation.item.truncated':
      return { type: 'item.truncated', itemId: str(e.item_id), audioEndMs: index(e.audio_end_ms) };
    case 'response.created':
      return { type: 'response.created', responseId: str((e.response as Json | undefined)?.id) };
    case 'response.done':
      return { type: 'response.done', responseId: str((e.response as Json | undefined)?.id) };
    case 'session.updated':
      return { type: 'session.updated' };
    case 'conversation.item.input_audio_transcription.completed':
      return transcriptEvent('caller', e);
    case 'response.output_audio_transcript.done': // GA
    case 'response.audio_transcript.done': // preview
      return transcriptEvent('model', e);
    case 'error': {
      const err = (e.error ?? {}) as Json;
      return { type: 'error', code: str(err.code), message: str(err.message) ?? 'unknown error', eventId: str(err.event_id) };
    }
    default:
      return { type: 'other', name: type };
  }
}
