/**
 * What every WebSocket media leg shares: pong tracking for the heartbeat, close with a
 * truncated reason, terminate, and the `close` → {@link CallCore.end} wiring.
 */
import type WebSocket from 'ws';
import type { CallCore } from '../call-core.js';
import { closeReason } from '../call-core.js';

/**
 * Least audio between two playback marks (ms of audio sent; Twilio `mark`, Asterisk
 * `MARK_MEDIA`). Each mark is a message out and its echo a message in, as costly as a frame
 * of audio each, so one per 20 ms frame would double the leg's socket work. Between marks the
 * play position advances in real time from the last echo, capped at what was sent, so a mark
 * per 100 ms of audio loses no precision while the far end plays at its own pace; marks only
 * correct for its start-up and jitter.
 */
export const MARK_EVERY_MS = 100;

/** Heartbeat, close and end-of-call plumbing of a WebSocket leg. */
export class WsLegBase {
  /** Cleared by each heartbeat, set by every pong. */
  private alive = true;

  constructor(
    protected readonly ws: WebSocket,
    protected readonly core: CallCore,
  ) {
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', (err) => {
      // a protocol error (frame over maxPayload: 1009, invalid UTF-8: 1007); 'close' follows
      core.malformed(err.message);
    });
    ws.on('close', (code, reason) => core.end(code, reason.toString()));
  }

  /** Close the socket with `code` and a reason cut to what a close frame holds. */
  hangUp(code: number, reason: string): void {
    if (this.ws.readyState <= 1) this.ws.close(code, closeReason(reason));
  }

  /** Kill the socket at once. */
  terminate(): void {
    this.ws.terminate();
  }

  /** Terminate when the last ping went unanswered, else ping again. */
  heartbeat(): void {
    if (!this.alive) return this.terminate();
    this.alive = false;
    if (this.ws.readyState === 1) this.ws.ping();
  }
}
