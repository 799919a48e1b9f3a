/**
 * From what a phase saw to one verdict, a message and a concrete hint.
 *
 * Failure signatures follow shared/reference tunnels-and-probes.md §4 ("Failure
 * signatures to classify"): ENOTFOUND → a tunnel name already gone; 302 to
 * `*.rel.tunnels.api.visualstudio.com/auth/*` or a 401 with relay marks → a private dev
 * tunnel; 404 → wrong path or a cloudflared config.yml catch-all; 502 / 530 + error 1033 →
 * tunnel up, local server down; 200 HTML → interstitial or a page that does not upgrade.
 * Pure functions: no I/O.
 */
import {
  hasDevTunnelMarks,
  headerText,
  isCloudflare,
  isTunnelSignInRedirect,
  ngrokErrorCode,
  type ResponseHeaders,
  type TunnelHost,
} from './tunnels.js';
import type { ProbeVerdict } from './types.js';
import { isLoopbackHost } from './url.js';

/** A verdict with its one-sentence message and its fix (absent only for `ok`). */
export interface Classification {
  verdict: ProbeVerdict;
  message: string;
  hint?: string;
}

/** What the classifier knows about the target. */
export interface ClassifyContext {
  host: string;
  port: number;
  secure: boolean;
  /** Path and query of the target, e.g. `/ws/media`. */
  path: string;
  tunnel?: TunnelHost;
  timeoutMs: number;
  holdMs: number;
}

/** A node error's code, if any. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The local port a tunnel forwards to, as far as the URL tells; else a placeholder. */
function forwardedPort(ctx: ClassifyContext): string {
  return ctx.tunnel?.kind === 'devtunnel' && ctx.tunnel.port ? String(ctx.tunnel.port) : '<port>';
}

/** DNS lookup failed (ENOTFOUND, EAI_AGAIN, a timeout). */
export function classifyDnsError(err: unknown, ctx: ClassifyContext): Classification {
  const code = errorCode(err);
  const message =
    code === 'ETIMEOUT'
      ? `DNS lookup of ${ctx.host} timed out after ${ctx.timeoutMs} ms.`
      : code === 'EAI_AGAIN'
        ? `DNS lookup of ${ctx.host} failed temporarily (EAI_AGAIN): no DNS server answered.`
        : `The host name ${ctx.host} does not resolve (${code ?? errorText(err)}).`;
  let hint: string;
  if (ctx.tunnel?.kind === 'cloudflare-quick') {
    hint = 'Quick tunnel names change on every cloudflared run and vanish when it stops: copy the current https://…trycloudflare.com URL from cloudflared (or run `voicectl tunnel up`) and update CALLBACK_URI_HOST.';
  } else if (ctx.tunnel?.kind === 'devtunnel') {
    hint = `The dev tunnel ${ctx.tunnel.id} is gone or not hosted: run \`devtunnel host ${ctx.tunnel.id}\` (or \`devtunnel list\` to find the current one) and update CALLBACK_URI_HOST.`;
  } else if (ctx.tunnel?.kind === 'ngrok') {
    hint = 'The ngrok URL is no longer assigned: restart `ngrok http <port>` and use the URL it prints (or reserve a static domain).';
  } else if (code === 'EAI_AGAIN' || code === 'ETIMEOUT') {
    hint = `Check this machine's network and DNS settings (try \`nslookup ${ctx.host}\`).`;
  } else {
    hint = `Check the host name for typos; \`nslookup ${ctx.host}\` must return an address. A tunnel host name lives only as long as its tunnel.`;
  }
  return { verdict: 'dns_error', message, hint };
}

/** TCP connect failed: refused, timed out, unreachable. */
export function classifyConnectError(err: unknown, ctx: ClassifyContext): Classification {
  const code = errorCode(err);
  const where = `${ctx.host}:${ctx.port}`;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
    return {
      verdict: 'connection_refused',
      message: `Nothing accepts connections on ${where} (${code}).`,
      hint: isLoopbackHost(ctx.host)
        ? `Start your server on port ${ctx.port} (or fix the port in the URL), then probe again.`
        : `Nothing listens on port ${ctx.port} of ${ctx.host}: start the server, check the port, and make sure it listens on a public interface (0.0.0.0), not only 127.0.0.1.`,
    };
  }
  return {
    verdict: 'connect_timeout',
    message:
      code === 'ETIMEDOUT' || code === undefined
        ? `TCP connect to ${where} timed out after ${ctx.timeoutMs} ms.`
        : `TCP connect to ${where} failed (${code}).`,
    hint: `Packets to ${where} are dropped: check that the host is up and that firewalls / network security groups allow inbound TCP ${ctx.port}${ctx.secure ? '' : ' (a public endpoint for ACS must be wss:// on 443)'}.`,
  };
}

const SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
const UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT']);

/** TLS handshake or certificate verification failed. */
export function classifyTlsError(err: unknown, ctx: ClassifyContext): Classification {
  const code = errorCode(err);
  const text = errorText(err);
  let hint: string;
  let message = `TLS with ${ctx.host}:${ctx.port} failed: ${text.trim()}${code && !text.includes(code) ? ` (${code})` : ''}.`;
  if (code === 'ETIMEOUT') {
    message = `No TLS handshake from ${ctx.host}:${ctx.port} within ${ctx.timeoutMs} ms.`;
    hint = `The port accepts TCP but does not speak TLS: if it is a plain HTTP server use ws:// (http://), or put TLS in front of it.`;
  } else if (code && SELF_SIGNED.has(code)) {
    hint = 'The certificate is self-signed (or a proxy re-signs traffic): ACS needs a publicly trusted certificate. To test past it, add --insecure; for a corporate proxy CA set NODE_EXTRA_CA_CERTS=<ca.pem>.';
  } else if (code && UNTRUSTED.has(code)) {
    hint = 'The chain does not lead to a trusted CA: serve the full chain (leaf + intermediates), or on a network with a TLS-inspecting proxy set NODE_EXTRA_CA_CERTS=<proxy-ca.pem>. --insecure tests past it.';
  } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    hint = `The certificate does not name ${ctx.host}: use the host name the certificate was issued for, or reissue it with ${ctx.host} in its SANs. --insecure tests past it.`;
  } else if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    hint = "Renew the server certificate (or fix this machine's clock). --insecure tests past it.";
  } else if (code === 'ECONNRESET' || code === 'EPROTO' || /wrong version number|packet length too long|unknown protocol/i.test(text)) {
    hint = `The server on port ${ctx.port} does not speak TLS: use ws:// (http://) for a plain server, or the TLS port (usually 443).`;
  } else {
    hint = 'Check the server TLS setup (certificate, TLS 1.2+); `openssl s_client -connect host:port -servername host` shows the details.';
  }
  return { verdict: 'tls_error', message, hint };
}

/** The upgrade got no HTTP answer: timed out, or the server hung up. */
export function classifyUpgradeError(err: unknown, ctx: ClassifyContext): Classification {
  const code = errorCode(err);
  if (code === 'ETIMEOUT') {
    return {
      verdict: 'handshake_timeout',
      message: `The server accepted the connection but did not answer the WebSocket upgrade within ${ctx.timeoutMs} ms.`,
      hint: ctx.secure
        ? 'The origin is stuck or not an HTTP server: check that the server (or the tunnel\'s local target) is running and not blocked, and that it handles upgrades on this path.'
        : 'The origin is stuck or not an HTTP server: check the process listening on this port handles HTTP upgrades (a TLS-only port needs wss://).',
    };
  }
  if (code === 'VOICECTL_PROBE_BAD_HANDSHAKE') {
    return {
      verdict: 'not_websocket',
      message: `The server answered 101 but the WebSocket handshake is invalid: ${errorText(err)}.`,
      hint: /subprotocol/i.test(errorText(err))
        ? 'The server did not accept the offered subprotocol: check --subprotocol against what the server supports.'
        : 'Something between you and the server (a proxy or a non-WebSocket server) broke the upgrade: test the server directly, without the proxy.',
    };
  }
  return {
    verdict: 'http_error',
    message: `The server closed the connection without an HTTP answer (${code ?? errorText(err)}).`,
    hint: ctx.secure
      ? 'Check the server logs: it dropped the upgrade request (crash, request too large, or a proxy that rejects WebSocket upgrades).'
      : 'If the port speaks TLS use wss:// (https://); otherwise check the server logs for why it dropped the upgrade request.',
  };
}

/** A non-101 answer to the upgrade: status, lower-cased headers and the first bytes of the body. */
export interface UpgradeAnswer {
  status: number;
  statusText?: string;
  headers: ResponseHeaders;
  body: string;
}

/** Map a non-101 answer to a verdict (see the module comment for the rules). */
export function classifyUpgradeResponse(res: UpgradeAnswer, ctx: ClassifyContext): Classification {
  const { status, headers, body } = res;
  const what = `HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''}`;
  const location = headerText(headers, 'location');
  const ngrok = ngrokErrorCode(headers, body);
  const dev = ctx.tunnel?.kind === 'devtunnel' ? ctx.tunnel : undefined;
  const anon = dev
    ? `devtunnel access create ${dev.id} --anonymous --port-number ${forwardedPort(ctx)}`
    : 'devtunnel access create <tunnel-id> --anonymous --port-number <port>';
  const tunnelAuthHint = `The dev tunnel is private and ACS cannot sign in: allow anonymous access with \`${anon}\` (or host a temporary one with \`devtunnel host -p ${forwardedPort(ctx)} --allow-anonymous\`).`;

  if (status >= 300 && status < 400) {
    if (isTunnelSignInRedirect(location)) {
      return { verdict: 'tunnel_auth_required', message: `${what}: redirected to the tunnel sign-in page (${location}).`, hint: tunnelAuthHint };
    }
    const sameHostScheme = location ? redirectAdvice(location, ctx) : undefined;
    return {
      verdict: 'http_redirect',
      message: `${what}: the server redirects${location ? ` to ${location}` : ' (no Location header)'}; WebSocket clients such as ACS do not follow redirects.`,
      hint: sameHostScheme ?? 'Use the final URL in the media streaming transport URL, or stop the server from redirecting this path.',
    };
  }
  if (status === 401 || status === 403 || status === 407) {
    if (dev || hasDevTunnelMarks(headers, body)) {
      // the relay adds its headers to every answer it forwards (microsoft/dev-tunnels#508), so
      // a 401 from the server behind an anonymous tunnel looks the same: say so
      return {
        verdict: 'tunnel_auth_required',
        message: `${what} from the dev tunnel relay: the tunnel or port is not anonymous.`,
        hint: `${tunnelAuthHint} If anonymous access is already on, the ${status} comes from your server behind the tunnel: it must accept the media WebSocket without header auth.`,
      };
    }
    if (status === 407) {
      return { verdict: 'http_unauthorized', message: `${what}: a proxy wants credentials.`, hint: 'Probe from a network without the authenticating proxy, or configure the proxy to allow this host.' };
    }
    const challenge = headerText(headers, 'www-authenticate');
    return {
      verdict: 'http_unauthorized',
      message: `${what}: the server refused the upgrade without valid credentials${challenge ? ` (WWW-Authenticate: ${challenge})` : ''}.`,
      hint: "The server (or a proxy in front of it) requires auth: ACS sends no custom headers, so accept the media WebSocket without auth (or with a token in the URL query). To test with credentials add --header 'Authorization: Bearer <token>'.",
    };
  }
  if (status === 404) {
    if (ngrok === 'ERR_NGROK_3200') return originDown(`${what} (ERR_NGROK_3200): the ngrok endpoint is offline.`, 'Start the ngrok agent again (`ngrok http <port>`) and use the URL it prints.');
    if (ctx.tunnel?.kind === 'cloudflare-quick' || isCloudflare(headers)) {
      return {
        verdict: 'http_not_found',
        message: `${what} for ${ctx.path} through Cloudflare.`,
        hint: `Check the path (--path) matches the route your server upgrades; behind a quick tunnel, a ~/.cloudflared/config.yml with a catch-all \`service: http_status:404\` ingress rule answers 404 to everything: move it away or run \`cloudflared tunnel --config <empty-file> --url http://127.0.0.1:<port>\`.`,
      };
    }
    return {
      verdict: 'http_not_found',
      message: `${what}: nothing is served at ${ctx.path}.`,
      hint: `Check the path: the server must upgrade WebSockets on ${ctx.path} (set it with --path, e.g. --path /ws/media, and use the same path in the media streaming transport URL).`,
    };
  }
  if (status === 502 || status === 530 || /error code:\s*1033|Error 1033/i.test(body) || ngrok === 'ERR_NGROK_8012') {
    if (status === 530 || /1033/.test(body)) {
      return originDown(
        `${what}${/1033/.test(body) ? ' (Cloudflare error 1033)' : ''}: the Cloudflare tunnel is not connected.`,
        'cloudflared is not running or lost its connection: restart `cloudflared tunnel --url http://127.0.0.1:<port>` (a quick tunnel then gets a new URL: update CALLBACK_URI_HOST).',
      );
    }
    return originDown(`${what}${ngrok ? ` (${ngrok})` : ''}: the tunnel runs but the local server behind it does not answer.`, originDownHint(ctx));
  }
  if (status >= 200 && status < 300) {
    const type = headerText(headers, 'content-type') ?? '';
    const html = /html/i.test(type) || /^\s*<(!doctype|html)/i.test(body);
    const interstitial = hasDevTunnelMarks(headers, body) || /ngrok-skip-browser-warning/i.test(body);
    return {
      verdict: 'not_websocket',
      message: `${what}${type ? ` (${type.split(';')[0]})` : ''}: the server answered a plain ${html ? 'page' : 'response'} instead of upgrading to WebSocket.`,
      hint: interstitial
        ? 'A tunnel warning page answered: WebSocket clients normally skip it, so check the path and that the server behind the tunnel upgrades it.'
        : `Check the path (--path): ${ctx.path} is served as plain HTTP. Point the probe (and ACS) at the route that accepts WebSocket upgrades, e.g. /ws/media.`,
    };
  }
  if (status === 429) {
    return {
      verdict: 'http_error',
      message: `${what}: rate limited.`,
      hint: 'Too many requests: quick tunnels cap in-flight requests at 200 and ngrok free plans limit rates; slow down or use a named tunnel.',
    };
  }
  if (status === 426) {
    return {
      verdict: 'http_error',
      message: `${what}: the server rejected the WebSocket upgrade as sent.`,
      hint: 'The server wants a different protocol version or subprotocol: check its WebSocket settings and --subprotocol.',
    };
  }
  return {
    verdict: 'http_error',
    message: `${what}: the server refused the WebSocket upgrade.`,
    hint:
      status >= 500
        ? 'The server failed: check its logs for the error at the time of this probe.'
        : `Check the path (${ctx.path}): many WebSocket servers answer 400 to an upgrade on a path they do not serve; otherwise the server logs say why it rejected the request.`,
  };
}

function originDown(message: string, hint: string): Classification {
  return { verdict: 'tunnel_origin_down', message, hint };
}

function originDownHint(ctx: ClassifyContext): string {
  if (ctx.tunnel?.kind === 'devtunnel' && ctx.tunnel.port) {
    return `Start your server on port ${ctx.tunnel.port} (the port this dev tunnel forwards), listening on 127.0.0.1 or 0.0.0.0.`;
  }
  if (ctx.tunnel?.kind === 'cloudflare-quick') {
    return 'Start your server on the port cloudflared forwards (the one in `cloudflared tunnel --url http://127.0.0.1:<port>`), then probe again.';
  }
  return 'Start the local server on the port the tunnel or proxy forwards to (check the tunnel\'s target port), then probe again.';
}

function redirectAdvice(location: string, ctx: ClassifyContext): string | undefined {
  try {
    const to = new URL(location, `http://${ctx.host}`);
    if (to.protocol === 'https:' && !ctx.secure && to.hostname === ctx.host) {
      return `The server redirects plain HTTP to HTTPS: probe (and configure ACS with) wss://${to.host}${to.pathname}${to.search}.`;
    }
    if (to.hostname === ctx.host && to.pathname !== ctx.path.split('?')[0]) {
      return `Use the path the server redirects to: --path ${to.pathname}${to.search}.`;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The connection opened, then closed before the hold ended. */
export function classifyEarlyClose(closed: { code: number; reason: string; afterMs: number; error?: string }, ctx: ClassifyContext): Classification {
  const how = closed.error ? `failed (${closed.error})` : `was closed by the server with code ${closed.code}${closed.reason ? ` "${closed.reason}"` : ''}`;
  const hint =
    closed.code === 1006 || closed.error
      ? 'The connection dropped without a close frame: an idle timeout in a proxy or tunnel, or the server process crashed. Check the server logs; keep-alive pings help with idle timeouts.'
      : closed.code === 1008 || closed.code === 1003
        ? 'The server rejected the connection after opening it (policy / unsupported data): check its auth and the first message it expects.'
        : 'The server closes the connection on its own: check its logs (an exception in the connection handler, or it expects a first message such as ACS AudioMetadata within a time limit).';
  return {
    verdict: 'closed_early',
    message: `The WebSocket opened, then ${how} after ${Math.round(closed.afterMs)} ms, before the ${ctx.holdMs} ms hold ended.`,
    hint,
  };
}
