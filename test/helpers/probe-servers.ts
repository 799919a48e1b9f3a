/**
 * Loopback servers for ws-probe tests, on 127.0.0.1 port 0: a real `ws` server (plain or
 * TLS with the test-time certificate), and servers that misbehave on purpose, the way
 * tunnels and broken origins do. Each checks what a real server checks: the status fakes
 * answer their scripted status only to a well-formed WebSocket upgrade (GET, `Upgrade:
 * websocket`, `Sec-WebSocket-Version: 13`, a 16-byte base64 `Sec-WebSocket-Key`) and 400
 * otherwise, and every server records the requests it saw.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { TestCert } from './tls.js';

/** What a server saw of one request. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** A running test server. */
export interface TestServer {
  port: number;
  /** Requests seen (upgrade requests for the HTTP fakes). */
  requests: SeenRequest[];
  /** `scheme://127.0.0.1:port<path>`. */
  url(path?: string, scheme?: 'ws' | 'wss' | 'http' | 'https'): string;
  close(): Promise<void>;
}

/** True when `req` is a well-formed WebSocket upgrade (RFC 6455 §4.1 client requirements). */
export function isValidUpgrade(req: IncomingMessage): boolean {
  const key = req.headers['sec-websocket-key'];
  return (
    req.method === 'GET' &&
    (req.headers.upgrade ?? '').toLowerCase() === 'websocket' &&
    /\bupgrade\b/i.test(req.headers.connection ?? '') &&
    req.headers['sec-websocket-version'] === '13' &&
    typeof key === 'string' &&
    Buffer.from(key, 'base64').length === 16
  );
}

function track(server: net.Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

async function listen(server: net.Server, requests: SeenRequest[], defaultScheme: 'ws' | 'wss'): Promise<TestServer> {
  const sockets = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    url: (path = '/', scheme = defaultScheme) => `${scheme}://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Options of {@link wsServer}. */
export interface WsServerOptions {
  /** The only path that upgrades (others get 404). Default `/ws/media`. */
  path?: string;
  /** Serve TLS with this certificate. */
  tls?: TestCert;
  /** Close each connection with `closeCode` / `closeReason` this many ms after it opens. */
  closeAfterMs?: number;
  closeCode?: number;
  closeReason?: string;
  /** Subprotocols the server accepts (it picks the first offered one it knows). */
  subprotocols?: string[];
}

/** A real `ws` server behind an http(s) server that routes upgrades by path. */
export async function wsServer(o: WsServerOptions = {}): Promise<TestServer & { opened: number }> {
  const requests: SeenRequest[] = [];
  const path = o.path ?? '/ws/media';
  const server = o.tls ? https.createServer({ cert: o.tls.cert, key: o.tls.key }) : http.createServer();
  server.on('request', (_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('upgrade required\n'));
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (o.subprotocols ?? []).find((p) => offered.has(p)) ?? false,
  });
  const state = { opened: 0 };
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    if ((req.url ?? '').split('?')[0] !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 10\r\n\r\nnot found\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      state.opened += 1;
      if (o.closeAfterMs !== undefined) setTimeout(() => ws.close(o.closeCode ?? 1011, o.closeReason ?? ''), o.closeAfterMs);
    });
  });
  const base = await listen(server, requests, o.tls ? 'wss' : 'ws');
  return {
    ...base,
    get opened() {
      return state.opened;
    },
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await base.close();
    },
  };
}

/** Options of {@link statusServer}: the scripted answer to a valid upgrade. */
export interface StatusAnswer {
  status: number;
  statusText?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** An HTTP server that answers every well-formed WebSocket upgrade with a fixed non-101 answer. */
export async function statusServer(answer: StatusAnswer): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((_req, res) => res.writeHead(400).end());
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    if (!isValidUpgrade(req)) {
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const body = answer.body ?? '';
    const headers = { 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...(answer.headers ?? {}) };
    const head = [`HTTP/1.1 ${answer.status} ${answer.statusText ?? http.STATUS_CODES[answer.status] ?? 'Status'}`];
    for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`);
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
  return listen(server, requests, 'ws');
}

/** Accepts TCP connections and never answers (an origin stuck before the HTTP answer). */
export async function silentServer(): Promise<TestServer> {
  return listen(net.createServer(() => {}), [], 'ws');
}

/** Reads the request, then hangs up without any HTTP answer. */
export async function hangupServer(): Promise<TestServer> {
  return listen(net.createServer((s) => s.once('data', () => s.destroy())), [], 'ws');
}

/** Accepts the TCP connection and closes it at once, before any request (a listener with no backend). */
export async function resetServer(): Promise<TestServer> {
  return listen(net.createServer((s) => s.destroy()), [], 'ws');
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
