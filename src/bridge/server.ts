/**
 * The bridge server: one `node:http` server with `ws` in `noServer` mode.
 *
 * Routes: `GET /api/health` (JSON, see health.ts), extra routes from {@link BridgeOptions.routes},
 * the media WebSocket upgrade on `mediaPath` only, and 404 for anything else. Upgrades are
 * checked in order: path (404), draining (503), media token (401), the
 * `authorizeMediaUpgrade` hook (its status), then `maxCalls` (accepted and closed with 1013).
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { UserError } from '../core/errors.js';
import { BridgeCall, type CallCounters } from './call.js';
import { healthDocument } from './health.js';
import { createUpstream, type UpstreamDescription, type UpstreamSettings } from './upstream-config.js';

/** An extra HTTP route (the Event Grid webhook, the Call Automation callbacks). */
export interface BridgeRoute {
  method: 'GET' | 'POST';
  /** Path prefix, e.g. `/api/incomingCall`. */
  prefix: string;
  /** Handle the request; a throw becomes a 500 (the error is reported as `http.error`). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> | void;
}

/** Options of {@link startBridge}. */
export interface BridgeOptions {
  /** TCP port (0 picks a free one). */
  port: number;
  /** Listen address, e.g. `0.0.0.0` or `127.0.0.1`. */
  host: string;
  /** Path of the media WebSocket, e.g. `/ws/media`. */
  mediaPath: string;
  /** Concurrent calls; beyond it new media sockets are closed with 1013 and counted. */
  maxCalls: number;
  /** Shared secret required on the media upgrade as `?token=` or `Authorization: Bearer`. */
  mediaToken?: string;
  /** Where calls go: Azure OpenAI Realtime or the echo. */
  upstream: UpstreamSettings;
  /** NDJSON event sink: (type, data). The command maps it to `output.event` / human log lines. */
  onEvent(type: string, data: Record<string, unknown>): void;
  /** Extra HTTP routes (Event Grid, Call Automation callbacks). Matched after `/api/health`, before the 404. */
  routes?: BridgeRoute[];
  /** Extra fields merged into GET /api/health (the Call Automation state); they cannot replace the bridge's own fields. */
  healthExtras?: () => Record<string, unknown>;
  /**
   * Extra check on the media WebSocket upgrade, after the token check (the ACS JWT that Call Automation sends).
   * Return a status to refuse (401/403).
   */
  authorizeMediaUpgrade?: (req: IncomingMessage) => Promise<{ ok: true } | { ok: false; status: number; reason: string }>;
  /** Version shown by `/api/health` (default `0.0.0`). */
  version?: string;
  /** Ping interval for media sockets (ms, default 30 000); a socket that misses a pong is terminated. */
  pingIntervalMs?: number;
  /** Cap on bytes queued toward one caller before model audio is dropped (default 512 KiB). */
  maxQueuedBytes?: number;
  /** Text frames above this are counted as malformed and ignored (bytes, default 1 MiB). */
  maxFrameBytes?: number;
  /** On close, how long calls get to close before they are terminated (ms, default 1500; the whole close then takes at most about 2 s). */
  drainTimeoutMs?: number;
}

/** Totals since start (ended calls plus the live ones). */
export interface BridgeStats extends CallCounters {
  activeCalls: number;
  totalCalls: number;
  /** Media sockets refused at maxCalls. */
  refusedCalls: number;
  /** Upgrades refused before the WebSocket opened (404, 401, hook refusals, draining). */
  rejectedUpgrades: number;
}

/** A running bridge. */
export interface BridgeHandle {
  /** The bound port (useful with `port: 0`). */
  port: number;
  /** The bound address. */
  address: string;
  upstream: UpstreamDescription;
  /** Drain: stop accepting, close calls with 1001, close upstreams; resolves when all is closed. Idempotent. */
  close(): Promise<void>;
  stats(): BridgeStats;
}

const ZERO: CallCounters = {
  framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, droppedIn: 0, droppedOut: 0, lateDeltasDropped: 0,
  malformed: 0, beforeMetadata: 0, reconnects: 0, bargeIns: 0, cancels: 0, invalidDeltas: 0,
};

/** Constant-time comparison of a presented secret with the expected one. */
function secretMatches(presented: string | null | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when the upgrade carries the media token as `?token=` or as `Authorization: Bearer` (either may match). */
export function hasMediaToken(req: IncomingMessage, url: URL, token: string): boolean {
  if (secretMatches(url.searchParams.get('token'), token)) return true;
  const auth = req.headers.authorization;
  return typeof auth === 'string' && /^Bearer /i.test(auth) && secretMatches(auth.slice(7).trim(), token);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Refused';
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The request target as a URL, or undefined when it does not parse (e.g. `GET http://[::1`). */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://bridge');
  } catch {
    return undefined;
  }
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/**
 * Start the bridge.
 * @throws UsageError `VOICECTL_AOAI_ENDPOINT` for a bad endpoint; UserError
 *   `VOICECTL_BRIDGE_LISTEN` when the port cannot be bound (in use, no permission).
 */
export async function startBridge(options: BridgeOptions): Promise<BridgeHandle> {
  const { factory, description } = createUpstream(options.upstream);
  const startedAt = Date.now();
  const calls = new Set<BridgeCall>();
  const ended: CallCounters = { ...ZERO };
  let total = 0;
  let refused = 0;
  let rejected = 0;
  let draining = false;
  let lastError: { message: string; time: string } | undefined;
  const emit = options.onEvent;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * (options.maxFrameBytes ?? 1024 * 1024), perMessageDeflate: false });
  const callOptions = {
    upstream: factory,
    onEvent: emit,
    maxQueuedBytes: options.maxQueuedBytes ?? 512 * 1024,
    maxFrameBytes: options.maxFrameBytes ?? 1024 * 1024,
    onUpstreamError(message: string) {
      lastError = { message, time: new Date().toISOString() };
    },
    onEnd(call: BridgeCall) {
      calls.delete(call);
      const c = call.counters();
      for (const k of Object.keys(ended) as Array<keyof CallCounters>) ended[k] += c[k];
    },
  };

  const health = (): string =>
    JSON.stringify(
      healthDocument({
        draining, version: options.version ?? '0.0.0', startedAt, now: Date.now(), active: calls.size, total, refused,
        maxCalls: options.maxCalls, mediaPath: options.mediaPath, tokenRequired: Boolean(options.mediaToken),
        upstream: description, lastError, extras: options.healthExtras?.(),
      }),
    );

  const server = createServer((req, res) => {
    const url = requestUrl(req);
    if (!url) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad request target"}');
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/health') {
      let body: string;
      try {
        body = health();
      } catch (err) {
        // healthExtras() is someone else's code: a throw is a 500, never a crash
        emit('http.error', { path: url.pathname, message: err instanceof Error ? err.message : String(err) });
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"status":"error"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
      return;
    }
    const route = options.routes?.find((r) => r.method === req.method && url.pathname.startsWith(r.prefix));
    if (route) {
      Promise.resolve()
        .then(() => route.handle(req, res, url))
        .catch((err: unknown) => {
          emit('http.error', { path: url.pathname, message: err instanceof Error ? err.message : String(err) });
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"error":"internal error"}');
        });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    handleUpgrade(req, socket, head).catch((err: unknown) => {
      emit('http.error', { path: req.url ?? '', message: err instanceof Error ? err.message : String(err) });
      socket.destroy();
    });
  });

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = requestUrl(req);
    if (!url) {
      rejected += 1;
      return refuseUpgrade(socket, 400, 'bad request target');
    }
    const remote = req.socket.remoteAddress;
    const refuse = (status: number, reason: string): void => {
      rejected += 1;
      emit('media.refused', { status, reason, path: url.pathname, remote });
      refuseUpgrade(socket, status, reason);
    };
    if (url.pathname !== options.mediaPath) return refuse(404, `no WebSocket at ${url.pathname}; the media path is ${options.mediaPath}`);
    if (draining) return refuse(503, 'the bridge is shutting down');
    if (options.mediaToken && !hasMediaToken(req, url, options.mediaToken)) {
      return refuse(401, 'media token missing or wrong (?token= or Authorization: Bearer)');
    }
    if (options.authorizeMediaUpgrade) {
      let verdict: Awaited<ReturnType<NonNullable<BridgeOptions['authorizeMediaUpgrade']>>>;
      try {
        verdict = await options.authorizeMediaUpgrade(req);
      } catch (err) {
        verdict = { ok: false, status: 401, reason: `authorization failed: ${(err as Error).message}` };
      }
      if (!verdict.ok) return refuse(verdict.status, verdict.reason);
      if (socket.destroyed) return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (draining) return ws.close(1001, 'bridge shutting down');
      if (calls.size >= options.maxCalls) {
        refused += 1;
        emit('call.refused', { reason: 'max-calls', active: calls.size, maxCalls: options.maxCalls, remote });
        return ws.close(1013, `bridge at its call limit (${options.maxCalls}), try again later`);
      }
      total += 1;
      const info = {
        callId: `c${total}-${randomInt(0xffff).toString(16).padStart(4, '0')}`,
        connectionId: header(req, 'x-ms-call-connection-id'),
        correlationId: header(req, 'x-ms-call-correlation-id'),
        remote,
      };
      const call = new BridgeCall(ws, info, callOptions);
      calls.add(call);
      emit('call.started', { ...info, upstream: description.kind, active: calls.size });
    });
  }

  const heartbeat = setInterval(() => {
    for (const call of calls) call.heartbeat();
  }, options.pingIntervalMs ?? 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      clearInterval(heartbeat);
      reject(
        new UserError(`Cannot listen on ${options.host}:${options.port}: ${err.code ?? err.message}`, {
          code: 'VOICECTL_BRIDGE_LISTEN',
          hint:
            err.code === 'EADDRINUSE'
              ? `Another process uses port ${options.port}; stop it or pass --listen <other port>.`
              : 'Pass --listen <port> (above 1024 without root) and --host <address> of this machine.',
          cause: err,
        }),
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      clearInterval(heartbeat);
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const call of calls) call.close(1001, 'bridge shutting down');
      const deadline = Date.now() + (options.drainTimeoutMs ?? 1500);
      while (calls.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const call of calls) call.terminate();
      // a terminated socket reports 'close' a tick later: let every call.ended out first
      const hard = Date.now() + 500;
      while (calls.size > 0 && Date.now() < hard) await new Promise((r) => setTimeout(r, 5));
      wss.close();
      server.closeAllConnections();
      await serverClosed;
    })();
    return closing;
  };

  return {
    port,
    address: options.host,
    upstream: description,
    close,
    stats() {
      const s: CallCounters = { ...ended };
      for (const call of calls) {
        const c = call.counters();
        for (const k of Object.keys(s) as Array<keyof CallCounters>) s[k] += c[k];
      }
      return { ...s, activeCalls: calls.size, totalCalls: total, refusedCalls: refused, rejectedUpgrades: rejected };
    },
  };
}
