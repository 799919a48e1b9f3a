/**
 * Test signals and measurements for PCM16 resampling: tones, a least-squares sine fit, and the
 * exact band-limited resampling of a periodic int16 input (the reference a perfect resampler
 * would produce before its own rounding).
 */

/** A sine tone as PCM16 LE samples: `amplitude` in int16 units, `phase` in radians. */
export function toneSamples(rate: number, hz: number, count: number, amplitude: number, phase = 0): Int16Array {
  const y = new Int16Array(count);
  for (let i = 0; i < count; i++) y[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate + phase));
  return y;
}

/** Deterministic white noise (LCG), ±`amplitude`. */
export function noiseSamples(count: number, amplitude: number, seed = 1): Int16Array {
  const y = new Int16Array(count);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    y[i] = Math.round((((x >>> 8) / 0x1000000) * 2 - 1) * amplitude);
  }
  return y;
}

/** Samples → PCM16 LE bytes (a fresh, aligned Buffer). */
export function pcm(samples: Int16Array): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i]!, 2 * i);
  return b;
}

/** PCM16 LE bytes (one Buffer or several) → samples. */
export function samplesOf(chunks: Buffer | Buffer[]): Int16Array {
  const b = Array.isArray(chunks) ? Buffer.concat(chunks) : chunks;
  const y = new Int16Array(b.length >> 1);
  for (let i = 0; i < y.length; i++) y[i] = b.readInt16LE(2 * i);
  return y;
}

/** Least-squares fit of a·sin + b·cos at `hz` over y[s0, s1): signal and residual power, amplitude, phase. */
export function sineFit(y: ArrayLike<number>, rate: number, hz: number, s0: number, s1 = y.length) {
  let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (let i = s0; i < s1; i++) {
    const w = (2 * Math.PI * hz * i) / rate;
    const s = Math.sin(w), c = Math.cos(w);
    ss += s * s; cc += c * c; sc += s * c; ys += y[i]! * s; yc += y[i]! * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let signal = 0, noise = 0, maxResidual = 0;
  for (let i = s0; i < s1; i++) {
    const w = (2 * Math.PI * hz * i) / rate;
    const fit = a * Math.sin(w) + b * Math.cos(w);
    signal += fit * fit;
    noise += (y[i]! - fit) ** 2;
    maxResidual = Math.max(maxResidual, Math.abs(y[i]! - fit));
  }
  // y ≈ A·sin(w + φ) with A = hypot(a, b), φ = atan2(b, a).
  return { signal, noise, amplitude: Math.hypot(a, b), phase: Math.atan2(b, a), maxResidual };
}

/**
 * The exact band-limited resampling of an input that repeats every `period` samples:
 * trigonometric interpolation of its harmonics, those below `cutoffHz` kept, one exactly at it
 * halved (a windowed-sinc low-pass passes half its cutoff), evaluated at output instants
 * m / toHz − delayMs.
 */
export function idealPeriodicResample(x: Int16Array, period: number, fromHz: number, toHz: number, cutoffHz: number, delayMs: number, count: number): Float64Array {
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k <= period / 2; k++) {
    let r = 0, s = 0;
    for (let n = 0; n < period; n++) {
      r += x[n]! * Math.cos((2 * Math.PI * k * n) / period);
      s -= x[n]! * Math.sin((2 * Math.PI * k * n) / period);
    }
    const hz = (k * fromHz) / period;
    const gain = hz < cutoffHz ? 1 : hz === cutoffHz ? 0.5 : 0;
    const both = k === 0 || k === period / 2 ? 1 : 2; // a real signal's ±k bins
    re.push((gain * both * r) / period);
    im.push((gain * both * s) / period);
  }
  const out = new Float64Array(count);
  for (let m = 0; m < count; m++) {
    const t = (m / toHz - delayMs / 1000) * fromHz;
    let v = 0;
    for (let k = 0; k < re.length; k++) v += re[k]! * Math.cos((2 * Math.PI * k * t) / period) - im[k]! * Math.sin((2 * Math.PI * k * t) / period);
    out[m] = v;
  }
  return out;
}

/** Mean power of y[s0, s1). */
export function meanPower(y: ArrayLike<number>, s0: number, s1 = y.length): number {
  let p = 0;
  for (let i = s0; i < s1; i++) p += y[i]! * y[i]!;
  return p / (s1 - s0);
}

/** 10·log10(a / b). */
export const dB = (a: number, b: number): number => 10 * Math.log10(a / b);
