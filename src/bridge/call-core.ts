/**
 * The call core: one phone call between a media leg (ACS, Asterisk, Twilio: an adapter per
 * source, see `legs/`) and one {@link Upstream} (Azure OpenAI Realtime or the echo).
 *
 * The core knows nothing of any leg's wire format. A leg tells it the call's audio format
 * ({@link CallCore.start}), hands it caller audio ({@link CallCore.callerAudio}), DTMF and its
 * end; the core opens the upstream in the matching session format, converts sample rates where
 * the leg's PCM is not 24 kHz, and drives the leg back through {@link MediaLeg}: model audio,
 * barge-in (stop playback), hang-up. Counters and NDJSON events are kept here, the same for
 * every source; the conversation side (truncation to what the caller heard, context replayed
 * into a new session, voice-to-voice latency, transcripts) in call-conversation.ts.
 *
 * The per-frame audio path is call-audio.ts (kept lean: no logging per frame, counters only).
 */
import { createResampler } from '../audio/resampler.js';
import { base64ByteLength } from './base64.js';
import { CallAudio } from './call-audio.js';
import { CallConversation } from './call-conversation.js';
import { payloadByteLength } from './payload.js';
import { describeFormat, legBytesPerMs, sessionAudioFor, sessionBytesPerMs, type LegFormat, type SessionAudio } from './media-format.js';
import type { Upstream, UpstreamFactory, UpstreamSink } from './upstream.js';
import type { ClaimedSession } from './warm-sessions.js';
import { closeReason, type CallCounters, type CallInfo, type MediaLeg } from './call-types.js';

export { zeroCounters } from './call-types.js';
export type { CallCounters, CallInfo, CallSource, MediaLeg } from './call-types.js';
export { closeReason } from './call-types.js';

/** Options of a call, from the server. */
export interface CallCoreOptions {
  upstream: UpstreamFactory;
  /** NDJSON event sink: (type, data). */
  onEvent(type: string, data: Record<string, unknown>): void;
  /** Called once when the call has ended. */
  onEnd(call: CallCore): void;
  /** A fatal upstream error, for `/api/health`'s `lastUpstreamError` and `/api/ready`; `status` of a refused upgrade. */
  onUpstreamError(message: string, status?: number): void;
  /** The upstream accepted a session (clears a refusal seen before). */
  onUpstreamReady?(): void;
  /** One turn's voice-to-voice latency (ms), for the bridge-wide figures. */
  onTurnLatency?(ms: number): void;
  /** The session pre-opened when the bridge answered this call (ACS: by call connection id; Twilio: by CallSid), if any. */
  claimWarm?(key: string, audio: SessionAudio): ClaimedSession | undefined;
}

/** A live call. Created by the server when a leg is accepted; the leg is attached right after. */
export class CallCore extends CallAudio {
  readonly info: CallInfo;
  readonly startedAt = Date.now();
  private malformedReported = 0;
  private announced = false;
  /** Set when the bridge hung up: the code and reason `call.ended` reports. */
  private hungUp: { code: number; reason: string } | undefined;
  /** When the upstream first accepted its session (ms since the epoch). */
  private sessionReadyAt: number | undefined;
  /** True when the call took a session pre-opened while the call was being answered. */
  private warm = false;

  constructor(info: CallInfo, private readonly o: CallCoreOptions) {
    super();
    this.info = info;
  }

  /** Attach the leg (once, right after construction). */
  attach(leg: MediaLeg): void {
    this.leg = leg;
  }

  /** Add leg ids learned after the connection opened (e.g. Asterisk's channel id at MEDIA_START). */
  identify(ids: Record<string, string | undefined>): void {
    for (const [k, v] of Object.entries(ids)) if (v !== undefined && k !== 'callId' && k !== 'source') this.info[k] = v;
  }

  /** Emit `call.started` (once); `extra` adds fields such as the active count or transport. */
  announce(extra: Record<string, unknown> = {}): void {
    if (this.announced) return;
    this.announced = true;
    this.o.onEvent('call.started', { ...this.info, ...extra });
  }

  /** True once {@link start} has set the format. */
  get started(): boolean {
    return this.format !== undefined;
  }

  /** The leg's format, once started. */
  get legFormat(): LegFormat | undefined {
    return this.format;
  }

  /**
   * The leg knows the call's audio format: open the upstream in the matching session format.
   * A second call with the same format is ignored; with another format it is refused
   * (a call's format is fixed once its session is open) and counted as malformed.
   */
  start(format: LegFormat): void {
    if (this.ended) return;
    if (this.format) {
      if (this.format.codec !== format.codec || this.format.sampleRate !== format.sampleRate) {
        this.malformed(`format change from ${describeFormat(this.format)} to ${describeFormat(format)} ignored`);
      }
      return;
    }
    this.format = format;
    const { audio, resampleFrom } = sessionAudioFor(format);
    this.conversation = new CallConversation(
      {
        callId: this.info.callId,
        emit: this.o.onEvent,
        upstream: () => this.upstream,
        ...(this.o.onTurnLatency ? { onTurnLatency: this.o.onTurnLatency } : {}),
      },
      sessionBytesPerMs(audio),
      legBytesPerMs(format),
    );
    const upstream = this.openUpstream(audio);
    const resampling = resampleFrom !== undefined && !upstream.passthrough;
    if (resampling) {
      this.toModel = createResampler(resampleFrom, 24000);
      this.toCaller = createResampler(24000, resampleFrom);
    }
    this.o.onEvent('call.format', {
      callId: this.info.callId,
      source: this.info.source,
      codec: format.codec,
      sampleRate: format.sampleRate,
      sessionAudio: upstream.passthrough ? 'caller' : audio,
      resampling,
    });
  }

  /** A DTMF digit from the caller. */
  dtmf(digit: string): void {
    this.o.onEvent('call.dtmf', { callId: this.info.callId, source: this.info.source, digit });
  }

  /** A message the leg could not use: counted, the first three reported. */
  malformed(reason: string): void {
    this.c.malformed += 1;
    if (this.malformedReported < 3) {
      this.malformedReported += 1;
      this.o.onEvent('call.malformed', { callId: this.info.callId, reason, count: this.c.malformed });
    }
  }

  /** A leg-specific event, tagged with the call id. */
  event(type: string, data: Record<string, unknown>): void {
    this.o.onEvent(type, { callId: this.info.callId, ...data });
  }

  /** Counters so far (upstream counters folded in). */
  counters(): CallCounters {
    const u = this.upstream?.counters() ?? { dropped: 0, lateDeltasDropped: 0, reconnects: 0, cancels: 0, invalidDeltas: 0 };
    return {
      ...this.c,
      droppedIn: this.c.droppedIn + u.dropped,
      lateDeltasDropped: u.lateDeltasDropped,
      reconnects: u.reconnects,
      cancels: u.cancels,
      invalidDeltas: u.invalidDeltas,
      turnsReplayed: u.turnsReplayed ?? 0,
    };
  }

  /**
   * Hang the call up from the bridge's side (the upstream closes when the leg has ended). The
   * code and reason are what `call.ended` reports, whatever the leg's own close says.
   */
  close(code: number, reason: string): void {
    this.hungUp ??= { code, reason: closeReason(reason) };
    this.leg?.hangUp(code, closeReason(reason));
  }

  /** Drop the leg at once. */
  terminate(): void {
    this.leg?.terminate();
  }

  /** One heartbeat tick for the leg. */
  heartbeat(): void {
    this.leg?.heartbeat?.();
  }

  /** The leg has closed: close the upstream, emit `call.ended` (when announced), tell the server. */
  end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.upstream?.close();
    const counters = this.counters();
    if (this.announced) {
      this.o.onEvent('call.ended', {
        ...this.info,
        durationMs: Date.now() - this.startedAt,
        sampleRate: this.format?.sampleRate ?? null,
        codec: this.format?.codec ?? null,
        ...counters,
        ...(this.conversation?.summary() ?? {}),
        ...(this.format ? { sessionReadyMs: this.sessionReadyAt !== undefined ? Math.max(0, this.sessionReadyAt - this.startedAt) : null, warmSession: this.warm } : {}),
        closeCode: this.hungUp?.code ?? code,
        closeReason: this.hungUp?.reason ?? reason,
      });
    }
    this.o.onEnd(this);
  }

  private openUpstream(audio: SessionAudio): Upstream {
    const sink: UpstreamSink = {
        audio: (b64, item) => {
          this.conversation?.generated(item, base64ByteLength(b64));
          this.fromModel(b64);
        },
        audioBytes: (p, item) => {
          const bytes = payloadByteLength(p);
          this.conversation?.generated(item, bytes);
          this.fromModelBytes(p, bytes);
        },
        speechStarted: (itemId) => {
          this.c.bargeIns += 1;
          // The position first (the leg's stop drops its queue), then the stop at once, then the
          // model is told what was heard; the upstream sends response.cancel right after.
          const played = this.leg?.playedMs?.();
          this.toCaller?.reset();
          this.leg?.stopPlayback();
          this.conversation?.bargeIn(itemId, played);
        },
        speechStopped: () => this.conversation?.speechStopped(),
        transcript: (role, text, itemId) => this.conversation?.transcript(role, text, itemId),
        replay: () => this.conversation?.replay() ?? [],
        ready: () => {
          this.sessionReadyAt ??= Date.now();
          this.o.onUpstreamReady?.();
          this.o.onEvent('upstream.opened', { callId: this.info.callId, source: this.info.source, ...(this.warm ? { warm: true } : {}) });
        },
        error: ({ message, code, fatal, status }) => {
          this.o.onEvent('upstream.error', { callId: this.info.callId, message, ...(code ? { code } : {}), ...(status ? { status } : {}), fatal });
          if (fatal) {
            this.o.onUpstreamError(message, status);
            this.close(1011, message);
          }
        },
        reconnecting: (r) => this.o.onEvent('upstream.reconnecting', { callId: this.info.callId, ...r }),
    };
    // A session the bridge opened while answering this call: ACS by call connection id, Twilio by CallSid.
    const key = this.info.source === 'acs' ? this.info.connectionId : this.info.source === 'twilio' ? this.info.callSid : undefined;
    const warm = key !== undefined ? this.o.claimWarm?.(key, audio) : undefined;
    if (warm) {
      this.warm = true;
      this.upstream = warm.upstream;
      warm.attach(sink);
      return warm.upstream;
    }
    this.upstream = this.o.upstream({ callId: this.info.callId, audio, sink });
    return this.upstream;
  }
}
