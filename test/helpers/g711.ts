/**
 * G.711 μ-law and A-law for tests (ITU-T G.711, the classic Sun reference algorithm): encode
 * PCM16 samples to 8-bit codes and back, so tests can send a tone as μ-law and check what
 * the model (or the caller) heard.
 */

/** PCM16 sample → μ-law byte. */
export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, sample));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** μ-law byte → PCM16 sample. */
export function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** PCM16 sample → A-law byte. */
export function linearToAlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, sample)) >> 3;
  let mask = 0xd5;
  if (s < 0) {
    mask = 0x55;
    s = -s - 1;
  }
  const seg = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff].findIndex((end) => s <= end);
  if (seg < 0) return 0x7f ^ mask;
  const aval = (seg << 4) | (seg < 2 ? (s >> 1) & 0x0f : (s >> seg) & 0x0f);
  return aval ^ mask;
}

/** A-law byte → PCM16 sample. */
export function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

/** Encode base64-free: PCM16 samples → G.711 bytes. */
export function encodeG711(samples: Int16Array, law: 'ulaw' | 'alaw'): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = law === 'ulaw' ? linearToUlaw(samples[i]!) : linearToAlaw(samples[i]!);
  return out;
}

/** G.711 bytes → PCM16 samples. */
export function decodeG711(bytes: Buffer, law: 'ulaw' | 'alaw'): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = law === 'ulaw' ? ulawToLinear(bytes[i]!) : alawToLinear(bytes[i]!);
  return out;
}

/** A tone as PCM16 samples: `hz` at `rate` for `ms`, amplitude `amp` (0..1). */
export function toneSamples(rate: number, hz: number, ms: number, amp = 0.5): Int16Array {
  const n = Math.round((rate * ms) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * amp * 32767);
  return out;
}
