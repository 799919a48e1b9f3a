/**
 * The conversation side of one call, kept by the call core for every leg: what the caller heard
 * of each assistant item (barge-in truncation), the turns as text (replayed into a new session),
 * voice-to-voice latency per turn, and the `transcript` / `call.barge_in` / `turn.latency` events.
 *
 * Events (NDJSON, all with `callId`):
 * - `call.barge_in` {itemId, heardMs, generatedMs, action: "truncate" | "delete"} per cut item;
 * - `transcript` {role: "caller" | "model", text, itemId?, time, truncated?}: final lines only; a
 *   model line whose item barge-in cut after it was reported comes again with the same `itemId`,
 *   the cut text and `truncated: true` (it replaces the first one);
 * - `turn.latency` {voiceToVoiceMs}: ms from `speech_stopped` to the first answer audio handed to the leg.
 */
import { ConversationLog } from './conversation.js';
import { TurnLatencies } from './latency.js';
import { PlaybackTracker } from './playback.js';
import type { AudioItemRef, ReplayTurn, Upstream } from './upstream.js';

/** What the conversation needs of its call. */
export interface CallConversationHost {
  callId: string;
  emit(type: string, data: Record<string, unknown>): void;
  /** The call's upstream (truncate / delete), once open. */
  upstream(): Upstream | undefined;
  /** A turn's voice-to-voice latency, for the bridge-wide figures. */
  onTurnLatency?(ms: number): void;
}

/** Per-call conversation state. */
export class CallConversation {
  private readonly playback: PlaybackTracker;
  private readonly log = new ConversationLog();
  private readonly latencies = new TurnLatencies();
  private speechStoppedAt: number | undefined;
  private truncations = 0;
  private deletions = 0;

  /**
   * @param sessionBytesPerMs bytes per ms of the session format (48 for PCM16 24 kHz, 8 for G.711).
   * @param legBytesPerMs bytes per ms of the leg format.
   */
  constructor(
    private readonly host: CallConversationHost,
    sessionBytesPerMs: number,
    legBytesPerMs: number,
  ) {
    this.playback = new PlaybackTracker(sessionBytesPerMs, legBytesPerMs);
  }

  /** Model audio arrived (`bytes` in the session format), before it goes to the leg. */
  generated(item: AudioItemRef | undefined, bytes: number): void {
    if (item?.itemId === undefined) return;
    if (this.playback.generated(item.itemId, item.contentIndex ?? 0, bytes)) this.log.itemStarted('assistant', item.itemId);
  }

  /** The leg accepted `bytes` (leg format) of model audio. */
  sent(bytes: number): void {
    const now = Date.now();
    this.playback.sent(bytes, now);
    if (this.speechStoppedAt !== undefined) {
      const ms = now - this.speechStoppedAt;
      this.speechStoppedAt = undefined;
      this.latencies.add(ms);
      this.host.onTurnLatency?.(ms);
      this.host.emit('turn.latency', { callId: this.host.callId, voiceToVoiceMs: ms });
    }
  }

  /**
   * Barge-in: work out what the caller heard (call before the leg drops its queue), then tell the
   * model: `conversation.item.truncate` to the heard length, or `conversation.item.delete` when
   * nothing was heard.
   * @param userItemId the caller's new item (`speech_started` `item_id`), to keep the turn order.
   */
  bargeIn(userItemId: string | undefined, legPlayedMs: number | undefined): void {
    const cuts = this.playback.bargeIn(Date.now(), legPlayedMs);
    this.speechStoppedAt = undefined;
    const upstream = this.host.upstream();
    for (const cut of cuts) {
      if (cut.heardMs > 0) {
        upstream?.truncate?.(cut.itemId, cut.contentIndex, cut.heardMs);
        this.truncations += 1;
      } else {
        upstream?.deleteItem?.(cut.itemId);
        this.deletions += 1;
      }
      const action = cut.heardMs > 0 ? 'truncate' : 'delete';
      this.host.emit('call.barge_in', { callId: this.host.callId, itemId: cut.itemId, heardMs: cut.heardMs, generatedMs: cut.generatedMs, action });
      const text = this.log.truncated(cut.itemId, cut.heardMs, cut.generatedMs);
      if (text !== undefined) this.emitTranscript('model', text, cut.itemId, true);
    }
    if (userItemId !== undefined) this.log.itemStarted('user', userItemId);
  }

  /** The model decided the caller stopped speaking: the turn's clock starts. */
  speechStopped(): void {
    this.speechStoppedAt = Date.now();
  }

  /** A final transcript line from the service. */
  transcript(role: 'caller' | 'model', text: string, itemId: string | undefined): void {
    const kept = this.log.transcript(role === 'caller' ? 'user' : 'assistant', text, itemId);
    if (kept === undefined) return; // an item the caller heard nothing of
    this.emitTranscript(role, kept, itemId, kept !== text);
  }

  /** A session opens (first, or after a reconnect): the turns to replay into it. */
  replay(): ReplayTurn[] {
    this.playback.forgetItems(); // a barge-in must not name an item of the old session
    return this.log.turns();
  }

  /** Figures for `call.ended`. */
  summary(): Record<string, number | null> {
    const l = this.latencies.summary();
    return { truncations: this.truncations, itemsDeleted: this.deletions, turns: l.turns, voiceToVoiceMedianMs: l.voiceToVoiceMedianMs, voiceToVoiceMaxMs: l.voiceToVoiceMaxMs };
  }

  private emitTranscript(role: 'caller' | 'model', text: string, itemId: string | undefined, truncated: boolean): void {
    this.host.emit('transcript', {
      callId: this.host.callId,
      role,
      text,
      ...(itemId !== undefined ? { itemId } : {}),
      time: new Date().toISOString(),
      ...(truncated ? { truncated: true } : {}),
    });
  }
}
