/**
 * Streaming polyphase FIR resampling of PCM16 LE mono between the phone rates (8 kHz:
 * Asterisk slin, AudioSocket; 16 kHz: ACS `pcm16KMono`, Asterisk slin16) and the 24 kHz of the
 * Azure OpenAI Realtime API, for the fixed ratios 2:3, 3:2, 1:3 and 3:1. Pure: no I/O.
 *
 * Method: rational L/M resampling (upsample by L, low-pass at the lower rate's Nyquist,
 * downsample by M) computed as a polyphase FIR, so only the outputs that are kept are computed
 * and the zero-stuffed samples are never multiplied. The prototype low-pass is a Kaiser-windowed
 * sinc designed once per ratio at module level and shared by every converter: its cutoff is the
 * lower rate's Nyquist, its pass band ends at 7 kHz (16 kHz side: wideband speech) or 3.4 kHz
 * (8 kHz side: narrowband speech), and its stop band starts where anything that folds back would
 * land above that pass band; stop-band attenuation {@link STOPBAND_DB}. Accumulation is in float64,
 * output rounded to nearest and clipped to int16.
 *
 * A converter's own state is its input history (taps-per-phase − 1 samples, float64) plus
 * scratch buffers sized to the largest chunk seen: a few kilobytes for 20 ms frames.
 */
import { endianness } from 'node:os';

/** The sample rates a converter accepts (Hz). */
export type PcmRate = 8000 | 16000 | 24000;

/** A stateful PCM16 LE mono sample-rate converter (one per call and direction). */
export interface StreamResampler {
  /** Input sample rate (Hz). */
  readonly fromHz: PcmRate;
  /** Output sample rate (Hz). */
  readonly toHz: PcmRate;
  /** Group delay of the filter (ms): how far the output lags the input. */
  readonly delayMs: number;
  /**
   * Convert one chunk of PCM16 LE mono (any even byte length, typically a 20 ms frame).
   * State is carried across calls, so frame joins are seamless and the output is bit-identical
   * however the stream is cut into chunks. Over the stream, after n input samples the converter
   * has returned exactly ceil(n · toHz / fromHz) output samples; so a whole 20 ms frame in gives
   * a whole 20 ms frame out, from the first frame on (320 samples at 16 kHz → 480 at 24 kHz).
   * The history starts as silence: the first {@link delayMs} of output is the filter ramping
   * in from silence, and the last {@link delayMs} of input comes out with the next chunk.
   * Returns a fresh Buffer (empty when the chunk was empty or too short to complete a sample).
   * @throws RangeError when the byte length is odd.
   */
  process(pcm: Buffer): Buffer;
  /** Forget the history (e.g. after a barge-in flush): the next chunk starts as the first did. */
  reset(): void;
}

/** Stop-band attenuation of every filter (dB). */
export const STOPBAND_DB = 100;

/** Pass-band edge (Hz) kept intact on the lower-rate side of a ratio. */
const PASSBAND_HZ: Record<8000 | 16000, number> = { 16000: 7000, 8000: 3400 };

/** One ratio's polyphase filter bank, shared by all converters of that ratio. */
interface Bank {
  /** Upsampling factor L. */
  readonly up: number;
  /** Downsampling factor M. */
  readonly down: number;
  /** Taps per phase K. */
  readonly taps: number;
  /** L phases of K coefficients each, phase p at offset p·K, time-reversed for a forward dot product. */
  readonly coefs: Float64Array;
  /** For phase p: how many input samples the next output advances (floor((p + M) / L)). */
  readonly stepIn: Int32Array;
  /** For phase p: the next output's phase ((p + M) mod L). */
  readonly nextPhase: Int32Array;
  /** Group delay (ms). */
  readonly delayMs: number;
}

const RATIOS: Record<string, readonly [up: number, down: number]> = {
  '16000>24000': [3, 2],
  '24000>16000': [2, 3],
  '8000>24000': [3, 1],
  '24000>8000': [1, 3],
};

const banks = new Map<string, Bank>();

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 100; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Design the polyphase bank for fromHz → toHz (Kaiser's formulas for β and length).
 * The prototype runs at the intermediate rate L · fromHz; each phase is normalised to unit DC
 * gain so a constant input gives a constant output whatever the phase.
 */
function designBank(fromHz: number, toHz: number, up: number, down: number): Bank {
  const lowHz = Math.min(fromHz, toHz) as 8000 | 16000;
  const nyquist = lowHz / 2;
  const passHz = PASSBAND_HZ[lowHz];
  const stopHz = 2 * nyquist - passHz; // what lies above folds back no lower than passHz
  const rate = fromHz * up;
  const a = STOPBAND_DB;
  const beta = a > 50 ? 0.1102 * (a - 8.7) : a >= 21 ? 0.5842 * (a - 21) ** 0.4 + 0.07886 * (a - 21) : 0;
  const order = Math.ceil((a - 7.95) / (2.285 * ((2 * Math.PI * (stopHz - passHz)) / rate)));
  const taps = Math.ceil((order + 1) / up / 4) * 4; // a multiple of 4 for the unrolled dot product
  const n = taps * up;
  const centre = (n - 1) / 2;
  const fc = nyquist / rate; // cycles per sample at the intermediate rate
  const i0beta = besselI0(beta);
  const h = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const t = k - centre;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const r = t / centre;
    h[k] = sinc * (besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0beta);
  }
  const coefs = new Float64Array(n);
  for (let p = 0; p < up; p++) {
    let sum = 0;
    for (let j = 0; j < taps; j++) sum += h[p + j * up]!;
    for (let j = 0; j < taps; j++) coefs[p * taps + (taps - 1 - j)] = h[p + j * up]! / sum;
  }
  const stepIn = new Int32Array(up);
  const nextPhase = new Int32Array(up);
  for (let p = 0; p < up; p++) {
    stepIn[p] = Math.floor((p + down) / up);
    nextPhase[p] = (p + down) % up;
  }
  return { up, down, taps, coefs, stepIn, nextPhase, delayMs: (centre / rate) * 1000 };
}

function bankFor(fromHz: number, toHz: number): Bank {
  const key = `${fromHz}>${toHz}`;
  let bank = banks.get(key);
  if (!bank) {
    const ratio = RATIOS[key];
    if (!ratio) {
      throw new RangeError(
        `unsupported resampling ${fromHz} Hz → ${toHz} Hz: supported are 16000↔24000 and 8000↔24000`,
      );
    }
    bank = designBank(fromHz, toHz, ratio[0], ratio[1]);
    banks.set(key, bank);
  }
  return bank;
}

/** Typed-array views are host-endian; PCM16 is little-endian, so big-endian hosts take the byte-wise path. */
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The hot loop: `count` outputs into dst, the first at history index `pos` with phase `phase`.
 * A module-level function of plain arguments so V8 keeps everything in registers. Four
 * accumulators give independent add chains; the order of the sum is fixed, so the output is
 * bit-exact whatever the chunking.
 */
function convolve(bank: Bank, h: Float64Array, pos: number, phase: number, count: number, dst: Int16Array): void {
  const { taps, coefs, stepIn, nextPhase } = bank;
  const keep = taps - 1;
  for (let m = 0; m < count; m++) {
    const c = phase * taps;
    const s = pos - keep;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let j = 0; j < taps; j += 4) {
      a0 += coefs[c + j]! * h[s + j]!;
      a1 += coefs[c + j + 1]! * h[s + j + 1]!;
      a2 += coefs[c + j + 2]! * h[s + j + 2]!;
      a3 += coefs[c + j + 3]! * h[s + j + 3]!;
    }
    const y = Math.round(a0 + a1 + (a2 + a3));
    dst[m] = y > 32767 ? 32767 : y < -32768 ? -32768 : y;
    pos += stepIn[phase]!;
    phase = nextPhase[phase]!;
  }
}

/** One direction of one call: the shared bank plus this stream's history. */
class PolyphaseResampler implements StreamResampler {
  readonly delayMs: number;
  private readonly keep: number;
  /** [keep samples of history | the current chunk], as float64. */
  private hist: Float64Array;
  /** Index in hist of the newest input sample the next output needs. */
  private pos: number;
  /** The next output's polyphase branch. */
  private phase = 0;
  /** Aligned copy of an input at an odd byteOffset (or on a big-endian host). */
  private inScratch: Int16Array | undefined;
  /** Output staging when the output Buffer lands at an odd byteOffset (or on a big-endian host). */
  private outScratch: Int16Array | undefined;

  constructor(
    readonly fromHz: PcmRate,
    readonly toHz: PcmRate,
    private readonly bank: Bank,
  ) {
    this.delayMs = bank.delayMs;
    this.keep = bank.taps - 1;
    this.hist = new Float64Array(this.keep + fromHz / 50);
    this.pos = this.keep;
  }

  process(pcm: Buffer): Buffer {
    if ((pcm.length & 1) !== 0) throw new RangeError(`PCM16 needs an even byte length, got ${pcm.length} bytes`);
    const n = pcm.length >> 1;
    const { keep, bank } = this;
    if (this.hist.length < keep + n) {
      const grown = new Float64Array(keep + n);
      grown.set(this.hist.subarray(0, keep));
      this.hist = grown;
    }
    const h = this.hist;
    const src = this.int16View(pcm, n);
    for (let i = 0; i < n; i++) h[keep + i] = src[i]!;
    // Walk (position, phase) to count the outputs due; the walk ends where the next chunk starts.
    const last = keep + n - 1;
    let count = 0;
    let q = this.pos;
    let p = this.phase;
    while (q <= last) {
      q += bank.stepIn[p]!;
      p = bank.nextPhase[p]!;
      count++;
    }
    const out = Buffer.allocUnsafe(count * 2);
    const direct = LITTLE_ENDIAN && (out.byteOffset & 1) === 0;
    let dst: Int16Array;
    if (direct) dst = new Int16Array(out.buffer, out.byteOffset, count);
    else {
      if (!this.outScratch || this.outScratch.length < count) this.outScratch = new Int16Array(count);
      dst = this.outScratch;
    }
    convolve(bank, h, this.pos, this.phase, count, dst);
    if (!direct) for (let m = 0; m < count; m++) out.writeInt16LE(dst[m]!, 2 * m);
    h.copyWithin(0, n, n + keep); // the newest `keep` samples become the history
    this.pos = q - n;
    this.phase = p;
    return out;
  }

  reset(): void {
    this.hist.fill(0);
    this.pos = this.keep;
    this.phase = 0;
  }

  /** The chunk's samples as an Int16Array: a view when aligned on a little-endian host, else a copy. */
  private int16View(pcm: Buffer, n: number): Int16Array {
    if (LITTLE_ENDIAN && (pcm.byteOffset & 1) === 0) return new Int16Array(pcm.buffer, pcm.byteOffset, n);
    if (!this.inScratch || this.inScratch.length < n) this.inScratch = new Int16Array(n);
    const dst = this.inScratch;
    for (let i = 0; i < n; i++) dst[i] = pcm.readInt16LE(2 * i);
    return dst;
  }
}

/**
 * Create a streaming resampler for one direction of one call. The ratio's filter bank is
 * designed on first use and shared by every converter of that ratio.
 * @param fromHz input rate (Hz), @param toHz output rate (Hz): 16000→24000, 24000→16000,
 *   8000→24000 or 24000→8000.
 * @throws RangeError for any other pair (equal rates included: such audio passes through as is).
 */
export function createResampler(fromHz: PcmRate, toHz: PcmRate): StreamResampler {
  return new PolyphaseResampler(fromHz, toHz, bankFor(fromHz, toHz));
}
