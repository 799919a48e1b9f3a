/**
 * The Call Automation state behind one async interface, so bridge replicas can share it.
 *
 * Two implementations: {@link MemoryCallStore} (state.ts, one process, the default) and the Redis
 * store (redis-store.ts, `VOICECTL_REDIS_URL`). Both fold events into a record with
 * {@link applyEvent}, so the flags, counters and verdicts are the same whichever store holds them.
 * Media never goes through the store: a media WebSocket is self-contained on the replica it reached.
 */
import type { Diagnosis } from './diagnose.js';
import type { CallEventRecord, CallRecord, LastFailure } from './state.js';

/** How long a call's state is kept after its last event (seconds): well past the longest call. */
export const CALL_STATE_TTL_S = 6 * 60 * 60;

/** What an IncomingCall answer or a callback knows about a call before its first event. */
export interface CallInit {
  direction?: CallRecord['direction'];
  /** Caller and callee as ACS reports them (raw ids or E.164), inbound calls only. */
  from?: string;
  to?: string;
}

/** An event to append: the stored fields minus `seq`, `time`, `callbackId`, plus record-level facts. */
export type NewCallEvent = Omit<CallEventRecord, 'seq' | 'time' | 'callbackId'> & {
  /** A diagnosis to copy into `cause` / `diagnosis` / `fix`. */
  diagnosisOf?: Diagnosis;
  /** ACS's correlation id from a callback, kept on the record (first one wins). */
  correlationId?: string;
};

/** Counters for `/api/health` (`acs.answered`, `acs.failed`, `acs.active`, `acs.lastCallbackFailure`). */
export interface CallStoreStats {
  /** Calls answered (ACS accepted the answer request). */
  answered: number;
  /** Calls with a failure event. */
  failed: number;
  /** Calls not yet ended that ACS accepted or connected. */
  active: number;
  lastFailure: LastFailure | undefined;
}

/**
 * Where the call records, callback events and long-polls live.
 * Every async method rejects with {@link CallStateUnavailableError} when the store cannot be reached
 * (the routes answer 503 then, and ACS / Event Grid retry).
 */
export interface CallStore {
  /** `memory` (one process) or `redis` (shared by replicas). */
  readonly kind: 'memory' | 'redis';
  /** Create the record for `callbackId` with `init` when it does not exist; no change otherwise. */
  ensure(callbackId: string, init?: CallInit): Promise<void>;
  /** The record (flags folded from its events), or undefined when unknown or expired. */
  get(callbackId: string): Promise<CallRecord | undefined>;
  /**
   * Append an event (creating the record when new), update the flags and counters, and wake every
   * long-poll of the call, on every replica.
   * @returns the stored event with its `seq` (position in the call's list) and `time` (ISO 8601).
   */
  record(callbackId: string, event: NewCallEvent): Promise<CallEventRecord>;
  /**
   * Long-poll: resolve once the call has more than `since` events, or after `waitMs` (ms).
   * @returns the events from `since` on (possibly none).
   */
  waitForEvents(callbackId: string, since: number, waitMs: number): Promise<CallEventRecord[]>;
  /** The counters, synchronously (the Redis store serves a copy at most a few seconds old). */
  stats(): CallStoreStats;
  /** Wake every long-poll of this process (shutdown). */
  wakeAll(): void;
  /** Wake the long-polls and release connections. Idempotent. */
  close(): Promise<void>;
}

/** The shared call state cannot be reached (Redis down); the request may be retried. */
export class CallStateUnavailableError extends Error {
  readonly code = 'VOICECTL_STATE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CallStateUnavailableError';
  }
}

/** A fresh record. */
export function newRecord(callbackId: string, init: CallInit = {}): CallRecord {
  const rec: CallRecord = {
    callbackId, direction: init.direction ?? 'unknown', connected: false, mediaStarted: false, ended: false, failed: false, events: [],
  };
  if (init.from) rec.from = init.from;
  if (init.to) rec.to = init.to;
  return rec;
}

/** The stored form of `event` at position `seq` of a call whose known connection id is `callConnectionId`. */
export function storedEvent(callbackId: string, seq: number, time: string, callConnectionId: string | undefined, event: NewCallEvent): CallEventRecord {
  const { diagnosisOf, correlationId: _c, ...rest } = event;
  return {
    seq,
    time,
    callbackId,
    ...(callConnectionId ? { callConnectionId } : {}),
    ...rest,
    ...(diagnosisOf ? { cause: diagnosisOf.cause, diagnosis: diagnosisOf.diagnosis, fix: diagnosisOf.fix } : {}),
  };
}

/** What appending one event changes beyond the record: the counters to bump and the failure to remember. */
export interface EventEffect {
  answered: boolean;
  /** The call's first failure (the `failed` counter counts calls, not events). */
  firstFailure: boolean;
  /** A failure event: the new `lastFailure`. */
  failure: LastFailure | undefined;
}

/**
 * Fold one stored event into `rec` (pushes it, sets the connection id and flags).
 * Pure apart from mutating `rec`; the one place both stores take their semantics from.
 */
export function applyEvent(rec: CallRecord, stored: CallEventRecord): EventEffect {
  if (stored.callConnectionId && !rec.callConnectionId) rec.callConnectionId = stored.callConnectionId;
  rec.events.push(stored);
  const effect: EventEffect = { answered: false, firstFailure: false, failure: undefined };
  switch (stored.type) {
    case 'call.answered':
      effect.answered = true;
      break;
    case 'call.connected':
      rec.connected = true;
      break;
    case 'media.started':
      rec.mediaStarted = true;
      break;
    case 'call.disconnected':
      rec.ended = true;
      break;
    case 'media.failed':
    case 'answer.failed':
    case 'create.failed':
      effect.firstFailure = !rec.failed;
      effect.failure = {
        time: stored.time,
        callbackId: rec.callbackId,
        event: stored.type,
        ...(stored.callConnectionId ? { callConnectionId: stored.callConnectionId } : {}),
        ...(stored.cause ? { cause: stored.cause } : {}),
        ...(stored.diagnosis ? { diagnosis: stored.diagnosis } : {}),
      };
      rec.failed = true;
      if (stored.type !== 'media.failed') rec.ended = true;
      break;
    default:
      break;
  }
  return effect;
}

/** True while the call counts as active: ACS accepted or connected it, and it has not ended or failed. */
export function isActive(rec: Pick<CallRecord, 'ended' | 'failed' | 'connected' | 'callConnectionId'>): boolean {
  return !rec.ended && !rec.failed && (rec.connected || rec.callConnectionId !== undefined);
}
