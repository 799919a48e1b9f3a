/**
 * The Azure OpenAI Realtime upstream of one call: a WebSocket client that configures the
 * session, streams caller audio in, hands model audio out, handles barge-in, and survives drops.
 *
 * - First message on every connection: `session.update`; after a reconnect, the conversation so
 *   far as `conversation.item.create` text items ({@link UpstreamSink.replay}); then caller audio.
 * - Caller audio before the first connection opens is queued (up to the queued-bytes cap) and
 *   flushed in order; during a reconnect, or while the socket is slow (`bufferedAmount` over the
 *   cap), it is dropped and counted, so memory per call stays bounded.
 * - Barge-in: on `input_audio_buffer.speech_started` the sink is told (it stops playback and
 *   sends {@link Upstream.truncate} / {@link Upstream.deleteItem}), then `response.cancel` goes
 *   out when a response is in progress; late deltas of the cancelled response are dropped.
 * - Drops: reconnect with backoff (doubling from 0.5 s to 8 s by default). A session the service
 *   ends at its maximum duration (`error` code `session_expired`, or a close whose reason says
 *   "maximum duration") is replaced at once. A refusal (HTTP 400/401/403/404 at the upgrade, or
 *   an `error` answering the session.update) is fatal at once; so are `maxAttempts` failed
 *   connection attempts in a row.
 */
import WebSocket from 'ws';
import { base64ByteLength, isBase64 } from './base64.js';
import { fastModelAudioDelta } from './fast-path.js';
import { payloadString, type Base64Bytes } from './payload.js';
import {
  SESSION_UPDATE_EVENT_ID,
  appendAudioAround,
  appendAudioBytes,
  normalizeServerEvent,
  sessionUpdate,
} from './realtime-protocol.js';
import type { SessionAudio } from './media-format.js';
import { deleteItemEvent, itemCreateEvent, truncateEvent } from './conversation.js';
import { closeVerdict, type Backoff, type RealtimeUpstreamOptions } from './realtime-upstream-options.js';
import { ResponseTracker } from './response-tracker.js';
import { openRealtimeSocket } from './realtime-socket.js';
import type { Upstream, UpstreamCounters, UpstreamFactory, UpstreamSink } from './upstream.js';
import { sendText } from './ws-text.js';

export type { Backoff, RealtimeUpstreamOptions } from './realtime-upstream-options.js';

/** An {@link UpstreamFactory} connecting each call to Azure OpenAI Realtime. */
export function realtimeUpstreamFactory(options: RealtimeUpstreamOptions): UpstreamFactory {
  // One session.update text per format, built once: every call of that format sends the same.
  const texts = new Map<SessionAudio, string>();
  const sessionText = (audio: SessionAudio): string => {
    let t = texts.get(audio);
    if (t === undefined) texts.set(audio, (t = JSON.stringify(sessionUpdate(options.protocol, options.session, audio))));
    return t;
  };
  return ({ sink, audio }) => new RealtimeUpstream(options, sessionText(audio), sink, audio);
}

class RealtimeUpstream implements Upstream {
  readonly passthrough = false;
  private readonly backoff: Backoff;
  private readonly maxQueued: number;
  private ws: WebSocket | undefined;
  private closed = false;
  private everOpened = false;
  private failures = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private sessionAcked = false;
  private readonly responses = new ResponseTracker();
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly c: Omit<Required<UpstreamCounters>, 'lateDeltasDropped'> = { reconnects: 0, dropped: 0, cancels: 0, invalidDeltas: 0, turnsReplayed: 0 };

  constructor(
    private readonly o: RealtimeUpstreamOptions,
    private readonly sessionText: string,
    private readonly sink: UpstreamSink,
    private readonly audio: SessionAudio,
  ) {
    this.backoff = { baseMs: 500, maxMs: 8000, maxAttempts: 6, ...o.backoff };
    this.maxQueued = o.maxQueuedBytes ?? 256 * 1024;
    this.connect();
  }

  send(b64: string): boolean {
    const ws = this.ws;
    if (this.closed) return false;
    if (ws && ws.readyState === WebSocket.OPEN) {
      if (ws.bufferedAmount > this.maxQueued) return this.drop();
      sendText(ws, appendAudioBytes(b64));
      return true;
    }
    return this.queue(b64);
  }

  sendBytes(p: Base64Bytes): boolean {
    const ws = this.ws;
    if (this.closed || !ws || ws.readyState !== WebSocket.OPEN) return this.send(payloadString(p));
    if (ws.bufferedAmount > this.maxQueued) return this.drop();
    sendText(ws, appendAudioAround(p));
    return true;
  }

  /** Caller audio while no socket is open: queued before the first one, dropped during a reconnect. */
  private queue(b64: string): boolean {
    if (!this.everOpened && this.pendingBytes + b64.length <= this.maxQueued) {
      this.pending.push(b64);
      this.pendingBytes += b64.length;
      return true;
    }
    return this.drop();
  }

  counters(): UpstreamCounters {
    return { ...this.c, lateDeltasDropped: this.responses.lateDeltas };
  }

  truncate(itemId: string, contentIndex: number, audioEndMs: number): void {
    this.sendControl(truncateEvent(itemId, contentIndex, audioEndMs));
  }

  deleteItem(itemId: string): void {
    this.sendControl(deleteItemEvent(itemId));
  }

  /** A control event on the open socket; dropped while reconnecting (the new session has no such item). */
  private sendControl(text: string): void {
    const ws = this.ws;
    if (!this.closed && ws && ws.readyState === WebSocket.OPEN) ws.send(text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopRetry();
    this.pending = [];
    const ws = this.ws;
    if (!ws) return;
    try {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'call ended');
      else ws.terminate();
    } catch {
      // closing an already-failed socket: nothing left to do
    }
  }

  private drop(): false {
    this.c.dropped += 1;
    return false;
  }

  private connect(): void {
    this.o.authHeaders().then(
      (headers) => {
        try {
          this.open(headers);
        } catch (err) {
          // e.g. a header value with a newline in it: fail the call, never the process
          this.fatal(`cannot open the Realtime WebSocket: ${(err as Error).message}`);
        }
      },
      (err: unknown) => this.fatal(`cannot authenticate to Azure OpenAI: ${(err as Error)?.message ?? String(err)}`),
    );
  }

  private open(headers: Record<string, string>): void {
    if (this.closed) return;
    const ws: WebSocket = openRealtimeSocket(this.o.url, headers, this.o, {
      open: () => {
        this.sessionAcked = false;
        this.responses.reset();
        ws.send(this.sessionText);
        // The conversation so far, in order, before any caller audio (empty on a call's first session).
        for (const turn of this.sink.replay?.() ?? []) {
          ws.send(itemCreateEvent(this.o.protocol, turn));
          this.c.turnsReplayed += 1;
        }
        if (this.everOpened) this.c.reconnects += 1;
        this.everOpened = true;
        for (const b64 of this.pending) sendText(ws, appendAudioBytes(b64));
        this.pending = [];
        this.pendingBytes = 0;
      },
      // a replaced (expired) session may still be closing: only the current one speaks
      message: (data) => this.ws === ws && this.onServerEvent(data),
      close: (end) => {
        if (this.closed || this.ws !== ws) return;
        const v = closeVerdict({ ...end, sessionAcked: this.sessionAcked });
        if (v.kind === 'refused') return this.fatal(v.message, undefined, v.status);
        if (v.kind === 'dropped') {
          // A session that was working (session.updated seen) dropped: start the backoff afresh;
          // an expired session is replaced at once.
          this.failures = 0;
          return this.retry(v.reason, v.expired ? 0 : undefined);
        }
        const failure = v.reason ?? end.failure;
        this.failures += 1;
        if (this.failures >= this.backoff.maxAttempts) {
          return this.fatal(`Azure OpenAI: ${this.failures} connection attempts failed: ${failure}`);
        }
        this.retry(failure);
      },
    });
    this.ws = ws;
  }

  private retry(reason: string, delay?: number): void {
    const delayMs = delay ?? Math.min(this.backoff.baseMs * 2 ** this.failures, this.backoff.maxMs);
    this.sink.reconnecting({ attempt: this.failures + 1, delayMs, reason });
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }

  private onServerEvent(data: Buffer): void {
    // The hot message first: an audio delta in the service's flat shape is read from its bytes
    // (its base64 checked there) and handed on in them; anything else takes the full parser below.
    const fast = fastModelAudioDelta(data);
    if (fast) {
      if (this.responses.isLate(fast.responseId)) return;
      if (this.sink.audioBytes) this.sink.audioBytes(fast, fast);
      else this.sink.audio(payloadString(fast), fast);
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(data.toString());
    } catch {
      return;
    }
    const ev = normalizeServerEvent(doc);
    switch (ev.type) {
      case 'audio':
        if (this.responses.isLate(ev.responseId)) return;
        // The caller-side frame is built by concatenation: only base64 may get there.
        if (!isBase64(ev.delta) || (this.audio === 'pcm16' && base64ByteLength(ev.delta) % 2 !== 0)) {
          this.c.invalidDeltas += 1;
          return;
        }
        this.sink.audio(ev.delta, ev);
        return;
      case 'speech_started':
        this.sink.speechStarted(ev.itemId);
        if (this.responses.active) this.cancelResponse();
        return;
      case 'speech_stopped':
        this.sink.speechStopped?.();
        return;
      case 'response.created':
        return this.responses.created(ev.responseId);
      case 'response.done':
        return this.responses.done(ev.responseId);
      case 'session.updated':
        this.sessionAcked = true;
        this.sink.ready?.();
        return;
      case 'transcript':
        if (ev.text !== '') this.sink.transcript(ev.role, ev.text, ev.itemId);
        return;
      case 'error':
        if (!this.sessionAcked || ev.eventId === SESSION_UPDATE_EVENT_ID) {
          return this.fatal(`Azure OpenAI rejected the session: ${ev.message}`, ev.code);
        }
        if (ev.code === 'response_cancel_not_active') return; // raced the service's own interrupt
        if (ev.code === 'session_expired') return this.replaceSession(ev.message);
        this.sink.error({ message: ev.message, code: ev.code, fatal: false });
        return;
      default:
    }
  }

  /**
   * The service ended the session at its maximum duration: open a new one now (no backoff) and
   * let the old socket go; the call's context is replayed into the new session on open.
   */
  private replaceSession(message: string): void {
    const old = this.ws;
    this.ws = undefined;
    this.stopRetry();
    this.failures = 0;
    try {
      old?.close(1000, 'session expired');
    } catch {
      // already closing
    }
    this.sink.reconnecting({ attempt: 1, delayMs: 0, reason: `Realtime session expired: ${message.slice(0, 80)}` });
    this.connect();
  }

  private cancelResponse(): void {
    const ws = this.ws;
    this.responses.cancel();
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send('{"type":"response.cancel"}');
      this.c.cancels += 1;
    }
  }

  private fatal(message: string, code?: string, status?: number): void {
    if (this.closed) return;
    this.close();
    this.sink.error({ message, fatal: true, ...(code !== undefined ? { code } : {}), ...(status !== undefined ? { status } : {}) });
  }

  private stopRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
