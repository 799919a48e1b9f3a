/**
 * The bridge server: one `node:http` server with `ws` in `noServer` mode, serving every
 * WebSocket media leg on its own path (ACS on `mediaPath`, Asterisk chan_websocket on
 * `asteriskPath`, more through {@link BridgeOptions.legs}), plus the AudioSocket TCP listener
 * when one is configured. All calls share one {@link BridgeCalls}: one `--max-calls`, one set
 * of totals.
 *
 * Routes: `GET /api/health` (liveness, JSON, see health.ts), `GET /api/ready` (readiness: 200,
 * or 503 with a reason while draining, at `maxCalls`, or while the upstream refuses), extra routes from {@link BridgeOptions.routes},
 * the media upgrades, and 404 for anything else. Upgrades are checked in order: path (404), the
 * leg's own authorization (its status), then draining and `maxCalls` (accepted and closed with
 * 1013, which ACS and Asterisk treat as "try again later").
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { enlargeBufferPool } from './buffer-pool.js';
import { listenError, refuseUpgrade, requestUrl } from './http-util.js';
import type { BridgeRoute, UpgradeVerdict, WsLegRoute } from './routes.js';
import { healthDocument } from './health.js';
import { acsRoute } from './legs/acs-route.js';
import { asteriskWsRoute } from './legs/asterisk-route.js';
import { startAudioSocketListener, type AudioSocketListener } from './legs/audiosocket-server.js';
import { BridgeCalls, type BridgeStats } from './bridge-calls.js';
import { READY_PATH } from './defaults.js';
import type { SessionAudio } from './media-format.js';
import { transcriptSink } from './transcripts.js';
import { WarmSessions, type WarmTicket } from './warm-sessions.js';
import { createUpstream, type UpstreamDescription, type UpstreamSettings } from './upstream-config.js';

export type { BridgeStats } from './bridge-calls.js';

export type { BridgeRoute, UpgradeVerdict, WsLegRoute } from './routes.js';

/** Options of {@link startBridge}. */
export interface BridgeOptions {
  /** TCP port (0 picks a free one). */
  port: number;
  /** Listen address, e.g. `0.0.0.0` or `127.0.0.1`. */
  host: string;
  /** Path of the ACS media WebSocket, e.g. `/ws/media`. */
  mediaPath: string;
  /** Path of the Asterisk chan_websocket leg (default `/ws/asterisk`). */
  asteriskPath?: string;
  /** AudioSocket TCP listener (off unless given; the protocol has no authentication). */
  audioSocket?: { port: number; host: string };
  /** Concurrent calls of all sources; beyond it new calls are refused (1013) and counted. */
  maxCalls: number;
  /**
   * Shared secret: on the ACS upgrade as `?token=` or `Authorization: Bearer`; on the Asterisk
   * upgrade as the HTTP Basic password (`websocket_client.conf` `password`).
   */
  mediaToken?: string;
  /** Where calls go: Azure OpenAI Realtime or the echo. */
  upstream: UpstreamSettings;
  /** NDJSON event sink: (type, data). The command maps it to `output.event` / human log lines. */
  onEvent(type: string, data: Record<string, unknown>): void;
  /** Extra HTTP routes. Matched after `/api/health`, before the 404. */
  routes?: BridgeRoute[];
  /** Extra WebSocket legs (e.g. Twilio Media Streams). */
  legs?: WsLegRoute[];
  /** Extra fields merged into GET /api/health; they cannot replace the bridge's own fields. */
  healthExtras?: () => Record<string, unknown>;
  /**
   * Extra check on the ACS media upgrade, after the token check (ACS JWT).
   * Return a status to refuse (401/403).
   */
  authorizeMediaUpgrade?: (req: IncomingMessage) => Promise<UpgradeVerdict>;
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
  /** Directory for one JSON Lines transcript file per call (`--transcripts`); none when undefined. */
  transcriptsDir?: string;
  /** How long a session pre-opened for a call being answered waits for its media socket (ms, default 15 000). */
  prewarmTimeoutMs?: number;
}

/** A running bridge. */
export interface BridgeHandle {
  /** The bound port (useful with `port: 0`). */
  port: number;
  /** The bound address. */
  address: string;
  /** The AudioSocket listener's bound port, when one was configured. */
  audioSocketPort?: number;
  upstream: UpstreamDescription;
  /** The calls of all sources (admission, totals); the ARI mode admits nothing itself but reads it. */
  registry: BridgeCalls;
  /**
   * Graceful drain: refuse new calls (1013, `/api/ready` 503) and let active ones end on their
   * own, up to `timeoutMs` or until `stop` aborts. Resolves with the calls still active; follow
   * with {@link close}.
   */
  drain(timeoutMs: number, o?: { stop?: AbortSignal; everyMs?: number; progress?(active: number, remainingMs: number): void }): Promise<number>;
  /** Stop: refuse new calls, close active ones with 1001, close upstreams; resolves when all is closed. Idempotent. */
  close(): Promise<void>;
  stats(): BridgeStats;
  /** Open the Realtime session of an ACS call being answered (none for the echo, while draining, at `maxCalls`). */
  prewarm(audio?: SessionAudio): WarmTicket | undefined;
}

export { hasMediaToken } from './media-auth.js';



/**
 * Start the bridge. Raises this process's `Buffer.poolSize` (see buffer-pool.ts).
 * @throws UsageError `VOICECTL_AOAI_ENDPOINT` for a bad endpoint; UserError
 *   `VOICECTL_BRIDGE_LISTEN` when the port cannot be bound (in use, no permission).
 */
export async function startBridge(options: BridgeOptions): Promise<BridgeHandle> {
  enlargeBufferPool();
  const { factory, description } = createUpstream(options.upstream);
  const startedAt = Date.now();
  const transcripts = await transcriptSink(options.transcriptsDir, options.onEvent);
  const emit = transcripts.emit;
  const warm = description.kind === 'aoai' ? new WarmSessions({ upstream: factory, onEvent: emit, ...(options.prewarmTimeoutMs !== undefined ? { timeoutMs: options.prewarmTimeoutMs } : {}) }) : undefined;
  const registry = new BridgeCalls({ maxCalls: options.maxCalls, upstream: factory, onEvent: emit, ...(warm ? { warm } : {}) });
  const limits = { maxQueuedBytes: options.maxQueuedBytes ?? 512 * 1024, maxFrameBytes: options.maxFrameBytes ?? 1024 * 1024 };
  const legs: WsLegRoute[] = [
    acsRoute(options, limits, () => description.kind),
    asteriskWsRoute({ path: options.asteriskPath ?? '/ws/asterisk', ...(options.mediaToken ? { mediaToken: options.mediaToken } : {}) }),
    ...(options.legs ?? []),
  ];
  // Asterisk fails the handshake on any Sec-WebSocket-Extensions: no permessage-deflate anywhere.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 2 * limits.maxFrameBytes,
    perMessageDeflate: false,
    handleProtocols: (offered, req) => {
      const p = requestUrl(req)?.pathname;
      const leg = legs.find((l) => l.path === p || `${l.path}/` === p);
      for (const p of offered) if (leg?.protocols?.includes(p)) return p;
      return false;
    },
  });

  const health = (): string =>
    JSON.stringify(
      healthDocument({
        draining: registry.draining, version: options.version ?? '0.0.0', startedAt, now: Date.now(), active: registry.calls.size,
        total: registry.total, refused: registry.refused, maxCalls: options.maxCalls, mediaPath: options.mediaPath,
        tokenRequired: Boolean(options.mediaToken), upstream: description, lastError: registry.lastError,
        sources: registry.stats().bySource, voiceToVoice: registry.voiceToVoice(), extras: options.healthExtras?.(),
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
    if (req.method === 'GET' && url.pathname === READY_PATH) {
      const r = registry.readiness();
      res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(r.ready ? { ready: true } : { ready: false, reason: r.reason, message: r.detail }));
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
      registry.rejected += 1;
      return refuseUpgrade(socket, 400, 'bad request target');
    }
    const remote = req.socket.remoteAddress;
    const refuse = (status: number, reason: string): void => {
      registry.rejected += 1;
      emit('media.refused', { status, reason, path: url.pathname, remote });
      // chan_websocket sends credentials only when asked: a 401 names the Basic scheme
      refuseUpgrade(socket, status, reason, status === 401 ? 'WWW-Authenticate: Basic realm="voicectl"\r\n' : '');
    };
    const leg = legs.find((l) => l.path === url.pathname || `${l.path}/` === url.pathname);
    if (!leg) return refuse(404, `no WebSocket at ${url.pathname}; the media paths are ${legs.map((l) => l.path).join(', ')}`);
    const verdict = await leg.authorize(req, url);
    if (!verdict.ok) return refuse(verdict.status, verdict.reason);
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const core = registry.admit(leg.source, remote);
      if (core === 'draining') return ws.close(1013, 'bridge draining, try again (another replica)');
      if (core === 'max-calls') return ws.close(1013, `bridge at its call limit (${options.maxCalls}), try again later`);
      core.attach(leg.attach(ws, req, core, registry.calls.size));
    });
  }

  const heartbeat = setInterval(() => {
    for (const call of registry.calls) call.heartbeat();
  }, options.pingIntervalMs ?? 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      clearInterval(heartbeat);
      reject(listenError(err, options.host, options.port, '--listen'));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;

  let audioSocket: AudioSocketListener | undefined;
  if (options.audioSocket) {
    try {
      audioSocket = await startAudioSocketListener({ ...options.audioSocket, registry, maxQueuedBytes: limits.maxQueuedBytes, onEvent: emit });
    } catch (err) {
      clearInterval(heartbeat);
      server.close();
      throw listenError(err as NodeJS.ErrnoException, options.audioSocket.host, options.audioSocket.port, '--audiosocket-listen');
    }
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      registry.draining = true;
      clearInterval(heartbeat);
      warm?.closeAll();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      const listenerClosed = audioSocket?.close();
      await registry.closeAll(options.drainTimeoutMs ?? 1500);
      wss.close();
      server.closeAllConnections();
      await Promise.all([serverClosed, listenerClosed, transcripts.close()]);
    })();
    return closing;
  };

  return {
    port,
    address: options.host,
    ...(audioSocket ? { audioSocketPort: audioSocket.port } : {}),
    upstream: description,
    registry,
    drain: (timeoutMs, o) => registry.drain(timeoutMs, o),
    close,
    stats: () => registry.stats(),
    prewarm: (audio) => (warm && !registry.draining && registry.calls.size + warm.size < options.maxCalls ? warm.open(audio) : undefined),
  };
}
