/**
 * The inner loops of the PCM16 resampler (./resampler.ts) over a polyphase bank
 * (./polyphase-bank.ts): plain, symmetric-folded and mirrored-pair dot products in float64,
 * rounded to nearest and clipped to int16. Kept as module-level functions of plain arguments so
 * V8 compiles them to tight loops.
 */
import type { Bank, Group } from './polyphase-bank.js';

/** A 'pair+1' group cut by the end of a chunk: phase 0 alone, then 'pair+1b' at the next position. */
export const SPLIT_PAIR: Group = { kind: 'pair+1', outputs: 1, at: 0, symAt: 0, step: 1, next: 1 };

const clip = (y: number): number => {
  const r = Math.round(y);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
};

/** Σ c[at + j] · h[s + j] over K taps; four accumulators (independent add chains, fixed order). */
function dot(c: Float64Array, at: number, h: Float64Array, s: number, taps: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let j = 0; j < taps; j += 4) {
    a0 += c[at + j]! * h[s + j]!;
    a1 += c[at + j + 1]! * h[s + j + 1]!;
    a2 += c[at + j + 2]! * h[s + j + 2]!;
    a3 += c[at + j + 3]! * h[s + j + 3]!;
  }
  return a0 + a1 + (a2 + a3);
}

/** A symmetric phase: Σ f[at + j] · (h[s + j] + h[s + K − 1 − j]) over K/2 folded taps (K/2 is even). */
function symDot(f: Float64Array, at: number, h: Float64Array, s: number, taps: number): number {
  const half = taps >> 1;
  const e = s + taps - 1;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let j = 0;
  for (; j + 3 < half; j += 4) {
    a0 += f[at + j]! * (h[s + j]! + h[e - j]!);
    a1 += f[at + j + 1]! * (h[s + j + 1]! + h[e - j - 1]!);
    a2 += f[at + j + 2]! * (h[s + j + 2]! + h[e - j - 2]!);
    a3 += f[at + j + 3]! * (h[s + j + 3]! + h[e - j - 3]!);
  }
  if (j < half) {
    a0 += f[at + j]! * (h[s + j]! + h[e - j]!);
    a1 += f[at + j + 1]! * (h[s + j + 1]! + h[e - j - 1]!);
  }
  return a0 + a1 + (a2 + a3);
}

/**
 * A phase and its mirror on one window, into dst[m] and dst[m + gap]: with sums and differences
 * of the window's mirrored samples, y = S + D and y' = S − D, K multiply-adds for both.
 */
function pairDot(f: Float64Array, at: number, h: Float64Array, s: number, taps: number, dst: Int16Array, m: number, gap: number): void {
  const half = taps >> 1;
  const e = s + taps - 1;
  const q = at + half;
  let s0 = 0;
  let s1 = 0;
  let d0 = 0;
  let d1 = 0;
  for (let j = 0; j < half; j += 2) {
    const x0 = h[s + j]!;
    const y0 = h[e - j]!;
    const x1 = h[s + j + 1]!;
    const y1 = h[e - j - 1]!;
    s0 += f[at + j]! * (x0 + y0);
    d0 += f[q + j]! * (x0 - y0);
    s1 += f[at + j + 1]! * (x1 + y1);
    d1 += f[q + j + 1]! * (x1 - y1);
  }
  const sum = s0 + s1;
  const diff = d0 + d1;
  dst[m] = clip(sum + diff);
  dst[m + gap] = clip(sum - diff);
}

/** S and D of a 'pair+1' group (see foldPair1). */
const PAIR = new Float64Array(2);

/**
 * For phase 0 on the window starting at s and its mirror one sample later, the folded sums over
 * the K − 1 samples both see (s + 1 … s + K − 1): S into PAIR[0], D into PAIR[1]. Then
 * y0 = S + D + c[0]·h[s] and y1 = S − D + c[0]·h[s + K]. Both halves of a pair cut by the end of
 * a chunk use this same arithmetic, so the output stays bit-exact.
 */
function foldPair1(f: Float64Array, h: Float64Array, s: number, taps: number): void {
  const half = taps >> 1;
  const e = s + taps;
  let s0 = f[taps]! * h[s + half]!;
  let s1 = 0;
  let d0 = 0;
  let d1 = 0;
  let j = 1;
  for (; j + 1 < half; j += 2) {
    const x0 = h[s + j]!;
    const y0 = h[e - j]!;
    const x1 = h[s + j + 1]!;
    const y1 = h[e - j - 1]!;
    s0 += f[j]! * (x0 + y0);
    d0 += f[half + j]! * (x0 - y0);
    s1 += f[j + 1]! * (x1 + y1);
    d1 += f[half + j + 1]! * (x1 - y1);
  }
  if (j < half) {
    const x0 = h[s + j]!;
    const y0 = h[e - j]!;
    s0 += f[j]! * (x0 + y0);
    d0 += f[half + j]! * (x0 - y0);
  }
  PAIR[0] = s0 + s1;
  PAIR[1] = d0 + d1;
}

/**
 * The hot loop: every group of outputs whose newest input sample (history index `pos`) is at
 * most `last`, starting with the group at `phase`, into dst from index 0. Module-level with plain
 * arguments so V8 keeps the state in registers; the arithmetic per output does not depend on
 * the chunking, so the output is bit-exact however the stream is cut.
 */
export function convolve(bank: Bank, h: Float64Array, pos: number, phase: number, last: number, dst: Int16Array): void {
  const { taps, coefs, folded, groups } = bank;
  const keep = taps - 1;
  let m = 0;
  while (pos <= last) {
    let g = groups[phase]!;
    const s = pos - keep;
    switch (g.kind) {
      case 'pair+1':
        foldPair1(folded, h, s, taps);
        dst[m] = clip(PAIR[0]! + PAIR[1]! + coefs[0]! * h[s]!);
        if (pos + 1 <= last) dst[m + 1] = clip(PAIR[0]! - PAIR[1]! + coefs[0]! * h[s + taps]!);
        else g = SPLIT_PAIR;
        break;
      case 'pair+1b':
        foldPair1(folded, h, s - 1, taps);
        dst[m] = clip(PAIR[0]! - PAIR[1]! + coefs[0]! * h[s - 1 + taps]!);
        break;
      case 'dot':
        dst[m] = clip(dot(coefs, g.at, h, s, taps));
        break;
      case 'sym':
        dst[m] = clip(symDot(folded, g.at, h, s, taps));
        break;
      case 'pair':
        pairDot(folded, g.at, h, s, taps, dst, m, 1);
        break;
      case 'pair+sym':
        pairDot(folded, g.at, h, s, taps, dst, m, 2);
        dst[m + 1] = clip(symDot(folded, g.symAt, h, s, taps));
        break;
    }
    m += g.outputs;
    pos += g.step;
    phase = g.next;
  }
}
