import { describe, expect, it } from 'vitest';
import { hasDevTunnelMarks, isTunnelSignInRedirect, ngrokErrorCode, parseTunnelHost } from '../../src/probe/tunnels.js';

describe('parseTunnelHost', () => {
  it.each([
    ['k7x2m9q-8000.usw2.devtunnels.ms', undefined, { kind: 'devtunnel', name: 'k7x2m9q', cluster: 'usw2', id: 'k7x2m9q.usw2', port: 8000 }],
    ['fancy-cat-3000.euw.devtunnels.ms', undefined, { kind: 'devtunnel', name: 'fancy-cat', cluster: 'euw', id: 'fancy-cat.euw', port: 3000 }],
    ['K7X2M9Q-8000-inspect.usw2.devtunnels.ms', undefined, { kind: 'devtunnel', name: 'k7x2m9q', cluster: 'usw2', id: 'k7x2m9q.usw2', port: 8000 }],
    ['k7x2m9q.usw2.devtunnels.ms', 8000, { kind: 'devtunnel', name: 'k7x2m9q', cluster: 'usw2', id: 'k7x2m9q.usw2', port: 8000 }],
    ['k7x2m9q.usw2.devtunnels.ms', undefined, { kind: 'devtunnel', name: 'k7x2m9q', cluster: 'usw2', id: 'k7x2m9q.usw2' }],
    ['seasonal-fox-river-lamp.trycloudflare.com', undefined, { kind: 'cloudflare-quick' }],
    ['1a2b-3c4d.ngrok-free.app', undefined, { kind: 'ngrok' }],
    ['example.ngrok.io', undefined, { kind: 'ngrok' }],
    ['media.contoso.com', undefined, undefined],
    ['devtunnels.ms.evil.example', undefined, undefined],
  ])('%s (port %s) → %j', (host, port, expected) => {
    expect(parseTunnelHost(host, port)).toEqual(expected);
  });
});

describe('dev tunnel marks', () => {
  it.each([
    [{ 'vssaas-request-id': 'x' }, '', true],
    [{ 'x-served-by': 'tunnels-prod-rel-usw3-v3-cluster' }, '', true],
    [{ 'set-cookie': ['.Tunnels.Relay.WebForwarding.Cookies=abc; path=/'] }, '', true],
    [{ 'x-tunnel-error': 'x' }, '', true],
    [{ 'www-authenticate': 'tunnel' }, '', true],
    [{}, 'Sign in to https://global.rel.tunnels.api.visualstudio.com', true],
    [{ 'www-authenticate': 'Bearer realm="api"', server: 'nginx' }, 'Unauthorized', false],
    [{ 'x-served-by': 'cache-ams21' }, '', false],
  ])('%j %j → %s', (headers, body, expected) => {
    expect(hasDevTunnelMarks(headers, body)).toBe(expected);
  });

  it.each([
    ['https://global.rel.tunnels.api.visualstudio.com/auth/aad?redirect=x', true],
    ['https://global.rel.tunnels.api.visualstudio.com/auth/github?x', true],
    ['https://login.microsoftonline.com/common/oauth2', true],
    ['https://github.com/login/oauth/authorize', true],
    ['https://example.com/auth/aad', false],
    ['/login', false],
    [undefined, false],
  ])('sign-in redirect %s → %s', (location, expected) => {
    expect(isTunnelSignInRedirect(location)).toBe(expected);
  });

  it('finds ngrok error codes in a header or the body', () => {
    expect(ngrokErrorCode({ 'ngrok-error-code': 'ERR_NGROK_8012' }, '')).toBe('ERR_NGROK_8012');
    expect(ngrokErrorCode({}, '<html>… ERR_NGROK_3200 …')).toBe('ERR_NGROK_3200');
    expect(ngrokErrorCode({}, 'nothing')).toBeUndefined();
  });
});
