/**
 * What a call talks to on the far side: the Azure OpenAI Realtime client or the echo.
 * One upstream per call; the call feeds it caller audio and receives model audio and
 * events through an {@link UpstreamSink}.
 */
import type { SessionAudio } from './media-format.js';
import type { Base64Bytes } from './payload.js';

/** Callbacks an upstream uses to reach its call. All run synchronously on the event loop. */
export interface UpstreamSink {
  /**
   * Model audio for the caller: base64 in the session format (or the caller's, for a passthrough
   * upstream). `item` locates it in the conversation (the assistant item and content part the
   * delta belongs to, from the delta's `item_id` / `content_index` / `response_id`) when known.
   */
  audio(b64: string, item?: AudioItemRef): void;
  /**
   * As {@link audio}, for a payload the upstream read from the bytes of the message it received
   * (checked base64, even byte count): the call passes it on in place where the leg can; `p` is
   * used up. Upstreams call {@link audio} with its string when the sink has no `audioBytes`.
   */
  audioBytes?(p: Base64Bytes, item?: AudioItemRef): void;
  /**
   * The model heard the caller start speaking (barge-in): the call stops the leg's playback and
   * tells the upstream what was heard ({@link Upstream.truncate} / {@link Upstream.deleteItem})
   * before the upstream cancels the response. `itemId` is the caller's new conversation item.
   */
  speechStarted(itemId?: string): void;
  /** The model decided the caller stopped speaking (`input_audio_buffer.speech_stopped`): a turn's latency starts. */
  speechStopped?(): void;
  /** A finished transcript line, of the caller or of the model, with its conversation item id when known. */
  transcript(role: 'caller' | 'model', text: string, itemId?: string): void;
  /**
   * The conversation so far, as text turns in order, for a session opened after a reconnect or
   * a session that expired: the upstream sends them as `conversation.item.create` right after
   * `session.update`, before any caller audio.
   */
  replay?(): ReplayTurn[];
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

/** Where a model audio delta belongs: the assistant item, its content part, its response. */
export interface AudioItemRef {
  itemId?: string;
  contentIndex?: number;
  responseId?: string;
}

/** One turn of a conversation kept as text, for replay into a new session. */
export interface ReplayTurn {
  role: 'user' | 'assistant';
  text: string;
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
  /** Turns sent as `conversation.item.create` into sessions opened after a reconnect (absent: never). */
  turnsReplayed?: number;
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
  /**
   * As {@link send}, for a payload still inside the message it arrived in: the append is built
   * around it there (payload.ts, `frameAround`); `p` is used up. Optional: without it the call sends
   * the payload's string.
   */
  sendBytes?(p: Base64Bytes): boolean;
  /** Counters so far. */
  counters(): UpstreamCounters;
  /**
   * Tell the model the caller heard only the first `audioEndMs` ms of an assistant item's audio
   * (`conversation.item.truncate`). Absent on upstreams without a conversation (the echo).
   */
  truncate?(itemId: string, contentIndex: number, audioEndMs: number): void;
  /** Remove an assistant item the caller heard nothing of (`conversation.item.delete`). */
  deleteItem?(itemId: string): void;
  /** Close for good (the call ended); idempotent, never throws. */
  close(): void;
}

/** Creates the upstream of a new call, configured for the session audio format `audio`. */
export type UpstreamFactory = (call: { callId: string; audio: SessionAudio; sink: UpstreamSink }) => Upstream;
