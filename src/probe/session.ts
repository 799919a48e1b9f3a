/**
 * The last two hops: the HTTP upgrade (driven by `ws` 8 over the socket we connected
 * ourselves, via its `createConnection` option) and the open connection (one ping/pong
 * round trip, then a hold). `ws` is imported lazily by the caller and passed in.
 *
 * Upgrade facts from websockets/ws `lib/websocket.js`: a non-101 answer is the
 * `unexpected-response` event (req, res); a 101 fires `upgrade` and then, once the
 * Sec-WebSocket-Accept / Upgrade / subprotocol checks pass, `open` (synchronously).
 */
import type { Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import type { UpgradeAnswer } from './classify.js';
import { headerText } from './tunnels.js';
import { codedError, elapsed } from './transport.js';
import type { OpenPhase, UpgradePhase } from './types.js';

/** How many bytes of a non-101 body are read (for classification) and reported. */
const BODY_READ_BYTES = 4096;
const BODY_REPORT_BYTES = 200;

/** The `ws` module's WebSocket class. */
export type WebSocketClass = typeof WebSocket;

/** Options of {@link upgrade}. */
export interface UpgradeOptions {
  headers?: Record<string, string>;
  subprotocols?: string[];
  timeoutMs: number;
}

/**
 * Send the upgrade request on `socket` and wait for the answer (bounded by `timeoutMs`).
 * @returns `ws` when the connection opened; `answer` (status, headers, first bytes) for a
 *   non-101 answer; else `error` (`ETIMEOUT`, a socket error, or
 *   `VOICECTL_PROBE_BAD_HANDSHAKE` for a 101 that fails ws's checks).
 */
export function upgrade(
  WS: WebSocketClass,
  target: string,
  socket: Socket,
  o: UpgradeOptions,
): Promise<{ phase: UpgradePhase; ws?: WebSocket; answer?: UpgradeAnswer; error?: unknown }> {
  const start = performance.now();
  if (socket.destroyed) {
    // the server hung up between our connect and the upgrade request (a listener with no
    // backend): the HTTP client would never see that close and wait for the timeout
    const error = codedError('the server closed the connection before the upgrade request was sent', 'ECONNRESET');
    return Promise.resolve({ phase: { ok: false, ms: elapsed(start), error: error.message, code: error.code }, error });
  }
  return new Promise((resolve) => {
    let settled = false;
    let upgraded: IncomingMessage | undefined;
    const ws = new WS(target, o.subprotocols ?? [], {
      createConnection: (() => socket) as never,
      headers: o.headers,
      perMessageDeflate: false,
      followRedirects: false,
      maxPayload: 1 << 20,
    });
    const settle = (value: { phase: UpgradePhase; ws?: WebSocket; answer?: UpgradeAnswer; error?: unknown }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeListener('open', onOpen);
      if (!value.ws) {
        ws.removeAllListeners();
        ws.on('error', () => {});
        if (ws.readyState === ws.CONNECTING) ws.terminate();
        socket.destroy();
      }
      resolve(value);
    };
    const failed = (err: unknown, ms = elapsed(start)): void => {
      const code = (err as { code?: string }).code;
      const phase: UpgradePhase = { ok: false, ms, error: (err as Error).message, ...(code ? { code } : {}) };
      if (upgraded) Object.assign(phase, { status: 101, statusText: upgraded.statusMessage, headers: pickHeaders(upgraded) });
      settle({ phase, error: err });
    };
    const timer = setTimeout(
      () => failed(codedError(`no answer to the upgrade within ${o.timeoutMs} ms`, 'ETIMEOUT')),
      o.timeoutMs,
    );
    const onOpen = (): void => {
      settle({
        phase: {
          ok: true,
          ms: elapsed(start),
          status: 101,
          statusText: upgraded?.statusMessage ?? 'Switching Protocols',
          headers: upgraded ? pickHeaders(upgraded) : {},
        },
        ws,
      });
    };
    ws.on('upgrade', (res: IncomingMessage) => {
      upgraded = res;
    });
    ws.on('open', onOpen);
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      const ms = elapsed(start);
      readBody(res, Math.min(o.timeoutMs, 2000)).then((body) => {
        const answer: UpgradeAnswer = { status: res.statusCode ?? 0, statusText: res.statusMessage, headers: res.headers, body };
        settle({
          phase: {
            ok: false,
            ms,
            status: answer.status,
            ...(res.statusMessage ? { statusText: res.statusMessage } : {}),
            headers: pickHeaders(res),
            ...(body ? { body: Buffer.from(body).subarray(0, BODY_REPORT_BYTES).toString('utf8') } : {}),
          },
          answer,
        });
      });
    });
    ws.on('error', (err: Error) => {
      if (upgraded) failed(Object.assign(new Error(err.message), { code: 'VOICECTL_PROBE_BAD_HANDSHAKE' }));
      else failed(err);
    });
  });
}

function pickHeaders(res: IncomingMessage): NonNullable<UpgradePhase['headers']> {
  const h = res.headers;
  const out: NonNullable<UpgradePhase['headers']> = {};
  const set = (key: keyof typeof out, name: string): void => {
    const v = headerText(h, name);
    if (v !== undefined) out[key] = v;
  };
  set('server', 'server');
  set('location', 'location');
  set('contentType', 'content-type');
  set('cfRay', 'cf-ray');
  set('wwwAuthenticate', 'www-authenticate');
  set('secWebSocketProtocol', 'sec-websocket-protocol');
  set('secWebSocketExtensions', 'sec-websocket-extensions');
  return out;
}

/** Read up to 4 KiB of a response body, giving up after `limitMs`. */
function readBody(res: IncomingMessage, limitMs: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      clearTimeout(timer);
      res.removeAllListeners('data');
      res.destroy();
      resolve(Buffer.concat(chunks).subarray(0, BODY_READ_BYTES).toString('utf8'));
    };
    const timer = setTimeout(done, limitMs);
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= BODY_READ_BYTES) done();
    });
    res.once('end', done);
    res.once('error', done);
    res.once('close', done);
  });
}

/**
 * The open connection: one ping (RTT, bounded by `timeoutMs`), then hold until `holdMs`
 * after the open, then close with 1000. A close or error before that is recorded in
 * `closed` (code 1006 when the socket dropped without a close frame).
 */
export function holdOpen(ws: WebSocket, o: { holdMs: number; timeoutMs: number }): Promise<OpenPhase> {
  const start = performance.now();
  return new Promise((resolve) => {
    let pingMs: number | null = null;
    let messages = 0;
    let finished = false;
    let socketError: string | undefined;
    let pingSent = 0;
    const finish = (closed?: OpenPhase['closed']): void => {
      if (finished) return;
      finished = true;
      clearTimeout(holdTimer);
      clearTimeout(pingTimer);
      const phase: OpenPhase = { ok: !closed, pingMs, holdMs: o.holdMs, heldMs: elapsed(start), messages, ...(closed ? { closed } : {}) };
      ws.removeAllListeners();
      ws.on('error', () => {});
      if (!closed) {
        ws.close(1000, 'voicectl ws-probe done');
        // do not wait for the peer's close frame for long
        setTimeout(() => ws.terminate(), 500).unref();
      } else {
        ws.terminate();
      }
      resolve(phase);
    };
    let pingTimer: NodeJS.Timeout | undefined;
    let holdTimer: NodeJS.Timeout | undefined;
    const startHold = (): void => {
      const left = o.holdMs - (performance.now() - start);
      if (left <= 0) finish();
      else holdTimer = setTimeout(() => finish(), left);
    };
    ws.on('pong', () => {
      if (pingMs !== null || finished) return;
      pingMs = Math.round((performance.now() - pingSent) * 10) / 10;
      clearTimeout(pingTimer);
      startHold();
    });
    ws.on('message', () => {
      messages += 1;
    });
    ws.on('error', (err: Error) => {
      socketError = err.message;
    });
    ws.on('close', (code: number, reason: Buffer) => {
      finish({ code, reason: reason.toString('utf8'), afterMs: elapsed(start), ...(socketError ? { error: socketError } : {}) });
    });
    pingSent = performance.now();
    ws.ping(Buffer.from('voicectl'));
    pingTimer = setTimeout(startHold, o.timeoutMs);
  });
}
