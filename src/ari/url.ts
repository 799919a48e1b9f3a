/**
 * ARI base URLs.
 *
 * Asterisk serves ARI at `http://HOST:8088/ari`; with an http.conf `prefix = p` every URI
 * moves under `/p`, i.e. `/p/ari/...` (source: configs/samples/http.conf.sample). Users
 * paste any of `host:8088`, `http://host:8088`, `http://host:8088/p` or
 * `http://host:8088/p/ari`; all of them map to the same base.
 */
import { UsageError } from '../core/errors.js';

/** A parsed ARI location. */
export interface AriUrl {
  /** `http:` or `https:`. */
  protocol: 'http:' | 'https:';
  /** Host name or address, without brackets for IPv6. */
  host: string;
  /** TCP port (default 8088 for http, 8089 for https, as in http.conf). */
  port: number;
  /** The http.conf prefix as a path (`''` or `/asterisk`). */
  prefix: string;
  /** REST base, e.g. `http://127.0.0.1:8088/asterisk/ari` (no trailing slash). */
  base: string;
  /** Events WebSocket URL without query, e.g. `ws://127.0.0.1:8088/ari/events`. */
  eventsUrl: string;
}

/** Default http.conf `bindport`. */
export const DEFAULT_ARI_PORT = 8088;

/**
 * Parse a user-given ARI URL.
 * @throws UsageError (`VOICECTL_ARI_BAD_URL`, exit 2) for another scheme, credentials in
 *   the URL (the password comes from ASTERISK_ARI_PASSWORD only), a query or a bad port.
 */
export function parseAriUrl(input: string): AriUrl {
  const raw = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw badUrl(`Not a URL: ${input}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badUrl(`ARI URL must be http:// or https://, got ${url.protocol}//`);
  }
  if (url.username || url.password) {
    throw badUrl('Credentials do not belong in the ARI URL', 'Remove user:password@ from --url; pass --user and set ASTERISK_ARI_PASSWORD.');
  }
  if (url.search || url.hash) throw badUrl('The ARI URL takes no query or fragment');
  const protocol = url.protocol;
  const port = url.port ? Number(url.port) : protocol === 'https:' ? 8089 : DEFAULT_ARI_PORT;
  let prefix = url.pathname.replace(/\/+$/, '');
  if (prefix === '/ari' || prefix.endsWith('/ari')) prefix = prefix.slice(0, -'/ari'.length);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const hostPart = url.hostname; // keeps IPv6 brackets
  const origin = `${protocol}//${hostPart}:${port}`;
  const base = `${origin}${prefix}/ari`;
  const wsOrigin = `${protocol === 'https:' ? 'wss:' : 'ws:'}//${hostPart}:${port}`;
  return { protocol, host, port, prefix, base, eventsUrl: `${wsOrigin}${prefix}/ari/events` };
}

/**
 * The default URL from ASTERISK_HOST / ASTERISK_ARI_PORT: `http://HOST:PORT`
 * (host 127.0.0.1 and port 8088 when unset). A host that already has a scheme is kept (with
 * the port replaced when one is set); a `host:port` host keeps its own port.
 */
export function urlFromHostPort(host: string | undefined, port: string | undefined): string {
  const h = host && host.trim() !== '' ? host.trim() : '127.0.0.1';
  if (/^https?:\/\//i.test(h)) return port ? h.replace(/(:\/\/[^/:]+)(:\d+)?/, `$1:${port}`) : h;
  if (/^[^:[\]]+:\d+$/.test(h)) return `http://${h}`; // host:port in ASTERISK_HOST: its own port wins
  const hostPart = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
  return `http://${hostPart}:${port && port.trim() !== '' ? port.trim() : DEFAULT_ARI_PORT}`;
}

/**
 * Build a REST URL: `base` + `/path` + query (values URL-encoded; undefined values skipped).
 * @param path resource path such as `/channels/123` (already encoded segments).
 */
export function restUrl(base: string, path: string, query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return `${base}${path.startsWith('/') ? path : `/${path}`}${qs ? `?${qs}` : ''}`;
}

function badUrl(message: string, hint = 'Use --url http://HOST:8088 (add the http.conf prefix as a path, e.g. http://HOST:8088/asterisk).'): UsageError {
  return new UsageError(message, { code: 'VOICECTL_ARI_BAD_URL', hint });
}
