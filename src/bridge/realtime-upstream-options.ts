/** Options of the Realtime upstream (realtime-upstream.ts), and what a closed connection means for the call. */
import type { RealtimeProtocol, SessionSettings } from './realtime-protocol.js';

/** Reconnect backoff, in ms. */
export interface Backoff {
  /** First delay (default 500 ms). */
  baseMs: number;
  /** Ceiling of the doubling (default 8000 ms). */
  maxMs: number;
  /** Consecutive failed connection attempts before the call is given up (default 6). */
  maxAttempts: number;
}

/** Options of {@link realtimeUpstreamFactory}. */
export interface RealtimeUpstreamOptions {
  /** Full Realtime WebSocket URL (see `realtimeUrl`). */
  url: string;
  protocol: RealtimeProtocol;
  session: SessionSettings;
  /**
   * Headers for one connection attempt: `{ 'api-key': … }` or `{ Authorization: 'Bearer …' }`.
   * A rejection is fatal for the call (its message becomes the close reason).
   */
  authHeaders(): Promise<Record<string, string>>;
  backoff?: Partial<Backoff>;
  /** Cap on caller audio queued toward the model, bytes of JSON text (default 256 KiB ≈ 2.5 s). */
  maxQueuedBytes?: number;
  /** Ping interval (ms, default 30 000); a connection that misses a pong is dropped and reconnected. */
  pingIntervalMs?: number;
  /** Opening-handshake timeout (ms, default 10 000). */
  connectTimeoutMs?: number;
}

/** HTTP statuses at the upgrade that mean "refused", never retried. */
const REFUSAL = new Set([400, 401, 403, 404]);

/** The fix to name for each refusal status. */
const REFUSAL_HINT: Record<number, string> = {
  400: 'check AZURE_OPENAI_DEPLOYMENT is a realtime model and --aoai-protocol matches it',
  401: 'check AZURE_OPENAI_API_KEY, or the Entra ID role on the resource',
  403: 'the identity lacks access to the Azure OpenAI resource',
  404: 'check AZURE_OPENAI_DEPLOYMENT and AZURE_OPENAI_ENDPOINT',
};


/** What a closed Realtime connection means for the call. */
export type CloseVerdict =
  /** Refused at the upgrade (400/401/403/404): fatal, never retried. */
  | { kind: 'refused'; status: number; message: string }
  /** A working session dropped (or expired at the service's maximum duration): reconnect, backoff afresh. */
  | { kind: 'dropped'; reason: string; expired: boolean }
  /** A connection attempt failed (not opened, or closed before its session was configured). */
  | { kind: 'failed-attempt'; reason?: string };

/**
 * Classify a close. One that closes before its session is configured counts as a failed
 * attempt, so a service that accepts and hangs up at once is not redialled forever.
 */
export function closeVerdict(c: { refusedStatus: number | undefined; opened: boolean; sessionAcked: boolean; code: number; reason: string }): CloseVerdict {
  if (c.refusedStatus !== undefined && REFUSAL.has(c.refusedStatus)) {
    return { kind: 'refused', status: c.refusedStatus, message: `Azure OpenAI refused the Realtime connection: HTTP ${c.refusedStatus} (${REFUSAL_HINT[c.refusedStatus]})` };
  }
  if (!c.opened) return { kind: 'failed-attempt' };
  // e.g. 1001 "Your session hit the maximum duration of 60 minutes."
  if (c.sessionAcked && (c.code === 1000 || c.code === 1001) && /maximum duration/i.test(c.reason)) {
    return { kind: 'dropped', reason: `Realtime session expired (${c.code} ${c.reason.slice(0, 60)})`, expired: true };
  }
  const why = `Azure OpenAI closed the connection (${c.code}${c.reason.length ? ` ${c.reason.slice(0, 60)}` : ''})`;
  return c.sessionAcked ? { kind: 'dropped', reason: why, expired: false } : { kind: 'failed-attempt', reason: why };
}
