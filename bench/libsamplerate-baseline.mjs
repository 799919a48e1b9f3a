// The libsamplerate-js wrapper the bridge used before its own polyphase resampler: kept here as
// the same-run baseline of bench/resampler.mjs (libsamplerate compiled to WASM, one converter per
// call and direction, base64 PCM16 in and out).
import { createRequire } from 'node:module';

const CONVERTER = { 'sinc-best': 0, 'sinc-medium': 1, 'sinc-fastest': 2 };
let lib;
const loadLib = () => (lib ??= createRequire(import.meta.url)('@alexanderolsen/libsamplerate-js'));

/** A stateful base64-PCM16 → base64-PCM16 converter (libsamplerate `full()`). */
export async function createPcmResampler(fromHz, toHz, quality = 'sinc-fastest') {
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
        const s = Math.round(out[i] * 32768);
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
