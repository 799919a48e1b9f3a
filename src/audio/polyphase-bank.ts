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
 * The prototype is symmetric, so phase p is phase L−1−p reversed. Outputs that share one input
 * window (same position) are grouped and computed from folded coefficients: a mirrored pair of
 * phases costs K multiply-adds for two outputs, a self-symmetric phase K/2, instead of K each.
 */

/** Stop-band attenuation of every filter (dB). */
export const STOPBAND_DB = 100;

/** Pass-band edge (Hz) kept intact on the lower-rate side of a ratio. */
const PASSBAND_HZ: Record<number, number> = { 16000: 7000, 8000: 3400 };

/** How the outputs sharing one input window are computed. */
export type GroupKind =
  /** One output, plain dot product with phase `a`. */
  | 'dot'
  /** One output, phase `a` is symmetric: folded dot product. */
  | 'sym'
  /** Two outputs, phases `a` then its mirror. */
  | 'pair'
  /** Three outputs (L = 3, M = 1): phase 0, the symmetric phase 1, phase 2 (the mirror of 0). */
  | 'pair+sym'
  /**
   * Two outputs (L = 2, M = 3): phase 0, then its mirror phase 1 one input sample later, folded
   * over a window of K + 1. When the chunk ends between the two, phase 0 is computed alone and
   * phase 1 follows with the next chunk as a 'pair+1b' group, with the same arithmetic.
   */
  | 'pair+1'
  /** The phase-1 half of a 'pair+1' cut by the end of a chunk. */
  | 'pair+1b';

/** The outputs due at one input position, starting at some phase. */
export interface Group {
  readonly kind: GroupKind;
  /** Outputs in the group (1–3). */
  readonly outputs: number;
  /** Offset of the plain or pair coefficients in {@link Bank.coefs} / {@link Bank.folded}. */
  readonly at: number;
  /** Offset of the symmetric phase's folded coefficients ('pair+sym' only). */
  readonly symAt: number;
  /** Input samples to advance after the group. */
  readonly step: number;
  /** Phase of the next group's first output. */
  readonly next: number;
}

/** One ratio's polyphase bank. */
export interface Bank {
  readonly up: number;
  readonly down: number;
  /** Taps per phase K (a multiple of 4). */
  readonly taps: number;
  /** L phases of K coefficients, phase p at offset p·K, time-reversed for a forward dot product. */
  readonly coefs: Float64Array;
  /**
   * Folded coefficients, K/2 each: for a symmetric phase c[j] (j < K/2); for a mirrored pair,
   * (c[j] + c[K−1−j]) / 2 then (c[j] − c[K−1−j]) / 2 (K values); for a pair one sample apart
   * (window of K + 1, phase 0 = c then 0, phase 1 = 0 then c reversed): (c[j] + c[K−j]) / 2 and
   * (c[j] − c[K−j]) / 2 for 1 ≤ j < K/2 (at j and K/2 + j), then c[K/2] at K; c[0] stays in coefs.
   */
  readonly folded: Float64Array;
  /** The group that starts at each phase (set for the phases a group starts at: those reachable from 0). */
  readonly groups: readonly Group[];
  /** Group delay (ms). */
  readonly delayMs: number;
  /** Pass-band edge (Hz). */
  readonly passHz: number;
  /** Stop-band edge (Hz). */
  readonly stopHz: number;
}

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
  const taps = Math.ceil((order + 1) / up / 4) * 4; // a multiple of 4 for the unrolled loops
  const h = kaiserSinc(taps * up, nyquist / rate, STOPBAND_DB);
  const coefs = new Float64Array(taps * up);
  for (let p = 0; p < up; p++) {
    // Unit DC gain per phase: a constant input gives a constant output whatever the phase.
    let sum = 0;
    for (let j = 0; j < taps; j++) sum += h[p + j * up]!;
    for (let j = 0; j < taps; j++) coefs[p * taps + (taps - 1 - j)] = h[p + j * up]! / sum;
  }
  const half = taps / 2;
  const folded = new Float64Array(up * taps + 1);
  const groups: Group[] = [];
  // Walk the groups reachable from phase 0 (one cycle: M input samples, L outputs). The phases
  // visited at one position: the phase advances by M, the position by floor((p + M) / L).
  let start = 0;
  do {
    const phases = [start];
    let p = start;
    let step = 0;
    for (;;) {
      step = Math.floor((p + down) / up);
      p = (p + down) % up;
      if (step > 0 || p === start) break;
      phases.push(p);
    }
    const a = phases[0]!;
    const c = (q: number, j: number) => coefs[q * taps + j]!;
    let kind: GroupKind;
    if (phases.length === 1) kind = up - 1 - a === a ? 'sym' : 'dot';
    else if (phases.length === 2 && phases[1] === up - 1 - a) kind = 'pair';
    else if (phases.length === 3 && a === 0 && phases[1] === 1 && phases[2] === 2 && up === 3) kind = 'pair+sym';
    else throw new Error(`no group layout for phases ${phases.join(',')}`); // not reachable for RATIOS
    const at = a * taps;
    if (kind === 'sym') for (let j = 0; j < half; j++) folded[at + j] = c(a, j);
    if (kind === 'pair' || kind === 'pair+sym') {
      for (let j = 0; j < half; j++) {
        folded[at + j] = (c(a, j) + c(a, taps - 1 - j)) / 2;
        folded[at + half + j] = (c(a, j) - c(a, taps - 1 - j)) / 2;
      }
    }
    const symAt = kind === 'pair+sym' ? taps : 0; // phase 1
    if (kind === 'pair+sym') for (let j = 0; j < half; j++) folded[symAt + j] = c(1, j);
    groups[start] = { kind, outputs: phases.length, at, symAt, step, next: p };
    start = p;
  } while (start !== 0);
  if (up === 2 && down === 3) {
    // Phase 0 at position i and phase 1 (its mirror) at i + 1: one pass over K + 1 samples.
    const [g0, g1] = groups as [Group, Group];
    for (let j = 1; j < half; j++) {
      folded[j] = (coefs[j]! + coefs[taps - j]!) / 2;
      folded[half + j] = (coefs[j]! - coefs[taps - j]!) / 2;
    }
    folded[taps] = coefs[half]!;
    groups[0] = { ...g0, kind: 'pair+1', outputs: 2, step: g0.step + g1.step, next: g1.next };
    groups[1] = { ...g1, kind: 'pair+1b' };
  }
  return { up, down, taps, coefs, folded, groups, delayMs: ((taps * up - 1) / 2 / rate) * 1000, passHz, stopHz };
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
