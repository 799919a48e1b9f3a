/**
 * `GET /metrics`: scraped over HTTP and parsed with a Prometheus text-format parser (a library).
 * First from synthetic NDJSON events and stats (exact counts per label), then from a real bridge
 * (echo upstream) while calls run: frames and calls counted match what the test sent.
 */
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { createBridgeMetrics, type MetricsStats } from '../../src/bridge/metrics.js';
import { startBridge, type BridgeHandle } from '../../src/bridge/server.js';
import { connectAcs, numberedFrames, waitFor } from '../helpers/acs-media-client.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function scrape(port: number, path = '/metrics'): Promise<{ status: number; type: string | null; families: Map<string, PromFamily>; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  const text = await res.text();
  const families = new Map(res.status === 200 ? parsePrometheusTextFormat(text).map((f) => [f.name, f] as const) : []);
  return { status: res.status, type: res.headers.get('content-type'), families, text };
}

/** The value of the sample of `name` whose labels include `labels`. */
function value(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number {
  const f = families.get(name);
  if (!f) throw new Error(`no metric ${name}`);
  const m = f.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  if (!m) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return Number(m.value ?? m.count);
}

/** A bridge with only the metrics route (echo upstream). */
async function bridgeWithMetrics(stats?: () => MetricsStats | undefined): Promise<{ bridge: BridgeHandle; metrics: ReturnType<typeof createBridgeMetrics> }> {
  let bridge: BridgeHandle | undefined;
  const metrics = createBridgeMetrics({ stats: stats ?? (() => bridge?.stats()) });
  bridge = await startBridge({
    port: 0, host: '127.0.0.1', mediaPath: '/ws/media', maxCalls: 3, upstream: { kind: 'echo' },
    onEvent: (type, data) => metrics.observe(type, data), routes: [metrics.route], drainTimeoutMs: 200,
  });
  cleanup.push(() => bridge!.close());
  return { bridge, metrics };
}

const ZERO: MetricsStats = {
  framesIn: 0, framesOut: 0, droppedIn: 0, droppedOut: 0, lateDeltasDropped: 0, beforeMetadata: 0, invalidDeltas: 0,
  malformed: 0, reconnects: 0, bargeIns: 0, rejectedUpgrades: 0,
};

describe('GET /metrics from events and stats', () => {
  it('counts calls by source, refusals, durations, upstream failures by status and live totals from stats()', async () => {
    let stats: MetricsStats = { ...ZERO };
    const { bridge, metrics } = await bridgeWithMetrics(() => stats);
    const o = metrics.observe;
    o('call.started', { callId: 'c1-aaaa', connectionId: 'conn-secret-1', remote: '10.0.0.9' });
    o('call.started', { callId: 'c2-bbbb', source: 'twilio' });
    o('call.started', { callId: 'c3-cccc', source: 'asterisk' });
    o('call.started', { callId: 'c4-dddd', source: '+14255550123' });
    o('call.ended', { callId: 'c1-aaaa', durationMs: 42_000, framesIn: 2100 });
    o('call.ended', { callId: 'c2-bbbb', source: 'twilio', durationMs: 3_000 });
    o('call.refused', { reason: 'max-calls', active: 200, maxCalls: 200 });
    o('call.refused', { reason: 'draining', source: 'twilio' });
    o('call.refused', { reason: 'Caller +1425 said NO' });
    o('upstream.opened', {});
    o('upstream.opened', {});
    o('upstream.error', { callId: 'c3-cccc', fatal: true, message: 'Azure OpenAI refused the Realtime connection: HTTP 401 (check AZURE_OPENAI_API_KEY)' });
    o('upstream.error', { callId: 'c3-cccc', fatal: true, status: 404, message: 'x' });
    o('upstream.error', { callId: 'c3-cccc', fatal: false, message: 'HTTP 500 transient' });
    o('upstream.error', { fatal: true, message: 'cannot authenticate to Azure OpenAI' });
    o('upstream.reconnecting', { attempt: 1, delayMs: 250 });
    o('turn.latency', { voiceToVoiceMs: 640 });
    o('turn.latency', { voiceToVoiceMs: 1800 });
    o('transcript', { role: 'user', text: 'my number is +14255550123' });
    stats = { ...ZERO, framesIn: 5000, framesOut: 4800, droppedIn: 7, droppedOut: 3, lateDeltasDropped: 2, malformed: 4, reconnects: 1, bargeIns: 6, rejectedUpgrades: 9 };

    const { status, type, families: f, text } = await scrape(bridge.port);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(f, 'voicectl_bridge_calls_total', { source: 'acs' })).toBe(1);
    expect(value(f, 'voicectl_bridge_calls_total', { source: 'twilio' })).toBe(1);
    expect(value(f, 'voicectl_bridge_calls_total', { source: 'asterisk' })).toBe(1);
    expect(value(f, 'voicectl_bridge_calls_total', { source: 'other' })).toBe(1);
    expect(value(f, 'voicectl_bridge_calls_active', { source: 'acs' })).toBe(0);
    expect(value(f, 'voicectl_bridge_calls_active', { source: 'asterisk' })).toBe(1);
    expect(value(f, 'voicectl_bridge_calls_refused_total', { source: 'acs', reason: 'max-calls' })).toBe(1);
    expect(value(f, 'voicectl_bridge_calls_refused_total', { source: 'twilio', reason: 'draining' })).toBe(1);
    expect(value(f, 'voicectl_bridge_calls_refused_total', { reason: 'other' })).toBe(1);
    const dur = f.get('voicectl_bridge_call_duration_seconds')!.metrics[0]!;
    expect([dur.count, dur.sum, dur.buckets!['5'], dur.buckets!['30'], dur.buckets!['60']]).toEqual(['2', '45', '1', '1', '2']);
    expect(value(f, 'voicectl_bridge_upstream_session_opens_total')).toBe(2);
    expect(value(f, 'voicectl_bridge_upstream_session_failures_total', { status: '401' })).toBe(1);
    expect(value(f, 'voicectl_bridge_upstream_session_failures_total', { status: '404' })).toBe(1);
    expect(value(f, 'voicectl_bridge_upstream_session_failures_total', { status: 'other' })).toBe(1);
    expect(f.get('voicectl_bridge_upstream_session_failures_total')!.metrics.some((m) => m.labels?.status === '500')).toBe(false);
    expect(value(f, 'voicectl_bridge_upstream_reconnect_attempts_total')).toBe(1);
    const lat = f.get('voicectl_bridge_voice_to_voice_latency_seconds')!.metrics[0]!;
    expect([lat.count, Number(lat.sum), lat.buckets!['0.8'], lat.buckets!['2']]).toEqual(['2', 2.44, '1', '2']);
    expect(value(f, 'voicectl_bridge_frames_in_total')).toBe(5000);
    expect(value(f, 'voicectl_bridge_frames_out_total')).toBe(4800);
    expect(value(f, 'voicectl_bridge_frames_dropped_total', { reason: 'to_model' })).toBe(7);
    expect(value(f, 'voicectl_bridge_frames_dropped_total', { reason: 'to_caller' })).toBe(3);
    expect(value(f, 'voicectl_bridge_frames_dropped_total', { reason: 'after_barge_in' })).toBe(2);
    expect(value(f, 'voicectl_bridge_malformed_frames_total')).toBe(4);
    expect(value(f, 'voicectl_bridge_upstream_reconnects_total')).toBe(1);
    expect(value(f, 'voicectl_bridge_barge_ins_total')).toBe(6);
    expect(value(f, 'voicectl_bridge_media_upgrades_rejected_total')).toBe(9);
    expect(f.has('process_cpu_seconds_total')).toBe(true);
    expect(f.has('nodejs_eventloop_lag_seconds')).toBe(true);
    // No label carries a phone number, a call id, a connection id or an address.
    for (const secret of ['+1425', 'c1-aaaa', 'conn-secret-1', '10.0.0.9', 'AZURE_OPENAI_API_KEY']) expect(text).not.toContain(secret);

    // Live totals follow stats() scrape after scrape (counters, never reset while the process lives).
    stats = { ...stats, framesIn: 5100 };
    expect(value((await scrape(bridge.port)).families, 'voicectl_bridge_frames_in_total')).toBe(5100);
    expect((await scrape(bridge.port, '/metricsx')).status).toBe(404);
  });

  it('two bridges in one process keep separate registries', async () => {
    const one = await bridgeWithMetrics(() => ({ ...ZERO, framesIn: 1 }));
    const two = await bridgeWithMetrics(() => ({ ...ZERO, framesIn: 2 }));
    one.metrics.observe('call.started', {});
    expect(value((await scrape(one.bridge.port)).families, 'voicectl_bridge_frames_in_total')).toBe(1);
    expect(value((await scrape(two.bridge.port)).families, 'voicectl_bridge_frames_in_total')).toBe(2);
    expect(value((await scrape(two.bridge.port)).families, 'voicectl_bridge_calls_total', { source: 'acs' })).toBe(0);
  });
});

describe('GET /metrics on a real bridge with calls running', () => {
  it('counts the calls, frames and refusals the test produced, live and after the calls end', async () => {
    const { bridge } = await bridgeWithMetrics();
    const url = `ws://127.0.0.1:${bridge.port}/ws/media`;
    const calls = await Promise.all([0, 1, 2].map(() => connectAcs(url)));
    const frames = numberedFrames(24000, 25);
    for (const c of calls) {
      c.sendMetadata(24000);
      for (const f of frames) c.sendAudio(f);
    }
    calls[0]!.sendRaw('not json');
    await waitFor(() => calls.every((c) => c.audio().length >= 25), 'the echo of every frame');
    const over = await connectAcs(url);
    expect((await over.closed).code).toBe(1013);

    const live = (await scrape(bridge.port)).families;
    expect(value(live, 'voicectl_bridge_calls_active', { source: 'acs' })).toBe(3);
    expect(value(live, 'voicectl_bridge_calls_total', { source: 'acs' })).toBe(3);
    expect(value(live, 'voicectl_bridge_calls_refused_total', { source: 'acs', reason: 'max-calls' })).toBe(1);
    expect(value(live, 'voicectl_bridge_frames_in_total')).toBe(75);
    expect(value(live, 'voicectl_bridge_frames_out_total')).toBe(75);
    expect(value(live, 'voicectl_bridge_malformed_frames_total')).toBe(1);

    for (const c of calls) c.close();
    await waitFor(() => bridge.stats().activeCalls === 0, 'the calls to end');
    const after = (await scrape(bridge.port)).families;
    expect(value(after, 'voicectl_bridge_calls_active', { source: 'acs' })).toBe(0);
    expect(value(after, 'voicectl_bridge_frames_in_total')).toBe(75);
    const dur = after.get('voicectl_bridge_call_duration_seconds')!.metrics[0]!;
    expect(dur.count).toBe('3');
  });
});
