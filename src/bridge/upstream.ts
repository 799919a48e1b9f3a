/**
 * What a call talks to on the far side: the Azure OpenAI Realtime client or the echo.
 * One upstream per call; the call feeds it caller audio and receives model audio and
 * events through an {@link UpstreamSink}.
 */
import type { SessionAudio } from './media-format.js';

/** Callbacks an upstream uses to reach its call. All run synchronously on the event loop. */
export interface UpstreamSink {
  /** Model audio for the caller: base64 in the session format (or the caller's, for a passthrough upstream). */
  audio(b64: string): void;
  /** The model heard the caller start speaking (barge-in): the call stops the leg's playback. */
  speechStarted(): void;
  /** A finished transcript line, of the caller or of the model. */
  transcript(role: 'caller' | 'model', text: string): void;
  /**
   * A failure. `fatal` means the upstream gave up (refused at connect, session rejected, or
   * unreachable after all retries): the call closes with 1011 and `message` as the reason.
   * `status` is the HTTP status of a refused upgrade (401, 403, 404, 400).
   */
  error(info: { message: string; code?: string; fatal: boolean; status?: number }): void;
  /** The service accepted the session (`session.updated`): the upstream is known to work. */
  ready?(): void;
  /** The connection dropped mid-call; a reconnect is scheduled after `delayMs`. */
  reconnecting(info: { attempt: number; delayMs: number; reason: string }): void;
}

/** Counters an upstream keeps for the call's `call.ended` event. */
export interface UpstreamCounters {
  /** Connections re-established after a mid-call drop. */
  reconnects: number;
  /** Caller frames dropped because the upstream was reconnecting or too far behind. */
  dropped: number;
  /** Model audio deltas dropped because their response was cancelled by barge-in. */
  lateDeltasDropped: number;
  /** `response.cancel` events sent. */
  cancels: number;
  /** Model audio deltas that were not valid base64 (dropped, never sent to the caller). */
  invalidDeltas: number;
}

/** One call's upstream. */
export interface Upstream {
  /**
   * True when the upstream takes and gives whatever the caller sends (the echo), so the call
   * never converts; false when it takes and gives the session format it was opened with.
   */
  readonly passthrough: boolean;
  /**
   * Send one frame of caller audio (base64, in the session format: PCM16 LE 24 kHz or G.711).
   * @returns false when the frame was dropped (reconnecting, or over the queued-bytes cap).
   */
  send(b64: string): boolean;
  /** Counters so far. */
  counters(): UpstreamCounters;
  /** Close for good (the call ended); idempotent, never throws. */
  close(): void;
}

/** Creates the upstream of a new call, configured for the session audio format `audio`. */
export type UpstreamFactory = (call: { callId: string; audio: SessionAudio; sink: UpstreamSink }) => Upstream;
