/**
 * The types a call shares with its legs and the registry: who the call is, its counters, and
 * {@link MediaLeg}, what each media source adapter implements for the call core.
 */
import type { Base64Bytes } from './payload.js';
/** Where a call comes from. */
export type CallSource = 'acs' | 'asterisk' | 'twilio';

/** Who the call is: voicectl's id, its source, and the leg's own ids (for events). */
export interface CallInfo {
  /** voicectl's id for the call (`c1-…`, `c2-…`), unique per bridge process. */
  callId: string;
  source: CallSource;
  /** Peer address. */
  remote?: string;
  /** Leg-specific ids: ACS `connectionId` / `correlationId`, Asterisk `channelId`, Twilio `callSid` / `streamSid`, … */
  [id: string]: string | undefined;
}

/** Counters of one call (the `call.ended` event carries them). */
export interface CallCounters {
  /** Caller audio frames received (silent ones included). */
  framesIn: number;
  /** Caller audio bytes received (decoded size, in the leg's format). */
  bytesIn: number;
  /** Audio frames sent to the caller. */
  framesOut: number;
  /** Audio bytes sent to the caller (decoded size, in the leg's format). */
  bytesOut: number;
  /** Caller frames dropped toward the model (reconnecting, slow upstream). */
  droppedIn: number;
  /** Model audio dropped toward the caller (the leg is not draining, or flow-controlled past its queue). */
  droppedOut: number;
  /** Model deltas dropped after barge-in cancelled their response. */
  lateDeltasDropped: number;
  /** Messages that were not valid for the leg's protocol (bad JSON, bad framing, bad base64, oversized). */
  malformed: number;
  /** Caller audio received before the leg announced its format (ignored). */
  beforeMetadata: number;
  /** Upstream connections re-established mid-call. */
  reconnects: number;
  /** `input_audio_buffer.speech_started` events (each stopped the leg's playback). */
  bargeIns: number;
  /** `response.cancel` events sent to the model. */
  cancels: number;
  /** Model audio deltas that were not valid base64 audio (dropped). */
  invalidDeltas: number;
  /** Text turns sent into sessions opened after a reconnect or an expired session. */
  turnsReplayed: number;
}

/** A zeroed {@link CallCounters}. */
export function zeroCounters(): CallCounters {
  return {
    framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, droppedIn: 0, droppedOut: 0, lateDeltasDropped: 0,
    malformed: 0, beforeMetadata: 0, reconnects: 0, bargeIns: 0, cancels: 0, invalidDeltas: 0, turnsReplayed: 0,
  };
}

/**
 * What a media source adapter implements for the core. Audio is base64 in the leg's own
 * format (the one given to {@link CallCore.start}).
 */
export interface MediaLeg {
  /**
   * Play model audio to the caller.
   * @returns false when the leg dropped it (socket not draining, flow control past its queue).
   */
  play(b64: string): boolean;
  /**
   * As {@link play}, for model audio still inside the message it arrived in: the leg builds its
   * message around it there (see payload.ts); `p` is used up. Optional: without it the core
   * plays the payload's string.
   */
  playBytes?(p: Base64Bytes): boolean;
  /** Barge-in: drop what is queued toward the caller (ACS StopAudio, Asterisk FLUSH_MEDIA, Twilio clear). */
  stopPlayback(): void;
  /**
   * Hang the call up from the bridge's side. `code` is a WebSocket close code (1000 normal,
   * 1001 shutting down, 1003 unsupported format, 1011 upstream failure, 1013 try later);
   * legs without close codes map it to their own hang-up.
   */
  hangUp(code: number, reason: string): void;
  /** Drop the connection at once (no answer to a ping, drain timeout). */
  terminate(): void;
  /** One heartbeat tick (ping, or nothing for legs without one). */
  heartbeat?(): void;
  /**
   * Milliseconds of model audio the caller has heard since the leg started (cumulative, audio
   * dropped by {@link stopPlayback} never counted), for legs that know it: Twilio mark echoes,
   * the AudioSocket leg's own pacing, the Asterisk leg's playout-queue estimate. Without it the
   * core estimates real-time playout from what it handed over (ACS).
   */
  playedMs?(): number;
}

/** Truncate a close reason to the 123 bytes a WebSocket close frame allows. */
export function closeReason(text: string): string {
  let s = text;
  while (Buffer.byteLength(s) > 123) s = s.slice(0, -1);
  return s;
}
