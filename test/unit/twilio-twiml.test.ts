import { describe, expect, it } from 'vitest';
import { configuredPublicHost, requestOrigin, streamUrl, voiceWebhookUrl } from '../../src/twilio/public-host.js';
import { escapeXml, streamTwiml } from '../../src/twilio/twiml.js';

describe('streamTwiml', () => {
  it('builds <Connect><Stream> with <Parameter>s and no <Say> by default', () => {
    expect(streamTwiml({ streamUrl: 'wss://b.example.com/ws/twilio', parameters: { a: '1', b: 'two' } })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://b.example.com/ws/twilio">' +
        '<Parameter name="a" value="1"/><Parameter name="b" value="two"/></Stream></Connect></Response>',
    );
  });

  it('puts an escaped <Say> greeting before <Connect>, and escapes parameter names and values', () => {
    const xml = streamTwiml({
      streamUrl: 'wss://b.example.com/ws/twilio',
      parameters: { 'x"<y': `a&b'c>` },
      greeting: '  Tom & Jerry <say> "hi"  ',
    });
    expect(xml).toContain('<Response><Say>Tom &amp; Jerry &lt;say&gt; &quot;hi&quot;</Say><Connect>');
    expect(xml).toContain('<Parameter name="x&quot;&lt;y" value="a&amp;b&apos;c&gt;"/>');
  });

  it('a blank greeting gives no <Say>', () => {
    expect(streamTwiml({ streamUrl: 'wss://h/ws/twilio', greeting: '   ' })).not.toContain('<Say>');
  });

  it.each([
    ['https://b.example.com/ws/twilio', 'must be wss://'],
    ['wss://b.example.com/ws/twilio?token=x', 'must not carry a query string'],
    ['wss://b.example.com/ws/twilio?', 'must not carry a query string'],
    ['not a url', 'not a URL'],
  ])('refuses the stream URL %s', (url, message) => {
    expect(() => streamTwiml({ streamUrl: url })).toThrow(message);
  });

  it('escapeXml drops characters XML cannot carry', () => {
    expect(escapeXml('a\u0000b\u0007c\td')).toBe('abc\td');
  });
});

describe('public host', () => {
  it('TWILIO_PUBLIC_HOST wins over CALLBACK_URI_HOST; both are normalised', () => {
    expect(configuredPublicHost({ twilioPublicHost: 'https://tw.example.com/', callbackUriHost: 'https://acs.example.com' })).toEqual({
      scheme: 'https',
      host: 'tw.example.com',
      source: 'TWILIO_PUBLIC_HOST',
    });
    expect(configuredPublicHost({ twilioPublicHost: '', callbackUriHost: 'acs.example.com:8443' })).toEqual({
      scheme: 'https',
      host: 'acs.example.com:8443',
      source: 'CALLBACK_URI_HOST',
    });
    expect(configuredPublicHost({})).toBeUndefined();
  });

  it('a malformed setting is a usage error naming the variable', () => {
    expect(() => configuredPublicHost({ twilioPublicHost: 'http://tw.example.com' })).toThrow('TWILIO_PUBLIC_HOST must be an https:// origin');
    expect(() => configuredPublicHost({ callbackUriHost: 'https://acs.example.com/path' })).toThrow('CALLBACK_URI_HOST must be an origin without a path');
  });

  it('the request fallback reads Host and the first X-Forwarded-Proto, and refuses garbage hosts', () => {
    expect(requestOrigin({ host: 'Abc.Example.com', 'x-forwarded-proto': 'https, http' })).toEqual({ scheme: 'https', host: 'abc.example.com', source: 'request' });
    expect(requestOrigin({ host: '127.0.0.1:8000' })).toEqual({ scheme: 'http', host: '127.0.0.1:8000', source: 'request' });
    expect(requestOrigin({ host: 'evil.com/path' })).toBeUndefined();
    expect(requestOrigin({})).toBeUndefined();
  });

  it('builds the webhook and stream URLs', () => {
    expect(voiceWebhookUrl('h.example.com')).toBe('https://h.example.com/twilio/voice');
    expect(streamUrl('h.example.com')).toBe('wss://h.example.com/ws/twilio');
  });
});
