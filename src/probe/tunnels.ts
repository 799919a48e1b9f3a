/**
 * Recognising the public tunnels people put in front of a local media server, from the
 * host name and from the marks their relays leave on HTTP answers. Used to turn a
 * status code into a concrete fix.
 *
 * Host name forms (shared/reference tunnels-and-probes.md §1–3):
 * - dev tunnel: `<name>-<port>.<cluster>.devtunnels.ms`, or `<name>.<cluster>.devtunnels.ms:<port>`
 * - cloudflared quick tunnel: `<four-words>.trycloudflare.com`
 * - ngrok: `<sub>.ngrok-free.app`, `.ngrok-free.dev`, `.ngrok.app`, `.ngrok.io`, `.ngrok.dev`
 */

/** What a host name says about the tunnel in front of it. */
export type TunnelHost =
  | { kind: 'devtunnel'; name: string; cluster: string; /** `<name>.<cluster>`, as `devtunnel list` shows it */ id: string; port?: number }
  | { kind: 'cloudflare-quick' }
  | { kind: 'ngrok' };

/**
 * Parse a host name (and the URL's explicit port, if any).
 * @returns the tunnel kind with the dev tunnel id and forwarded port when present; undefined for other hosts.
 */
export function parseTunnelHost(host: string, urlPort?: number): TunnelHost | undefined {
  const h = host.toLowerCase();
  const dev = /^([a-z0-9][a-z0-9-]*?)(?:-(\d{2,5}))?(?:-inspect)?\.([a-z0-9]+)\.devtunnels\.ms$/.exec(h);
  if (dev) {
    const port = dev[2] ? Number(dev[2]) : urlPort !== undefined && urlPort !== 443 ? urlPort : undefined;
    return { kind: 'devtunnel', name: dev[1]!, cluster: dev[3]!, id: `${dev[1]}.${dev[3]}`, ...(port ? { port } : {}) };
  }
  if (/\.trycloudflare\.com$/.test(h)) return { kind: 'cloudflare-quick' };
  if (/\.ngrok(-free)?\.(app|io|dev)$/.test(h)) return { kind: 'ngrok' };
  return undefined;
}

/** Lower-cased response headers, as node:http gives them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** A header as one string (multiple values joined with ", "). */
export function headerText(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * True when an HTTP answer carries the marks of the dev tunnels relay: a
 * `vssaas-request-id` header, `x-served-by: tunnels-…`, a `.Tunnels.Relay…` or
 * `tunnel_phishing_protection` cookie, an `x-tunnel-*` header, or a `WWW-Authenticate`
 * challenge naming the tunnel scheme (microsoft/dev-tunnels issue #508, security.md).
 */
export function hasDevTunnelMarks(headers: ResponseHeaders, body = ''): boolean {
  if (headers['vssaas-request-id'] !== undefined) return true;
  if (/tunnels/i.test(headerText(headers, 'x-served-by') ?? '')) return true;
  if (/Tunnels\.Relay|tunnel_phishing_protection/i.test(headerText(headers, 'set-cookie') ?? '')) return true;
  if (Object.keys(headers).some((k) => k.startsWith('x-tunnel-'))) return true;
  if (/\btunnel\b/i.test(headerText(headers, 'www-authenticate') ?? '')) return true;
  return /devtunnels\.ms|rel\.tunnels\.api\.visualstudio\.com/i.test(body);
}

/**
 * True when a redirect goes to a tunnel sign-in page: the dev tunnels relay's
 * `https://global.rel.tunnels.api.visualstudio.com/auth/aad?…` (or `/auth/github`, `/login`),
 * or straight to the Entra ID / GitHub login.
 */
export function isTunnelSignInRedirect(location: string | undefined): boolean {
  if (!location) return false;
  return (
    /^https?:\/\/[^/]*tunnels\.api\.visualstudio\.com\/(auth|login)\b/i.test(location) ||
    /^https?:\/\/[^/]*devtunnels\.ms\/(auth|login)\b/i.test(location) ||
    /^https?:\/\/login\.microsoftonline\.com\//i.test(location) ||
    /^https?:\/\/github\.com\/login\b/i.test(location)
  );
}

/** The ngrok error code (`ERR_NGROK_8012`…) a body or header names, if any. */
export function ngrokErrorCode(headers: ResponseHeaders, body: string): string | undefined {
  const m = /ERR_NGROK_\d+/.exec(`${headerText(headers, 'ngrok-error-code') ?? ''} ${body}`);
  return m?.[0];
}

/** True when the answer came through Cloudflare (`server: cloudflare` or a `cf-ray` header). */
export function isCloudflare(headers: ResponseHeaders): boolean {
  return /cloudflare/i.test(headerText(headers, 'server') ?? '') || headers['cf-ray'] !== undefined;
}
