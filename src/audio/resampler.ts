/**
 * Placeholder streaming resampler (linear interpolation) with the interface of the polyphase
 * FIR resampler that replaces it. Not band-limited: do not ship.
 */
export type PcmRate = 8000 | 16000 | 24000;

/** A streaming PCM16 LE mono sample-rate converter. */
export interface StreamResampler {
  readonly fromHz: PcmRate;
  readonly toHz: PcmRate;
  readonly delayMs: number;
  process(pcm: Buffer): Buffer;
  reset(): void;
}

/** Create a converter for one of the supported pairs (8k/16k ↔ 24k). */
export function createResampler(fromHz: PcmRate, toHz: PcmRate): StreamResampler {
  if (fromHz === toHz || (fromHz !== 24000 && toHz !== 24000)) throw new RangeError(`unsupported ${fromHz} → ${toHz}`);
  const step = fromHz / toHz;
  let pos = 0;
  let last = 0;
  return {
    fromHz,
    toHz,
    delayMs: 0,
    process(pcm) {
      const n = pcm.length >> 1;
      const out: number[] = [];
      const at = (i: number): number => (i < 0 ? last : pcm.readInt16LE(i * 2));
      while (pos < n - 1) {
        const i = Math.floor(pos);
        const f = pos - i;
        out.push(Math.round(at(i) * (1 - f) + at(i + 1) * f));
        pos += step;
      }
      pos -= n;
      if (n > 0) last = pcm.readInt16LE((n - 1) * 2);
      const b = Buffer.allocUnsafe(out.length * 2);
      out.forEach((s, k) => b.writeInt16LE(s, k * 2));
      return b;
    },
    reset() {
      pos = 0;
      last = 0;
    },
  };
}
