/**
 * What every WebSocket media leg shares: pong tracking for the heartbeat, close with a
 * truncated reason, terminate, and the `close` → {@link CallCore.end} wiring.
 */
import type WebSocket from 'ws';
import type { CallCore } from '../call-core.js';
import { closeReason } from '../call-core.js';

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
