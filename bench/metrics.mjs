#!/usr/bin/env node
// bench/metrics: the cost of the bridge's Prometheus metrics (dist/bridge/metrics.js).
//
// 1. observe(): ns per NDJSON event fed (the only work metrics add while calls run), against a
//    same-run baseline of an empty event sink.
// 2. A scrape through the /metrics route (text rendering included) with N live calls: stats() sums N calls'
//    counters the way the server's BridgeHandle.stats() does. Printed: ms per scrape, with the
//    default process metrics and without, against stats() alone (the baseline).
// At one scrape per second, "ms per scrape" is also the CPU share in tenths of a percent.
//
// Usage: npm run build && node bench/metrics.mjs [--calls 0,200,1000,5000] [--scrapes 200]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '0,200,1000,5000' }, scrapes: { type: 'string', default: '200' } } });
const { createBridgeMetrics } = await import(new URL('../dist/bridge/metrics.js', import.meta.url).href);
const scrapes = Number(values.scrapes);

const FIELDS = ['framesIn', 'bytesIn', 'framesOut', 'bytesOut', 'droppedIn', 'droppedOut', 'lateDeltasDropped', 'malformed', 'beforeMetadata', 'reconnects', 'bargeIns', 'cancels', 'invalidDeltas'];
/** N live calls' counters and a stats() that folds them like the server does. */
function fakeServer(n) {
  const calls = Array.from({ length: n }, (_, i) => Object.fromEntries(FIELDS.map((f, j) => [f, i * 50 + j])));
  return () => {
    const s = Object.fromEntries(FIELDS.map((f) => [f, 0]));
    for (const c of calls) for (const k of FIELDS) s[k] += c[k];
    return { ...s, activeCalls: n, totalCalls: n, refusedCalls: 0, rejectedUpgrades: 0 };
  };
}

/** One scrape through the route, as Prometheus triggers it (a stand-in response collects the text). */
const URL_ = new URL('http://bridge/metrics');
async function scrape(m) {
  let body = '';
  const res = { writeHead() { return this; }, end(t) { body = t; } };
  await m.route.handle({}, res, URL_);
  return body;
}

async function timeIt(fn, rounds) {
  for (let i = 0; i < Math.min(20, rounds); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await fn();
  return (performance.now() - t0) / rounds;
}

// 1. observe()
{
  const m = createBridgeMetrics({ stats: () => undefined, processMetrics: false });
  const events = [
    ['call.started', { callId: 'c1-aaaa', connectionId: 'x', source: 'acs' }],
    ['transcript', { callId: 'c1-aaaa', role: 'user', text: 'hello' }],
    ['upstream.reconnecting', { callId: 'c1-aaaa', attempt: 1, delayMs: 250 }],
    ['turn.latency', { callId: 'c1-aaaa', voiceToVoiceMs: 700 }],
    ['call.ended', { callId: 'c1-aaaa', durationMs: 61_000, framesIn: 3050 }],
  ];
  const n = 1_000_000;
  let sink = 0;
  const base = performance.now();
  for (let i = 0; i < n; i++) {
    const [t, d] = events[i % events.length];
    sink += t.length + (d.callId ? 1 : 0);
  }
  const baseNs = ((performance.now() - base) * 1e6) / n;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const [t, d] = events[i % events.length];
    m.observe(t, d);
  }
  const ns = ((performance.now() - t0) * 1e6) / n;
  console.log(`observe(): ${ns.toFixed(0)} ns/event (empty sink baseline ${baseNs.toFixed(0)} ns/event; ${sink > 0 ? 'ok' : ''})`);
}

// 2. scrapes
console.log('live calls | stats() alone ms | scrape ms (with process metrics) | scrape ms (bridge metrics only) | bytes');
for (const n of values.calls.split(',').map(Number)) {
  const stats = fakeServer(n);
  const full = createBridgeMetrics({ stats });
  const lean = createBridgeMetrics({ stats, processMetrics: false });
  for (let i = 0; i < n; i++) full.observe('call.started', {}), lean.observe('call.started', {});
  const statsMs = await timeIt(() => stats(), scrapes);
  const fullMs = await timeIt(() => scrape(full), scrapes);
  const leanMs = await timeIt(() => scrape(lean), scrapes);
  const bytes = (await scrape(full)).length;
  console.log(`${String(n).padStart(10)} | ${statsMs.toFixed(3).padStart(16)} | ${fullMs.toFixed(3).padStart(32)} | ${leanMs.toFixed(3).padStart(31)} | ${bytes}`);
}
