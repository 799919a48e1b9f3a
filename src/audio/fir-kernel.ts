/**
 * The resampler's SIMD kernel (./fir.wat, shipped as ./fir-wasm.ts): one WebAssembly instance
 * per process, shared by every converter, and the layout of its memory.
 *
 * Memory (bytes): [0, 8) the kernel's result words (next position, next phase); then every
 * ratio's coefficient rows as f32 (placed on first use, a few hundred bytes each); then one
 * scratch area used by one call at a time: the f32 window (history + input), the int16 input
 * and the int16 output. Converters keep their own history outside, as a small Float32Array,
 * and copy it in and out around a call, so the shared instance holds no per-call state (the
 * copies move bytes, so the history round-trips exactly on any host; coefficients and result
 * words go through a little-endian DataView).
 */
import type { Bank } from './polyphase-bank.js';
import { FIR_WASM_BASE64 } from './fir-wasm.js';

/** Input samples one kernel call takes at most; longer chunks are cut into pieces this long. */
export const KERNEL_CHUNK = 4096;

/** Most taps per phase of any bank (the 24k → 8k bank has 136): sizes the window. */
const MAX_TAPS = 256;
/** Bytes reserved for coefficient rows (4 banks × at most MAX_TAPS · 3 f32). */
const COEF_BYTES = 4 * 3 * MAX_TAPS * 4;
const COEF_BASE = 64;
const X_BASE = COEF_BASE + COEF_BYTES;
const SRC_BASE = X_BASE + (MAX_TAPS + KERNEL_CHUNK) * 4;
const OUT_BASE = SRC_BASE + KERNEL_CHUNK * 2;
/** Outputs per call are at most ceil(n · 3) (the 8k → 24k ratio). */
const END = OUT_BASE + (3 * KERNEL_CHUNK + 3) * 2;

/** The slice of the WebAssembly JS API used here (TypeScript's Node types do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

type ResampleExport = (
  coef: number, taps: number, up: number, down: number,
  x: number, src: number, n: number, pos: number, phase: number, out: number,
) => number;

/** A bank placed in the kernel's memory. */
export interface KernelBank {
  readonly bank: Bank;
  /** Byte offset of its f32 rows in the kernel's memory. */
  readonly coefAt: number;
}

/** What one kernel call produced: `count` int16 outputs, and where the stream goes on. */
export interface KernelRun {
  /** Outputs written (int16 samples). */
  readonly count: number;
  /** Window index of the next output's newest input sample (taps − 1 + n when it is the chunk's next sample). */
  readonly pos: number;
  /** The next output's phase. */
  readonly phase: number;
}

/** The process-wide kernel instance and its memory views. */
export class FirKernel {
  private readonly run: ResampleExport;
  private readonly bytes: Uint8Array;
  private readonly floats: Float32Array;
  /** Little-endian access to the result words and coefficient rows (WebAssembly memory is LE; typed arrays are host-endian). */
  private readonly le: DataView;
  private readonly inView: Buffer;
  private readonly outView: Buffer;
  private nextCoef = COEF_BASE;
  private readonly placed = new Map<Bank, KernelBank>();

  constructor() {
    const module = new WebAssembly.Module(Buffer.from(FIR_WASM_BASE64, 'base64'));
    const instance = new WebAssembly.Instance(module, {});
    const memory = instance.exports.memory as WasmMemory;
    const pages = Math.ceil(END / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    this.run = instance.exports.resample as ResampleExport;
    this.bytes = new Uint8Array(memory.buffer);
    this.floats = new Float32Array(memory.buffer);
    this.le = new DataView(memory.buffer);
    this.inView = Buffer.from(memory.buffer, SRC_BASE, KERNEL_CHUNK * 2);
    this.outView = Buffer.from(memory.buffer, OUT_BASE, END - OUT_BASE);
  }

  /** The bank's rows in kernel memory (copied as f32 on first use; shared by every converter). */
  place(bank: Bank): KernelBank {
    let placed = this.placed.get(bank);
    if (!placed) {
      if (bank.taps > MAX_TAPS || this.nextCoef + bank.coefs.length * 4 > X_BASE) {
        throw new RangeError(`resampler kernel: no room for a bank of ${bank.up} × ${bank.taps} taps`);
      }
      for (let i = 0; i < bank.coefs.length; i++) this.le.setFloat32(this.nextCoef + 4 * i, bank.coefs[i]!, true);
      placed = { bank, coefAt: this.nextCoef };
      this.nextCoef += bank.coefs.length * 4;
      this.placed.set(bank, placed);
    }
    return placed;
  }

  /**
   * Resample one piece: `history` (taps − 1 f32 samples, oldest first) then `input` (n ≤
   * {@link KERNEL_CHUNK} PCM16 LE samples, any byteOffset) through the bank from (pos, phase).
   * The outputs are left in {@link output}; `history` is updated to the newest taps − 1 samples.
   */
  resample(kb: KernelBank, history: Float32Array, input: Uint8Array, pos: number, phase: number): KernelRun {
    this.bytes.set(input, SRC_BASE);
    return this.resampleStaged(kb, history, input.length >> 1, pos, phase);
  }

  /**
   * As {@link resample}, for n samples already written to {@link inputBuffer} (e.g. decoded
   * from base64 straight into it).
   */
  resampleStaged(kb: KernelBank, history: Float32Array, n: number, pos: number, phase: number): KernelRun {
    const { bank } = kb;
    this.floats.set(history, X_BASE / 4);
    const count = this.run(kb.coefAt, bank.taps, bank.up, bank.down, X_BASE, SRC_BASE, n, pos, phase, OUT_BASE);
    const from = X_BASE / 4 + n;
    history.set(this.floats.subarray(from, from + history.length));
    return { count, pos: this.le.getInt32(0, true), phase: this.le.getInt32(4, true) };
  }

  /** The int16 LE bytes of the last call's `count` outputs (a view: copy before the next call). */
  output(count: number): Uint8Array {
    return this.bytes.subarray(OUT_BASE, OUT_BASE + count * 2);
  }

  /** The kernel's input area as a Buffer ({@link KERNEL_CHUNK} · 2 bytes) to decode a chunk into. */
  get inputBuffer(): Buffer {
    return this.inView;
  }

  /** base64 of the last call's `count` outputs, encoded straight from the kernel's memory. */
  outputBase64(count: number): string {
    return this.outView.toString('base64', 0, count * 2);
  }
}

let shared: FirKernel | undefined;

/** The process's kernel, compiled on first use (about a millisecond). */
export function firKernel(): FirKernel {
  shared ??= new FirKernel();
  return shared;
}
