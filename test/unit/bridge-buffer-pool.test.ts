import { afterEach, describe, expect, it } from 'vitest';
import { RELAY_BUFFER_POOL_BYTES, enlargeBufferPool } from '../../src/bridge/buffer-pool.js';

describe('enlargeBufferPool', () => {
  const before = Buffer.poolSize;
  afterEach(() => {
    Buffer.poolSize = before;
  });

  it('raises Node’s 8 KB default to the relay’s pool, so frame-sized Buffers share one pool', () => {
    Buffer.poolSize = 8 * 1024;
    expect(enlargeBufferPool()).toBe(RELAY_BUFFER_POOL_BYTES);
    expect(Buffer.poolSize).toBe(128 * 1024);
    // sizes under half the pool are carved from one shared ArrayBuffer: once the old 8 KB pool
    // is used up, 1.3 KB messages come out of a 128 KB one, about 98 to a pool
    const frames = Array.from({ length: 16 }, () => Buffer.allocUnsafe(1330));
    const last = frames.at(-1)!;
    expect(last.buffer.byteLength).toBe(128 * 1024);
    expect(frames.filter((f) => f.buffer === last.buffer).length).toBeGreaterThanOrEqual(8);
  });

  it('never lowers a larger pool the host set', () => {
    Buffer.poolSize = 1024 * 1024;
    expect(enlargeBufferPool()).toBe(1024 * 1024);
    expect(Buffer.poolSize).toBe(1024 * 1024);
  });
});
