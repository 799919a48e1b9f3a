import { describe, expect, it } from 'vitest';
import { cleanLine, httpsUrls, originOf, tunnelUrls } from '../../src/tunnel/text.js';

describe('tunnel text helpers', () => {
  it('cleanLine strips colours, hyperlinks, CR and trailing spaces', () => {
    expect(cleanLine('\u001b[1;32mReady\u001b[0m  \r')).toBe('Ready');
    expect(cleanLine('\u001b]8;;https://x\u0007link\u001b]8;;\u0007 done')).toBe('link done');
  });

  it('httpsUrls finds every URL, without trailing punctuation', () => {
    expect(httpsUrls('at https://a.ms:8000/, https://a-8000.ms/ and inspect it at https://i.ms/.')).toEqual([
      'https://a.ms:8000/',
      'https://a-8000.ms/',
      'https://i.ms/',
    ]);
  });

  it('originOf drops paths and refuses non-http schemes', () => {
    expect(originOf('https://abc.ms:8443/x?y')).toBe('https://abc.ms:8443');
    expect(originOf('wss://abc.ms')).toBeUndefined();
    expect(originOf('not a url')).toBeUndefined();
  });

  it('tunnelUrls: origin for CALLBACK_URI_HOST, wss + path for the media WebSocket', () => {
    expect(tunnelUrls('https://abc.trycloudflare.com/', '/ws/media')).toEqual({
      publicUrl: 'https://abc.trycloudflare.com',
      wssUrl: 'wss://abc.trycloudflare.com/ws/media',
      callbackUriHost: 'https://abc.trycloudflare.com',
    });
    expect(tunnelUrls('https://abc-8000.usw2.devtunnels.ms', 'media').wssUrl).toBe('wss://abc-8000.usw2.devtunnels.ms/media');
  });
});

describe('lastLines', () => {
  it('keeps the last error/warning lines, a repeated one once with its count, secrets masked', async () => {
    const { lastLines } = await import('../../src/tunnel/up.js');
    const line = (text: string, level: 'info' | 'warn' | 'error') => ({ text, level });
    expect(
      lastLines([
        line('2026-01-05T10:00:00Z INF starting', 'info'),
        line('2026-01-05T10:00:01Z ERR Failed to dial a quic connection', 'error'),
        line('2026-01-05T10:00:02Z WRN slow', 'warn'),
        line('2026-01-05T10:00:03Z ERR Failed to dial a quic connection', 'error'),
        line('ERROR: bad token=abcdef123456', 'error'),
      ]),
    ).toEqual(['2026-01-05T10:00:02Z WRN slow', '2026-01-05T10:00:03Z ERR Failed to dial a quic connection (×2)', 'ERROR: bad token=***']);
    expect(lastLines([line('a', 'info'), line('b', 'info')], 1)).toEqual(['b']);
  });
});
