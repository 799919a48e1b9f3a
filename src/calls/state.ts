/**
 * Per-call state the bridge keeps itself, from the answer result and the callbacks (ACS answers
 * before the call is connected, and callbacks may arrive in any order: the media socket can open
 * before `CallConnected`): the record and event types, the verdict, and the in-memory store.
 */
import type { CallEventName } from './callback-events.js';
import {
  applyEvent, isActive, newRecord, storedEvent, type CallInit, type CallStore, type CallStoreStats, type NewCallEvent,
} from './store.js';

/** Event names recorded for a call: the callback names plus voicectl's own steps. */
export type CallRecordEventName = CallEventName | 'call.incoming' | 'call.answered' | 'call.placed';

/** One recorded event, as served by `GET /api/calls/...` and emitted as NDJSON. */
export interface CallEventRecord {
  /** 0-based position in the call's event list. */
  seq: number;
  type: CallRecordEventName;
  /** ISO 8601. */
  time: string;
  /**
   * voicectl's own id for this ACS call (a UUID): the `<callbackId>` in its callback URL
   * `/api/callbacks/<callbackId>/<token>` and in `GET /api/calls/<callbackId>/<token>`. Not the
   * bridge's media `callId` (one per media WebSocket, e.g. `c3-1a2b`).
   */
  callbackId: string;
  /**
   * ACS's call connection id, once ACS has told it. The join key with the bridge's media events:
   * it equals `connectionId` of the media `call.started` event (the `x-ms-call-connection-id` header).
   */
  callConnectionId?: string;
  /** ACS callback type, e.g. `MediaStreamingFailed`. */
  acsType?: string;
  resultCode?: number;
  subCode?: number;
  message?: string;
  streamingDetails?: string;
  /** Present on failures. */
  cause?: string;
  diagnosis?: string;
  fix?: string;
}

/** What is known about one call. */
export interface CallRecord {
  /** voicectl's id for the call (see {@link CallEventRecord.callbackId}). */
  callbackId: string;
  direction: 'inbound' | 'outbound' | 'unknown';
  from?: string;
  to?: string;
  callConnectionId?: string;
  correlationId?: string;
  connected: boolean;
  mediaStarted: boolean;
  ended: boolean;
  failed: boolean;
  events: CallEventRecord[];
}

/** The outcome of a call so far, or `undefined` while pending. */
export interface CallVerdict {
  ok: boolean;
  /** `media` for success; for failure the step that failed: `create`, `answer`, `media`, `call`. */
  step: 'create' | 'answer' | 'media' | 'call';
  summary: string;
  cause?: string;
  diagnosis?: string;
  fix?: string;
}

/** The verdict of an event list: success once connected and media started; the first failure otherwise. */
export function verdictOf(events: readonly Pick<CallEventRecord, 'type' | 'cause' | 'diagnosis' | 'fix'>[]): CallVerdict | undefined {
  let connected = false;
  let media = false;
  for (const e of events) {
    if (e.type === 'create.failed' || e.type === 'answer.failed' || e.type === 'media.failed') {
      const step = e.type === 'create.failed' ? 'create' : e.type === 'answer.failed' ? 'answer' : 'media';
      return {
        ok: false,
        step,
        summary: `${step === 'create' ? 'placing the call' : step === 'answer' ? 'answering the call' : 'media streaming'} failed`,
        ...(e.cause ? { cause: e.cause } : {}),
        ...(e.diagnosis ? { diagnosis: e.diagnosis } : {}),
        ...(e.fix ? { fix: e.fix } : {}),
      };
    }
    if (e.type === 'call.connected') connected = true;
    if (e.type === 'media.started') media = true;
    if (connected && media) return { ok: true, step: 'media', summary: 'connected and media started' };
    if (e.type === 'call.disconnected') {
      return {
        ok: false,
        step: 'call',
        summary: connected ? 'the call ended before media started' : 'the call ended before it connected',
        cause: 'ended-early',
        diagnosis: e.diagnosis ?? (connected ? 'The call was connected but hung up before ACS reported media streaming.' : 'The call ended before ACS reported it connected.'),
        fix: e.fix ?? 'Watch the bridge log (`voicectl bridge --json`) for the call, and accept the call on the target.',
      };
    }
  }
  return undefined;
}

/** The last failure a callback reported, for `/api/health`. */
export interface LastFailure {
  time: string;
  callbackId: string;
  callConnectionId?: string;
  event: string;
  cause?: string;
  diagnosis?: string;
}

/**
 * The in-memory call store (one process; the default without `VOICECTL_REDIS_URL`).
 * Bounded: at most `maxCalls` records, oldest finished ones dropped first. Never rejects.
 */
export class MemoryCallStore implements CallStore {
  readonly kind = 'memory';
  private readonly calls = new Map<string, CallRecord>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly maxCalls: number;
  private readonly now: () => Date;
  private answered = 0;
  private failed = 0;
  private lastFailure: LastFailure | undefined;

  /** @param maxCalls records kept (default 1000). @param now clock (tests). */
  constructor(options: { maxCalls?: number; now?: () => Date } = {}) {
    this.maxCalls = options.maxCalls ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  async get(callbackId: string): Promise<CallRecord | undefined> {
    return this.calls.get(callbackId);
  }

  async ensure(callbackId: string, init: CallInit = {}): Promise<void> {
    this.ensureSync(callbackId, init);
  }

  async record(callbackId: string, event: NewCallEvent): Promise<CallEventRecord> {
    const rec = this.ensureSync(callbackId);
    const stored = storedEvent(callbackId, rec.events.length, this.now().toISOString(), rec.callConnectionId, event);
    const effect = applyEvent(rec, stored);
    if (event.correlationId && !rec.correlationId) rec.correlationId = event.correlationId;
    if (effect.answered) this.answered += 1;
    if (effect.firstFailure) this.failed += 1;
    if (effect.failure) this.lastFailure = effect.failure;
    for (const wake of this.waiters.get(callbackId) ?? []) wake();
    return stored;
  }

  async waitForEvents(callbackId: string, since: number, waitMs: number): Promise<CallEventRecord[]> {
    const have = (): CallEventRecord[] => (this.calls.get(callbackId)?.events ?? []).slice(since);
    if (have().length > 0 || waitMs <= 0) return have();
    await new Promise<void>((resolve) => {
      let set = this.waiters.get(callbackId);
      if (!set) this.waiters.set(callbackId, (set = new Set()));
      const done = (): void => {
        clearTimeout(timer);
        set!.delete(done);
        if (set!.size === 0) this.waiters.delete(callbackId);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      set.add(done);
    });
    return have();
  }

  stats(): CallStoreStats {
    let active = 0;
    for (const c of this.calls.values()) if (isActive(c)) active += 1;
    return { answered: this.answered, failed: this.failed, active, lastFailure: this.lastFailure };
  }

  wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }

  async close(): Promise<void> {
    this.wakeAll();
  }

  private ensureSync(callbackId: string, init: CallInit = {}): CallRecord {
    let rec = this.calls.get(callbackId);
    if (!rec) {
      rec = newRecord(callbackId, init);
      this.calls.set(callbackId, rec);
      this.prune();
    }
    return rec;
  }

  private prune(): void {
    if (this.calls.size <= this.maxCalls) return;
    for (const [id, c] of this.calls) {
      if (this.calls.size <= this.maxCalls) break;
      if (c.ended || c.failed) this.calls.delete(id);
    }
    while (this.calls.size > this.maxCalls) {
      const first = this.calls.keys().next().value as string;
      this.calls.delete(first);
    }
  }
}
