/**
 * chan_websocket control messages: parse what Asterisk sends (both control formats) and build
 * the commands the bridge sends, in the format the call uses.
 *
 * Source: Asterisk 22 `channels/chan_websocket.c` (`handle_command`, `send_event`) and
 * `chan_websocket_doc.xml`, checked against a running 22.10.1:
 * - plain text: `MEDIA_START connection_id:x channel:WebSocket/x/0x… channel_id:1796392736.2 format:slin16 optimal_frame_size:640 ptime:20`,
 *   `MEDIA_XOFF`, `MEDIA_MARK_PROCESSED m1`, `DTMF_END digit:1 channel_id:…`, `ERROR channel_id:… error_text:…`;
 * - JSON (22.8+): one object with `event` and `channel_id`, e.g.
 *   `{"event":"MEDIA_START","connection_id":"…","channel":"…","channel_id":"…","format":"slin16","optimal_frame_size":640,"ptime":20,"channel_variables":{…}}`.
 * Commands are `NAME[ id]` in plain text or `{"command":"NAME","correlation_id":"id"}` in JSON,
 * at most 128 bytes.
 */
import type { LegFormat } from '../media-format.js';

/** Which control format a call speaks. */
export type ControlFormat = 'plain-text' | 'json';

/** A parsed control event from Asterisk. */
export type AsteriskEvent =
  | {
      event: 'MEDIA_START';
      format: string;
      optimalFrameSize: number;
      ptime: number;
      connectionId?: string;
      channel?: string;
      channelId?: string;
      /** JSON form only: the WebSocket channel's variables (inherited `__VAR`s keep their prefix). */
      channelVariables?: Record<string, string>;
      control: ControlFormat;
    }
  | { event: 'MEDIA_XOFF' | 'MEDIA_XON' | 'QUEUE_DRAINED' }
  | { event: 'MEDIA_MARK_PROCESSED' | 'MEDIA_BUFFERING_COMPLETED'; correlationId?: string }
  | { event: 'DTMF_END'; digit: string }
  | { event: 'ERROR'; text: string }
  | { event: 'STATUS'; queueLength?: number }
  | { event: 'other'; name: string }
  | { event: 'malformed'; reason: string };

const KNOWN_SIMPLE = new Set(['MEDIA_XOFF', 'MEDIA_XON', 'QUEUE_DRAINED']);

/**
 * Parse one text message from Asterisk. Never throws: anything unusable is `malformed`.
 * @param text the WebSocket text message.
 */
export function parseAsteriskEvent(text: string): AsteriskEvent {
  const t = text.trim();
  if (t.startsWith('{')) return parseJson(t);
  const [name = '', ...rest] = t.split(/\s+/);
  if (!/^[A-Z_]+$/.test(name)) return { event: 'malformed', reason: 'not a chan_websocket event' };
  const kv: Record<string, string> = {};
  const bare: string[] = [];
  for (const part of rest) {
    const i = part.indexOf(':');
    if (i > 0) kv[part.slice(0, i)] = part.slice(i + 1);
    else bare.push(part);
  }
  switch (name) {
    case 'MEDIA_START':
      return mediaStart(kv.format, Number(kv.optimal_frame_size), Number(kv.ptime ?? 20), 'plain-text', {
        connectionId: kv.connection_id,
        channel: kv.channel,
        channelId: kv.channel_id,
      });
    case 'MEDIA_MARK_PROCESSED':
    case 'MEDIA_BUFFERING_COMPLETED':
      return bare[0] !== undefined ? { event: name, correlationId: bare[0] } : { event: name };
    case 'DTMF_END':
      return kv.digit ? { event: 'DTMF_END', digit: kv.digit } : { event: 'malformed', reason: 'DTMF_END without digit' };
    case 'ERROR':
      return { event: 'ERROR', text: t.slice(t.indexOf('error_text:') >= 0 ? t.indexOf('error_text:') + 11 : 5).trim() };
    case 'STATUS':
      return kv.queue_length !== undefined ? { event: 'STATUS', queueLength: Number(kv.queue_length) } : { event: 'STATUS' };
    default:
      return KNOWN_SIMPLE.has(name) ? { event: name as 'MEDIA_XOFF' } : { event: 'other', name };
  }
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function parseJson(text: string): AsteriskEvent {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { event: 'malformed', reason: 'not JSON' };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { event: 'malformed', reason: 'not a JSON object' };
  const e = doc as Json;
  const name = str(e.event);
  if (!name) return { event: 'malformed', reason: 'no event' };
  switch (name) {
    case 'MEDIA_START': {
      const vars = e.channel_variables;
      const channelVariables: Record<string, string> = {};
      if (vars && typeof vars === 'object') for (const [k, v] of Object.entries(vars)) if (typeof v === 'string') channelVariables[k] = v;
      return mediaStart(str(e.format), Number(e.optimal_frame_size), Number(e.ptime ?? 20), 'json', {
        connectionId: str(e.connection_id),
        channel: str(e.channel),
        channelId: str(e.channel_id),
        channelVariables,
      });
    }
    case 'MEDIA_MARK_PROCESSED':
    case 'MEDIA_BUFFERING_COMPLETED': {
      const id = str(e.correlation_id);
      return id !== undefined ? { event: name, correlationId: id } : { event: name };
    }
    case 'DTMF_END': {
      const digit = str(e.digit);
      return digit ? { event: 'DTMF_END', digit } : { event: 'malformed', reason: 'DTMF_END without digit' };
    }
    case 'ERROR':
      return { event: 'ERROR', text: str(e.error_text) ?? '' };
    case 'STATUS':
      return typeof e.queue_length === 'number' ? { event: 'STATUS', queueLength: e.queue_length } : { event: 'STATUS' };
    default:
      return KNOWN_SIMPLE.has(name) ? { event: name as 'MEDIA_XOFF' } : { event: 'other', name };
  }
}

function mediaStart(
  format: string | undefined,
  optimalFrameSize: number,
  ptime: number,
  control: ControlFormat,
  ids: { connectionId?: string | undefined; channel?: string | undefined; channelId?: string | undefined; channelVariables?: Record<string, string> },
): AsteriskEvent {
  if (!format) return { event: 'malformed', reason: 'MEDIA_START without format' };
  if (!Number.isInteger(optimalFrameSize) || optimalFrameSize <= 0 || optimalFrameSize > 65000) {
    return { event: 'malformed', reason: 'MEDIA_START without a valid optimal_frame_size' };
  }
  const out: AsteriskEvent = { event: 'MEDIA_START', format, optimalFrameSize, ptime: Number.isFinite(ptime) && ptime > 0 ? ptime : 20, control };
  for (const [k, v] of Object.entries(ids)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * The leg format of an Asterisk format name, or undefined when the bridge cannot carry it.
 * `slin` is 8 kHz signed linear; `slin16`, `slin24` 16 and 24 kHz; `ulaw` / `alaw` 8 kHz G.711.
 */
export function asteriskFormat(name: string): LegFormat | undefined {
  switch (name.toLowerCase()) {
    case 'slin':
      return { codec: 'pcm16', sampleRate: 8000 };
    case 'slin16':
      return { codec: 'pcm16', sampleRate: 16000 };
    case 'slin24':
      return { codec: 'pcm16', sampleRate: 24000 };
    case 'ulaw':
      return { codec: 'g711_ulaw', sampleRate: 8000 };
    case 'alaw':
      return { codec: 'g711_alaw', sampleRate: 8000 };
    default:
      return undefined;
  }
}

/** The formats {@link asteriskFormat} accepts, for error texts and docs. */
export const ASTERISK_FORMATS = ['slin', 'slin16', 'slin24', 'ulaw', 'alaw'] as const;

/** A command in the call's control format (`FLUSH_MEDIA`, `HANGUP`, `MARK_MEDIA`, …). */
export function asteriskCommand(control: ControlFormat, command: string, correlationId?: string): string {
  if (control === 'json') {
    return correlationId === undefined
      ? `{"command":"${command}"}`
      : `{"command":"${command}","correlation_id":${JSON.stringify(correlationId)}}`;
  }
  return correlationId === undefined ? command : `${command} ${correlationId}`;
}
