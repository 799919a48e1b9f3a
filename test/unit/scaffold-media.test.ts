import { describe, expect, it } from 'vitest';
import { checkBridgeUrl, checkHostPort, renderMediaDialplan, renderWebsocketClientFile, resolveMediaSettings } from '../../src/scaffold/asterisk-media.js';

describe('scaffold asterisk-media: values', () => {
  it.each([
    ['ws://127.0.0.1:8000/ws/asterisk', undefined],
    ['wss://bridge.example.net/ws/asterisk?static=yes', undefined],
    ['http://127.0.0.1:8000/', 'must start with ws:// or wss://'],
    ['ws://u:p@h/', 'must not contain credentials (the media token goes in as the password)'],
    ['ws://h/a;b', 'must not contain a fragment, spaces or ";"'],
    ['not a url', 'must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8000/ws/asterisk'],
  ])('--bridge-url %s → %s', (v, reason) => expect(checkBridgeUrl(v)).toBe(reason));

  it.each([
    ['127.0.0.1:9092', undefined], ['bridge.local:9092', undefined], ['[::1]:9092', undefined],
    ['127.0.0.1', 'must be host:port, e.g. 127.0.0.1:9092'], ['h:0', 'must be host:port, e.g. 127.0.0.1:9092'], ['h:70000', 'must be host:port, e.g. 127.0.0.1:9092'],
  ])('--audiosocket-address %s → %s', (v, reason) => expect(checkHostPort(v)).toBe(reason));

  it('a token from the environment is used as is; a bad one is exit 2 without echoing it', () => {
    const defaults: Array<{ setting: string; value: string }> = [];
    expect(resolveMediaSettings({}, { value: 'tok-123', source: 'env' }, defaults).token).toBe('tok-123');
    expect(() => resolveMediaSettings({}, { value: 'a;b-secret', source: 'env' }, [])).toThrow(/VOICECTL_MEDIA_TOKEN/);
    try {
      resolveMediaSettings({}, { value: 'a;b-secret', source: 'env' }, []);
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('a;b-secret');
    }
  });

  it('renders the connection and the dialplan from the settings', async () => {
    const s = resolveMediaSettings({ bridgeUrl: 'wss://b.example/ws/asterisk', audiosocketAddress: '10.1.1.1:9300' }, { value: 'tok', source: 'flag' }, []);
    const file = await renderWebsocketClientFile(s);
    expect(file).toMatchObject({ name: 'websocket_client.conf', mode: 0o640 });
    expect(file.text).toContain('\n[voicectl]\ntype = websocket_client\n');
    expect(file.text).toContain('uri = wss://b.example/ws/asterisk\n');
    expect(file.text).toContain('password = tok\n');
    expect(file.text).toContain('tls_enabled = yes\n');
    const dp = await renderMediaDialplan(s);
    expect(dp).toContain(' same => n,AudioSocket(${UUID()},10.1.1.1:9300)\n');
    expect(dp).toContain('`voicectl bridge --audiosocket-listen 9300`');
  });
});
