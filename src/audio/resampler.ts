/**
 * Streaming polyphase FIR resampling of PCM16 LE mono between the phone rates (8 kHz:
 * Asterisk slin, AudioSocket; 16 kHz: ACS `pcm16KMono`, Asterisk slin16) and the 24 kHz of the
 * Azure OpenAI Realtime API, for the fixed ratios 2:3, 3:2, 1:3 and 3:1. Pure: no I/O.
 *
 * Rational L/M resampling computed as a polyphase FIR: only the outputs that are kept are
 * computed and the zero-stuffed samples are never multiplied. The filters (Kaiser-windowed sinc,
 * cutoff at the lower rate's Nyquist, 100 dB stop band; see ./polyphase-bank.ts) are designed
 * once per ratio and shared by every converter; the dot products run in a WebAssembly SIMD
 * kernel (./fir.wat, 8 taps per step in f32) instantiated once per process (./fir-kernel.ts).
 * Output rounded to nearest (ties to even) and clipped to int16.
 *
 * A converter's own state is its input history: taps per phase − 1 samples as f32, 0.2–0.5 KB.
 */
import { KERNEL_CHUNK, firKernel, type FirKernel, type KernelBank } from './fir-kernel.js';
import { bankFor, type Bank } from './polyphase-bank.js';

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
  /**
   * {@link process} for base64 PCM16 (an ACS, Twilio or Realtime payload): decoded straight
   * into the shared kernel's memory and the output encoded straight from it, with no Buffer
   * allocated on the way. Characters outside the base64 alphabet are skipped, as
   * `Buffer.from(b64, 'base64')` does (callers pass validated payloads).
   * @returns the output as base64 ('' when the chunk completed no output sample).
   * @throws RangeError when the decoded byte length is odd.
   */
  processBase64(b64: string): string;
  /** Forget the history (e.g. after a barge-in flush): the next chunk starts as the first did. */
  reset(): void;
}

/** One direction of one call: the shared bank and kernel, plus this stream's history. */
class PolyphaseResampler implements StreamResampler {
  readonly delayMs: number;
  private readonly kb: KernelBank;
  /** The newest taps − 1 input samples, as f32 (the kernel's window starts with them). */
  private readonly hist: Float32Array;
  /** Window index of the newest input sample the next output needs. */
  private pos: number;
  /** The next output's polyphase branch. */
  private phase = 0;

  constructor(
    readonly fromHz: PcmRate,
    readonly toHz: PcmRate,
    bank: Bank,
    private readonly kernel: FirKernel,
  ) {
    this.delayMs = bank.delayMs;
    this.kb = kernel.place(bank);
    this.hist = new Float32Array(bank.taps - 1);
    this.pos = bank.taps - 1;
  }

  process(pcm: Buffer): Buffer {
    if ((pcm.length & 1) !== 0) throw new RangeError(`PCM16 needs an even byte length, got ${pcm.length} bytes`);
    if (pcm.length <= KERNEL_CHUNK * 2) return this.piece(pcm);
    const parts: Buffer[] = [];
    for (let o = 0; o < pcm.length; o += KERNEL_CHUNK * 2) parts.push(this.piece(pcm.subarray(o, o + KERNEL_CHUNK * 2)));
    return Buffer.concat(parts);
  }

  processBase64(b64: string): string {
    // Over a kernel call's worth (rare: a frame is at most a few kilobytes), the general path.
    if (b64.length > ((KERNEL_CHUNK * 2) / 3) * 4) return this.process(Buffer.from(b64, 'base64')).toString('base64');
    const bytes = this.kernel.inputBuffer.write(b64, 0, 'base64');
    if ((bytes & 1) !== 0) throw new RangeError(`PCM16 needs an even byte length, got ${bytes} bytes`);
    const r = this.kernel.resampleStaged(this.kb, this.hist, bytes >> 1, this.pos, this.phase);
    this.pos = r.pos - (bytes >> 1);
    this.phase = r.phase;
    return this.kernel.outputBase64(r.count);
  }

  reset(): void {
    this.hist.fill(0);
    this.pos = this.hist.length;
    this.phase = 0;
  }

  /** One piece of at most KERNEL_CHUNK samples through the kernel; a fresh Buffer out. */
  private piece(pcm: Buffer): Buffer {
    const n = pcm.length >> 1;
    const r = this.kernel.resample(this.kb, this.hist, pcm, this.pos, this.phase);
    this.pos = r.pos - n;
    this.phase = r.phase;
    const out = Buffer.allocUnsafe(r.count * 2);
    out.set(this.kernel.output(r.count));
    return out;
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
  return new PolyphaseResampler(fromHz, toHz, bankFor(fromHz, toHz), firKernel());
}
