import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/bridge/log-lines.js';

describe('describeEvent (human log lines)', () => {
  it('summarises call.ended with counts and the close code', () => {
    expect(
      describeEvent('call.ended', {
        callId: 'c1-00ab', durationMs: 12_340, closeCode: 1000, closeReason: '', framesIn: 617, framesOut: 590,
        droppedIn: 2, droppedOut: 1, malformed: 0, reconnects: 1, bargeIns: 2,
      }),
    ).toBe('call c1-00ab ended after 12.3 s (close 1000): 617 frames in, 590 out, 3 dropped, 0 malformed, 1 reconnect, 2 barge-ins');
  });

  it('says a fatal upstream error closed the call', () => {
    expect(describeEvent('upstream.error', { callId: 'c2', fatal: true, message: 'Azure OpenAI refused the Realtime connection: HTTP 401' })).toBe(
      'call c2: upstream failed: Azure OpenAI refused the Realtime connection: HTTP 401 (call closed with 1011)',
    );
  });

  it('keeps transcripts on one line: control characters cannot forge log lines', () => {
    expect(describeEvent('transcript', { callId: 'c3', role: 'model', text: 'ok\ncall c9 ended\u001b[2J' })).toBe('call c3 model: ok call c9 ended [2J');
  });

  it('has no line for events that only exist in NDJSON', () => {
    expect(describeEvent('something.else', {})).toBeUndefined();
  });
});

describe('describeEvent plurals', () => {
  it('bridge.stopped counts calls in words that read right', () => {
    expect(describeEvent('bridge.stopped', { totalCalls: 1 })).toBe('bridge stopped: 1 call served');
    expect(describeEvent('bridge.stopped', { totalCalls: 0 })).toBe('bridge stopped: 0 calls served');
  });
});
