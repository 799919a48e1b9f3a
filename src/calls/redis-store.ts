/**
 * The Redis call store (`VOICECTL_REDIS_URL`): bridge replicas share the call records, callback
 * events and long-polls, so a callback or `voicectl call`'s long-poll can reach any replica.
 *
 * Keys (all under `voicectl:`, each refreshed to expire {@link CALL_STATE_TTL_S} after its last write;
 * no access key, token or secret is ever stored):
 * - `voicectl:call:<callbackId>`: hash `direction`, `from`, `to`, `callConnectionId`, `correlationId`;
 * - `voicectl:call:<callbackId>:events`: list of JSON events (a list position is the event's `seq`);
 * - `voicectl:stats`: hash `answered`, `failed`, `lastFailure` (JSON);
 * - `voicectl:active`: sorted set of active callbackIds, scored by last change (ms since epoch).
 * Pub/sub channel `voicectl:call-events` carries the callbackId of every appended event: it wakes
 * the long-polls on every replica (no polling).
 *
 * Commands are not queued while Redis is unreachable: they reject at once with
 * {@link CallStateUnavailableError} (the routes answer 503) and the client reconnects in the background.
 * Requires Redis 6+ (node-redis client).
 */
import { createClient } from 'redis';
import { UserError } from '../core/errors.js';
import {
  CALL_STATE_TTL_S, CallStateUnavailableError, applyEvent, isActive, newRecord, storedEvent,
  type CallInit, type CallStore, type CallStoreStats, type NewCallEvent,
} from './store.js';
import type { CallEventRecord, CallRecord, LastFailure } from './state.js';

/** Key prefix of everything voicectl writes. */
export const REDIS_PREFIX = 'voicectl:';
/** The pub/sub channel of appended events (message: the callbackId). */
export const EVENTS_CHANNEL = `${REDIS_PREFIX}call-events`;
const STATS_KEY = `${REDIS_PREFIX}stats`;
const ACTIVE_KEY = `${REDIS_PREFIX}active`;
const metaKey = (id: string): string => `${REDIS_PREFIX}call:${id}`;
const eventsKey = (id: string): string => `${REDIS_PREFIX}call:${id}:events`;

/** Options of {@link connectRedisCallStore}. */
export interface RedisCallStoreOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…`. */
  url: string;
  /** Key lifetime after the last write (seconds, default {@link CALL_STATE_TTL_S}). */
  ttlS?: number;
  /** Connect timeout at start-up (ms, default 5000). */
  connectTimeoutMs?: number;
  /** Longest wait between reconnect attempts (ms, default 2000). */
  maxReconnectDelayMs?: number;
  /** Outage and recovery notices: `state.unavailable` {message} / `state.restored` {}. */
  onEvent?: (type: string, data: Record<string, unknown>) => void;
  /** Clock (tests). */
  now?: () => Date;
}

/** `host:port` of a Redis URL, without user, password or path (safe to print). */
export function redisTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return '<unparsable VOICECTL_REDIS_URL>';
  }
}

type Client = ReturnType<typeof createClient>;

/**
 * Connect to Redis and return the shared store.
 * @throws UserError `VOICECTL_REDIS_UNREACHABLE` (exit 1) naming VOICECTL_REDIS_URL when the URL is
 *   not a redis:// / rediss:// URL or Redis cannot be reached at start-up (the password never appears).
 */
export async function connectRedisCallStore(options: RedisCallStoreOptions): Promise<CallStore> {
  const target = redisTarget(options.url);
  const fail = (why: string, cause?: unknown): UserError =>
    new UserError(`Cannot reach Redis at ${target} (VOICECTL_REDIS_URL): ${why}`, {
      code: 'VOICECTL_REDIS_UNREACHABLE',
      hint: 'Start Redis 6+ and set VOICECTL_REDIS_URL=redis://[:password@]host:6379, or unset it to keep call state in this process only.',
      ...(cause ? { cause } : {}),
    });
  if (!/^rediss?:\/\//i.test(options.url)) throw fail('the URL must start with redis:// or rediss://');
  let connectedOnce = false;
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const make = (): Client =>
    createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.connectTimeoutMs ?? 5000,
        // At start-up, give up at once (the bridge exits 1); later, retry with a capped backoff.
        reconnectStrategy: (retries: number, cause: Error) => (connectedOnce ? Math.min(50 * 2 ** retries, maxDelay) : cause),
      },
    });
  const client = make();
  const subscriber = client.duplicate();
  let down = false;
  client.on('error', (err: Error) => {
    if (!connectedOnce || down) return;
    down = true;
    options.onEvent?.('state.unavailable', { store: 'redis', target, message: err.message });
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    options.onEvent?.('state.restored', { store: 'redis', target });
  });
  subscriber.on('error', () => {});
  const store = new RedisCallStore(client, subscriber, options.ttlS ?? CALL_STATE_TTL_S, options.now ?? (() => new Date()));
  try {
    await client.connect();
    await subscriber.connect();
    await subscriber.subscribe(EVENTS_CHANNEL, (message) => store.wake(message));
  } catch (err) {
    client.destroy();
    subscriber.destroy();
    throw fail(err instanceof Error ? err.message.replace(options.url, target) : String(err), err);
  }
  connectedOnce = true;
  await store.refresh().catch(() => {});
  return store;
}

class RedisCallStore implements CallStore {
  readonly kind = 'redis';
  private readonly waiters = new Map<string, Set<() => void>>();
  private cached: CallStoreStats = { answered: 0, failed: 0, active: 0, lastFailure: undefined };
  private refreshedAt = 0;
  private closed = false;

  constructor(
    private readonly client: Client,
    private readonly subscriber: Client,
    private readonly ttlS: number,
    private readonly now: () => Date,
  ) {}

  /** Run Redis commands; any failure becomes {@link CallStateUnavailableError}. */
  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new CallStateUnavailableError(`call state unavailable (Redis ${what}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async ensure(callbackId: string, init: CallInit = {}): Promise<void> {
    const key = metaKey(callbackId);
    await this.run('write', () => {
      const m = this.client.multi().hSetNX(key, 'direction', init.direction ?? 'unknown');
      if (init.from) m.hSetNX(key, 'from', init.from);
      if (init.to) m.hSetNX(key, 'to', init.to);
      return m.expire(key, this.ttlS).exec();
    });
  }

  async get(callbackId: string): Promise<CallRecord | undefined> {
    const [meta, raw] = await this.run('read', async () => {
      const r = await this.client.multi().hGetAll(metaKey(callbackId)).lRange(eventsKey(callbackId), 0, -1).exec();
      return [r[0] as unknown as Record<string, string>, r[1] as unknown as string[]] as const;
    });
    if (Object.keys(meta).length === 0 && raw.length === 0) return undefined;
    return fold(callbackId, meta, raw);
  }

  async record(callbackId: string, event: NewCallEvent): Promise<CallEventRecord> {
    const key = metaKey(callbackId);
    const list = eventsKey(callbackId);
    const time = this.now().toISOString();
    const known = await this.run('write', async () => {
      const m = this.client.multi().hGet(key, 'callConnectionId').hSetNX(key, 'direction', 'unknown');
      if (event.callConnectionId) m.hSetNX(key, 'callConnectionId', event.callConnectionId);
      if (event.correlationId) m.hSetNX(key, 'correlationId', event.correlationId);
      const r = await m.expire(key, this.ttlS).exec();
      return (r[0] as unknown as string | null) ?? undefined;
    });
    const draft = storedEvent(callbackId, 0, time, known, event);
    const { seq: _seq, ...json } = draft;
    const length = await this.run('write', async () => {
      const r = await this.client.multi().rPush(list, JSON.stringify(json)).expire(list, this.ttlS).exec();
      return r[0] as unknown as number;
    });
    const stored: CallEventRecord = { ...draft, seq: length - 1 };
    // Fold the list up to this event: the counters and the active set follow the same rules as in memory.
    const [meta, raw] = await this.run('read', async () => {
      const r = await this.client.multi().hGetAll(key).lRange(list, 0, stored.seq).exec();
      return [r[0] as unknown as Record<string, string>, r[1] as unknown as string[]] as const;
    });
    const rec = fold(callbackId, meta, raw.slice(0, -1));
    const effect = applyEvent(rec, stored);
    await this.run('write', () => {
      const m = this.client.multi();
      if (effect.answered) m.hIncrBy(STATS_KEY, 'answered', 1);
      if (effect.firstFailure) m.hIncrBy(STATS_KEY, 'failed', 1);
      if (effect.failure) m.hSet(STATS_KEY, 'lastFailure', JSON.stringify(effect.failure));
      if (isActive(rec)) m.zAdd(ACTIVE_KEY, { score: Date.now(), value: callbackId });
      else m.zRem(ACTIVE_KEY, callbackId);
      return m.expire(STATS_KEY, this.ttlS).expire(ACTIVE_KEY, this.ttlS).publish(EVENTS_CHANNEL, callbackId).exec();
    });
    await this.refresh().catch(() => {});
    return stored;
  }

  async waitForEvents(callbackId: string, since: number, waitMs: number): Promise<CallEventRecord[]> {
    const read = async (): Promise<CallEventRecord[]> => {
      const raw = await this.run('read', () => this.client.lRange(eventsKey(callbackId), since, -1));
      return raw.map((text, i) => ({ ...(JSON.parse(text) as Omit<CallEventRecord, 'seq'>), seq: since + i }));
    };
    if (waitMs <= 0 || this.closed) return read();
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    // Register before reading, so an event published between the read and the wait is not missed.
    let set = this.waiters.get(callbackId);
    if (!set) this.waiters.set(callbackId, (set = new Set()));
    set.add(wake);
    const timer = setTimeout(wake, waitMs);
    try {
      const first = await read();
      if (first.length > 0) return first;
      await woken;
      return await read();
    } finally {
      clearTimeout(timer);
      set.delete(wake);
      if (set.size === 0) this.waiters.delete(callbackId);
    }
  }

  /** Wake this process's long-polls of `callbackId` (a pub/sub message). */
  wake(callbackId: string): void {
    for (const w of [...(this.waiters.get(callbackId) ?? [])]) w();
  }

  stats(): CallStoreStats {
    if (Date.now() - this.refreshedAt > 1000) void this.refresh().catch(() => {});
    return this.cached;
  }

  /** Read the shared counters into the copy {@link stats} serves; drop active entries older than the TTL. */
  async refresh(): Promise<void> {
    const r = await this.client
      .multi()
      .hGetAll(STATS_KEY)
      .zRemRangeByScore(ACTIVE_KEY, '-inf', Date.now() - this.ttlS * 1000)
      .zCard(ACTIVE_KEY)
      .exec();
    const s = r[0] as unknown as Record<string, string>;
    this.cached = {
      answered: Number(s.answered ?? 0),
      failed: Number(s.failed ?? 0),
      active: r[2] as unknown as number,
      lastFailure: s.lastFailure ? (JSON.parse(s.lastFailure) as LastFailure) : undefined,
    };
    this.refreshedAt = Date.now();
  }

  wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const w of [...set]) w();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeAll();
    for (const c of [this.subscriber, this.client]) {
      try {
        await c.close();
      } catch {
        c.destroy();
      }
    }
  }
}

/** The record for `callbackId` from its hash and its JSON events. */
function fold(callbackId: string, meta: Record<string, string>, raw: readonly string[]): CallRecord {
  const direction = meta.direction === 'inbound' || meta.direction === 'outbound' ? meta.direction : 'unknown';
  const rec = newRecord(callbackId, { direction, ...(meta.from ? { from: meta.from } : {}), ...(meta.to ? { to: meta.to } : {}) });
  raw.forEach((text, seq) => applyEvent(rec, { ...(JSON.parse(text) as Omit<CallEventRecord, 'seq'>), seq }));
  if (meta.callConnectionId) rec.callConnectionId = meta.callConnectionId;
  if (meta.correlationId) rec.correlationId = meta.correlationId;
  return rec;
}
