// The AudioSocket leg's pacer: real time on average even when the shared timer runs late.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { CallCore } from '../../src/bridge/call-core.js';
import { echoUpstream } from '../../src/bridge/echo-upstream.js';
import { audioSocketMessage } from '../../src/bridge/legs/audiosocket-frames.js';
import { AudioSocketLeg } from '../../src/bridge/legs/audiosocket.js';

/** A socket stand-in that records what the leg writes. */
function fakeSocket(): Socket & { written: Buffer[] } {
  const s = new EventEmitter() as unknown as Socket & { written: Buffer[] };
  s.written = [];
  Object.assign(s, { setNoDelay: () => s, write: (b: Buffer) => (s.written.push(b), true), end: () => s, destroy: () => s, writableLength: 0 });
  return s;
}

function startedLeg(t0: number): { leg: AudioSocketLeg; socket: ReturnType<typeof fakeSocket> } {
  vi.setSystemTime(t0);
  const socket = fakeSocket();
  const core = new CallCore({ callId: 'c1', source: 'asterisk' }, { upstream: echoUpstream, onEvent: () => {}, onEnd: () => {}, onUpstreamError: () => {} });
  const leg = new AudioSocketLeg(socket, core);
  core.attach(leg);
  socket.emit('data', audioSocketMessage(0x12, Buffer.alloc(640, 1))); // the first frame sets the format and the clock
  return { leg, socket };
}

describe('AudioSocket pacing', () => {
  it('catches up a late timer in bursts of at most 5 frames, keeping real time on average', () => {
    vi.useFakeTimers();
    try {
      const t0 = 1_000_000;
      const { leg, socket } = startedLeg(t0);
      const frames = () => socket.written.length;
      leg.tick(t0);
      expect(frames()).toBe(1);
      leg.tick(t0 + 200); // 10 frames due: a burst of 5
      expect(frames()).toBe(6);
      for (let t = t0 + 230; t <= t0 + 1000; t += 30) leg.tick(t); // a timer 30 ms apart: still 50 frames/s
      expect(frames()).toBe(Math.floor(1000 / 20) + 1 - 1); // caught up (the frame due at 1000 ms waits for its tick)
      leg.tick(t0 + 1000);
      expect(frames()).toBe(51);
      expect(socket.written.every((b) => b[0] === 0x12 && b.readUInt16BE(1) === 640)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('after a stall of more than a second the clock skips ahead instead of bursting seconds of audio', () => {
    vi.useFakeTimers();
    try {
      const t0 = 2_000_000;
      const { leg, socket } = startedLeg(t0);
      leg.tick(t0);
      leg.tick(t0 + 3000); // 150 frames due
      expect(socket.written.length).toBe(2);
      leg.tick(t0 + 3020);
      expect(socket.written.length).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a short queue waits up to 3 ticks for more audio (a jitter buffer) instead of padding a hole into the stream', () => {
    vi.useFakeTimers();
    try {
      const t0 = 3_000_000;
      const { leg, socket } = startedLeg(t0);
      const loud = (n: number) => socket.written.slice(n).map((b) => b.subarray(3).some((x) => x !== 0));
      // queued: the caller's first frame (the echo upstream returns it) and 400 bytes: 1.6 frames
      leg.play(Buffer.alloc(400, 7).toString('base64'));
      leg.tick(t0);
      leg.tick(t0 + 20);
      expect(loud(0)).toEqual([false, false]); // waiting for more
      leg.play(Buffer.alloc(880, 7).toString('base64')); // now 3 frames: played at once, back to back
      for (let t = t0 + 40; t <= t0 + 80; t += 20) leg.tick(t);
      expect(loud(2)).toEqual([true, true, true]);
      leg.play(Buffer.alloc(100, 7).toString('base64')); // a lone tail
      for (let t = t0 + 100; t <= t0 + 160; t += 20) leg.tick(t);
      expect(loud(5)).toEqual([false, false, true, false]); // played (padded) on the 3rd tick, then silence
    } finally {
      vi.useRealTimers();
    }
  });
});
