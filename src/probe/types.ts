/**
 * The shapes of a WebSocket probe: options in, one report out.
 *
 * A probe walks the hops a media WebSocket client (ACS Call Automation, Twilio, an
 * Asterisk externalMedia bridge) walks: DNS → TCP connect → TLS (wss only) → HTTP
 * upgrade → the open connection (ping/pong, then a hold). Each phase is timed in ms;
 * phases after the one that failed are absent from the report.
 */
import type { LookupAddress } from 'node:dns';
import type { Socket } from 'node:net';

/** One verdict per URL (the JSON field `verdict`). See `classify.ts` for the rules. */
export type ProbeVerdict =
  | 'ok'
  | 'invalid_url'
  | 'dns_error'
  | 'connection_refused'
  | 'connect_timeout'
  | 'tls_error'
  | 'handshake_timeout'
  | 'tunnel_auth_required'
  | 'http_unauthorized'
  | 'http_redirect'
  | 'http_not_found'
  | 'tunnel_origin_down'
  | 'http_error'
  | 'not_websocket'
  | 'closed_early';

/** Every verdict, in the order of the hops (for docs and tests). */
export const PROBE_VERDICTS: readonly ProbeVerdict[] = [
  'ok',
  'invalid_url',
  'dns_error',
  'connection_refused',
  'connect_timeout',
  'tls_error',
  'handshake_timeout',
  'tunnel_auth_required',
  'http_unauthorized',
  'http_redirect',
  'http_not_found',
  'tunnel_origin_down',
  'http_error',
  'not_websocket',
  'closed_early',
];

/** Resolves a host name to its addresses (the shape of `dns.promises.lookup(host, {all: true})`). */
export type ProbeLookup = (hostname: string) => Promise<LookupAddress[]>;

/**
 * Opens a TCP connection (the shape of `net.connect({host, port})`); the socket must emit
 * `connect` or `error`. Injected by tests to stand in for a black-holed address.
 */
export type ProbeConnect = (options: { host: string; port: number }) => Socket;

/** Options of {@link probeWebSocket}. */
export interface ProbeOptions {
  /** Path (and optional `?query`) that replaces the URL's path, e.g. `/ws/media`. */
  path?: string;
  /** Upper bound of each phase, in ms. Default 10000. */
  timeoutMs?: number;
  /** How long to keep the open connection before closing it ourselves, in ms. Default 3000. */
  holdMs?: number;
  /** Extra request headers for the upgrade (e.g. `X-Tunnel-Authorization`). Never reported. */
  headers?: Record<string, string>;
  /** Subprotocols to offer (`Sec-WebSocket-Protocol`). */
  subprotocols?: string[];
  /** Accept a certificate that does not verify (self-signed, wrong name, expired); the report still says why. */
  insecure?: boolean;
  /** Certificates to trust instead of Node's default roots (PEM); e.g. the roots plus `NODE_EXTRA_CA_CERTS` read from an injected environment. */
  ca?: string[];
  /** DNS lookup; default `dns.promises.lookup(host, {all: true})`. */
  lookup?: ProbeLookup;
  /** TCP connect; default `net.connect`. */
  connect?: ProbeConnect;
  /** Aborts the probe: it then rejects with a `CancelledError`. */
  signal?: AbortSignal;
}

/** DNS phase: the addresses a name resolved to (`skipped` when the host is an IP literal). */
export interface DnsPhase {
  ok: boolean;
  ms: number;
  host: string;
  addresses: string[];
  skipped?: boolean;
  error?: string;
  code?: string;
}

/** TCP phase: the address that answered, and every failed attempt before it. */
export interface TcpPhase {
  ok: boolean;
  ms: number;
  address?: string;
  port: number;
  attempts?: Array<{ address: string; error: string; code?: string }>;
  error?: string;
  code?: string;
}

/** The server certificate, as seen in the TLS handshake. Dates are ISO 8601. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  validFrom: string;
  validTo: string;
  selfSigned: boolean;
}

/** TLS phase (wss only): protocol version, ALPN, whether the chain verified, the certificate. */
export interface TlsPhase {
  ok: boolean;
  ms: number;
  protocol?: string;
  alpn?: string | false;
  authorized?: boolean;
  /** Why the certificate did not verify (set with `insecure`, or on failure). */
  authorizationError?: string;
  certificate?: CertificateInfo;
  error?: string;
  code?: string;
}

/** HTTP upgrade phase: the server's answer to the WebSocket upgrade request. */
export interface UpgradePhase {
  ok: boolean;
  ms: number;
  status?: number;
  statusText?: string;
  headers?: {
    server?: string;
    location?: string;
    contentType?: string;
    cfRay?: string;
    wwwAuthenticate?: string;
    secWebSocketProtocol?: string;
    secWebSocketExtensions?: string;
  };
  /** First 200 bytes of a non-101 body, as UTF-8. */
  body?: string;
  error?: string;
  code?: string;
}

/** The open connection: ping round trip, the hold, and the close if the peer closed. */
export interface OpenPhase {
  ok: boolean;
  /** ping → pong round trip in ms; null when no pong came within the timeout. */
  pingMs: number | null;
  /** Hold asked for, in ms. */
  holdMs: number;
  /** How long the connection stayed open, in ms. */
  heldMs: number;
  /** Data messages the server sent during the hold. */
  messages: number;
  /** Set when the server closed (or the socket failed) before the hold ended. */
  closed?: { code: number; reason: string; afterMs: number; error?: string };
}

/** The result of probing one URL. */
export interface ProbeReport {
  /** The URL as given (secrets masked). */
  url: string;
  /** The WebSocket URL probed (secrets masked); empty when the input was invalid. */
  target: string;
  verdict: ProbeVerdict;
  ok: boolean;
  /** One sentence on what happened. */
  message: string;
  /** The concrete fix, for every verdict but `ok`. */
  hint?: string;
  phases: { dns?: DnsPhase; tcp?: TcpPhase; tls?: TlsPhase; upgrade?: UpgradePhase; open?: OpenPhase };
}
