/**
 * `probeWebSocket`: walk DNS → TCP → TLS → upgrade → open for one URL and return one
 * report with a verdict. Never throws for a network failure (that is a verdict); throws
 * only `CancelledError` when `signal` aborts.
 */
import { CancelledError, UsageError } from '../core/errors.js';
import { redact, registerSecret } from '../core/redact.js';
import {
  classifyConnectError,
  classifyDnsError,
  classifyEarlyClose,
  classifyTlsError,
  classifyUpgradeError,
  classifyUpgradeResponse,
  type Classification,
  type ClassifyContext,
} from './classify.js';
import { holdOpen, upgrade } from './session.js';
import { connectTcp, handshakeTls, resolveHost } from './transport.js';
import { parseTunnelHost } from './tunnels.js';
import type { ProbeOptions, ProbeReport } from './types.js';
import { normalizeProbeUrl, probeEndpoint } from './url.js';

/** Default bound of each phase, in ms. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default hold of the open connection, in ms. */
export const DEFAULT_HOLD_MS = 3_000;

/**
 * Probe one WebSocket URL.
 *
 * @param input a URL in any form {@link normalizeProbeUrl} accepts (https://, wss://, a bare host…).
 * @param options path, per-phase timeout (ms, default 10000), hold (ms, default 3000),
 *   headers, subprotocols, `insecure`, and injectable `lookup` / `connect` / `signal`.
 * @returns the report: `verdict` `invalid_url` for input that does not parse, else the
 *   first failing hop's verdict, or `ok`. Phases after the failing one are absent.
 * @throws CancelledError when `options.signal` aborts.
 */
export async function probeWebSocket(input: string, options: ProbeOptions = {}): Promise<ProbeReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const holdMs = options.holdMs ?? DEFAULT_HOLD_MS;
  const url = redact(String(input));
  let target: string;
  try {
    target = normalizeProbeUrl(input, options.path);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return { url, target: '', verdict: 'invalid_url', ok: false, message: err.message, ...(err.hint ? { hint: err.hint } : {}), phases: {} };
  }
  for (const v of Object.values(options.headers ?? {})) registerSecret(v);

  const { host, port, secure } = probeEndpoint(target);
  const parsed = new URL(target);
  const ctx: ClassifyContext = {
    host,
    port,
    secure,
    path: `${parsed.pathname}${parsed.search}`,
    tunnel: parseTunnelHost(host, parsed.port === '' ? undefined : Number(parsed.port)),
    timeoutMs,
    holdMs,
  };
  // `hint` holds its place before `phases`, so the JSON reads in the documented order
  const report: ProbeReport = { url, target: redact(target), verdict: 'ok', ok: true, message: '', hint: undefined, phases: {} };
  const conclude = (c: Classification): ProbeReport => {
    report.verdict = c.verdict;
    report.ok = c.verdict === 'ok';
    report.message = redact(c.message);
    if (c.hint) report.hint = redact(c.hint);
    return report;
  };
  const cancelled = (): boolean => options.signal?.aborted === true;
  const cancel = (): never => {
    throw new CancelledError('ws-probe interrupted', { code: 'VOICECTL_INTERRUPTED' });
  };

  const dns = await abortable(resolveHost(host, { lookup: options.lookup, timeoutMs }), options.signal);
  report.phases.dns = dns.phase;
  if (!dns.addresses) return conclude(classifyDnsError(dns.error, ctx));
  if (cancelled()) cancel();

  const tcp = await abortable(connectTcp(dns.addresses, port, { connect: options.connect, timeoutMs }), options.signal, (r) => r.socket?.destroy());
  report.phases.tcp = tcp.phase;
  if (!tcp.socket) return conclude(classifyConnectError(tcp.error, ctx));

  let socket = tcp.socket;
  if (secure) {
    const tcpSocket = socket;
    const t = await abortable(
      handshakeTls(tcpSocket, host, { insecure: options.insecure === true, timeoutMs, ...(options.ca ? { ca: options.ca } : {}) }),
      options.signal,
      (r) => r.socket?.destroy(),
      () => tcpSocket.destroy(),
    );
    report.phases.tls = t.phase;
    if (!t.socket) return conclude(classifyTlsError(t.error, ctx));
    socket = t.socket;
  }

  const { default: WebSocket } = await import('ws');
  const upgradeSocket = socket;
  const up = await abortable(
    upgrade(WebSocket, target, upgradeSocket, { headers: options.headers, subprotocols: options.subprotocols, timeoutMs }),
    options.signal,
    (r) => r.ws?.terminate(),
    () => upgradeSocket.destroy(),
  );
  report.phases.upgrade = up.phase;
  if (up.answer) return conclude(classifyUpgradeResponse(up.answer, ctx));
  if (!up.ws) return conclude(classifyUpgradeError(up.error, ctx));

  const ws = up.ws;
  const open = await abortable(holdOpen(ws, { holdMs, timeoutMs }), options.signal, () => ws.terminate(), () => ws.terminate());
  report.phases.open = open;
  if (open.closed) return conclude(classifyEarlyClose(open.closed, ctx));
  const ping = open.pingMs === null ? 'no pong to the ping' : `ping ${open.pingMs} ms`;
  const untrusted = report.phases.tls?.authorizationError;
  return conclude({
    verdict: 'ok',
    message:
      `WebSocket open (${ping}) and still open after the ${(holdMs / 1000).toFixed(1)} s hold.` +
      (untrusted ? ` Only because of --insecure: the certificate does not verify (${untrusted}), and ACS will refuse it.` : ''),
  });
}

/**
 * Await `work`, or reject with CancelledError as soon as `signal` aborts; `release` frees
 * what `work` produced if it finishes after the abort, `onAbort` stops work in progress.
 */
async function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, release?: (value: T) => void, onAbort?: () => void): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    void work.then((v) => release?.(v));
    throw new CancelledError('ws-probe interrupted');
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort?.();
      void work.then((v) => release?.(v));
      reject(new CancelledError('ws-probe interrupted'));
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}
