/**
 * The bridge's calls, whatever their source: admission against `--max-calls`, live and ended
 * counters, draining, and the last fatal upstream error. The HTTP server's WebSocket legs and
 * the AudioSocket TCP listener admit their calls here, so limits and totals are shared.
 */
import { randomInt } from 'node:crypto';
import { CallCore, zeroCounters, type CallCounters, type CallSource } from './call-core.js';
import { LatencyRing } from './latency.js';
import type { UpstreamFactory } from './upstream.js';
import type { WarmSessions } from './warm-sessions.js';

/** Totals since start (ended calls plus the live ones). */
export interface BridgeStats extends CallCounters {
  activeCalls: number;
  totalCalls: number;
  /** Calls refused at maxCalls. */
  refusedCalls: number;
  /** Upgrades and connections refused before a call existed (404, 401, hook refusals, draining). */
  rejectedUpgrades: number;
  /** Calls accepted since start, by source. */
  bySource: Record<CallSource, number>;
}

/** Options of {@link BridgeCalls}. */
export interface BridgeCallsOptions {
  maxCalls: number;
  upstream: UpstreamFactory;
  onEvent(type: string, data: Record<string, unknown>): void;
  /** Sessions pre-opened while the bridge answered ACS calls, claimed by call connection id. */
  warm?: WarmSessions;
}

/** Admission and accounting of the bridge's calls. */
export class BridgeCalls {
  readonly calls = new Set<CallCore>();
  draining = false;
  lastError: { message: string; time: string } | undefined;
  /** HTTP status of the last upstream refusal (401/403/404) not yet followed by an accepted session. */
  upstreamRefusal: number | undefined;
  total = 0;
  refused = 0;
  rejected = 0;
  private readonly ended = zeroCounters();
  private readonly bySource: Record<CallSource, number> = { acs: 0, asterisk: 0, twilio: 0 };
  /** Voice-to-voice latency of the last 1000 turns of all calls (ms). */
  private readonly latency = new LatencyRing(1000);

  constructor(private readonly o: BridgeCallsOptions) {}

  /**
   * A new call from `source`, or a refusal: `draining` (the bridge is shutting down) or
   * `max-calls` (counted, reported as `call.refused`). The caller closes its connection with
   * 1001 / 1013 or the leg's equivalent.
   */
  admit(source: CallSource, remote: string | undefined): CallCore | 'draining' | 'max-calls' {
    if (this.draining) {
      this.o.onEvent('call.refused', { source, reason: 'draining', active: this.calls.size, remote });
      return 'draining';
    }
    if (this.calls.size >= this.o.maxCalls) {
      this.refused += 1;
      this.o.onEvent('call.refused', { source, reason: 'max-calls', active: this.calls.size, maxCalls: this.o.maxCalls, remote });
      return 'max-calls';
    }
    this.total += 1;
    this.bySource[source] += 1;
    const callId = `c${this.total}-${randomInt(0xffff).toString(16).padStart(4, '0')}`;
    const core = new CallCore(
      { callId, source, ...(remote !== undefined ? { remote } : {}) },
      {
        upstream: this.o.upstream,
        onEvent: this.o.onEvent,
        onUpstreamError: (message, status) => {
          this.lastError = { message, time: new Date().toISOString() };
          if (status === 401 || status === 403 || status === 404) this.upstreamRefusal = status;
        },
        onUpstreamReady: () => {
          this.upstreamRefusal = undefined;
        },
        onTurnLatency: (ms) => this.latency.add(ms),
        ...(this.o.warm ? { claimWarm: this.o.warm.claim.bind(this.o.warm) } : {}),
        onEnd: (call) => {
          this.calls.delete(call);
          const c = call.counters();
          for (const k of Object.keys(this.ended) as Array<keyof CallCounters>) this.ended[k] += c[k];
        },
      },
    );
    this.calls.add(core);
    return core;
  }

  /**
   * Whether a load balancer should send this bridge new calls: not while draining, not at
   * `maxCalls`, not while the upstream is known to refuse sessions.
   */
  readiness(): { ready: true } | { ready: false; reason: 'draining' | 'max-calls' | 'upstream-refused'; detail: string } {
    if (this.draining) return { ready: false, reason: 'draining', detail: 'the bridge is draining: active calls run to their end, new ones are refused' };
    if (this.calls.size >= this.o.maxCalls) return { ready: false, reason: 'max-calls', detail: `${this.calls.size} active calls, the --max-calls limit` };
    if (this.upstreamRefusal !== undefined) {
      return { ready: false, reason: 'upstream-refused', detail: `Azure OpenAI refused the last session with HTTP ${this.upstreamRefusal}; fix the settings and restart` };
    }
    return { ready: true };
  }

  /**
   * Drain: refuse new calls and wait for the active ones to end on their own, up to
   * `timeoutMs` or until `stop` aborts; `progress` is called every `everyMs` with the active count.
   * @returns the number of calls still active (to be closed by {@link closeAll}).
   */
  async drain(timeoutMs: number, o: { stop?: AbortSignal; everyMs?: number; progress?(active: number, remainingMs: number): void } = {}): Promise<number> {
    this.draining = true;
    const deadline = Date.now() + timeoutMs;
    let nextReport = 0;
    while (this.calls.size > 0 && Date.now() < deadline && !o.stop?.aborted) {
      if (Date.now() >= nextReport) {
        o.progress?.(this.calls.size, Math.max(0, deadline - Date.now()));
        nextReport = Date.now() + (o.everyMs ?? 5000);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.calls.size;
  }

  /** Voice-to-voice latency over the last 1000 turns of all calls: p50 and p95 (ms, null before a turn). */
  voiceToVoice(): { turns: number; p50Ms: number | null; p95Ms: number | null } {
    return this.latency.summary();
  }

  /** Totals since start. */
  stats(): BridgeStats {
    const s: CallCounters = { ...this.ended };
    for (const call of this.calls) {
      const c = call.counters();
      for (const k of Object.keys(s) as Array<keyof CallCounters>) s[k] += c[k];
    }
    return {
      ...s,
      activeCalls: this.calls.size,
      totalCalls: this.total,
      refusedCalls: this.refused,
      rejectedUpgrades: this.rejected,
      bySource: { ...this.bySource },
    };
  }

  /**
   * Stop accepting, hang every call up with 1001, wait up to `timeoutMs` for them to end, then
   * terminate the rest and wait a moment for their `call.ended`.
   */
  async closeAll(timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const call of this.calls) call.close(1001, 'bridge shutting down');
    const deadline = Date.now() + timeoutMs;
    while (this.calls.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const call of this.calls) call.terminate();
    // a terminated socket reports 'close' a tick later: let every call.ended out first
    const hard = Date.now() + 500;
    while (this.calls.size > 0 && Date.now() < hard) await new Promise((r) => setTimeout(r, 5));
  }
}
