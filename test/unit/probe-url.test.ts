import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { normalizeProbeUrl } from '../../src/probe/index.js';
import { probeEndpoint } from '../../src/probe/url.js';

describe('normalizeProbeUrl', () => {
  it.each([
    ['https://abc.trycloudflare.com', undefined, 'wss://abc.trycloudflare.com/'],
    ['https://abc.trycloudflare.com/ws/media', undefined, 'wss://abc.trycloudflare.com/ws/media'],
    ['HTTPS://Host.Example:8443/x', undefined, 'wss://host.example:8443/x'],
    ['http://127.0.0.1:8000', '/ws/media', 'ws://127.0.0.1:8000/ws/media'],
    ['wss://h.example/ws', undefined, 'wss://h.example/ws'],
    ['ws://h.example:80/ws', undefined, 'ws://h.example/ws'],
    ['abc-8000.usw2.devtunnels.ms', undefined, 'wss://abc-8000.usw2.devtunnels.ms/'],
    ['abc-8000.usw2.devtunnels.ms', 'ws/media', 'wss://abc-8000.usw2.devtunnels.ms/ws/media'],
    ['localhost:8443/ws', undefined, 'wss://localhost:8443/ws'],
    ['https://h.example/old?x=1#frag', '/ws/media', 'wss://h.example/ws/media'],
    ['https://h.example/old', '/ws/media?call=1', 'wss://h.example/ws/media?call=1'],
    ['https://h.example/ws#frag', undefined, 'wss://h.example/ws'],
    ['  wss://h.example/ws  ', undefined, 'wss://h.example/ws'],
    ['ws://[::1]:9000/ws', undefined, 'ws://[::1]:9000/ws'],
  ])('%s (path %s) → %s', (input, path, expected) => {
    expect(normalizeProbeUrl(input, path)).toBe(expected);
  });

  it.each([
    ['', 'The URL is empty.'],
    ['   ', 'The URL is empty.'],
    ['ftp://h.example', 'Unsupported scheme "ftp" in ftp://h.example.'],
    ['mailto:someone', 'mailto:someone is not a URL with a host (expected scheme://host).'],
    ['https://', 'https:// is not a valid URL.'],
    ['wss://h.example:99999/', 'wss://h.example:99999/ is not a valid URL.'],
    ['wss://bad host/', 'wss://bad host/ is not a valid URL.'],
    ['wss://user:s3cretpass@h.example:99999/', 'wss://user:***@h.example:99999/ is not a valid URL.'],
  ])('rejects %j: %s', (input, message) => {
    let caught: unknown;
    try {
      normalizeProbeUrl(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect(caught).toMatchObject({ message, code: 'VOICECTL_PROBE_INVALID_URL', exitCode: 2, hint: expect.stringContaining('wss://host/ws/media') });
  });

  it('rejects an empty --path with a hint naming the flag', () => {
    expect(() => normalizeProbeUrl('wss://h.example', ' ')).toThrow('--path is empty.');
  });
});

describe('probeEndpoint', () => {
  it.each([
    ['wss://h.example/ws', { host: 'h.example', port: 443, secure: true }],
    ['ws://h.example/ws', { host: 'h.example', port: 80, secure: false }],
    ['wss://h.example:8443/', { host: 'h.example', port: 8443, secure: true }],
    ['ws://[::1]:9000/', { host: '::1', port: 9000, secure: false }],
  ])('%s → %j', (target, expected) => {
    expect(probeEndpoint(target)).toEqual(expected);
  });
});
