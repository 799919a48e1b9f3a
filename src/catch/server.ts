/**
 * The `voicectl catch` server: an HTTP server that accepts WebSocket upgrades only on
 * `/left/{id}`, `/right/{id}` and `/mix/{id}` (ws in `noServer` mode) and records each
 * leg into `<out>/<id>-<leg>.wav`. Refused paths get 404 / 400 before the handshake and
 * never reach the filesystem.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { UserError } from '../core/errors.js';
import { RecordingFiles } from './files.js';
import { catchFileName, describeRawPath, parseCatchPath } from './path.js';
import { runStream, type StreamEvent } from './stream.js';

/** Options for {@link startCatchServer}. */
export interface CatchServerOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Absolute output directory (must exist). */
  outDir: string;
  /** Sample rate of the incoming PCM16 audio in Hz. */
  sampleRate: number;
  /** Also keep `<id>-<leg>.raw` next to each WAV. */
  raw?: boolean;
  /** Largest WebSocket message in bytes (default 1 MiB; a 20 ms frame at 48 kHz is 1,920). */
  maxPayload?: number;
  /** How long {@link CatchServer.close} waits for relays to close before dropping them (ms, default 2000). */
  closeTimeoutMs?: number;
  /**
   * Ping every relay this often (ms, default 30000; 0 turns it off); a relay that answered
   * neither the previous ping nor sent anything since is dropped (its stream ends with 1006).
   */
  pingIntervalMs?: number;
  /** Receives every event; must not throw. */
  onEvent?: (event: CatchEvent) => void;
}

/** An upgrade refused because of its path, its handshake, or a server that is stopping. */
export interface StreamRefusedEvent {
  type: 'stream.refused';
  /** The raw request target, JSON-quoted and shortened. */
  path: string;
  status: number;
  reason: string;
  remote: string;
}

/** Every event the server reports. */
export type CatchEvent = StreamEvent | StreamRefusedEvent;

/** What a stopped server recorded. */
export interface CatchSummary {
  /** Connections accepted. */
  streams: number;
  /** Distinct WAV files written to (absolute paths, sorted). */
  files: string[];
  /** Audio bytes written across all streams. */
  bytes: number;
}

/** A running server. */
export interface CatchServer {
  host: string;
  /** The bound port (useful with port 0). */
  port: number;
  /** Stop accepting, close every relay with 1001, finalise every file. Idempotent. */
  close(): Promise<CatchSummary>;
}

/**
 * Start listening.
 * @throws UserError `VOICECTL_CATCH_LISTEN_FAILED` when the address cannot be bound (in use, not permitted).
 */
export async function startCatchServer(options: CatchServerOptions): Promise<CatchServer> {
  const host = options.host ?? '127.0.0.1';
  const emit = options.onEvent ?? (() => {});
  const files = new RecordingFiles(options.sampleRate);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? 1 << 20,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const sockets = new Set<WebSocket>();
  const alive = new WeakMap<WebSocket, boolean>();
  const streams = new Set<Promise<void>>();
  const touched = new Set<string>();
  let accepted = 0;
  let totalBytes = 0;
  let stopping = false;

  const server = http.createServer((req, res) => {
    const target = parseCatchPath(req.url);
    const status = target.ok ? 426 : 404;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end(target.ok ? 'voicectl catch: connect with a WebSocket client\n' : `${target.reason}\n`);
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    const target = parseCatchPath(req.url);
    if (!target.ok || stopping) {
      const status = target.ok ? 503 : target.status;
      const reason = target.ok ? 'voicectl catch is stopping' : target.reason;
      emit({ type: 'stream.refused', path: describeRawPath(req.url), status, reason, remote });
      refuse(socket, status, reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      accepted += 1;
      sockets.add(ws);
      alive.set(ws, true);
      const markAlive = (): void => void alive.set(ws, true);
      ws.on('pong', markAlive);
      ws.on('message', markAlive);
      const wavPath = path.join(options.outDir, catchFileName(target, 'wav'));
      const rawPath = options.raw ? path.join(options.outDir, catchFileName(target, 'raw')) : undefined;
      const lease = files.acquire(wavPath, rawPath);
      const done = runStream(ws, target, wavPath, remote, lease, options.sampleRate, (event) => {
        if (event.type === 'stream.started') touched.add(wavPath); // opened: a file it writes to
        if (event.type === 'stream.ended') totalBytes += event.bytes;
        emit(event);
      }).finally(() => {
        sockets.delete(ws);
        streams.delete(done);
      });
      streams.add(done);
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => reject(listenFailed(host, options.port, err));
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const pingEvery = options.pingIntervalMs ?? 30_000;
  const heartbeat =
    pingEvery > 0
      ? setInterval(() => {
          for (const ws of sockets) {
            if (alive.get(ws) === false) {
              ws.terminate();
              continue;
            }
            alive.set(ws, false);
            ws.ping();
          }
        }, pingEvery).unref()
      : undefined;

  let closing: Promise<CatchSummary> | undefined;
  const close = (): Promise<CatchSummary> => {
    closing ??= (async () => {
      stopping = true;
      clearInterval(heartbeat);
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const ws of sockets) ws.close(1001, 'voicectl catch stopping');
      const timer = setTimeout(() => {
        for (const ws of sockets) ws.terminate();
      }, options.closeTimeoutMs ?? 2000);
      timer.unref();
      await Promise.all([...streams]);
      clearTimeout(timer);
      await files.closeAll();
      server.closeAllConnections();
      await serverClosed;
      wss.close();
      return { streams: accepted, files: [...touched].sort(), bytes: totalBytes };
    })();
    return closing;
  };

  return { host, port, close };
}

/** Answer an upgrade with a plain HTTP status and drop the socket (no handshake, no file). */
function refuse(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The error for a listen that failed, with a hint per cause (port in use, privileged port,
 * an address this machine does not have, a --host name that does not resolve).
 * @returns UserError `VOICECTL_CATCH_LISTEN_FAILED`.
 */
export function listenFailed(host: string, port: number, err: NodeJS.ErrnoException): UserError {
  const where = `${host}:${port}`;
  const hint =
    err.code === 'EADDRINUSE'
      ? `Another process listens on ${where} (\`ss -ltnp 'sport = :${port}'\`); stop it or pick another --listen port.`
      : err.code === 'EACCES'
        ? 'Ports below 1024 need privileges; pick a --listen port of 1024 or above.'
        : err.code === 'EADDRNOTAVAIL'
          ? `No interface has the address ${host}; use --host 127.0.0.1 or 0.0.0.0.`
          : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
            ? `The --host name ${host} does not resolve; give an address of this machine, e.g. --host 127.0.0.1 or 0.0.0.0.`
            : 'Check --host and --listen.';
  return new UserError(`Cannot listen on ${where}: ${err.code ?? err.message}`, {
    code: 'VOICECTL_CATCH_LISTEN_FAILED',
    hint,
    cause: err,
  });
}
