/**
 * A stand-in for a tunnel's edge on loopback: TLS terminated with the test certificate,
 * the plaintext piped to a local port (like cloudflared or a dev tunnel in front of
 * `voicectl bridge`). With `answer`, it is the edge of a tunnel that refuses instead:
 * every request gets that HTTP status (a private dev tunnel's 401, say).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { TestCert } from './tls.js';

export interface TlsFront {
  /** `https://127.0.0.1:<port>`: use as CALLBACK_URI_HOST. */
  origin: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Terminate TLS and pipe each connection to `127.0.0.1:<targetPort>`. */
export async function tlsFront(cert: TestCert, targetPort: number): Promise<TlsFront> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = tls.createServer({ cert: cert.cert, key: cert.key }, (client) => {
    count += 1;
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return listen(server, sockets, () => count);
}

/** A TLS edge that answers every request and every upgrade with `status` (and `headers`). */
export async function tlsRefusingFront(cert: TestCert, status: number, headers: Record<string, string> = {}): Promise<TlsFront> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const body = `${status} ${http.STATUS_CODES[status] ?? ''}\n`;
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
  });
  server.on('connection', (s: net.Socket) => {
    count += 1;
    sockets.add(s);
  });
  server.on('upgrade', (_req, socket: net.Socket) => {
    const head = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`, 'content-type: text/plain', `content-length: ${Buffer.byteLength(body)}`, 'connection: close'];
    for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`);
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
  return listen(server, sockets, () => count);
}

async function listen(server: net.Server, sockets: Set<net.Socket>, connections: () => number): Promise<TlsFront> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
