import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/bridge/log-lines.js';

describe('describeEvent: the Stasis app of bridge --ari', () => {
  it('one line per ari event, naming the channels and the cause', () => {
    expect(describeEvent('ari.connected', { app: 'voicectl', url: 'http://127.0.0.1:8088/ari', media: 'websocket' })).toBe(
      'ARI: registered Stasis app voicectl at http://127.0.0.1:8088/ari (media over websocket)',
    );
    expect(describeEvent('ari.connected', { app: 'voicectl', url: 'http://h/ari', media: 'audiosocket', audioSocket: '127.0.0.1:9092', reconnected: true })).toBe(
      'ARI: reregistered Stasis app voicectl at http://h/ari (media over audiosocket to 127.0.0.1:9092)',
    );
    expect(describeEvent('ari.call', { callerChannelId: '17.1', callerNumber: '100', media: 'websocket', mediaChannelId: 'voicectl-media-x', callId: 'c1-00ab' })).toBe(
      'ARI: caller 100 (channel 17.1) bridged with websocket channel voicectl-media-x, call c1-00ab',
    );
    expect(describeEvent('ari.ended', { callerChannelId: '17.1', reason: 'caller hung up' })).toBe('ARI: cleaned up channel 17.1 (caller hung up)');
    expect(describeEvent('ari.error', { step: 'externalMedia', callerChannelId: '17.1', message: 'POST /ari/channels/externalMedia: 400: format cannot be empty' })).toBe(
      'ARI error at externalMedia (channel 17.1): POST /ari/channels/externalMedia: 400: format cannot be empty',
    );
    expect(describeEvent('ari.disconnected', { reason: 'events socket closed (1006)', delayMs: 500, attempt: 1 })).toBe(
      'ARI: events socket closed (1006); reconnecting in 500 ms (attempt 1)',
    );
  });
});
