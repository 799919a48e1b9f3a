import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('WebSocket masking runs natively (bufferutil, which ws picks up when installed)', () => {
  it('bufferutil loads from its bundled prebuild and masks like RFC 6455 says', () => {
    // Every frame the bridge sends upstream is masked and every caller frame unmasked; without
    // the native module ws does it byte by byte in JavaScript (a few per cent of a busy bridge).
    const { mask, unmask } = require('bufferutil') as {
      mask(source: Buffer, key: Buffer, output: Buffer, offset: number, length: number): void;
      unmask(buffer: Buffer, key: Buffer): void;
    };
    const payload = Buffer.from(Array.from({ length: 1280 }, (_, i) => (i * 31) & 0xff));
    const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
    const out = Buffer.alloc(payload.length + 2);
    mask(payload, key, out, 2, payload.length);
    for (const i of [0, 1, 2, 3, 777, 1279]) expect(out[2 + i]).toBe(payload[i]! ^ key[i % 4]!);
    const back = Buffer.from(out.subarray(2));
    unmask(back, key);
    expect(back.equals(payload)).toBe(true);
  });
});
