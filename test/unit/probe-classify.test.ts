/** Pure classification: status / headers / body / errors → verdict and hint (exact where it matters). */
import { describe, expect, it } from 'vitest';
import {
  classifyConnectError,
  classifyDnsError,
  classifyEarlyClose,
  classifyTlsError,
  classifyUpgradeError,
  classifyUpgradeResponse,
  type ClassifyContext,
  type UpgradeAnswer,
} from '../../src/probe/classify.js';
import { parseTunnelHost } from '../../src/probe/tunnels.js';

const plain: ClassifyContext = { host: 'media.contoso.com', port: 443, secure: true, path: '/ws/media', timeoutMs: 10_000, holdMs: 3000 };
const dev: ClassifyContext = { ...plain, host: 'k7x2m9q-8000.usw2.devtunnels.ms', tunnel: parseTunnelHost('k7x2m9q-8000.usw2.devtunnels.ms') };
const quick: ClassifyContext = { ...plain, host: 'a-b-c-d.trycloudflare.com', tunnel: parseTunnelHost('a-b-c-d.trycloudflare.com') };
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });
const answer = (status: number, headers: UpgradeAnswer['headers'] = {}, body = ''): UpgradeAnswer => ({ status, headers, body });

describe('classifyUpgradeResponse', () => {
  it.each<[string, UpgradeAnswer, ClassifyContext, string]>([
    ['302 to the relay sign-in', answer(302, { location: 'https://global.rel.tunnels.api.visualstudio.com/auth/aad?x=1' }), plain, 'tunnel_auth_required'],
    ['302 elsewhere', answer(302, { location: 'https://www.contoso.com/' }), plain, 'http_redirect'],
    ['307 with no location', answer(307), plain, 'http_redirect'],
    ['401 on a devtunnels host', answer(401), dev, 'tunnel_auth_required'],
    ['403 with relay marks', answer(403, { 'vssaas-request-id': 'x' }), plain, 'tunnel_auth_required'],
    ['401 plain', answer(401), plain, 'http_unauthorized'],
    ['407 proxy', answer(407), plain, 'http_unauthorized'],
    ['404', answer(404), plain, 'http_not_found'],
    ['404 ngrok offline', answer(404, {}, 'ERR_NGROK_3200 endpoint is offline'), plain, 'tunnel_origin_down'],
    ['502', answer(502), plain, 'tunnel_origin_down'],
    ['502 ngrok 8012', answer(502, {}, 'ERR_NGROK_8012'), plain, 'tunnel_origin_down'],
    ['530', answer(530), quick, 'tunnel_origin_down'],
    ['200 with error code 1033', answer(200, {}, 'error code: 1033'), quick, 'tunnel_origin_down'],
    ['500', answer(500), plain, 'http_error'],
    ['503', answer(503), plain, 'http_error'],
    ['429', answer(429), quick, 'http_error'],
    ['426', answer(426), plain, 'http_error'],
    ['400', answer(400), plain, 'http_error'],
    ['200 html', answer(200, { 'content-type': 'text/html' }, '<html>'), plain, 'not_websocket'],
    ['204', answer(204), plain, 'not_websocket'],
  ])('%s → %s', (_name, res, ctx, verdict) => {
    const c = classifyUpgradeResponse(res, ctx);
    expect(c.verdict).toBe(verdict);
    expect(c.hint).toEqual(expect.any(String));
    expect(c.message).toMatch(new RegExp(`^HTTP ${res.status}`));
  });

  it('tunnel_auth_required names the tunnel id and forwarded port from the host name', () => {
    const anonymous =
      'The dev tunnel is private and ACS cannot sign in: allow anonymous access with `devtunnel access create k7x2m9q.usw2 --anonymous --port-number 8000` (or host a temporary one with `devtunnel host -p 8000 --allow-anonymous`).';
    expect(classifyUpgradeResponse(answer(302, { location: 'https://global.rel.tunnels.api.visualstudio.com/auth/aad?x=1' }), dev).hint).toBe(anonymous);
    // a 401 through the relay may also be the server's own: the relay marks every answer
    expect(classifyUpgradeResponse(answer(401), dev).hint).toBe(
      `${anonymous} If anonymous access is already on, the 401 comes from your server behind the tunnel: it must accept the media WebSocket without header auth.`,
    );
  });

  it('502 behind a dev tunnel names the port to start the server on', () => {
    expect(classifyUpgradeResponse(answer(502), dev).hint).toBe(
      'Start your server on port 8000 (the port this dev tunnel forwards), listening on 127.0.0.1 or 0.0.0.0.',
    );
  });

  it('404 behind a quick tunnel points at the config.yml catch-all', () => {
    const c = classifyUpgradeResponse(answer(404), quick);
    expect(c.hint).toContain('~/.cloudflared/config.yml');
    expect(c.hint).toContain('--config <empty-file>');
  });

  it('a redirect from http to https on the same host says to use wss://', () => {
    const c = classifyUpgradeResponse(answer(301, { location: 'https://media.contoso.com/ws/media' }), { ...plain, secure: false, port: 80 });
    expect(c.hint).toBe('The server redirects plain HTTP to HTTPS: probe (and configure ACS with) wss://media.contoso.com/ws/media.');
  });

  it('a redirect to another path on the same host suggests --path', () => {
    const c = classifyUpgradeResponse(answer(308, { location: '/ws/media/' }), plain);
    expect(c.hint).toBe('Use the path the server redirects to: --path /ws/media/.');
  });

  it('a devtunnel interstitial page (200 + marks) is not_websocket with the tunnel-page hint', () => {
    const c = classifyUpgradeResponse(answer(200, { 'set-cookie': 'tunnel_phishing_protection=x' }, '<html>'), dev);
    expect(c.verdict).toBe('not_websocket');
    expect(c.hint).toContain('tunnel warning page');
  });
});

describe('transport and session errors', () => {
  it.each<[string, ReturnType<typeof classifyDnsError>['verdict'], string]>([
    ['ENOTFOUND', 'dns_error', 'Check the host name for typos'],
    ['EAI_AGAIN', 'dns_error', 'network and DNS settings'],
    ['ETIMEOUT', 'dns_error', 'network and DNS settings'],
  ])('dns %s', (code, verdict, hint) => {
    const c = classifyDnsError(coded(code), plain);
    expect(c.verdict).toBe(verdict);
    expect(c.hint).toContain(hint);
  });

  it('dns_error for a dev tunnel names `devtunnel host <id>`', () => {
    expect(classifyDnsError(coded('ENOTFOUND'), dev).hint).toContain('`devtunnel host k7x2m9q.usw2`');
  });

  it.each([
    ['ECONNREFUSED', 'connection_refused'],
    ['ECONNRESET', 'connection_refused'],
    ['ETIMEDOUT', 'connect_timeout'],
    ['EHOSTUNREACH', 'connect_timeout'],
    ['ENETUNREACH', 'connect_timeout'],
  ])('connect %s → %s', (code, verdict) => {
    expect(classifyConnectError(coded(code), plain).verdict).toBe(verdict);
  });

  it('connection_refused on a remote host mentions listening on 0.0.0.0', () => {
    expect(classifyConnectError(coded('ECONNREFUSED'), plain).hint).toContain('0.0.0.0');
  });

  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', '--insecure'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'NODE_EXTRA_CA_CERTS'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'full chain'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'does not name media.contoso.com'],
    ['CERT_HAS_EXPIRED', 'Renew'],
    ['ETIMEOUT', 'does not speak TLS'],
    ['EPROTO', 'does not speak TLS'],
  ])('tls %s → hint mentions %s', (code, hint) => {
    const c = classifyTlsError(coded(code), plain);
    expect(c.verdict).toBe('tls_error');
    expect(c.hint).toContain(hint);
  });

  it.each([
    ['ETIMEOUT', 'handshake_timeout'],
    ['ECONNRESET', 'http_error'],
    ['VOICECTL_PROBE_BAD_HANDSHAKE', 'not_websocket'],
  ])('upgrade error %s → %s', (code, verdict) => {
    expect(classifyUpgradeError(coded(code, 'Invalid Sec-WebSocket-Accept header'), plain).verdict).toBe(verdict);
  });

  it('closed_early: message carries code, reason and timing; 1006 hints at idle timeouts', () => {
    const c = classifyEarlyClose({ code: 1006, reason: '', afterMs: 1234.4 }, plain);
    expect(c).toEqual({
      verdict: 'closed_early',
      message: 'The WebSocket opened, then was closed by the server with code 1006 after 1234 ms, before the 3000 ms hold ended.',
      hint: expect.stringContaining('idle timeout'),
    });
    expect(classifyEarlyClose({ code: 1011, reason: 'boom', afterMs: 5 }, plain).message).toContain('code 1011 "boom"');
  });
});
