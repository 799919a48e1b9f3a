/**
 * What the caller has heard of the model's audio, per assistant item, so a barge-in can tell
 * the model where its answer was cut (`conversation.item.truncate` `audio_end_ms`).
 *
 * One timeline per call, in ms of audio handed to the leg (leg format): each item starts where
 * the audio handed before it ends. The play position on that timeline comes from the leg when
 * it knows it ({@link MediaLegPlayback.playedMs}: Twilio mark echoes, the AudioSocket leg's
 * own pacing, the Asterisk leg's playout-queue estimate), else from a real-time playout clock:
 * the leg plays what it is handed at 1 ms per ms, starting when the audio arrives or when what
 * was handed before it has finished (ACS media streaming reports no position). For one item
 * handed faster than real time into an idle leg, that is the time since its first audio was
 * sent, capped at the audio sent.
 *
 * The heard length of an item never exceeds the audio the model generated for it (in ms of the
 * session format): the service rejects a longer `audio_end_ms` ("Audio content of X ms is
 * already shorter than Y ms"). Per-delta work is a few additions.
 */

/** Where an item was cut: what a barge-in reports and sends. */
export interface ItemCut {
  itemId: string;
  contentIndex: number;
  /** ms of the item the caller heard (integer, ≤ `generatedMs`); 0: delete the item. */
  heardMs: number;
  /** ms of audio the model generated for the item so far (session format). */
  generatedMs: number;
}

interface Item {
  itemId: string;
  contentIndex: number;
  /** Session-format bytes received from the model. */
  generatedBytes: number;
  /** Timeline position (ms) where the item's audio starts. */
  startMs: number;
  /** ms of the item handed to the leg. */
  sentMs: number;
}

/** The items a barge-in may still cut: the recent ones (a response rarely has more than one audio item). */
const MAX_ITEMS = 4;

/** Per-call playback accounting. */
export class PlaybackTracker {
  private items: Item[] = [];
  private current: Item | undefined;
  /** Timeline length: ms of audio handed to the leg since the last resync. */
  private sentMs = 0;
  /** Wall clock (ms) when everything handed to the leg has played, by the real-time estimate. */
  private playoutEnd = 0;

  /**
   * @param sessionBytesPerMs bytes per ms of the session format (PCM16 24 kHz: 48; G.711: 8).
   * @param legBytesPerMs bytes per ms of the leg format (PCM16 16 kHz: 32; μ-law: 8).
   */
  constructor(
    private readonly sessionBytesPerMs: number,
    private readonly legBytesPerMs: number,
  ) {}

  /**
   * Model audio of `itemId` arrived: `bytes` in the session format.
   * @returns true when this is the item's first audio.
   */
  generated(itemId: string, contentIndex: number, bytes: number): boolean {
    let first = false;
    let item = this.current;
    if (!item || item.itemId !== itemId || item.contentIndex !== contentIndex) {
      item = this.items.find((i) => i.itemId === itemId && i.contentIndex === contentIndex);
      if (!item) {
        item = { itemId, contentIndex, generatedBytes: 0, startMs: this.sentMs, sentMs: 0 };
        first = true;
        this.items.push(item);
        if (this.items.length > MAX_ITEMS) this.items.shift();
      }
      this.current = item;
    }
    item.generatedBytes += bytes;
    return first;
  }

  /** The leg accepted `bytes` (leg format) of the current item's audio at wall clock `now` (ms). */
  sent(bytes: number, now: number): void {
    const ms = bytes / this.legBytesPerMs;
    this.sentMs += ms;
    this.playoutEnd = Math.max(this.playoutEnd, now) + ms;
    if (this.current) this.current.sentMs += ms;
  }

  /**
   * Play position on the timeline (ms): the leg's report when given (cumulative ms played since
   * the leg started, on the same timeline), else the real-time playout estimate.
   */
  playedMs(now: number, legPlayedMs?: number): number {
    if (legPlayedMs !== undefined) return Math.min(legPlayedMs, this.sentMs);
    return this.sentMs - Math.max(0, this.playoutEnd - now);
  }

  /** A new session: the items of the old one no longer exist there (the timeline stays). */
  forgetItems(): void {
    this.items = [];
    this.current = undefined;
  }

  /**
   * Barge-in at `now`: the items whose audio the caller had not all heard, with what they
   * heard, oldest first. The leg's queue is dropped by the caller of this method, so the
   * timeline restarts at the play position.
   */
  bargeIn(now: number, legPlayedMs?: number): ItemCut[] {
    const played = this.playedMs(now, legPlayedMs);
    const cuts: ItemCut[] = [];
    for (const item of this.items) {
      const generatedMs = Math.floor(item.generatedBytes / this.sessionBytesPerMs);
      const heardMs = Math.min(generatedMs, Math.max(0, Math.floor(Math.min(played - item.startMs, item.sentMs))));
      // Nothing left unheard (every generated ms played): the model's item is what the caller heard.
      if (heardMs >= generatedMs) continue;
      cuts.push({ itemId: item.itemId, contentIndex: item.contentIndex, heardMs, generatedMs });
    }
    this.items = [];
    this.current = undefined;
    this.sentMs = Math.max(0, played);
    this.playoutEnd = now;
    return cuts;
  }
}
