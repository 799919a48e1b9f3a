/**
 * Turning what users paste (an https:// callback host, a bare tunnel host name, a
 * wss:// media URL) into the WebSocket URL a media client would open.
 */
import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';
import { redact } from '../core/redact.js';

const SCHEMES: Record<string, string> = { 'https:': 'wss:', 'http:': 'ws:', 'wss:': 'wss:', 'ws:': 'ws:' };
const HINT = 'Give a URL like wss://host/ws/media, https://host (probed as wss://), http://host:8000 (ws://) or a bare host name.';

/**
 * Normalise a probe URL.
 *
 * - `https://…` becomes `wss://…`, `http://…` becomes `ws://…`; `wss://` and `ws://` stay.
 * - A bare host (`abc.trycloudflare.com`, `host:8443/ws`) becomes `wss://host…`.
 * - `path` (e.g. `/ws/media`, or `/ws?x=1`) sets or replaces the path and query.
 * - A `#fragment` is dropped (WebSocket URLs cannot carry one).
 *
 * @returns the WebSocket URL, e.g. `wss://abc.trycloudflare.com/ws/media`.
 * @throws UsageError (`VOICECTL_PROBE_INVALID_URL`) for an empty input, another scheme,
 *   a URL that does not parse, a missing host or a bad port.
 */
export function normalizeProbeUrl(input: string, path?: string): string {
  const raw = String(input ?? '').trim();
  if (raw === '') throw invalid('The URL is empty.');
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  let text = raw;
  if (schemeMatch) {
    const scheme = `${schemeMatch[1]!.toLowerCase()}:`;
    const mapped = SCHEMES[scheme];
    if (!mapped) throw invalid(`Unsupported scheme "${schemeMatch[1]}" in ${redact(raw)}.`);
    text = `${mapped}//${raw.slice(schemeMatch[0].length)}`;
  } else if (/^[a-z][a-z0-9+.-]*:(?!\d)/i.test(raw) && !raw.startsWith('[')) {
    // "mailto:x", "wss:/host": a scheme without `//` (a host:port has digits after the colon)
    throw invalid(`${redact(raw)} is not a URL with a host (expected scheme://host).`);
  } else {
    text = `wss://${raw}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`${redact(raw)} is not a valid URL.`);
  }
  if (url.hostname === '') throw invalid(`${redact(raw)} has no host name.`);
  const bare = url.hostname.replace(/^\[|\]$/g, '');
  if (!isIP(bare) && !/^[a-z0-9_.-]+$/i.test(bare)) throw invalid(`"${bare}" is not a valid host name.`);
  if (path !== undefined) {
    const p = path.trim();
    if (p === '') throw invalid('--path is empty.', 'Give the path the server upgrades, e.g. --path /ws/media.');
    const withSlash = p.startsWith('/') ? p : `/${p}`;
    const q = withSlash.indexOf('?');
    url.pathname = q === -1 ? withSlash : withSlash.slice(0, q);
    url.search = q === -1 ? '' : withSlash.slice(q);
  }
  url.hash = '';
  return url.toString();
}

/** The host (brackets stripped from IPv6) and port (default 443 for wss, 80 for ws) of a normalised URL. */
export function probeEndpoint(target: string): { host: string; port: number; secure: boolean } {
  const url = new URL(target);
  const secure = url.protocol === 'wss:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { host, port: url.port === '' ? (secure ? 443 : 80) : Number(url.port), secure };
}

/**
 * True for a name or address that only this machine reaches: `localhost` (and `*.localhost`),
 * 127.0.0.0/8 and `::1` (with or without IPv6 brackets).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\./.test(h);
}

function invalid(message: string, hint = HINT): UsageError {
  return new UsageError(message, { code: 'VOICECTL_PROBE_INVALID_URL', hint });
}
