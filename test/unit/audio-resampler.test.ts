import { describe, expect, it } from 'vitest';
import { createResampler, type PcmRate, type StreamResampler } from '../../src/audio/resampler.js';
import { dB, idealPeriodicResample, meanPower, noiseSamples, pcm, samplesOf, sineFit, toneSamples } from '../helpers/pcm-analysis.js';

const DIRECTIONS: Array<[PcmRate, PcmRate]> = [
  [16000, 24000],
  [24000, 16000],
  [8000, 24000],
  [24000, 8000],
];
const name = ([from, to]: [number, number]) => `${from / 1000}k → ${to / 1000}k`;
const CASES = DIRECTIONS.map((d) => [name(d), ...d] as const);
/** −6 dBFS sine amplitude (int16 units). */
const AMP = 10 ** (-6 / 20) * 32767;

/** Feed `x` in chunks of `chunk` samples (default 20 ms), return the output samples. */
function run(rs: StreamResampler, x: Int16Array, chunk = rs.fromHz / 50): Int16Array {
  const bytes = pcm(x);
  const out: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += chunk * 2) out.push(rs.process(bytes.subarray(o, o + chunk * 2)));
  return samplesOf(out);
}

/** Index of the first sample where a and b differ (-1: identical), a readable failure for long outputs. */
function firstDifference(a: Int16Array, b: Int16Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** First output sample past the ramp-in from silence (the filter spans 2 × its delay). */
const settled = (rs: StreamResampler) => Math.ceil((2 * rs.delayMs * rs.toHz) / 1000) + 1;

/** Output of a `hz` tone at −6 dBFS over 0.5 s, with the tone's sine fit past the ramp-in. */
function toneThrough(from: PcmRate, to: PcmRate, hz: number) {
  const rs = createResampler(from, to);
  const y = run(rs, toneSamples(from, hz, from / 2, AMP));
  return { y, rs, fit: sineFit(y, to, hz, settled(rs)) };
}

describe('createResampler: 1 kHz tone at −6 dBFS (SNR)', () => {
  it.each(CASES)('%s: SNR ≥ 90 dB against the exact resampling of the same int16 input, and the sine-fit SNR of a perfect int16 resampler', (_, from, to) => {
    // Noise pooled over several starting phases, so the figure does not hang on one rounding pattern.
    let signal = 0, own = 0, fitNoise = 0, fitSignal = 0, floorNoise = 0, floorSignal = 0;
    for (const phase of [0, 0.77, 1.54, 2.31]) {
      const rs = createResampler(from, to);
      const x = toneSamples(from, 1000, from / 2, AMP, phase);
      const y = run(rs, x);
      expect(y.length).toBe(to / 2);
      const s0 = settled(rs);
      // What a perfect resampler outputs for this int16 input (1 ms period), aligned by the reported delay.
      const ref = idealPeriodicResample(x, from / 1000, from, to, Math.min(from, to) / 2, rs.delayMs, y.length);
      for (let i = s0; i < y.length; i++) {
        signal += ref[i]! ** 2;
        own += (y[i]! - ref[i]!) ** 2;
      }
      const fit = sineFit(y, to, 1000, s0);
      fitNoise += fit.noise;
      fitSignal += fit.signal;
      const floor = sineFit(Float64Array.from(ref, Math.round), to, 1000, s0);
      floorNoise += floor.noise;
      floorSignal += floor.signal;
    }
    // Own error = filter error + output rounding (int16 rounding alone: ≈92 dB at −6 dBFS).
    expect(dB(signal, own)).toBeGreaterThanOrEqual(90);
    // The brief's sine fit also counts the test tone's own int16 quantisation: compare with a
    // perfect resampler whose output is rounded to int16, measured the same way.
    const fitSnr = dB(fitSignal, fitNoise);
    expect(fitSnr).toBeGreaterThanOrEqual(dB(floorSignal, floorNoise) - 0.5);
    expect(fitSnr).toBeGreaterThanOrEqual(88);
  });
});

describe('createResampler: band limits', () => {
  it.each([
    ['24k → 16k, 10 kHz', 24000, 16000, 10000],
    ['24k → 16k, 9 kHz (stop-band edge)', 24000, 16000, 9000],
    ['24k → 8k, 5 kHz', 24000, 8000, 5000],
    ['24k → 8k, 4.6 kHz (stop-band edge)', 24000, 8000, 4600],
  ] as const)('%s: a tone above the lower Nyquist is attenuated ≥ 60 dB, not folded into the band', (_, from, to, hz) => {
    const rs = createResampler(from, to);
    const y = run(rs, toneSamples(from, hz, from / 2, AMP));
    expect(dB(meanPower(y, settled(rs)), (AMP * AMP) / 2)).toBeLessThan(-60);
  });

  it.each([
    ['16k → 24k, 7 kHz', 16000, 24000, 7000],
    ['8k → 24k, 3 kHz', 8000, 24000, 3000],
  ] as const)('%s: no images: everything besides the tone is ≥ 60 dB down', (_, from, to, hz) => {
    const { fit } = toneThrough(from, to, hz);
    expect(dB(fit.noise, fit.signal)).toBeLessThan(-60);
  });

  it.each(CASES)('%s: 3.4 kHz passes within ±0.5 dB', (_, from, to) => {
    const { fit } = toneThrough(from, to, 3400);
    expect(Math.abs(20 * Math.log10(fit.amplitude / AMP))).toBeLessThan(0.5);
  });

  it.each(CASES.filter(([, from, to]) => Math.min(from, to) === 16000))('%s: 7 kHz (wideband speech) passes within ±0.5 dB', (_, from, to) => {
    const { fit } = toneThrough(from, to, 7000);
    expect(Math.abs(20 * Math.log10(fit.amplitude / AMP))).toBeLessThan(0.5);
  });

  it.each(CASES)('%s: delayMs is the measured delay of a 100 Hz tone and stays under 5 ms', (_, from, to) => {
    const { rs, fit } = toneThrough(from, to, 100);
    // y(m) = A·sin(2π·100·(m / toHz − d)): the fitted phase is −2π·100·d (mod 2π, i.e. d mod 10 ms).
    const d = ((((-fit.phase / (2 * Math.PI)) % 1) + 1) % 1) * 10;
    expect(d).toBeCloseTo(rs.delayMs, 3);
    expect(rs.delayMs).toBeGreaterThan(0.5);
    expect(rs.delayMs).toBeLessThan(5);
  });
});

describe('createResampler: streaming', () => {
  it.each(CASES)('%s: 20 ms in gives exactly 20 ms out, from the first frame on', (_, from, to) => {
    const rs = createResampler(from, to);
    const frame = pcm(noiseSamples(from / 50, 20000));
    for (let f = 0; f < 50; f++) expect(rs.process(frame).length).toBe((to / 50) * 2);
  });

  it.each(CASES)('%s: one long buffer, 20 ms frames and odd chunk sizes give bit-identical output', (_, from, to) => {
    const x = noiseSamples(from, 20000, 7);
    const whole = run(createResampler(from, to), x, x.length);
    expect(whole.length).toBe(to);
    expect(firstDifference(run(createResampler(from, to), x), whole)).toBe(-1);
    // Odd chunk sizes; the output so far is always ceil(samples in · to / from).
    const rs = createResampler(from, to);
    const bytes = pcm(x);
    const out: Buffer[] = [];
    const sizes = [1, 3, 7, 31, 2, 479, 160, 5];
    let inSoFar = 0, outSoFar = 0;
    for (let o = 0, k = 0; o < x.length; k++) {
      const n = Math.min(sizes[k % sizes.length]!, x.length - o);
      // Every other chunk at an odd byteOffset (an unaligned Int16 view is impossible: the copy path).
      const chunk = k % 2 ? Buffer.concat([Buffer.alloc(1), bytes.subarray(o * 2, (o + n) * 2)]).subarray(1) : bytes.subarray(o * 2, (o + n) * 2);
      const y = rs.process(chunk);
      out.push(y);
      o += n;
      inSoFar += n;
      outSoFar += y.length / 2;
      expect(outSoFar).toBe(Math.ceil((inSoFar * to) / from));
    }
    expect(firstDifference(samplesOf(out), whole)).toBe(-1);
  });

  it.each(CASES)('%s: sample by sample gives the same output as one buffer', (_, from, to) => {
    const x = noiseSamples(from / 20, 30000, 9);
    expect(firstDifference(run(createResampler(from, to), x, 1), run(createResampler(from, to), x, x.length))).toBe(-1);
  });

  it.each(CASES)('%s: no click at frame joins (a 1 kHz tone in 20 ms frames stays within 2 LSB of a sine)', (_, from, to) => {
    const { fit } = toneThrough(from, to, 1000);
    expect(fit.maxResidual).toBeLessThan(2);
  });

  it.each(CASES)('%s: starts from silence, then passes DC exactly (unit gain in every phase)', (_, from, to) => {
    const rs = createResampler(from, to);
    const y = run(rs, new Int16Array(from / 10).fill(10000));
    expect(Math.abs(y[0]!)).toBeLessThan(100); // the first frame ramps in from silence
    expect([...y.subarray(settled(rs))].every((v) => v === 10000)).toBe(true);
  });

  it.each(CASES)('%s: reset forgets the history', (_, from, to) => {
    const a = noiseSamples(from / 10, 20000, 3);
    const b = noiseSamples(from / 10, 20000, 4);
    const rs = createResampler(from, to);
    run(rs, a);
    rs.reset();
    expect(firstDifference(run(rs, b), run(createResampler(from, to), b))).toBe(-1);
  });

  it('clips to int16 instead of wrapping (a full-scale square wave overshoots)', () => {
    const x = new Int16Array(16000).map((_, i) => (i % 16 < 8 ? 32767 : -32768));
    const y = run(createResampler(16000, 24000), x).subarray(100);
    expect(Math.max(...y)).toBe(32767);
    expect(Math.min(...y)).toBe(-32768);
    let crossings = 0;
    for (let i = 1; i < y.length; i++) if (y[i - 1]! < 0 !== y[i]! < 0) crossings++;
    expect(crossings).toBeLessThanOrEqual(Math.ceil((y.length / 24) * 2) + 1); // 2 per 1 ms period: no wrap-around spikes
  });

  it.each(CASES)('%s: processBase64 gives the base64 of what process gives, for frames, odd chunks and a long payload', (_, from, to) => {
    const x = pcm(noiseSamples(from, 20000, 11));
    const a = createResampler(from, to);
    const b = createResampler(from, to);
    // 20 ms frames, then odd sizes, then one payload over the kernel's chunk (the general path).
    const sizes = [from / 50, from / 50, 1, 7, 479, 30, 5000];
    for (let o = 0, k = 0; o < x.length; k++) {
      const n = Math.min(sizes[Math.min(k, sizes.length - 1)]!, x.length / 2 - o / 2) * 2;
      const chunk = x.subarray(o, o + n);
      const viaBase64 = b.processBase64(chunk.toString('base64'));
      expect(viaBase64).toBe(a.process(chunk).toString('base64'));
      o += n;
    }
    expect(b.processBase64('')).toBe('');
    expect(() => b.processBase64(Buffer.alloc(3).toString('base64'))).toThrow(/even byte length/);
  });

  it('accepts an empty chunk and refuses an odd byte length', () => {
    const rs = createResampler(16000, 24000);
    expect(rs.process(Buffer.alloc(0)).length).toBe(0);
    expect(() => rs.process(Buffer.alloc(641))).toThrow(RangeError);
    expect(() => rs.process(Buffer.alloc(641))).toThrow(/even byte length/);
  });

  it.each([
    [16000, 16000],
    [24000, 24000],
    [8000, 16000],
    [16000, 8000],
    [44100, 24000],
  ])('%i → %i is refused with a RangeError naming the supported pairs', (from, to) => {
    expect(() => createResampler(from as PcmRate, to as PcmRate)).toThrow(RangeError);
    expect(() => createResampler(from as PcmRate, to as PcmRate)).toThrow(/16000↔24000 and 8000↔24000/);
  });
});
