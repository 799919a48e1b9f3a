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
