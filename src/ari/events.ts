/**
 * The ARI events WebSocket: `ws(s)://HOST:PORT[/prefix]/ari/events?app=NAME`.
 *
 * Connecting registers the app with Stasis; closing deactivates it (verified against
 * Asterisk 22.10.1). Auth is HTTP Basic on the upgrade request (Asterisk also accepts
 * `?api_key=user:pass`; voicectl keeps the password out of URLs). Each text message is
 * one JSON event `{type, timestamp, application, asterisk_id, ...}`. `ws` is loaded
 * lazily, on first use.
 */
import type { AriClient } from './client.js';
import type { AriEvent } from './types.js';
import { AriError, verdictForSocketError } from './verdicts.js';

/** An open events socket. */
export interface AriEventSocket {
  /**
   * Subscribe to events; returns an unsubscribe function. The first subscriber also gets
   * the events that arrived before it subscribed.
   */
  onEvent(listener: (event: AriEvent) => void): () => void;
  /** Called once when the socket closes (by either side), with the close code. */
  onClose(listener: (code: number, reason: string) => void): void;
  /**
   * Resolve with the first event (already received or future) matching `predicate`, or
   * `undefined` after `timeoutMs` ms or when the socket closes.
   */
  waitFor(predicate: (event: AriEvent) => boolean, timeoutMs: number): Promise<AriEvent | undefined>;
  /** Close (code 1000) and resolve once closed. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link openEvents}. */
export interface OpenEventsOptions {
  /** App name(s), comma-joined into `?app=`. */
  app: string;
  /** `subscribeAll=true`: receive every event, not only the app's. */
  subscribeAll?: boolean;
  /** Handshake timeout in ms (default 10000). */
  timeoutMs?: number;
}

/**
 * Open the events socket for `app`.
 * @throws AriError auth_failed (401 on the upgrade), events_failed (another status or a
 *   protocol error), connection_refused / dns_error / connect_timeout (socket errors).
 */
export async function openEvents(client: AriClient, options: OpenEventsOptions): Promise<AriEventSocket> {
  const { default: WebSocket } = await import('ws');
  const params = new URLSearchParams({ app: options.app });
  if (options.subscribeAll) params.set('subscribeAll', 'true');
  const target = `${client.url.eventsUrl}?${params.toString()}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ws = new WebSocket(target, { headers: { authorization: client.authorization }, handshakeTimeout: timeoutMs });

  const seen: AriEvent[] = [];
  const listeners = new Set<(e: AriEvent) => void>();
  // events that arrive before the first listener (ws can deliver a frame in the same read
  // as the upgrade response) are handed to that listener when it subscribes
  let pending: AriEvent[] | undefined = [];
  const closeListeners: Array<(code: number, reason: string) => void> = [];
  let closed = false;

  // listen before 'open': a frame can arrive in the same read as the upgrade response
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let event: AriEvent;
    try {
      event = JSON.parse(data.toString()) as AriEvent;
    } catch {
      return;
    }
    if (!event || typeof event.type !== 'string') return;
    seen.push(event);
    if (seen.length > 1000) seen.shift();
    if (listeners.size === 0 && pending && pending.length < 1000) pending.push(event);
    for (const l of [...listeners]) l(event);
  });
  const closedPromise = new Promise<void>((resolve) => {
    ws.once('close', (code, reason) => {
      closed = true;
      for (const l of closeListeners) l(code, reason.toString());
      resolve();
    });
  });

  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      if (status === 401) {
        reject(new AriError('auth_failed', `ARI refused the credentials of user "${client.user}" on the events WebSocket (401)`, { status }));
      } else {
        reject(new AriError('events_failed', `The events WebSocket ${client.url.prefix}/ari/events was refused with HTTP ${status}`, { status }));
      }
    });
    ws.once('error', (err: Error & { code?: string }) => {
      const verdict = verdictForSocketError(err.code) ?? (/timed out/i.test(err.message) ? 'connect_timeout' : 'events_failed');
      reject(new AriError(verdict, `Events WebSocket failed: ${err.code ?? err.message}`, { cause: err }));
    });
  });

  ws.on('error', () => {}); // after open, failures surface as 'close'
  const socket: AriEventSocket = {
    onEvent(listener) {
      listeners.add(listener);
      const early = pending;
      pending = undefined;
      for (const e of early ?? []) listener(e);
      return () => listeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
    waitFor(predicate, ms) {
      const already = seen.find(predicate);
      if (already) return Promise.resolve(already);
      if (closed) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const done = (e: AriEvent | undefined): void => {
          clearTimeout(timer);
          off();
          resolve(e);
        };
        const timer = setTimeout(() => done(undefined), ms);
        const off = socket.onEvent((e) => {
          if (predicate(e)) done(e);
        });
        closeListeners.push(() => done(undefined));
      });
    },
    async close() {
      if (!closed) {
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
        const kill = setTimeout(() => ws.terminate(), 1000);
        kill.unref();
        await closedPromise;
        clearTimeout(kill);
      }
    },
  };
  return socket;
}
