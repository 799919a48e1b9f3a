// Pre-opened Realtime sessions: bound by call connection id, claimed once, closed when the answer
// fails, when the call's format differs, or when no media socket claims them in time.
import { describe, expect, it } from 'vitest';
import type { Upstream, UpstreamSink } from '../../src/bridge/upstream.js';
import { WarmSessions } from '../../src/bridge/warm-sessions.js';

function stubFactory(): { sessions: Array<{ sink: UpstreamSink; closed: boolean }>; factory: ConstructorParameters<typeof WarmSessions>[0]['upstream'] } {
  const sessions: Array<{ sink: UpstreamSink; closed: boolean }> = [];
  return {
    sessions,
    factory: ({ sink }) => {
      const s = { sink, closed: false };
      sessions.push(s);
      const up: Upstream = { passthrough: false, send: () => true, counters: () => ({ reconnects: 0, dropped: 0, lateDeltasDropped: 0, cancels: 0, invalidDeltas: 0 }), close: () => void (s.closed = true) };
      return up;
    },
  };
}

describe('WarmSessions', () => {
  it('a bound session is claimed once by its call connection id; readiness seen before the claim reaches the call', () => {
    const { sessions, factory } = stubFactory();
    const events: string[] = [];
    const warm = new WarmSessions({ upstream: factory, onEvent: (t) => events.push(t) });
    warm.open()!.bind('conn-1');
    sessions[0]!.sink.ready?.();
    expect(warm.claim('conn-2', 'pcm16')).toBeUndefined();
    const claimed = warm.claim('conn-1', 'pcm16')!;
    let ready = 0;
    const audio: string[] = [];
    claimed.attach({ audio: (b) => void audio.push(b), speechStarted: () => {}, transcript: () => {}, error: () => {}, reconnecting: () => {}, ready: () => void ready++ });
    expect(ready).toBe(1);
    sessions[0]!.sink.audio('AAAA');
    expect(audio).toEqual(['AAAA']);
    expect(warm.claim('conn-1', 'pcm16')).toBeUndefined();
    expect(warm.size).toBe(0);
    warm.closeAll();
    expect(sessions[0]!.closed).toBe(false); // the call owns it now
  });

  it('closed when the answer fails, when the format differs, when a fatal error came first, and at closeAll', () => {
    const { sessions, factory } = stubFactory();
    const warm = new WarmSessions({ upstream: factory, onEvent: () => {} });
    warm.open()!.cancel();
    expect(sessions[0]!.closed).toBe(true);
    warm.open()!.bind('c-ulaw');
    expect(warm.claim('c-ulaw', 'g711_ulaw')).toBeUndefined();
    expect(sessions[1]!.closed).toBe(true);
    warm.open()!.bind('c-bad');
    sessions[2]!.sink.error({ message: '401', fatal: true, status: 401 });
    expect(warm.claim('c-bad', 'pcm16')).toBeUndefined();
    warm.open()!.bind('c-left');
    warm.closeAll();
    expect(sessions[3]!.closed).toBe(true);
  });

  it('at most `max` open ahead; unclaimed ones expire', async () => {
    const { sessions, factory } = stubFactory();
    const events: Array<Record<string, unknown>> = [];
    const warm = new WarmSessions({ upstream: factory, onEvent: (_t, d) => events.push(d), max: 1, timeoutMs: 20 });
    warm.open()!.bind('a');
    expect(warm.open()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 60));
    expect(sessions[0]!.closed).toBe(true);
    expect(events).toEqual([{ reason: 'no media socket claimed it' }]);
    expect(warm.size).toBe(0);
  });
});
