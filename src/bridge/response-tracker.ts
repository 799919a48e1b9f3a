/**
 * Which model responses are live, and which were cancelled by barge-in: the service keeps
 * sending deltas of a cancelled response for a while (they were in flight), and those must
 * never reach the caller.
 */

/** Response bookkeeping of one Realtime connection. */
export class ResponseTracker {
  /** A response is in progress (`response.created` seen, no `response.done` yet). */
  active = false;
  private activeId: string | undefined;
  /** A response without an id was cancelled: drop deltas without an id until the next one starts. */
  private dropUnknown = false;
  /** Cancelled response ids (bounded), kept after `response.done` for deltas still in flight. */
  private readonly cancelled = new Set<string>();

  /** `response.created`. */
  created(responseId: string | undefined): void {
    this.active = true;
    this.activeId = responseId;
    this.dropUnknown = false;
  }

  /** `response.done`: only the active response's ends it. */
  done(responseId: string | undefined): void {
    if (responseId === undefined || responseId === this.activeId) this.active = false;
  }

  /** Barge-in cancelled the active response: its deltas are late from now on. */
  cancel(): void {
    this.active = false;
    if (this.activeId !== undefined) {
      if (this.cancelled.size > 64) this.cancelled.clear();
      this.cancelled.add(this.activeId);
    } else {
      this.dropUnknown = true;
    }
  }

  /** A new connection: nothing is in progress on it. */
  reset(): void {
    this.active = false;
  }

  /** Deltas {@link isLate} found late (dropped), for the call's `lateDeltasDropped`. */
  lateDeltas = 0;

  /** True, and counted in {@link lateDeltas}, for a delta of a cancelled response (to be dropped). */
  isLate(responseId: string | undefined): boolean {
    // Most deltas arrive with nothing ever cancelled: no set lookup for those.
    const late = responseId !== undefined ? this.cancelled.size !== 0 && this.cancelled.has(responseId) : this.dropUnknown;
    if (late) this.lateDeltas += 1;
    return late;
  }
}
