/**
 * Streaming PCM16 resampling for 16 kHz calls (16k → 24k toward the model, 24k → 16k toward
 * the caller), on `@alexanderolsen/libsamplerate-js` (libsamplerate compiled to WASM, BSD-2).
 *
 * Each {@link PcmResampler} wraps one libsamplerate `full()` converter, which keeps its filter
 * state between calls, so 20 ms frames join without clicks. One instance per call and
 * direction. The WASM module is loaded on first use only (a 24 kHz-only bridge never loads
 * it). The sinc converter is band-limited (anti-aliasing on the way down); the benchmark
 * `bench/bridge-load.mjs --snr` measures a 1 kHz tone through 16k → 24k.
 */
import { createRequire } from 'node:module';

/** Converter quality, libsamplerate's names. */
export type ResamplerQuality = 'sinc-best' | 'sinc-medium' | 'sinc-fastest';

const CONVERTER: Record<ResamplerQuality, 0 | 1 | 2> = { 'sinc-best': 0, 'sinc-medium': 1, 'sinc-fastest': 2 };

/** A stateful base64-PCM16 → base64-PCM16 sample-rate converter. */
export interface PcmResampler {
  readonly fromHz: number;
  readonly toHz: number;
  /**
   * Convert one chunk (base64 PCM16 LE mono). Output length follows the ratio over the
   * stream, not per chunk (the filter delays a few ms); an empty string when nothing is due yet.
   */
  process(b64: string): string;
  /** Free the WASM memory; idempotent. */
  destroy(): void;
}

interface SrcLike {
  full(dataIn: Float32Array, dataOut?: Float32Array | null, outLength?: { frames: number } | null): Float32Array;
  destroy(): void;
}
interface LibSampleRate {
  create(ch: number, inRate: number, outRate: number, o: { converterType: 0 | 1 | 2 }): Promise<SrcLike>;
}

let lib: LibSampleRate | undefined;

function loadLib(): LibSampleRate {
  // A CommonJS package; required on first use so the WASM (≈2 MB of JS) loads only for 16 kHz calls.
  lib ??= createRequire(import.meta.url)('@alexanderolsen/libsamplerate-js') as LibSampleRate;
  return lib;
}

/**
 * Create a streaming resampler.
 * @param fromHz input sample rate (Hz), @param toHz output sample rate (Hz).
 * @param quality libsamplerate converter (default `sinc-fastest`: ≈115 dB SNR on a 1 kHz tone,
 *   a fraction of a millisecond per 20 ms frame).
 */
export async function createPcmResampler(
  fromHz: number,
  toHz: number,
  quality: ResamplerQuality = 'sinc-fastest',
): Promise<PcmResampler> {
  const src = await loadLib().create(1, fromHz, toHz, { converterType: CONVERTER[quality] });
  let input = new Float32Array(0);
  let output = new Float32Array(0);
  const outLength = { frames: 0 };
  let destroyed = false;
  return {
    fromHz,
    toHz,
    process(b64) {
      if (destroyed) return '';
      const bytes = Buffer.from(b64, 'base64');
      const n = bytes.length >> 1;
      if (input.length < n) input = new Float32Array(n);
      for (let i = 0; i < n; i++) input[i] = bytes.readInt16LE(i * 2) / 32768;
      const maxOut = Math.ceil((n * toHz) / fromHz) + 64;
      if (output.length < maxOut) output = new Float32Array(maxOut);
      const out = src.full(input.subarray(0, n), output, outLength);
      const m = Math.min(outLength.frames, out.length);
      if (m === 0) return '';
      const pcm = Buffer.allocUnsafe(m * 2);
      for (let i = 0; i < m; i++) {
        const s = Math.round(out[i]! * 32768);
        pcm.writeInt16LE(s > 32767 ? 32767 : s < -32768 ? -32768 : s, i * 2);
      }
      return pcm.toString('base64');
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      src.destroy();
    },
  };
}
