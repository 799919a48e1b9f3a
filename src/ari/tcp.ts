/**
 * Step 1 of `ari check`: can a TCP connection reach the Asterisk HTTP server?
 */
import net from 'node:net';
import { AriError, verdictForSocketError } from './verdicts.js';

/** Options of {@link tcpProbe}. */
export interface TcpProbeOptions {
  host: string;
  port: number;
  /** Give up after this many ms (verdict connect_timeout). */
  timeoutMs: number;
  /** DNS lookup override (tests), same signature as `dns.lookup`. */
  lookup?: net.LookupFunction;
  /** Socket factory override (tests); default `net.connect`. */
  connect?: (options: net.NetConnectOpts) => net.Socket;
}

/**
 * Open and close one TCP connection.
 * @returns the remote address that accepted, e.g. `127.0.0.1:8088`.
 * @throws AriError connection_refused (ECONNREFUSED), dns_error (ENOTFOUND, EAI_AGAIN),
 *   connect_timeout (no answer within `timeoutMs`, EHOSTUNREACH, ENETUNREACH).
 */
export function tcpProbe(options: TcpProbeOptions): Promise<string> {
  const where = `${options.host}:${options.port}`;
  const connect = options.connect ?? net.connect;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: options.host, port: options.port, ...(options.lookup ? { lookup: options.lookup } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new AriError('connect_timeout', `No answer from ${where} within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      const remote = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : where;
      socket.destroy();
      resolve(remote);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const verdict = verdictForSocketError(err.code) ?? 'connection_refused';
      const lead = {
        connection_refused: `Connection refused by ${where}`,
        dns_error: `Cannot resolve ${options.host}`,
        connect_timeout: `No answer from ${where}`,
      }[verdict];
      reject(new AriError(verdict, `${lead} (${err.code ?? err.message})`, { cause: err }));
    });
  });
}
