/**
 * A fake Azure OpenAI Realtime server on loopback, checking what the service checks:
 * - the upgrade URL per protocol (GA `/openai/v1/realtime?model=<deployment>` with no
 *   api-version, which the service answers with 401; preview `/openai/realtime?api-version=…&deployment=…`),
 *   404 for an unknown deployment;
 * - the `api-key` header (or `Authorization: Bearer <token>`): 401 at the upgrade otherwise;
 * - the `session.update` shape of its protocol: GA needs `session.type:"realtime"` and nested
 *   `audio.input/output.format {type:"audio/pcm", rate:24000}`; preview needs flat `pcm16`
 *   fields and refuses GA fields. A wrong shape gets an `error` event shaped like the service's;
 * - the audio format: PCM16 24 kHz, or G.711 μ-law / A-law (GA `audio/pcmu` / `audio/pcma`,
 *   preview `g711_ulaw` / `g711_alaw`); appends that do not fit the configured format are refused.
 *
 * Behaviour: with `echo` on, every `input_audio_buffer.append` is answered with an audio
 * delta carrying the same base64 (inside one open response). Tests can also emit
 * `speech_started`, push deltas, drop connections, and refuse upgrades.
 *
 * The conversation, like the service: {@link FakeRealtime.userTurn} emits `speech_started` /
 * `speech_stopped` / `committed` with the caller's item id and its transcription;
 * {@link FakeRealtime.respond} streams an assistant item (`response.created`, audio deltas of
 * `chunkMs` every `intervalMs`, i.e. faster than real time as the service does, then the audio
 * transcript and `response.done`), stopped by `response.cancel`. It keeps every item's audio
 * length and validates `conversation.item.truncate` as the service does (unknown item, an
 * `audio_end_ms` beyond the item's audio: "Audio content of X ms is already shorter than Y ms",
 * and 0), `conversation.item.delete` (unknown item) and `conversation.item.create` (message
 * shape; assistant text is `output_text` in GA, `text` in preview). {@link FakeRealtime.expire}
 * ends a session at its "maximum duration" like the service.
 */
import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeRealtimeOptions {
  protocol: 'ga' | 'preview';
  deployment?: string;
  apiKey?: string;
  /** Accepted as `Authorization: Bearer <bearer>` (Entra ID). */
  bearer?: string;
  /** Answer each append with the same audio as a delta (default true). */
  echo?: boolean;
}

type Json = Record<string, any>;

/** One accepted Realtime connection. */
export interface FakeSession {
  ws: WebSocket;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Every client event received, parsed, in order. */
  received: Json[];
  /** Audio appended, in order (base64 strings). */
  appended: string[];
  /** Appends refused because they did not fit the session's audio format. */
  formatMismatches: number;
  /** True once a valid session.update was received. */
  configured: boolean;
  /** The input audio format the session was configured for (preview names). */
  format: 'pcm16' | 'g711_ulaw' | 'g711_alaw' | undefined;
  responseId: string | undefined;
  /** Conversation items by id: role, audio bytes generated, and what happened to them. */
  items: Map<string, FakeItem>;
  /** `conversation.item.create` items accepted, in order. */
  created: Json[];
  /** Error events sent to the client, in order. */
  errors: Json[];
  /** The streaming timer of the response in progress. */
  streaming: NodeJS.Timeout | undefined;
}

/** A conversation item the fake keeps. */
export interface FakeItem {
  role: 'user' | 'assistant';
  /** Audio bytes generated (assistant) in the session format. */
  audioBytes: number;
  /** ms of audio per the session format. */
  audioMs(): number;
  truncatedAt?: number;
  deleted?: boolean;
}

/** What {@link FakeRealtime.respond} streams. */
export interface RespondOptions {
  /** Audio length (ms). */
  ms: number;
  /** The assistant's transcript. */
  text?: string;
  /** Audio per delta (ms, default 100). */
  chunkMs?: number;
  /** Time between deltas (ms, default 20: five times faster than real time). */
  intervalMs?: number;
  session?: FakeSession;
}

export interface FakeRealtime {
  /** Use as AZURE_OPENAI_ENDPOINT (http://127.0.0.1:<port>). */
  endpoint: string;
  port: number;
  sessions: FakeSession[];
  /** Upgrades refused, with their status. */
  refused: Array<{ status: number; url: string }>;
  /** Refuse every upgrade with this status (e.g. 503 to fail reconnects); undefined to accept. */
  refuseWith: number | undefined;
  /** Accept upgrades, then close at once with this code (before any session.update is answered). */
  hangUpWith: number | undefined;
  /** The most recent session. */
  last(): FakeSession;
  /** Emit `input_audio_buffer.speech_started` on the latest session. */
  speechStarted(session?: FakeSession): void;
  /** Send an audio delta of `responseId` (default: the session's current response) and `itemId` (default `item_out`). */
  delta(b64: string, session?: FakeSession, responseId?: string, itemId?: string): void;
  /** Drop every connection abruptly (no close frame). */
  dropAll(): void;
  /**
   * The caller speaks: `speech_started` (item id returned); with `stopped`, also `speech_stopped`,
   * `committed` and, when `transcript` is given, its transcription after `transcriptDelayMs` (default 0).
   */
  userTurn(o?: { session?: FakeSession; stopped?: boolean; transcript?: string; transcriptDelayMs?: number }): string;
  /** The caller stopped speaking: `speech_stopped` and `committed` for `itemId`. */
  speechStopped(itemId: string, session?: FakeSession): void;
  /** Stream an assistant item (see the module doc); resolves its ids at once. */
  respond(o: RespondOptions): { itemId: string; responseId: string };
  /** End the session like the service at its maximum duration: `error` session_expired, then close 1001. */
  expire(session?: FakeSession): void;
  close(): Promise<void>;
}

const PREVIEW_VERSIONS = new Set(['2024-10-01-preview', '2025-04-01-preview']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Start the fake on 127.0.0.1, port 0. */
export async function startFakeRealtime(options: FakeRealtimeOptions): Promise<FakeRealtime> {
  const deployment = options.deployment ?? 'gpt-realtime';
  const echo = options.echo ?? true;
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  let responseSeq = 0;
  let itemSeq = 0;

  const bytesPerMs = (s: FakeSession): number => ((s.format ?? 'pcm16') === 'pcm16' ? 48 : 8);
  const item = (s: FakeSession, role: 'user' | 'assistant'): FakeItem => {
    const it: FakeItem = { role, audioBytes: 0, audioMs: () => Math.floor(it.audioBytes / bytesPerMs(s)) };
    return it;
  };
  /** Audible audio in the session's format: a 440 Hz tone (PCM16) or a non-silent μ-law/A-law pattern. */
  const audioBytes = (s: FakeSession, offset: number, n: number): Buffer => {
    const b = Buffer.alloc(n);
    if ((s.format ?? 'pcm16') !== 'pcm16') return b.fill(0x20);
    for (let i = 0; i + 1 < n; i += 2) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * ((offset + i) / 2)) / 24000)), i);
    return b;
  };

  const fake: FakeRealtime = {
    endpoint: '',
    port: 0,
    sessions: [],
    refused: [],
    refuseWith: undefined,
    hangUpWith: undefined,
    last() {
      const s = fake.sessions.at(-1);
      if (!s) throw new Error('fake realtime: no session yet');
      return s;
    },
    speechStarted(session = fake.last()) {
      send(session, { type: 'input_audio_buffer.speech_started', audio_start_ms: 1000, item_id: 'item_in' });
    },
    delta(b64, session = fake.last(), responseId = session.responseId, itemId = 'item_out') {
      send(session, {
        type: options.protocol === 'ga' ? 'response.output_audio.delta' : 'response.audio.delta',
        response_id: responseId,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta: b64,
      });
    },
    dropAll() {
      for (const s of fake.sessions) s.ws.terminate();
    },
    userTurn(o = {}) {
      const s = o.session ?? fake.last();
      const itemId = `item_user_${++itemSeq}`;
      s.items.set(itemId, item(s, 'user'));
      send(s, { type: 'input_audio_buffer.speech_started', audio_start_ms: 1000, item_id: itemId });
      if (o.stopped) {
        fake.speechStopped(itemId, s);
        if (o.transcript !== undefined) {
          const text = o.transcript;
          const emit = (): void =>
            send(s, { type: 'conversation.item.input_audio_transcription.completed', item_id: itemId, content_index: 0, transcript: text });
          if (o.transcriptDelayMs) setTimeout(emit, o.transcriptDelayMs);
          else emit();
        }
      }
      return itemId;
    },
    speechStopped(itemId, session = fake.last()) {
      send(session, { type: 'input_audio_buffer.speech_stopped', audio_end_ms: 2000, item_id: itemId });
      send(session, { type: 'input_audio_buffer.committed', item_id: itemId, previous_item_id: null });
    },
    respond(o) {
      const s = o.session ?? fake.last();
      const responseId = `resp_${++responseSeq}`;
      const itemId = `item_asst_${++itemSeq}`;
      const it = item(s, 'assistant');
      s.items.set(itemId, it);
      s.responseId = responseId;
      send(s, { type: 'response.created', response: { id: responseId, status: 'in_progress' } });
      send(s, { type: 'response.output_item.added', response_id: responseId, output_index: 0, item: { id: itemId, type: 'message', role: 'assistant' } });
      const bpm = bytesPerMs(s);
      const total = Math.round(o.ms * bpm);
      const chunk = Math.round((o.chunkMs ?? 100) * bpm);
      const ga = options.protocol === 'ga';
      let sent = 0;
      const step = (): void => {
        if (s.responseId !== responseId) return; // cancelled
        const n = Math.min(chunk, total - sent);
        const audio = audioBytes(s, sent, n);
        sent += n;
        it.audioBytes += n;
        fake.delta(audio.toString('base64'), s, responseId, itemId);
        if (sent < total) {
          s.streaming = setTimeout(step, o.intervalMs ?? 20);
          return;
        }
        s.streaming = undefined;
        send(s, { type: ga ? 'response.output_audio.done' : 'response.audio.done', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 });
        if (o.text !== undefined) {
          send(s, { type: ga ? 'response.output_audio_transcript.done' : 'response.audio_transcript.done', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, transcript: o.text });
        }
        s.responseId = undefined;
        send(s, { type: 'response.done', response: { id: responseId, status: 'completed' } });
      };
      step();
      return { itemId, responseId };
    },
    expire(session = fake.last()) {
      error(session, 'session_expired', 'Your session hit the maximum duration of 60 minutes.', null);
      session.ws.close(1001, 'Your session hit the maximum duration of 60 minutes.');
    },
    async close() {
      for (const s of fake.sessions) s.ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  function send(s: FakeSession, ev: Json): void {
    if (s.ws.readyState === 1) s.ws.send(JSON.stringify({ event_id: `evt_${Math.random().toString(36).slice(2)}`, ...ev }));
  }

  function error(s: FakeSession, code: string, message: string, param: string | null, eventId?: string): void {
    s.errors.push({ code, message, param });
    send(s, { type: 'error', error: { type: 'invalid_request_error', code, message, param, event_id: eventId ?? null } });
  }

  function refuse(socket: import('node:stream').Duplex, status: number, url: string, body: Json): void {
    fake.refused.push({ status, url });
    const text = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (fake.refuseWith !== undefined) return refuse(socket, fake.refuseWith, url.href, { error: { code: 'Unavailable' } });
    const key = req.headers['api-key'];
    const auth = req.headers.authorization;
    const authed = (options.apiKey !== undefined && key === options.apiKey) || (options.bearer !== undefined && auth === `Bearer ${options.bearer}`);
    if (!authed) return refuse(socket, 401, url.href, { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } });
    if (options.protocol === 'ga') {
      if (url.pathname !== '/openai/v1/realtime') return refuse(socket, 404, url.href, { error: { code: '404', message: 'Resource not found' } });
      // The GA endpoint answers a stray api-version with 401 (migration guide, troubleshooting).
      if (url.searchParams.has('api-version')) return refuse(socket, 401, url.href, { error: { code: '401', message: 'api-version not allowed' } });
      if (url.searchParams.get('model') !== deployment) return refuse(socket, 404, url.href, { error: { code: 'DeploymentNotFound' } });
    } else {
      if (url.pathname !== '/openai/realtime') return refuse(socket, 404, url.href, { error: { code: '404', message: 'Resource not found' } });
      if (!PREVIEW_VERSIONS.has(url.searchParams.get('api-version') ?? '')) return refuse(socket, 400, url.href, { error: { code: 'BadRequest' } });
      if (url.searchParams.get('deployment') !== deployment) return refuse(socket, 404, url.href, { error: { code: 'DeploymentNotFound' } });
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s: FakeSession = { ws, url: url.href, headers: req.headers, received: [], appended: [], formatMismatches: 0, configured: false, format: undefined, responseId: undefined, items: new Map(), created: [], errors: [], streaming: undefined };
      fake.sessions.push(s);
      if (fake.hangUpWith !== undefined) return ws.close(fake.hangUpWith, 'policy violation');
      send(s, { type: 'session.created', session: { id: `sess_${fake.sessions.length}` } });
      ws.on('message', (data) => onEvent(s, data.toString()));
    });
  });

  function onEvent(s: FakeSession, text: string): void {
    let ev: Json;
    try {
      ev = JSON.parse(text) as Json;
    } catch {
      return error(s, 'invalid_json', 'The server could not parse the event.', null);
    }
    s.received.push(ev);
    switch (ev.type) {
      case 'session.update': {
        const problem = options.protocol === 'ga' ? checkGaSession(ev.session) : checkPreviewSession(ev.session);
        if (problem) return error(s, problem.code, problem.message, problem.param, ev.event_id);
        s.configured = true;
        s.format = options.protocol === 'ga' ? gaFormatName(ev.session.audio.input.format) : ev.session.input_audio_format;
        return send(s, { type: 'session.updated', session: ev.session });
      }
      case 'input_audio_buffer.append': {
        if (typeof ev.audio !== 'string' || !BASE64.test(ev.audio)) return error(s, 'invalid_value', 'Invalid audio', 'audio');
        // The audio must fit the session's format: PCM16 comes in whole samples, and 20 ms
        // frames of 8 kHz G.711 (160 bytes) or of 8/16 kHz PCM16 (320/640 bytes) sent to a 24 kHz
        // PCM16 session are the signature of a relay that forgot to configure or resample.
        const bytes = Buffer.from(ev.audio, 'base64').length;
        if ((s.format ?? 'pcm16') === 'pcm16' && (bytes % 2 !== 0 || bytes === 160 || bytes === 320 || bytes === 640)) {
          s.formatMismatches += 1;
          return error(s, 'invalid_value', `Audio of ${bytes} bytes does not fit the session's pcm16 24 kHz format.`, 'audio');
        }
        s.appended.push(ev.audio);
        if (!echo) return;
        if (s.responseId === undefined) {
          s.responseId = `resp_${++responseSeq}`;
          send(s, { type: 'response.created', response: { id: s.responseId, status: 'in_progress' } });
        }
        return fake.delta(ev.audio, s);
      }
      case 'conversation.item.truncate': {
        const it = s.items.get(ev.item_id);
        if (!it || it.deleted) return error(s, 'invalid_value', `Item with item_id not found: ${String(ev.item_id)}`, 'item_id', ev.event_id);
        if (it.role !== 'assistant') return error(s, 'invalid_value', 'Only assistant messages can be truncated.', 'item_id', ev.event_id);
        if (ev.content_index !== 0) return error(s, 'invalid_value', 'Invalid content_index.', 'content_index', ev.event_id);
        const end = ev.audio_end_ms;
        if (typeof end !== 'number' || !Number.isInteger(end) || end <= 0) return error(s, 'invalid_value', `Invalid audio_end_ms: ${String(end)}.`, 'audio_end_ms', ev.event_id);
        if (end > it.audioMs()) return error(s, 'invalid_value', `Audio content of ${it.audioMs()} ms is already shorter than ${end} ms`, 'audio_end_ms', ev.event_id);
        it.truncatedAt = end;
        return send(s, { type: 'conversation.item.truncated', item_id: ev.item_id, content_index: 0, audio_end_ms: end });
      }
      case 'conversation.item.delete': {
        const it = s.items.get(ev.item_id);
        if (!it || it.deleted) return error(s, 'invalid_value', `Item with item_id not found: ${String(ev.item_id)}`, 'item_id', ev.event_id);
        it.deleted = true;
        return send(s, { type: 'conversation.item.deleted', item_id: ev.item_id });
      }
      case 'conversation.item.create': {
        const problem = checkItem(ev.item, options.protocol);
        if (problem) return error(s, 'invalid_value', problem, 'item', ev.event_id);
        const id = `item_created_${++itemSeq}`;
        s.items.set(id, item(s, ev.item.role));
        s.created.push(ev.item);
        return send(s, { type: 'conversation.item.created', previous_item_id: null, item: { id, ...ev.item } });
      }
      case 'response.cancel': {
        if (s.responseId === undefined) return error(s, 'response_cancel_not_active', 'Cancellation failed: no active response found', null);
        const id = s.responseId;
        s.responseId = undefined;
        if (s.streaming) clearTimeout(s.streaming);
        s.streaming = undefined;
        return send(s, { type: 'response.done', response: { id, status: 'cancelled' } });
      }
      default:
    }
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  fake.port = typeof addr === 'object' && addr ? addr.port : 0;
  fake.endpoint = `http://127.0.0.1:${fake.port}`;
  return fake;
}

type Problem = { code: string; message: string; param: string } | undefined;

function gaFormatName(f: Json): 'pcm16' | 'g711_ulaw' | 'g711_alaw' {
  return f.type === 'audio/pcmu' ? 'g711_ulaw' : f.type === 'audio/pcma' ? 'g711_alaw' : 'pcm16';
}

function checkFormat(f: Json | undefined, where: string): Problem {
  if (f && (f.type === 'audio/pcmu' || f.type === 'audio/pcma')) return undefined;
  if (!f || f.type !== 'audio/pcm') return { code: 'invalid_value', message: `Invalid value for '${where}.type'.`, param: `${where}.type` };
  if (f.rate !== 24000) {
    return { code: 'invalid_value', message: 'PCMAudioFormat: Only a 24kHz sample rate is supported.', param: `${where}.rate` };
  }
  return undefined;
}

function checkGaSession(s: Json | undefined): Problem {
  if (!s || typeof s !== 'object') return { code: 'missing_required_parameter', message: "Missing required parameter: 'session'.", param: 'session' };
  if (s.type !== 'realtime') {
    return { code: 'missing_required_parameter', message: "Missing required parameter: 'session.type'.", param: 'session.type' };
  }
  for (const flat of ['input_audio_format', 'output_audio_format', 'modalities', 'voice', 'turn_detection', 'input_audio_transcription']) {
    if (flat in s) return { code: 'unknown_parameter', message: `Unknown parameter: 'session.${flat}'.`, param: `session.${flat}` };
  }
  return checkFormat(s.audio?.input?.format, 'session.audio.input.format') ?? checkFormat(s.audio?.output?.format, 'session.audio.output.format');
}

function checkPreviewSession(s: Json | undefined): Problem {
  if (!s || typeof s !== 'object') return { code: 'missing_required_parameter', message: "Missing required parameter: 'session'.", param: 'session' };
  for (const ga of ['type', 'audio', 'output_modalities']) {
    if (ga in s) return { code: 'unknown_parameter', message: `Unknown parameter: 'session.${ga}'.`, param: `session.${ga}` };
  }
  for (const f of ['input_audio_format', 'output_audio_format']) {
    if (!['pcm16', 'g711_ulaw', 'g711_alaw'].includes(s[f])) return { code: 'invalid_value', message: `Invalid value: '${String(s[f])}'. Supported values are: 'pcm16', 'g711_ulaw', and 'g711_alaw'.`, param: `session.${f}` };
  }
  return undefined;
}

/** The service's check of a `conversation.item.create` message item; a message, or undefined when valid. */
function checkItem(item: Json | undefined, protocol: 'ga' | 'preview'): string | undefined {
  if (!item || item.type !== 'message') return "Invalid value for 'item.type'.";
  if (!['user', 'assistant', 'system'].includes(item.role)) return "Invalid value for 'item.role'.";
  if (!Array.isArray(item.content) || item.content.length === 0) return "Missing required parameter: 'item.content'.";
  const want = item.role === 'assistant' ? (protocol === 'ga' ? 'output_text' : 'text') : 'input_text';
  for (const c of item.content as Json[]) {
    if (c?.type !== want) return `Invalid value: '${String(c?.type)}'. Supported values for ${String(item.role)} content are: '${want}'.`;
    if (typeof c.text !== 'string') return "Missing required parameter: 'item.content[0].text'.";
  }
  return undefined;
}
