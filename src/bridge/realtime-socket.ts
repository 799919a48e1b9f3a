/**
 * One connection attempt to the Azure OpenAI Realtime service: the WebSocket with the bridge's
 * options, a ping every `pingIntervalMs` once it is open (a connection that misses a pong is
 * terminated, which reports its close), and how it ended: whether it ever opened, the HTTP status
 * of a refused upgrade, the last error. What to do about an end is the upstream's
 * (realtime-upstream.ts, with `closeVerdict`).
 */
import WebSocket from 'ws';

/** How a connection ended. */
export interface RealtimeSocketEnd {
  /** WebSocket close code and reason (1006 and empty when the connection just dropped). */
  code: number;
  reason: string;
  /** True when the upgrade succeeded. */
  opened: boolean;
  /** The HTTP status of an upgrade the service answered with an error (e.g. 401). */
  refusedStatus: number | undefined;
  /** The last error's message, or "connection closed". */
  failure: string;
}

/** What the caller hears from {@link openRealtimeSocket}. */
export interface RealtimeSocketEvents {
  open(): void;
  /** One text message (binary messages are not part of the protocol and are ignored). */
  message(data: Buffer): void;
  close(end: RealtimeSocketEnd): void;
}

/**
 * Open one Realtime WebSocket. No compression, messages up to 16 MiB.
 * @param headers the auth headers of this attempt (`api-key` or `Authorization`).
 * @param o `connectTimeoutMs` for the opening handshake (default 10 000 ms), `pingIntervalMs`
 *   between pings (default 30 000 ms).
 * @throws what `ws` throws for an unusable URL or header value (e.g. a newline in a header).
 */
export function openRealtimeSocket(
  url: string,
  headers: Record<string, string>,
  o: { connectTimeoutMs?: number; pingIntervalMs?: number },
  on: RealtimeSocketEvents,
): WebSocket {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024, handshakeTimeout: o.connectTimeoutMs ?? 10_000 });
  let opened = false;
  let failure = 'connection closed';
  let refusedStatus: number | undefined;
  let alive = true;
  let pingTimer: NodeJS.Timeout | undefined;
  ws.on('error', (err) => {
    const m = /Unexpected server response: (\d+)/.exec(err.message);
    if (m) refusedStatus = Number(m[1]);
    failure = err.message;
  });
  ws.on('pong', () => {
    alive = true;
  });
  ws.on('open', () => {
    opened = true;
    pingTimer = setInterval(() => {
      if (!alive) return void ws.terminate();
      alive = false;
      ws.ping();
    }, o.pingIntervalMs ?? 30_000);
    pingTimer.unref();
    on.open();
  });
  ws.on('message', (data, isBinary) => {
    if (!isBinary) on.message(data as Buffer);
  });
  ws.on('close', (code, reason) => {
    clearInterval(pingTimer);
    on.close({ code, reason: reason.toString(), opened, refusedStatus, failure });
  });
  return ws;
}
