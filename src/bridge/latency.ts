/**
 * Voice-to-voice latency figures: per turn, the ms from the model's end-of-speech decision
 * (`input_audio_buffer.speech_stopped`) to the first audio byte of the answer handed to the
 * caller's leg. Per call (median, max) and across calls (p50, p95 over the most recent turns).
 */

/** The `p`-th percentile (0..100, nearest rank) of `values`; undefined when empty. Does not modify `values`. */
export function percentile(values: ArrayLike<number>, p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** The turns of one call. */
export class TurnLatencies {
  private readonly values: number[] = [];

  /** Record one turn (ms). A call keeps at most 10 000 turns (later ones are still emitted, not kept). */
  add(ms: number): void {
    if (this.values.length < 10_000) this.values.push(ms);
  }

  /** `{ turns, voiceToVoiceMedianMs, voiceToVoiceMaxMs }`; the figures are null without a turn. */
  summary(): { turns: number; voiceToVoiceMedianMs: number | null; voiceToVoiceMaxMs: number | null } {
    return {
      turns: this.values.length,
      voiceToVoiceMedianMs: percentile(this.values, 50) ?? null,
      voiceToVoiceMaxMs: this.values.length > 0 ? Math.max(...this.values) : null,
    };
  }
}

/** The most recent turns of all calls, in a fixed ring (default 1000). */
export class LatencyRing {
  private readonly ring: Float64Array;
  private size = 0;
  private next = 0;

  constructor(capacity = 1000) {
    this.ring = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.ring.length;
    if (this.size < this.ring.length) this.size += 1;
  }

  /** `{ turns, p50Ms, p95Ms }` over the ring (null figures without a turn). */
  summary(): { turns: number; p50Ms: number | null; p95Ms: number | null } {
    const values = this.ring.subarray(0, this.size);
    return { turns: this.size, p50Ms: percentile(values, 50) ?? null, p95Ms: percentile(values, 95) ?? null };
  }
}
