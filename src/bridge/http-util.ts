/** Small HTTP helpers of the bridge server: refusing an upgrade, parsing a request target, naming a listen failure. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { UserError } from '../core/errors.js';

/** Answer an upgrade request with an HTTP error and close the socket. */
export function refuseUpgrade(socket: Duplex, status: number, text: string, extraHeaders = ''): void {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Refused';
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${extraHeaders}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The request target as a URL, or undefined when it does not parse (e.g. `GET http://[::1`). */
export function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://bridge');
  } catch {
    return undefined;
  }
}

/** The listen failure as a UserError naming the flag to change. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number, flag: string): UserError {
  return new UserError(`Cannot listen on ${host}:${port}: ${err.code ?? err.message}`, {
    code: 'VOICECTL_BRIDGE_LISTEN',
    hint:
      err.code === 'EADDRINUSE'
        ? `Another process uses port ${port}; stop it or pass ${flag} <other port>.`
        : `Pass ${flag} <port> (above 1024 without root) and an address of this machine.`,
    cause: err,
  });
}
