/**
 * A call's conversation kept as text, for a Realtime session opened mid-call (after a dropped
 * socket, or when the service ends a session at its maximum duration), and the client events
 * that edit a conversation.
 *
 * Turns are ordered by when their item appeared (the caller's item at `speech_started`, the
 * assistant's at its first audio delta), not by when their transcript arrived: the caller's
 * transcription usually lands after the answer has started. A turn without text by replay time
 * is skipped.
 *
 * Barge-in: the service trims its own transcript of a truncated item, but the
 * `conversation.item.truncated` event it answers with carries no text (`item_id`,
 * `content_index`, `audio_end_ms` only). So the bridge trims its copy itself, proportionally:
 * the first `heardMs / generatedMs` of the text's characters, cut back to a word boundary. The
 * assistant transcript may arrive before or after the barge-in; both orders give the same turn.
 * An item the caller heard nothing of is dropped from the log.
 *
 * Sources: OpenAI / Azure OpenAI Realtime client events `conversation.item.create`
 * (`{"type":"message","role":"user","content":[{"type":"input_text","text":…}]}`; assistant
 * content `output_text` in GA, `text` in the preview), `conversation.item.truncate`,
 * `conversation.item.delete`.
 */
import type { RealtimeProtocol } from './realtime-protocol.js';
import type { ReplayTurn } from './upstream.js';

/** Budget of what is replayed: the most recent turns within both limits. */
export interface ConversationBudget {
  /** Most turns replayed (default 20). */
  maxTurns: number;
  /** Most characters of text replayed, all turns together (default 8000). */
  maxChars: number;
}

interface Slot {
  role: 'user' | 'assistant';
  itemId: string | undefined;
  text: string | undefined;
  /** Share of the item's audio the caller heard (0..1), when barge-in cut it. */
  heard?: number;
}

/** The text turns of one call, bounded. */
export class ConversationLog {
  private slots: Slot[] = [];
  /** Items the caller heard nothing of (deleted from the model's conversation): their late transcripts are dropped. */
  private readonly dropped = new Set<string>();
  private readonly budget: ConversationBudget;

  constructor(budget: Partial<ConversationBudget> = {}) {
    this.budget = { maxTurns: 20, maxChars: 8000, ...budget };
  }

  /** An item appeared (caller speech started, assistant audio began): reserve its place in the order. */
  itemStarted(role: 'user' | 'assistant', itemId: string): void {
    if (this.find(itemId)) return;
    this.push({ role, itemId, text: undefined });
  }

  /**
   * A final transcript: fills the item's slot, or appends a turn when the item is unknown.
   * @returns the text kept (cut when barge-in cut the item; undefined when the caller heard none of it).
   */
  transcript(role: 'user' | 'assistant', text: string, itemId?: string): string | undefined {
    if (itemId !== undefined && this.dropped.has(itemId)) return undefined;
    const slot = itemId !== undefined ? this.find(itemId) : undefined;
    if (slot) {
      slot.text = slot.heard !== undefined ? cutText(text, slot.heard) : text;
      return slot.text;
    }
    this.push({ role, itemId, text });
    return text;
  }

  /**
   * Barge-in cut an assistant item after `heardMs` of its `generatedMs` of audio: trim its text
   * to that share (now, or when the transcript arrives). `heardMs` 0 drops the item.
   * @returns the cut text when the transcript had already arrived (to correct a reported line), else undefined.
   */
  truncated(itemId: string, heardMs: number, generatedMs: number): string | undefined {
    if (heardMs <= 0) {
      this.slots = this.slots.filter((s) => s.itemId !== itemId);
      if (this.dropped.size >= 64) this.dropped.clear();
      this.dropped.add(itemId);
      return undefined;
    }
    let slot = this.find(itemId);
    if (!slot) this.push((slot = { role: 'assistant', itemId, text: undefined }));
    slot.heard = generatedMs > 0 ? Math.min(1, heardMs / generatedMs) : 1;
    if (slot.text === undefined) return undefined;
    slot.text = cutText(slot.text, slot.heard);
    return slot.text;
  }

  /**
   * The turns to replay, oldest first: the most recent whole turns within the budget (a latest
   * turn longer than the whole budget alone is kept as its last `maxChars` characters).
   */
  turns(): ReplayTurn[] {
    const out: ReplayTurn[] = [];
    let chars = 0;
    for (let i = this.slots.length - 1; i >= 0 && out.length < this.budget.maxTurns; i--) {
      const s = this.slots[i]!;
      if (!s.text) continue;
      const room = this.budget.maxChars - chars;
      // An older turn that does not fit ends the replay; only the latest one alone is cut (to its end).
      if (s.text.length > room && out.length > 0) break;
      const text = s.text.length > room ? s.text.slice(s.text.length - room) : s.text;
      chars += text.length;
      out.push({ role: s.role, text });
    }
    return out.reverse();
  }

  private find(itemId: string): Slot | undefined {
    for (let i = this.slots.length - 1; i >= 0; i--) if (this.slots[i]!.itemId === itemId) return this.slots[i];
    return undefined;
  }

  private push(slot: Slot): void {
    this.slots.push(slot);
    // Twice the turn budget: room for slots still waiting for text, memory bounded on long calls.
    if (this.slots.length > this.budget.maxTurns * 2) this.slots.splice(0, this.slots.length - this.budget.maxTurns * 2);
  }
}

/** The first `share` (0..1) of `text`, cut back to the last word boundary. */
export function cutText(text: string, share: number): string {
  if (share >= 1) return text;
  const n = Math.floor(text.length * share);
  if (n <= 0) return '';
  if (n >= text.length || /\s/.test(text[n]!)) return text.slice(0, n).trimEnd();
  const space = text.lastIndexOf(' ', n);
  return (space > 0 ? text.slice(0, space) : text.slice(0, n)).trimEnd();
}

/**
 * `conversation.item.create` for one replayed turn. User turns carry `input_text`; assistant
 * turns `output_text` (GA) or `text` (preview).
 */
export function itemCreateEvent(protocol: RealtimeProtocol, turn: ReplayTurn): string {
  const type = turn.role === 'user' ? 'input_text' : protocol === 'ga' ? 'output_text' : 'text';
  return JSON.stringify({ type: 'conversation.item.create', item: { type: 'message', role: turn.role, content: [{ type, text: turn.text }] } });
}

/** `conversation.item.truncate`: the caller heard the first `audioEndMs` ms (integer) of the item's audio. */
export function truncateEvent(itemId: string, contentIndex: number, audioEndMs: number): string {
  return JSON.stringify({ type: 'conversation.item.truncate', item_id: itemId, content_index: contentIndex, audio_end_ms: Math.floor(audioEndMs) });
}

/** `conversation.item.delete` of an item the caller heard nothing of. */
export function deleteItemEvent(itemId: string): string {
  return JSON.stringify({ type: 'conversation.item.delete', item_id: itemId });
}
