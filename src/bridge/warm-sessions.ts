/**
 * Realtime sessions opened before their call's media socket exists: when the bridge answers an
 * ACS call itself (Event Grid `IncomingCall`), the session handshake (TLS, upgrade,
 * `session.update` → `session.updated`) runs while ACS connects the call and opens the media
 * WebSocket, so the first answer does not wait for it.
 *
 * Flow: {@link WarmSessions.open} at IncomingCall (before the answer request) → `bind` with the
 * call connection id the answer returns → the media socket's upgrade carries the same id in
 * `x-ms-call-connection-id`, and the call {@link WarmSessions.claim}s the session when its format
 * is known. A session no call claims within the timeout (15 s by default) is closed, and so is
 * one whose answer failed. Pre-opened sessions use the format ACS is asked for (`pcm24KMono`:
 * PCM16, which 16 kHz calls also use, resampled).
 */
import type { SessionAudio } from './media-format.js';
import { payloadString, type Base64Bytes } from './payload.js';
import type { AudioItemRef, ReplayTurn, Upstream, UpstreamFactory, UpstreamSink } from './upstream.js';

/** A pre-opened session handed to its call. */
export interface ClaimedSession {
  upstream: Upstream;
  /** Route the session's events to the call from now on (events seen before are replayed: ready). */
  attach(sink: UpstreamSink): void;
}

/** What the answering side holds for one call being answered. */
export interface WarmTicket {
  /** The answer succeeded: the session waits for the media socket of this call connection. */
  bind(callConnectionId: string): void;
  /** The answer failed: close the session. */
  cancel(): void;
}

interface Pending {
  upstream: Upstream;
  audio: SessionAudio;
  target: UpstreamSink | undefined;
  ready: boolean;
  failed: boolean;
  timer: NodeJS.Timeout;
}

/** Options of {@link WarmSessions}. */
export interface WarmSessionsOptions {
  upstream: UpstreamFactory;
  /** Unclaimed sessions are closed after this (ms, default 15 000). */
  timeoutMs?: number;
  /** Most sessions open ahead at once (default 50): beyond it, calls open their own at media time. */
  max?: number;
  onEvent(type: string, data: Record<string, unknown>): void;
}

/** The bridge's pre-opened sessions, by call connection id. */
export class WarmSessions {
  private readonly byId = new Map<string, Pending>();
  private readonly unbound = new Set<Pending>();
  private seq = 0;

  constructor(private readonly o: WarmSessionsOptions) {}

  /** Sessions open and not yet claimed. */
  get size(): number {
    return this.byId.size + this.unbound.size;
  }

  /** Open a session for a call about to be answered; undefined when at the cap. */
  open(audio: SessionAudio = 'pcm16'): WarmTicket | undefined {
    if (this.size >= (this.o.max ?? 50)) return undefined;
    const warmId = `w${++this.seq}`;
    const p: Pending = { upstream: undefined as unknown as Upstream, audio, target: undefined, ready: false, failed: false, timer: undefined as unknown as NodeJS.Timeout };
    p.upstream = this.o.upstream({ callId: warmId, audio, sink: this.proxy(p) });
    p.timer = setTimeout(() => this.expire(p, 'no media socket claimed it'), this.o.timeoutMs ?? 15_000);
    p.timer.unref();
    this.unbound.add(p);
    let boundId: string | undefined;
    return {
      bind: (callConnectionId) => {
        if (!this.unbound.delete(p) || p.failed) return;
        boundId = callConnectionId;
        this.byId.get(callConnectionId)?.upstream.close(); // a duplicate: keep the newer
        this.byId.set(callConnectionId, p);
      },
      cancel: () => {
        this.unbound.delete(p);
        if (boundId !== undefined && this.byId.get(boundId) === p) this.byId.delete(boundId);
        clearTimeout(p.timer);
        p.upstream.close();
      },
    };
  }

  /** The session pre-opened for `callConnectionId` in format `audio`, now the call's; else undefined. */
  claim(callConnectionId: string, audio: SessionAudio): ClaimedSession | undefined {
    const p = this.byId.get(callConnectionId);
    if (!p) return undefined;
    this.byId.delete(callConnectionId);
    clearTimeout(p.timer);
    if (p.failed || p.audio !== audio) {
      p.upstream.close();
      return undefined;
    }
    return {
      upstream: p.upstream,
      attach: (sink) => {
        p.target = sink;
        if (p.ready) sink.ready?.();
      },
    };
  }

  /** Close every unclaimed session (the bridge is stopping). */
  closeAll(): void {
    for (const p of [...this.byId.values(), ...this.unbound]) {
      clearTimeout(p.timer);
      p.upstream.close();
    }
    this.byId.clear();
    this.unbound.clear();
  }

  private expire(p: Pending, reason: string): void {
    this.unbound.delete(p);
    for (const [id, q] of this.byId) if (q === p) this.byId.delete(id);
    p.upstream.close();
    this.o.onEvent('upstream.prewarm_closed', { reason });
  }

  /** A sink that forwards to the call once claimed; before that only readiness and failure matter. */
  private proxy(p: Pending): UpstreamSink {
    return {
      audio: (b64: string, item?: AudioItemRef) => p.target?.audio(b64, item),
      audioBytes: (b: Base64Bytes, item?: AudioItemRef) => {
        const t = p.target;
        if (t?.audioBytes) t.audioBytes(b, item);
        else t?.audio(payloadString(b), item);
      },
      speechStarted: (itemId?: string) => p.target?.speechStarted(itemId),
      speechStopped: () => p.target?.speechStopped?.(),
      transcript: (role, text, itemId) => p.target?.transcript(role, text, itemId),
      replay: (): ReplayTurn[] => p.target?.replay?.() ?? [],
      ready: () => {
        p.ready = true;
        p.target?.ready?.();
      },
      error: (info) => {
        if (p.target) return p.target.error(info);
        if (info.fatal) p.failed = true;
      },
      reconnecting: (info) => p.target?.reconnecting(info),
    };
  }
}
