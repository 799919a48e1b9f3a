import { describe, expect, it } from 'vitest';
import { parseAriUrl, restUrl, urlFromHostPort } from '../../src/ari/url.js';
import { parseDialplanTarget } from '../../src/ari/check.js';

describe('parseAriUrl', () => {
  it.each([
    ['127.0.0.1:8088', 'http://127.0.0.1:8088/ari', 'ws://127.0.0.1:8088/ari/events', ''],
    ['http://pbx.example', 'http://pbx.example:8088/ari', 'ws://pbx.example:8088/ari/events', ''],
    ['http://pbx:8088/', 'http://pbx:8088/ari', 'ws://pbx:8088/ari/events', ''],
    ['http://pbx:8088/ari', 'http://pbx:8088/ari', 'ws://pbx:8088/ari/events', ''],
    ['http://pbx:8088/asterisk', 'http://pbx:8088/asterisk/ari', 'ws://pbx:8088/asterisk/ari/events', '/asterisk'],
    ['http://pbx:8088/asterisk/ari/', 'http://pbx:8088/asterisk/ari', 'ws://pbx:8088/asterisk/ari/events', '/asterisk'],
    ['https://pbx', 'https://pbx:8089/ari', 'wss://pbx:8089/ari/events', ''],
    ['http://[::1]:8088', 'http://[::1]:8088/ari', 'ws://[::1]:8088/ari/events', ''],
  ])('%s → %s', (input, base, events, prefix) => {
    const u = parseAriUrl(input);
    expect(u.base).toBe(base);
    expect(u.eventsUrl).toBe(events);
    expect(u.prefix).toBe(prefix);
  });

  it('keeps the bare host for TCP (no IPv6 brackets)', () => {
    expect(parseAriUrl('http://[::1]:8088')).toMatchObject({ host: '::1', port: 8088 });
  });

  it.each([
    ['ws://pbx:8088', 'ARI URL must be http:// or https://, got ws://'],
    ['http://user:pw@pbx:8088', 'Credentials do not belong in the ARI URL'],
    ['http://pbx:8088/ari?api_key=u:p', 'The ARI URL takes no query or fragment'],
    ['http://pbx:99999', 'Not a URL: http://pbx:99999'],
  ])('%s is a usage error: %s', (input, message) => {
    expect(() => parseAriUrl(input)).toThrow(expect.objectContaining({ message, code: 'VOICECTL_ARI_BAD_URL', exitCode: 2 }));
  });
});

describe('urlFromHostPort', () => {
  it.each([
    [undefined, undefined, 'http://127.0.0.1:8088'],
    ['192.168.1.100', undefined, 'http://192.168.1.100:8088'],
    ['pbx', '8090', 'http://pbx:8090'],
    ['::1', '8088', 'http://[::1]:8088'],
    ['https://pbx', '8089', 'https://pbx:8089'],
    ['https://pbx:9000/asterisk', undefined, 'https://pbx:9000/asterisk'],
    ['pbx:8090', '8088', 'http://pbx:8090'],
  ])('%s / %s → %s', (host, port, url) => {
    expect(urlFromHostPort(host, port)).toBe(url);
  });
});

describe('restUrl', () => {
  it('joins base, path and an encoded query, skipping undefined values', () => {
    expect(restUrl('http://h:8088/p/ari', '/channels', { endpoint: 'Local/100@ctx', app: 'a b', priority: 1, context: undefined })).toBe(
      'http://h:8088/p/ari/channels?endpoint=Local%2F100%40ctx&app=a+b&priority=1',
    );
  });
});

describe('parseDialplanTarget', () => {
  it('splits <exten>@<context>', () => {
    expect(parseDialplanTarget(' 100@voicectl-inbound ')).toEqual({ exten: '100', context: 'voicectl-inbound' });
    expect(parseDialplanTarget('s@from-internal-custom')).toEqual({ exten: 's', context: 'from-internal-custom' });
  });
  it.each(['100', '@ctx', '100@', '100@ctx/n', '1 00@ctx', 'a@b@c'])('%s is a usage error', (v) => {
    expect(() => parseDialplanTarget(v)).toThrow(expect.objectContaining({ code: 'VOICECTL_ARI_BAD_DIALPLAN', exitCode: 2 }));
  });
});
