/**
 * Filter design for the fixed-ratio PCM16 resampler (see ./resampler.ts): one polyphase bank per
 * ratio, designed on first use and shared by every converter of that ratio.
 *
 * Rational L/M resampling: upsample by L, low-pass at the lower rate's Nyquist, downsample by M.
 * The prototype low-pass (at the intermediate rate L · fromHz) is a Kaiser-windowed sinc (Kaiser's
 * formulas for β and length): cutoff at the lower rate's Nyquist, pass band to 7 kHz (16 kHz side,
 * wideband speech) or 3.4 kHz (8 kHz side, narrowband speech), stop band from where anything
 * folding back would land above that pass band, {@link STOPBAND_DB} of attenuation.
 *
 * Each phase's row is stored time-reversed and zero-padded at the front to a multiple of 8 taps,
 * the shape the SIMD kernel (./fir.wat, through ./fir-kernel.ts) takes: a plain dot product of
 * the row with the window of input samples ending at the output's newest sample.
 */

/** Stop-band attenuation of every filter (dB). */
export const STOPBAND_DB = 100;

/** Pass-band edge (Hz) kept intact on the lower-rate side of a ratio. */
const PASSBAND_HZ: Record<number, number> = { 16000: 7000, 8000: 3400 };

/** One ratio's polyphase bank. */
export interface Bank {
  readonly up: number;
  readonly down: number;
  /**
   * Taps per phase K, a multiple of {@link TAP_MULTIPLE} (the SIMD kernel takes 8 at a time):
   * the design's own taps, zero-padded at the front of each row (the oldest samples).
   */
  readonly taps: number;
  /** L phases of K coefficients, phase p at offset p·K, time-reversed for a forward dot product. */
  readonly coefs: Float64Array;
  /** Group delay (ms). */
  readonly delayMs: number;
  /** Pass-band edge (Hz). */
  readonly passHz: number;
  /** Stop-band edge (Hz). */
  readonly stopHz: number;
}

/** Taps per phase are padded to a multiple of this (two f32x4 accumulators in ./fir.wat). */
export const TAP_MULTIPLE = 8;

const RATIOS: Record<string, readonly [up: number, down: number]> = {
  '16000>24000': [3, 2],
  '24000>16000': [2, 3],
  '8000>24000': [3, 1],
  '24000>8000': [1, 3],
};

const banks = new Map<string, Bank>();

/** Modified Bessel function of the first kind, order 0 (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser-windowed sinc of n taps, cutoff fc (cycles per sample), attenuation a (dB). */
function kaiserSinc(n: number, fc: number, a: number): Float64Array {
  const beta = a > 50 ? 0.1102 * (a - 8.7) : 0.5842 * (a - 21) ** 0.4 + 0.07886 * (a - 21);
  const centre = (n - 1) / 2;
  const i0beta = besselI0(beta);
  const h = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const t = k - centre;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const r = t / centre;
    h[k] = (sinc * besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r)))) / i0beta;
  }
  return h;
}

function design(fromHz: number, toHz: number, up: number, down: number): Bank {
  const lowHz = Math.min(fromHz, toHz);
  const nyquist = lowHz / 2;
  const passHz = PASSBAND_HZ[lowHz]!;
  const stopHz = 2 * nyquist - passHz; // anything above folds back no lower than passHz
  const rate = fromHz * up;
  const order = Math.ceil((STOPBAND_DB - 7.95) / (2.285 * ((2 * Math.PI * (stopHz - passHz)) / rate)));
  const designTaps = Math.ceil((order + 1) / up);
  const h = kaiserSinc(designTaps * up, nyquist / rate, STOPBAND_DB);
  const taps = Math.ceil(designTaps / TAP_MULTIPLE) * TAP_MULTIPLE;
  const pad = taps - designTaps;
  const coefs = new Float64Array(taps * up);
  for (let p = 0; p < up; p++) {
    // Unit DC gain per phase: a constant input gives a constant output whatever the phase.
    let sum = 0;
    for (let j = 0; j < designTaps; j++) sum += h[p + j * up]!;
    for (let j = 0; j < designTaps; j++) coefs[p * taps + pad + (designTaps - 1 - j)] = h[p + j * up]! / sum;
  }
  return { up, down, taps, coefs, delayMs: ((designTaps * up - 1) / 2 / rate) * 1000, passHz, stopHz };
}

/**
 * The shared bank for fromHz → toHz.
 * @throws RangeError for a pair other than 16000↔24000 and 8000↔24000.
 */
export function bankFor(fromHz: number, toHz: number): Bank {
  const key = `${fromHz}>${toHz}`;
  let bank = banks.get(key);
  if (!bank) {
    const ratio = RATIOS[key];
    if (!ratio) {
      throw new RangeError(`unsupported resampling ${fromHz} Hz → ${toHz} Hz: supported are 16000↔24000 and 8000↔24000`);
    }
    bank = design(fromHz, toHz, ratio[0], ratio[1]);
    banks.set(key, bank);
  }
  return bank;
}
