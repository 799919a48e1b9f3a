/**
 * Streaming polyphase FIR resampling of PCM16 LE mono between the phone rates (8 kHz:
 * Asterisk slin, AudioSocket; 16 kHz: ACS `pcm16KMono`, Asterisk slin16) and the 24 kHz of the
 * Azure OpenAI Realtime API, for the fixed ratios 2:3, 3:2, 1:3 and 3:1. Pure: no I/O.
 *
 * Rational L/M resampling computed as a polyphase FIR: only the outputs that are kept are
 * computed and the zero-stuffed samples are never multiplied. The filters (Kaiser-windowed sinc,
 * cutoff at the lower rate's Nyquist, 100 dB stop band; see ./polyphase-bank.ts) are designed
 * once per ratio and shared by every converter; the inner loops are in ./polyphase-kernels.ts. Accumulation in float64; output rounded to
 * nearest and clipped to int16.
 *
 * A converter's own state is its input history (taps per phase − 1 samples, float64) plus
 * buffers sized to the largest chunk seen: a few kilobytes for 20 ms frames.
 */
import { endianness } from 'node:os';
import { bankFor, type Bank } from './polyphase-bank.js';
import { SPLIT_PAIR, convolve } from './polyphase-kernels.js';

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

/** Typed-array views are host-endian; PCM16 is little-endian, so big-endian hosts take the byte-wise path. */
const LITTLE_ENDIAN = endianness() === 'LE';

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
      const g = bank.groups[p]!.kind === 'pair+1' && q + 1 > last ? SPLIT_PAIR : bank.groups[p]!;
      count += g.outputs;
      q += g.step;
      p = g.next;
    }
    const out = Buffer.allocUnsafe(count * 2);
    const direct = LITTLE_ENDIAN && (out.byteOffset & 1) === 0;
    let dst: Int16Array;
    if (direct) dst = new Int16Array(out.buffer, out.byteOffset, count);
    else {
      if (!this.outScratch || this.outScratch.length < count) this.outScratch = new Int16Array(count);
      dst = this.outScratch;
    }
    convolve(bank, h, this.pos, this.phase, last, dst);
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
