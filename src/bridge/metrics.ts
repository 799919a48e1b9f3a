/**
 * Prometheus metrics of the bridge (`GET /metrics`, text format 0.0.4), through prom-client on a
 * private Registry (never the global one, so two bridges in one process do not collide).
 *
 * Nothing runs on the media hot path: per-call facts come from the NDJSON events the bridge
 * already emits (`observe(type, data)`, a switch and a counter bump per event), and the live
 * frame totals are read from the server's `stats()` only when Prometheus scrapes (prom-client
 * `collect()`). Labels are closed sets (source, reason, status): never a phone number, user id,
 * token or call id.
 *
 * Events read (fields as the bridge emits them): `call.started` {source?}, `call.ended`
 * {source?, durationMs, framesIn…, or the same under `counters`}, `call.refused` {source?, reason},
 * `upstream.opened` {source?}, `upstream.error` {fatal, status?, message}, `upstream.reconnecting`,
 * `turn.latency` {voiceToVoiceMs}. A missing `source` means `acs`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { METRICS_PATH } from './defaults.js';
import type { BridgeRoute } from './server.js';

export { METRICS_PATH } from './defaults.js';

/** The call legs the bridge serves; anything else is counted as `other`. */
export const CALL_SOURCES = ['acs', 'asterisk', 'twilio'] as const;

/**
 * Live totals since start (ended calls plus live ones), read at scrape time. A structural subset
 * of the server's `BridgeStats`, so `handle.stats` can be passed as is.
 */
export interface MetricsStats {
  framesIn: number;
  framesOut: number;
  /** Caller frames dropped toward the model. */
  droppedIn: number;
  /** Model audio dropped toward the caller. */
  droppedOut: number;
  /** Model deltas dropped after a barge-in cancelled their response. */
  lateDeltasDropped: number;
  /** AudioData before AudioMetadata. */
  beforeMetadata: number;
  /** Model deltas that were not valid base64 PCM16. */
  invalidDeltas: number;
  malformed: number;
  reconnects: number;
  bargeIns: number;
  /** Upgrades refused before the WebSocket opened (404, 401, draining). */
  rejectedUpgrades: number;
}

/** Options of {@link createBridgeMetrics}. */
export interface BridgeMetricsOptions {
  /** Live totals; `undefined` before the server is up (the frame counters then read 0). */
  stats: () => MetricsStats | undefined;
  /** Include prom-client's default process metrics (CPU, memory, event loop lag, GC; default true). */
  processMetrics?: boolean;
}

/** What the bridge mounts. */
export interface BridgeMetrics {
  /** Feed one NDJSON event (the bridge's `onEvent(type, data)`); unknown types are ignored. Never throws. */
  observe(type: string, data: Record<string, unknown>): void;
  /** `GET /metrics`. */
  route: BridgeRoute;
  /** The private registry (tests, benchmarks). */
  registry: Registry;
}

/** Call duration buckets (seconds): 5 s … 1 h. */
const DURATION_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Voice-to-voice latency buckets (seconds): 200 ms … 5 s. */
const LATENCY_BUCKETS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 5];

const sourceOf = (data: Record<string, unknown>): string =>
  (CALL_SOURCES as readonly string[]).includes(data.source as string) ? (data.source as string) : data.source === undefined ? 'acs' : 'other';

/** A refusal reason as a closed label: known kebab-case words only. */
const reasonOf = (data: Record<string, unknown>): string =>
  typeof data.reason === 'string' && /^[a-z][a-z0-9-]{0,30}$/.test(data.reason) ? data.reason : 'other';

/** The HTTP status of a failed session open: `data.status`, else `HTTP <n>` in the message; `other` otherwise. */
export function upstreamStatusOf(data: Record<string, unknown>): string {
  const n = typeof data.status === 'number' ? data.status : Number(/\bHTTP (\d{3})\b/.exec(String(data.message ?? ''))?.[1]);
  return Number.isInteger(n) && n >= 100 && n <= 599 ? String(n) : 'other';
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/**
 * Build the metrics of one bridge.
 * @returns `observe` to hook into the event sink, and the `/metrics` route.
 */
export function createBridgeMetrics(options: BridgeMetricsOptions): BridgeMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // One stats() per scrape, not one per metric: the snapshot is reused for 100 ms.
  let snapshot: MetricsStats | undefined;
  let snapshotAt = -Infinity;
  const live = (): MetricsStats | undefined => {
    const now = performance.now();
    if (now - snapshotAt < 100) return snapshot;
    try {
      snapshot = options.stats();
    } catch {
      snapshot = undefined;
    }
    snapshotAt = now;
    return snapshot;
  };
  /** A counter whose value is a live total read at scrape time. */
  const liveCounter = (name: string, help: string, read: (s: MetricsStats) => number): void => {
    new Counter({
      name, help, registers,
      collect() {
        const s = live();
        this.reset();
        if (s) this.inc(num(read(s)));
      },
    });
  };

  const active = new Gauge({ name: 'voicectl_bridge_calls_active', help: 'Calls in progress, by source', labelNames: ['source'], registers });
  const total = new Counter({ name: 'voicectl_bridge_calls_total', help: 'Calls started (media socket accepted), by source', labelNames: ['source'], registers });
  const refused = new Counter({
    name: 'voicectl_bridge_calls_refused_total', help: 'Calls refused (e.g. at --max-calls or while draining), by source and reason', labelNames: ['source', 'reason'], registers,
  });
  const duration = new Histogram({
    name: 'voicectl_bridge_call_duration_seconds', help: 'Duration of ended calls (all sources)', buckets: DURATION_BUCKETS, registers,
  });
  const opens = new Counter({ name: 'voicectl_bridge_upstream_session_opens_total', help: 'Realtime sessions opened (first opens and reconnects)', registers });
  const failures = new Counter({
    name: 'voicectl_bridge_upstream_session_failures_total', help: 'Realtime sessions that failed for good (fatal upstream errors), by HTTP status or other', labelNames: ['status'], registers,
  });
  const attempts = new Counter({ name: 'voicectl_bridge_upstream_reconnect_attempts_total', help: 'Reconnect attempts scheduled after an upstream drop', registers });
  const latency = new Histogram({
    name: 'voicectl_bridge_voice_to_voice_latency_seconds', help: 'Per turn: end of caller speech to first model audio sent to the caller', buckets: LATENCY_BUCKETS, registers,
  });
  for (const s of CALL_SOURCES) {
    active.set({ source: s }, 0);
    total.inc({ source: s }, 0);
  }
  failures.inc({ status: 'other' }, 0);

  liveCounter('voicectl_bridge_frames_in_total', 'Caller audio frames received (20 ms each)', (s) => s.framesIn);
  liveCounter('voicectl_bridge_frames_out_total', 'Audio frames sent to callers', (s) => s.framesOut);
  liveCounter('voicectl_bridge_malformed_frames_total', 'Media frames that were not valid (bad JSON, binary, unknown kind, oversized)', (s) => s.malformed);
  liveCounter('voicectl_bridge_upstream_reconnects_total', 'Realtime connections re-established mid-call', (s) => s.reconnects);
  liveCounter('voicectl_bridge_barge_ins_total', 'Caller speech that interrupted the model (StopAudio sent)', (s) => s.bargeIns);
  liveCounter('voicectl_bridge_media_upgrades_rejected_total', 'Media WebSocket upgrades refused before opening (path, token, JWT, draining)', (s) => s.rejectedUpgrades);
  new Counter({
    name: 'voicectl_bridge_frames_dropped_total',
    help: 'Frames dropped, by reason: to_model (caller audio while the model is unreachable or slow), to_caller (caller socket not draining), after_barge_in, before_metadata, invalid_delta',
    labelNames: ['reason'],
    registers,
    collect() {
      const s = live();
      this.reset();
      const by: Record<string, number> = s
        ? { to_model: s.droppedIn, to_caller: s.droppedOut, after_barge_in: s.lateDeltasDropped, before_metadata: s.beforeMetadata, invalid_delta: s.invalidDeltas }
        : { to_model: 0, to_caller: 0, after_barge_in: 0, before_metadata: 0, invalid_delta: 0 };
      for (const [reason, v] of Object.entries(by)) this.inc({ reason }, num(v));
    },
  });

  const observe = (type: string, data: Record<string, unknown>): void => {
    switch (type) {
      case 'call.started': {
        const source = sourceOf(data);
        total.inc({ source });
        active.inc({ source });
        return;
      }
      case 'call.ended': {
        const source = sourceOf(data);
        active.dec({ source });
        duration.observe(num(data.durationMs) / 1000);
        return;
      }
      case 'call.refused':
        refused.inc({ source: sourceOf(data), reason: reasonOf(data) });
        return;
      case 'upstream.opened':
        opens.inc();
        return;
      case 'upstream.error':
        if (data.fatal === true) failures.inc({ status: upstreamStatusOf(data) });
        return;
      case 'upstream.reconnecting':
        attempts.inc();
        return;
      case 'turn.latency':
        if (typeof data.voiceToVoiceMs === 'number' && data.voiceToVoiceMs >= 0) latency.observe(data.voiceToVoiceMs / 1000);
        return;
      default:
    }
  };

  const route: BridgeRoute = {
    method: 'GET',
    prefix: METRICS_PATH,
    async handle(_req: IncomingMessage, res: ServerResponse, url: URL) {
      if (url.pathname !== METRICS_PATH) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      snapshotAt = -Infinity; // fresh totals for every scrape
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(text);
    },
  };
  return { observe, route, registry };
}
