/**
 * The first three hops of a probe, each timed and bounded: DNS lookup, TCP connect,
 * TLS handshake. Every function returns its phase record and, on success, what the next
 * hop needs (the addresses, the connected socket); on failure an `error` carrying a node
 * error `code` (our own timeouts use `ETIMEOUT` for DNS/TLS and `ETIMEDOUT` for TCP).
 */
import { promises as dns } from 'node:dns';
import net, { isIP, type Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { CertificateInfo, DnsPhase, ProbeConnect, ProbeLookup, TcpPhase, TlsPhase } from './types.js';

/** Milliseconds since `start` (a `performance.now()` value), to 0.1 ms. */
export function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

/** An Error with a node-style `code`. */
export function codedError(message: string, code: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

const defaultLookup: ProbeLookup = (host) => dns.lookup(host, { all: true });

/**
 * DNS phase. An IP literal is not looked up (`skipped: true`).
 * @returns the phase and, when ok, the addresses to try in order.
 */
export async function resolveHost(
  host: string,
  o: { lookup?: ProbeLookup; timeoutMs: number },
): Promise<{ phase: DnsPhase; addresses?: string[]; error?: unknown }> {
  if (isIP(host)) return { phase: { ok: true, ms: 0, host, addresses: [host], skipped: true }, addresses: [host] };
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(codedError(`DNS lookup timed out after ${o.timeoutMs} ms`, 'ETIMEOUT')), o.timeoutMs);
    });
    const found = await Promise.race([(o.lookup ?? defaultLookup)(host), timeout]);
    const addresses = found.map((a) => a.address);
    if (addresses.length === 0) throw codedError(`getaddrinfo ENOTFOUND ${host}`, 'ENOTFOUND');
    return { phase: { ok: true, ms: elapsed(start), host, addresses }, addresses };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return {
      phase: { ok: false, ms: elapsed(start), host, addresses: [], error: (err as Error).message, ...(code ? { code } : {}) },
      error: err,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * TCP phase: try each address in order until one accepts, all within `timeoutMs` (each
 * attempt gets an equal share of the time left).
 * @returns the phase and, when ok, the connected socket (owned by the caller).
 */
export async function connectTcp(
  addresses: string[],
  port: number,
  o: { connect?: ProbeConnect; timeoutMs: number },
): Promise<{ phase: TcpPhase; socket?: Socket; error?: unknown }> {
  const start = performance.now();
  const attempts: NonNullable<TcpPhase['attempts']> = [];
  let lastError: unknown;
  for (const [i, address] of addresses.entries()) {
    const remaining = o.timeoutMs - (performance.now() - start);
    if (remaining <= 0) break;
    // share what is left among the addresses still to try, so one black-holed address
    // (often an IPv6 one) cannot use up the whole phase
    const budget = remaining / (addresses.length - i);
    try {
      const socket = await connectOne(address, port, budget, o.connect);
      return {
        phase: { ok: true, ms: elapsed(start), address, port, ...(attempts.length ? { attempts } : {}) },
        socket,
      };
    } catch (err) {
      lastError = err;
      const code = (err as { code?: string }).code;
      attempts.push({ address, error: (err as Error).message, ...(code ? { code } : {}) });
    }
  }
  lastError ??= codedError(`connect ETIMEDOUT ${addresses[0]}:${port}`, 'ETIMEDOUT');
  const code = (lastError as { code?: string }).code;
  return {
    phase: {
      ok: false,
      ms: elapsed(start),
      port,
      attempts,
      error: (lastError as Error).message,
      ...(code ? { code } : {}),
    },
    error: lastError,
  };
}

function connectOne(host: string, port: number, timeoutMs: number, connect?: ProbeConnect): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect ? connect({ host, port }) : net.connect({ host, port });
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(codedError(`connect ETIMEDOUT ${host}:${port} (no answer within ${Math.round(timeoutMs)} ms)`, 'ETIMEDOUT'));
    }, timeoutMs);
    const onConnect = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
    }
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
}

const VERIFY_TEXT: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
};

/**
 * TLS phase over a connected TCP socket: SNI (host names only), ALPN `http/1.1`.
 * The chain and host name are always checked and reported; unless `insecure`, a
 * certificate that does not verify fails the phase with its OpenSSL code
 * (`DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`, …).
 * @returns the phase and, when ok, the TLS socket.
 */
export function handshakeTls(
  socket: Socket,
  host: string,
  o: { insecure: boolean; timeoutMs: number; ca?: string[] },
): Promise<{ phase: TlsPhase; socket?: TLSSocket; error?: unknown }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const tlsSocket = tls.connect({
      socket,
      host,
      ...(isIP(host) ? {} : { servername: host }),
      ALPNProtocols: ['http/1.1'],
      rejectUnauthorized: false,
      ...(o.ca ? { ca: o.ca } : {}),
    });
    const fail = (err: unknown, extra: Partial<TlsPhase> = {}): void => {
      cleanup();
      tlsSocket.destroy();
      socket.destroy();
      const code = (err as { code?: string }).code;
      const e = tidyTlsError(err);
      resolve({ phase: { ok: false, ms: elapsed(start), ...extra, error: e.message, ...(code ? { code } : {}) }, error: e });
    };
    const timer = setTimeout(() => fail(codedError(`no TLS handshake within ${o.timeoutMs} ms`, 'ETIMEOUT')), o.timeoutMs);
    const onSecure = (): void => {
      const info: TlsPhase = {
        ok: true,
        ms: elapsed(start),
        protocol: tlsSocket.getProtocol() ?? undefined,
        alpn: tlsSocket.alpnProtocol ?? false,
        authorized: tlsSocket.authorized,
        certificate: certificateInfo(tlsSocket),
      };
      const why = tlsSocket.authorizationError ? String(tlsSocket.authorizationError) : undefined;
      if (why) info.authorizationError = why;
      if (!tlsSocket.authorized && !o.insecure) {
        const { ok: _ok, ms: _ms, ...extra } = info;
        fail(codedError(VERIFY_TEXT[why ?? ''] ?? `certificate not trusted (${why})`, why ?? 'CERT_UNTRUSTED'), extra);
        return;
      }
      cleanup();
      resolve({ phase: info, socket: tlsSocket });
    };
    const onError = (err: Error): void => fail(err);
    function cleanup(): void {
      clearTimeout(timer);
      tlsSocket.off('secureConnect', onSecure);
      tlsSocket.off('error', onError);
    }
    tlsSocket.once('secureConnect', onSecure);
    tlsSocket.once('error', onError);
  });
}

/**
 * OpenSSL errors carry a long message (`80…:error:0A00010B:SSL routines:…:wrong version
 * number:../deps/openssl/…`); keep its `reason` ("wrong version number") and the code.
 */
function tidyTlsError(err: unknown): Error {
  const e = err as Error & { reason?: string; code?: string };
  if (typeof e?.message === 'string' && /:error:[0-9A-F]+:/.test(e.message)) {
    return Object.assign(new Error(e.reason ?? e.message.split(':').slice(-3, -2)[0] ?? e.message), { code: e.code });
  }
  return e;
}

function dn(entry: unknown): string {
  if (!entry || typeof entry !== 'object') return '';
  return Object.entries(entry as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

function isoDate(text: string | undefined): string {
  const d = text ? new Date(text) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : (text ?? '');
}

/** The peer certificate in report form, or undefined when the server sent none. */
function certificateInfo(s: TLSSocket): CertificateInfo | undefined {
  const c = s.getPeerCertificate();
  if (!c || Object.keys(c).length === 0) return undefined;
  const subject = dn(c.subject);
  const issuer = dn(c.issuer);
  return {
    subject,
    issuer,
    subjectAltNames: (c.subjectaltname ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    validFrom: isoDate(c.valid_from),
    validTo: isoDate(c.valid_to),
    selfSigned: subject === issuer,
  };
}
