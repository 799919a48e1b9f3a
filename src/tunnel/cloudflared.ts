/**
 * cloudflared quick tunnels: the argv, the log-line parser (URL, readiness, failures) and
 * the metrics server queries.
 *
 * Source of the formats: cloudflared `cmd/cloudflared/tunnel/quick_tunnel.go` (the URL box),
 * `connection/observer.go` ("Registered tunnel connection"), `metrics/metrics.go` and
 * `metrics/readiness.go` (`/quicktunnel`, `/ready`), `supervisor/tunnel.go` (QUIC dial
 * failures), cloudflared issue #972 (rate limit 1015 / 429). Console logs go to stderr as
 * `<RFC3339> <LVL> <message>`.
 */
import { cleanLine } from './text.js';
import type { LineInfo, LineLevel, TunnelFailure } from './types.js';

/** The edge transport cloudflared uses (`--protocol`). */
export type CloudflaredProtocol = 'auto' | 'quic' | 'http2';

/** Inputs of {@link cloudflaredArgs}. */
export interface CloudflaredArgsOptions {
  /** Local port of the bridge; the tunnel points at `http://127.0.0.1:<port>`. */
  port: number;
  /** An empty config file, so a user's `~/.cloudflared/config.yml` (catch-all 404) is not read. */
  configFile: string;
  /** Pinned metrics address `127.0.0.1:<port>` (serves `/quicktunnel` and `/ready`). */
  metricsAddr: string;
  /** Edge transport; omitted (cloudflared's own default) when undefined or `auto`. */
  protocol?: CloudflaredProtocol;
}

/**
 * argv for `cloudflared` (without the executable): a quick tunnel to 127.0.0.1 (never
 * `localhost`, which may resolve to ::1) with an empty config and pinned metrics address.
 */
export function cloudflaredArgs(o: CloudflaredArgsOptions): string[] {
  return [
    'tunnel',
    '--no-autoupdate',
    '--config',
    o.configFile,
    '--metrics',
    o.metricsAddr,
    ...(o.protocol && o.protocol !== 'auto' ? ['--protocol', o.protocol] : []),
    '--url',
    `http://127.0.0.1:${o.port}`,
  ];
}

const QUICK_URL = /https:\/\/([a-z0-9-]+)\.trycloudflare\.com\b/i;
const LEVEL = /^\S+\s+(DBG|INF|WRN|ERR|FTL)\s/;

/** cloudflared's failures, recognised on one log line. Exported for the docs table (docs/tunnel.md) and tests. */
export const CLOUDFLARED_FAILURES: ReadonlyArray<{ test: RegExp; failure: TunnelFailure }> = [
  {
    test: /error code: 1015|429 Too Many Requests/i,
    failure: {
      code: 'VOICECTL_TUNNEL_RATE_LIMITED',
      message: 'Cloudflare refused a new quick tunnel: rate limited (error 1015, HTTP 429).',
      hint: 'Wait a few minutes before trying again (quick tunnels are rate-limited per IP), or use --provider devtunnel or --provider ngrok.',
      fatal: true,
      exitCode: 1,
    },
  },
  {
    test: /failed to (?:unmarshal|parse) quick Tunnel/i,
    failure: {
      code: 'VOICECTL_TUNNEL_SERVICE_ERROR',
      message: 'trycloudflare.com answered the quick tunnel request with an error.',
      hint: 'The quick tunnel service is having trouble: try again in a minute, or use --provider devtunnel or --provider ngrok.',
      fatal: true,
      exitCode: 1,
    },
  },
  {
    test: /failed to request quick Tunnel/i,
    failure: {
      code: 'VOICECTL_TUNNEL_UNREACHABLE',
      message: 'cloudflared could not reach api.trycloudflare.com to request a quick tunnel.',
      hint: 'Check the internet connection and any HTTPS proxy (cloudflared honours HTTPS_PROXY), then try again.',
      fatal: true,
      exitCode: 1,
    },
  },
  {
    test: /Failed to dial a quic connection|failed to dial to edge with quic/i,
    failure: {
      code: 'VOICECTL_TUNNEL_QUIC_BLOCKED',
      message: 'cloudflared cannot open its QUIC connection to the Cloudflare edge (UDP port 7844 looks blocked).',
      hint: 'Retry over TCP: voicectl tunnel up --provider cloudflared --cloudflared-protocol http2',
      fatal: false,
      exitCode: 1,
    },
  },
];

/**
 * Parse one cloudflared log line (stderr).
 * - `url`: the `https://<words>.trycloudflare.com` of the "Your quick Tunnel has been created" box
 *   (never `api.trycloudflare.com`, which appears in request errors);
 * - `ready`: "Registered tunnel connection";
 * - `failure`: one of {@link CLOUDFLARED_FAILURES}.
 */
export function parseCloudflaredLine(raw: string): LineInfo {
  const text = cleanLine(raw);
  const lvl = LEVEL.exec(text)?.[1];
  const level: LineLevel = lvl === 'ERR' || lvl === 'FTL' ? 'error' : lvl === 'WRN' ? 'warn' : 'info';
  const info: LineInfo = { text, level };
  const url = QUICK_URL.exec(text);
  if (url && url[1]!.toLowerCase() !== 'api' && level === 'info') info.url = `https://${url[1]!.toLowerCase()}.trycloudflare.com`;
  if (/Registered tunnel connection/.test(text)) info.ready = true;
  const failure = CLOUDFLARED_FAILURES.find((f) => f.test.test(text));
  if (failure) info.failure = failure.failure;
  return info;
}

/** What the metrics server said: the quick tunnel URL once known, and whether `/ready` is 200. */
export interface CloudflaredMetrics {
  url?: string;
  ready: boolean;
}

/**
 * Ask cloudflared's metrics server (`--metrics` address) for the quick tunnel hostname
 * (`GET /quicktunnel` → `{"hostname":"xxx.trycloudflare.com"}`) and readiness (`GET /ready`:
 * 200 once an edge connection is registered, 503 before). Never throws: a server that is
 * not up yet reads as "nothing known".
 * @param fetchFn injected fetch (tests), default global fetch.
 */
export async function queryCloudflaredMetrics(
  metricsAddr: string,
  fetchFn: typeof fetch = fetch,
  timeoutMs = 1000,
): Promise<CloudflaredMetrics> {
  const base = `http://${metricsAddr}`;
  const out: CloudflaredMetrics = { ready: false };
  try {
    const res = await fetchFn(`${base}/quicktunnel`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.ok) {
      const body = (await res.json()) as { hostname?: unknown };
      if (typeof body.hostname === 'string' && /^[a-z0-9.-]+$/i.test(body.hostname) && body.hostname !== '') {
        out.url = `https://${body.hostname.toLowerCase()}`;
      }
    }
  } catch {
    /* not up yet */
  }
  try {
    const res = await fetchFn(`${base}/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    out.ready = res.status === 200;
    await res.body?.cancel();
  } catch {
    /* not up yet */
  }
  return out;
}
