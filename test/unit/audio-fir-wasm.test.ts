import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { compileFirWat } from '../../scripts/build-wasm.mjs';
import { FirKernel, KERNEL_CHUNK } from '../../src/audio/fir-kernel.js';
import { bankFor } from '../../src/audio/polyphase-bank.js';

describe('the resampler kernel (src/audio/fir.wat)', () => {
  it('src/audio/fir-wasm.ts is what fir.wat compiles to (run npm run build:wasm after editing the .wat)', async () => {
    const committed = await readFile(new URL('../../src/audio/fir-wasm.ts', import.meta.url), 'utf8');
    expect(await compileFirWat()).toBe(committed);
  });

  it('computes each output as the f32 dot product of its phase row with the window ending at its input sample', () => {
    const kernel = new FirKernel();
    const bank = bankFor(16000, 24000);
    const kb = kernel.place(bank);
    const K = bank.taps;
    // History of K − 1 samples, then 10 input samples (an odd count leaves a scalar tail in the widening).
    const history = Float32Array.from({ length: K - 1 }, (_, i) => ((i * 7919) % 2001) - 1000);
    const input = Int16Array.from({ length: 11 }, (_, i) => (i * 3001) % 20000 - 10000);
    const window = [...history, ...input];
    const expected: number[] = [];
    let pos = K - 1;
    let phase = 0;
    while (pos <= K - 1 + input.length - 1) {
      let s = 0;
      for (let j = 0; j < K; j++) s += bank.coefs[phase * K + j]! * window[pos - (K - 1) + j]!;
      expected.push(Math.max(-32768, Math.min(32767, Math.round(s))));
      phase += bank.down;
      while (phase >= bank.up) {
        phase -= bank.up;
        pos++;
      }
    }
    const run = kernel.resample(kb, history, new Uint8Array(input.buffer), K - 1, 0);
    expect(run.count).toBe(expected.length);
    expect({ pos: run.pos, phase: run.phase }).toEqual({ pos, phase });
    const got = Array.from(new Int16Array(kernel.output(run.count).slice().buffer));
    // f32 arithmetic against float64: equal, or one LSB apart where the exact sum is near a half.
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThanOrEqual(1);
    // The history now holds the newest K − 1 samples of the window.
    expect(Array.from(history)).toEqual(window.slice(window.length - (K - 1)));
  });

  it('places each bank once and takes chunks up to KERNEL_CHUNK samples', () => {
    const kernel = new FirKernel();
    const a = kernel.place(bankFor(24000, 8000));
    expect(kernel.place(bankFor(24000, 8000))).toBe(a);
    const b = kernel.place(bankFor(8000, 24000));
    expect(b.coefAt).toBeGreaterThanOrEqual(a.coefAt + bankFor(24000, 8000).coefs.length * 4);
    const bank = bankFor(8000, 24000);
    const run = kernel.resample(b, new Float32Array(bank.taps - 1), new Uint8Array(KERNEL_CHUNK * 2), bank.taps - 1, 0);
    expect(run.count).toBe(KERNEL_CHUNK * 3);
    expect(kernel.output(run.count).every((v) => v === 0)).toBe(true);
  });
});
