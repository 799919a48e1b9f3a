/**
 * One call: an ACS media WebSocket on one side, an {@link Upstream} on the other.
 *
 * Per frame the work is kept lean: one `JSON.parse` of the ACS frame, a base64 check, and
 * either a string concatenation (24 kHz: the base64 passes through unchanged both ways)
 * or one resampler pass (16 kHz). No logging per frame, counters only.
 */
import type WebSocket from 'ws';
import { ACS_STOP_AUDIO_FRAME, acsAudioFrame, base64ByteLength, parseAcsFrame } from './acs-frames.js';
import { createPcmResampler, type PcmResampler } from './resampler.js';
import type { Upstream, UpstreamFactory } from './upstream.js';

/** Who the call is, from the upgrade request. */
export interface CallInfo {
  /** voicectl's id for the call (`c1`, `c2`, …), unique per bridge process. */
  callId: string;
  /** `x-ms-call-connection-id` upgrade header (ACS). */
  connectionId?: string;
  /** `x-ms-call-correlation-id` upgrade header (ACS). */
  correlationId?: string;
  /** Peer address. */
  remote?: string;
}

/** Counters of one call (the `call.ended` event carries them). */
export interface CallCounters {
  /** ACS AudioData frames received (silent ones included). */
  framesIn: number;
  /** PCM bytes received from the caller (decoded size, at the caller's rate). */
  bytesIn: number;
  /** AudioData frames sent to the caller. */
  framesOut: number;
  /** PCM bytes sent to the caller (decoded size, at the caller's rate). */
  bytesOut: number;
  /** Caller frames dropped toward the model (reconnecting, slow upstream). */
  droppedIn: number;
  /** Model audio dropped toward the caller (the ACS socket is not draining). */
  droppedOut: number;
  /** Model deltas dropped after barge-in cancelled their response. */
  lateDeltasDropped: number;
  /** Frames that were not valid ACS frames (bad JSON, binary, unknown kind, bad base64, oversized). */
  malformed: number;
  /** AudioData received before AudioMetadata (ignored). */
  beforeMetadata: number;
  /** Upstream connections re-established mid-call. */
  reconnects: number;
  /** `input_audio_buffer.speech_started` events (each sent ACS StopAudio). */
  bargeIns: number;
  /** `response.cancel` events sent to the model. */
  cancels: number;
  /** Model audio deltas that were not valid base64 PCM16 (dropped). */
  invalidDeltas: number;
}

/** Options of a call, from the server. */
export interface CallOptions {
  upstream: UpstreamFactory;
  /** NDJSON event sink (see `BridgeOptions.onEvent`). */
  onEvent(type: string, data: Record<string, unknown>): void;
  /** Called once when the call has ended (socket closed). */
  onEnd(call: BridgeCall): void;
  /** A fatal upstream error, for `/api/health`'s `lastUpstreamError`. */
  onUpstreamError(message: string): void;
  /** Cap on bytes queued toward the caller's socket before model audio is dropped (bytes). */
  maxQueuedBytes: number;
  /** Text frames larger than this are counted as malformed and ignored (bytes). */
  maxFrameBytes: number;
}

const MAX_PENDING_FRAMES = 50;

/** Truncate a close reason to the 123 bytes a WebSocket close frame allows. */
export function closeReason(text: string): string {
  let s = text;
  while (Buffer.byteLength(s) > 123) s = s.slice(0, -1);
  return s;
}

/** A live call. Created by the server on each accepted media upgrade. */
export class BridgeCall {
  readonly info: CallInfo;
  readonly startedAt = Date.now();
  /** Cleared by the server's heartbeat, set by every pong. */
  alive = true;
  private readonly c: CallCounters = {
    framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, droppedIn: 0, droppedOut: 0, lateDeltasDropped: 0,
    malformed: 0, beforeMetadata: 0, reconnects: 0, bargeIns: 0, cancels: 0, invalidDeltas: 0,
  };
  private sampleRate: 16000 | 24000 | undefined;
  private toModel: PcmResampler | undefined;
  private toCaller: PcmResampler | undefined;
  /** Frames waiting while the resamplers load (in order; bounded). */
  private waiting: Array<{ dir: 'in' | 'out'; b64: string }> | undefined;
  private malformedReported = 0;
  private ended = false;
  /**
   * Created at the first AudioMetadata, not at the upgrade: ACS always sends it first, and a
   * socket that never does (ws-probe, `voicectl doctor`, a tunnel's health check) then costs
   * no Realtime session.
   */
  private upstream: Upstream | undefined;

  constructor(
    private readonly ws: WebSocket,
    info: CallInfo,
    private readonly o: CallOptions,
  ) {
    this.info = info;
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', (err) => {
      // a protocol error (frame over maxPayload: 1009, invalid UTF-8: 1007); 'close' follows
      this.malformed(err.message);
    });
    ws.on('close', (code, reason) => this.end(code, reason.toString()));
  }

  /** The call's upstream, created at the first AudioMetadata (see the `upstream` field). */
  private ensureUpstream(): Upstream {
    if (this.upstream) return this.upstream;
    this.upstream = this.o.upstream({
      callId: this.info.callId,
      sink: {
        audio: (b64) => this.fromModel(b64),
        speechStarted: () => {
          this.c.bargeIns += 1;
          if (this.ws.readyState === 1) this.ws.send(ACS_STOP_AUDIO_FRAME);
        },
        transcript: (role, text) => this.o.onEvent('transcript', { callId: this.info.callId, role, text }),
        error: ({ message, code, fatal }) => {
          this.o.onEvent('upstream.error', { callId: this.info.callId, message, ...(code ? { code } : {}), fatal });
          if (fatal) {
            this.o.onUpstreamError(message);
            this.close(1011, message);
          }
        },
        reconnecting: (r) => this.o.onEvent('upstream.reconnecting', { callId: this.info.callId, ...r }),
      },
    });
    return this.upstream;
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
    };
  }

  /** Close the caller's socket (the upstream closes when the socket has closed). */
  close(code: number, reason: string): void {
    if (this.ws.readyState <= 1) this.ws.close(code, closeReason(reason));
  }

  /** One heartbeat: terminate when the last ping went unanswered, else ping again. */
  heartbeat(): void {
    if (!this.alive) return this.terminate();
    this.alive = false;
    if (this.ws.readyState === 1) this.ws.ping();
  }

  /** Kill the socket at once (no pong, or drain timeout). */
  terminate(): void {
    this.ws.terminate();
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.malformed('binary frame');
    if (data.length > this.o.maxFrameBytes) return this.malformed(`frame of ${data.length} bytes over the limit`);
    const f = parseAcsFrame(data.toString());
    switch (f.kind) {
      case 'audio':
        if (this.sampleRate === undefined) {
          this.c.beforeMetadata += 1;
          return;
        }
        this.c.framesIn += 1;
        this.c.bytesIn += base64ByteLength(f.data);
        if (this.waiting) return this.wait('in', f.data);
        if (this.toModel) {
          const out = this.toModel.process(f.data);
          if (out !== '') this.upstream!.send(out);
          return;
        }
        this.upstream!.send(f.data); // set: the format (AudioMetadata) is known
        return;
      case 'metadata':
        return this.setFormat(f.sampleRate);
      case 'dtmf':
        return this.o.onEvent('call.dtmf', { callId: this.info.callId, digit: f.digit });
      case 'unsupported':
        this.o.onEvent('call.unsupported', { callId: this.info.callId, reason: f.reason });
        return this.close(1003, f.reason);
      case 'ignored':
        return;
      case 'malformed':
        return this.malformed(f.reason);
    }
  }

  private malformed(reason: string): void {
    this.c.malformed += 1;
    if (this.malformedReported < 3) {
      this.malformedReported += 1;
      this.o.onEvent('call.malformed', { callId: this.info.callId, reason, count: this.c.malformed });
    }
  }

  private setFormat(rate: 16000 | 24000): void {
    if (this.ended || rate === this.sampleRate) return;
    this.sampleRate = rate;
    this.destroyResamplers();
    const upstream = this.ensureUpstream();
    const resample = upstream.sampleRate !== 'caller' && upstream.sampleRate !== rate;
    this.o.onEvent('call.format', { callId: this.info.callId, sampleRate: rate, resampling: resample });
    if (!resample) return;
    const model = upstream.sampleRate as number;
    this.waiting = [];
    Promise.all([createPcmResampler(rate, model), createPcmResampler(model, rate)]).then(
      ([inRs, outRs]) => {
        if (this.ended || this.sampleRate !== rate) return void (inRs.destroy(), outRs.destroy());
        this.toModel = inRs;
        this.toCaller = outRs;
        const waiting = this.waiting ?? [];
        this.waiting = undefined;
        for (const w of waiting) {
          if (w.dir === 'in') {
            const out = inRs.process(w.b64);
            if (out !== '') upstream.send(out);
          } else this.fromModel(w.b64);
        }
      },
      (err: unknown) => {
        this.o.onEvent('call.error', { callId: this.info.callId, message: `resampler failed: ${String(err)}` });
        this.close(1011, 'resampler failed to load');
      },
    );
  }

  private wait(dir: 'in' | 'out', b64: string): void {
    if (this.waiting!.length < MAX_PENDING_FRAMES) this.waiting!.push({ dir, b64 });
    else if (dir === 'in') this.c.droppedIn += 1;
    else this.c.droppedOut += 1;
  }

  private fromModel(b64: string): void {
    if (this.ws.readyState !== 1) return;
    if (this.sampleRate === undefined && this.upstream?.sampleRate !== 'caller') {
      this.c.droppedOut += 1; // the caller's rate is not known yet (no AudioMetadata)
      return;
    }
    if (this.waiting) return this.wait('out', b64);
    let out = b64;
    if (this.toCaller) {
      out = this.toCaller.process(b64);
      if (out === '') return;
    }
    if (this.ws.bufferedAmount > this.o.maxQueuedBytes) {
      this.c.droppedOut += 1;
      return;
    }
    this.ws.send(acsAudioFrame(out));
    this.c.framesOut += 1;
    this.c.bytesOut += base64ByteLength(out);
  }

  private destroyResamplers(): void {
    this.toModel?.destroy();
    this.toCaller?.destroy();
    this.toModel = undefined;
    this.toCaller = undefined;
  }

  private end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.upstream?.close();
    this.destroyResamplers();
    const counters = this.counters();
    this.o.onEvent('call.ended', {
      ...this.info,
      durationMs: Date.now() - this.startedAt,
      sampleRate: this.sampleRate ?? null,
      ...counters,
      closeCode: code,
      closeReason: reason,
    });
    this.o.onEnd(this);
  }
}
