#!/usr/bin/env node
// bench/bridge-load: simulated calls through the bridge (dist/) to a local fake Azure OpenAI
// Realtime server (an echo-like model: every input_audio_buffer.append comes back at once as a
// response.output_audio.delta of the same audio; for μ-law sessions the same bytes), 50 frames
// per second each way per call, on every caller path (see bench/bridge-load-paths.mjs):
// ACS 24 kHz and 16 kHz, Asterisk chan_websocket slin24 / ulaw / slin16, AudioSocket slin16,
// Twilio Media Streams μ-law.
//
// In the same run, a bare forwarder (the floor: `ws` for WebSocket paths, TCP → `ws` for
// AudioSocket; no parsing, no protocol translation) forwards the same wire messages unparsed to
// the same fake model, which echoes them in the caller-side shape. The bridge, the floor and the
// fake model each run in their own process; CPU (user + system) and RSS are those of the process
// under test. Rounds alternate floor / bridge in fresh processes; figures are medians of rounds.
//
// The child roles are in bench/bridge-load-roles.mjs, the SNR and target lines in
// bench/bridge-load-report.mjs, the caller side of each path in bench/bridge-load-paths.mjs, the
// calls' one clock in bench/frame-clock.mjs.
//
// The bridge serves every path from one startBridge (ACS /ws/media with a media token, Asterisk
// /ws/asterisk with Basic auth, AudioSocket on TCP, Twilio /ws/twilio with its signature checks
// STUBBED: the upgrade and start checks always pass). --metrics adds a third process kind, the
// bridge with GET /metrics mounted (createBridgeMetrics, as src/bridge/service.ts does) and
// scraped every second, and reports its CPU against the plain bridge's.
//
// --pool-ab adds the bridge with Node's default 8 KB Buffer pool (kind bridge8k: what the bridge
// costs without its enlargeBufferPool()) and reports its CPU against the bridge's, round by round.
//
// Also prints the SNR of a 1 kHz tone through the resampler (dist/audio/resampler.js); the full
// quality and speed figures are in bench/resampler.mjs.
//
// CPU pinning (default where `taskset` exists and there are 2+ cores; --no-pin turns it off):
// the process under test on the last core alone, the load generator and the fake model on the
// others. Each step also prints the harness's own CPU (generator + fake model, % of a core):
// near 100 % the harness, not the process under test, sets the tail latency.
//
// BENCH_NODE_FLAGS='--max-semi-space-size=32': extra Node flags for the child processes.
// BENCH_CPU_PROF=<dir>: write a V8 CPU profile of each child there (named <kind>-<path>-<calls>-r<round>);
// summarise one with `node bench/profile-top.mjs <file>`.
//
// Usage: npm run build && node bench/bridge-load.mjs [--paths acs24,acs16,ast-slin24,ast-ulaw,ast-slin16,audiosocket16,twilio]
//   [--calls 100,200 | --calls acs24=100,200,400/acs16=100,200] [--seconds 5] [--rounds 3] [--metrics] [--pool-ab] [--snr-only] [--no-pin]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_CALLS, PATHS, isLoud, markerFrame, openCaller, patternFrame, readHead } from './bridge-load-paths.mjs';
import { printTargets, toneSnr } from './bridge-load-report.mjs';
import { roleFake, roleServer } from './bridge-load-roles.mjs';
import { PIN, scrapeEverySecond, setupPinning, startChild } from './bench-procs.mjs';
import { startFrameClock } from './frame-clock.mjs';


// ---------------------------------------------------------------------------------------
// Load generator (main process)
// ---------------------------------------------------------------------------------------

/** A child with Node flags from BENCH_NODE_FLAGS and, with BENCH_CPU_PROF=<dir>, a CPU profile named `profName`. */
function startBenchChild(args, profName, cpus = PIN.rest) {
  const dir = process.env.BENCH_CPU_PROF;
  const execArgv = [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), ...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...(profName ? [`--cpu-prof-name=${profName}.cpuprofile`] : [])] : [])];
  return startChild(args, { cpus, execArgv });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

async function runStep(kind, pathName, calls, seconds, fake, profName) {
  const fakePort = fake.port;
  const p = PATHS[pathName];
  const server = startBenchChild(['--role', kind, '--fake-port', String(fakePort)], profName, PIN.sut);
  const { ports, rss: rssBase } = await server.ready;
  const stopScrape = kind === 'bridge+m' ? scrapeEverySecond(ports.ws) : () => {};
  const pattern = patternFrame(p);
  let measureStart = Infinity;
  let measureEnd = Infinity;
  const latencies = [];
  let sent = 0;
  let received = 0;
  let outOfOrder = 0;
  const callers = [];
  const lastSeq = new Int32Array(calls).fill(-1);
  const inWindow = (t) => t >= measureStart && t < measureEnd;
  const arrived = (sentAt) => {
    if (!inWindow(sentAt)) return;
    received++;
    latencies.push(performance.now() - sentAt);
  };

  const ticks = new Array(calls);
  await Promise.all(
    Array.from({ length: calls }, async (_, c) => {
      const markers = [];
      let inMarker = false;
      const onAudio = p.marker
        ? (pcm) => {
            const loud = isLoud(pcm);
            if (loud && !inMarker && markers.length) arrived(markers.shift());
            inMarker = loud;
          }
        : (buf) => {
            if (buf.length < 16) return;
            const h = readHead(buf);
            if (h.call >= calls) return;
            if (h.seq <= lastSeq[h.call]) outOfOrder++;
            lastSeq[h.call] = h.seq;
            arrived(h.sentAt);
          };
      const caller = await openCaller({ path: pathName, target: kind === 'floor' ? 'floor' : 'bridge', call: c, ports, onAudio });
      callers.push(caller);
      let seq = 0;
      const tick = () => {
        const now = performance.now();
        let frame;
        if (p.marker) {
          const loud = seq++ % 5 === 0;
          if (loud) {
            markers.push(now);
            if (inWindow(now)) sent++;
          }
          frame = markerFrame(p.frameBytes, loud);
        } else {
          frame = Buffer.from(pattern);
          frame.writeUInt32LE(c, 0);
          frame.writeUInt32LE(seq++, 4);
          frame.writeDoubleLE(now, 8);
          if (inWindow(now)) sent++;
        }
        caller.send(frame);
      };
      ticks[c] = tick;
    }),
  );
  const stopClock = startFrameClock(calls, 20, (c) => ticks[c]());
  await sleep(1000); // warm-up
  await server.ask('mark');
  await fake.ask('mark');
  const genCpu = process.cpuUsage();
  measureStart = performance.now();
  measureEnd = measureStart + seconds * 1000;
  await sleep(seconds * 1000);
  const stats = await server.ask('stats');
  const fakeStats = await fake.ask('stats');
  const gen = process.cpuUsage(genCpu);
  await sleep(1000); // let the last frames of the window arrive
  stopScrape();
  stopClock();
  for (const c of callers) c.close();
  await sleep(300);
  const cal = await server.ask('calibrate');
  server.child.send({ cmd: 'exit' });
  await Promise.race([server.exited, sleep(5000)]);
  latencies.sort((a, b) => a - b);
  return {
    kind, calls, sent, lost: sent - received, outOfOrder,
    p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN,
    cpuPct: (stats.cpuMicros / (seconds * 1e6)) * 100,
    rssMB: stats.rss / 1e6,
    rssPerCallKB: (stats.rss - rssBase) / 1e3 / calls,
    calMs: Math.max(cal.before, cal.after),
    sysPct: (stats.sysMicros / (seconds * 1e6)) * 100,
    harnessPct: ((gen.user + gen.system + fakeStats.cpuMicros) / (seconds * 1e6)) * 100,
    dropped: stats.sut.droppedIn !== undefined ? stats.sut.droppedIn + stats.sut.droppedOut : 0,
    malformed: stats.sut.malformed ?? 0,
  };
}

// ---------------------------------------------------------------------------------------

/** `100,200` for every path, or `acs24=100,200,400/acs16=100,200` per path (others: their defaults). */
function callPlan(spec, paths) {
  const plan = Object.fromEntries(paths.map((p) => [p, DEFAULT_CALLS[p]]));
  if (!spec) return plan;
  if (!spec.includes('=')) return Object.fromEntries(paths.map((p) => [p, spec.split(',').map(Number)]));
  for (const part of spec.split('/')) {
    const [name, list] = part.split('=');
    if (!PATHS[name]) throw new Error(`--calls: unknown path ${name}`);
    plan[name] = list.split(',').map(Number);
  }
  return plan;
}

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      'fake-port': { type: 'string' },
      paths: { type: 'string', default: Object.keys(PATHS).join(',') },
      calls: { type: 'string' },
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      metrics: { type: 'boolean', default: false },
      'pool-ab': { type: 'boolean', default: false },
      'snr-only': { type: 'boolean', default: false },
      pin: { type: 'boolean', default: true },
    },
    allowNegative: true,
  });
  if (values.role === 'fake') return roleFake();
  if (values.role) return roleServer(values.role, Number(values['fake-port']));

  console.log(`command: node bench/bridge-load.mjs ${process.argv.slice(2).join(' ')}`.trimEnd());
  for (const [from, to] of [[16000, 24000], [24000, 16000], [8000, 24000], [24000, 8000]]) {
    const r = await toneSnr(from, to);
    console.log(`resampler  1 kHz tone at -6 dBFS, ${from / 1000}k→${to / 1000}k: SNR ${r.snr.toFixed(1)} dB (sine fit: counts the int16 tone's own rounding; the resampler's own error is in bench/resampler.mjs), gain ${r.gain.toFixed(4)}, group delay ${r.delayMs.toFixed(2)} ms`);
  }
  if (values['snr-only']) return;

  const paths = values.paths.split(',');
  for (const p of paths) if (!PATHS[p]) throw new Error(`--paths: unknown path ${p} (known: ${Object.keys(PATHS).join(', ')})`);
  const plan = callPlan(values.calls, paths);
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const kinds = ['floor', 'bridge', ...(values.metrics ? ['bridge+m'] : []), ...(values['pool-ab'] ? ['bridge8k'] : [])];
  console.log(`plan: ${paths.map((p) => `${p} ${plan[p].join(',')}`).join('; ')}; ${rounds} rounds of ${seconds} s${values.metrics ? '; with --metrics' : ''}`);
  setupPinning(values.pin);
  console.log(PIN.on ? `pinning: process under test on CPU ${PIN.sut}; load generator and fake model on CPU ${PIN.rest} (--no-pin to turn off)` : 'pinning: off (all processes share every core)');
  const fake = startBenchChild(['--role', 'fake'], process.env.BENCH_CPU_PROF ? `fake-${Date.now()}` : undefined);
  const { port: fakePort } = await fake.ready;
  const fakeHandle = { port: fakePort, ask: fake.ask };
  fake.exited.then((code) => {
    if (code !== 0) {
      console.error(`the fake model exited (${code}): figures after this point are void`);
      process.exit(1);
    }
  });
  const loadBefore = loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`\nload average before: ${loadBefore} (other work on the machine skews the figures)`);
  console.log(`load: ${rounds} rounds of ${seconds} s per step (kinds alternating, fresh processes) after 1 s warm-up, 50 frames/s each way per call, loopback, ${process.version}`);
  console.log('Twilio: signature and stream-token checks stubbed (always pass). Resampled paths (16 kHz): latency and loss on marker frames (every 5th frame).');
  console.log('AudioSocket: the bridge paces its output at 20 ms (a playout queue); the floor does not, so its latency includes that queue.');
  const header = 'path          impl      calls   sent   lost  p50 ms  p99 ms  max ms  CPU %core  CPU/call %  RSS/call KB  vs floor: CPU   p99  harness %core';
  console.log(header);
  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const line = (path, label, calls, r, f) =>
    `${path.padEnd(13)} ${label.padEnd(8)} ${String(calls).padStart(5)} ${String(r.sent).padStart(6)} ${String(r.lost).padStart(6)} ` +
    `${r.p50.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(7)} ${r.max.toFixed(1).padStart(7)} ` +
    `${r.cpuPct.toFixed(1).padStart(10)} ${(r.cpuPct / calls).toFixed(3).padStart(11)} ${r.rssPerCallKB.toFixed(0).padStart(12)}` +
    (f ? `  ${(r.cpuPct / f.cpuPct).toFixed(2).padStart(11)}x ${(r.p99 / f.p99).toFixed(2).padStart(5)}x` : ' '.repeat(21)) +
    `${r.harnessPct.toFixed(0).padStart(14)}` +
    (r.outOfOrder ? `  out-of-order ${r.outOfOrder}` : '') + (r.dropped ? `  dropped ${r.dropped}` : '') + (r.malformed ? `  malformed ${r.malformed}` : '');
  const agg = (rs) => ({
    sent: rs.reduce((a, r) => a + r.sent, 0), lost: rs.reduce((a, r) => a + r.lost, 0), outOfOrder: rs.reduce((a, r) => a + r.outOfOrder, 0),
    p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), max: Math.max(...rs.map((r) => r.max).filter((x) => !Number.isNaN(x))),
    cpuPct: median(rs.map((r) => r.cpuPct)), rssMB: median(rs.map((r) => r.rssMB)), rssPerCallKB: median(rs.map((r) => r.rssPerCallKB)),
    harnessPct: median(rs.map((r) => r.harnessPct)),
    dropped: rs.reduce((a, r) => a + r.dropped, 0), malformed: rs.reduce((a, r) => a + r.malformed, 0),
  });
  const summary = [];
  for (const path of paths) {
    for (const calls of plan[path]) {
      const by = Object.fromEntries(kinds.map((k) => [k, []]));
      for (let round = 0; round < rounds; round++) {
        // rotate the order so no kind always runs first (or right after another's teardown)
        const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
        for (const kind of order) {
          const r = await runStep(kind, path, calls, seconds, fakeHandle, `${kind}-${path}-${calls}-r${round}`);
          by[kind].push(r);
          console.log(line(path, kind, calls, r) + `  (system ${r.sysPct.toFixed(1)} %core; calibration loop ${r.calMs.toFixed(1)} ms)`);
        }
      }
      const s = { path, calls, ...Object.fromEntries(kinds.map((k) => [k, agg(by[k])])) };
      summary.push(s);
      const f = s.floor, b = s.bridge;
      console.log(
        `ratio         ${path} ${calls} calls, medians of ${rounds} rounds, bridge/floor: p50 ${(b.p50 / f.p50).toFixed(2)}x, p99 ${(b.p99 / f.p99).toFixed(2)}x, CPU ${(b.cpuPct / f.cpuPct).toFixed(2)}x` +
          (s['bridge+m'] ? `; with /metrics scraped: CPU ${((s['bridge+m'].cpuPct / b.cpuPct - 1) * 100).toFixed(1)} % over the bridge` : '') +
          (s.bridge8k ? `; bridge with the 8 KB Buffer pool / bridge, per round: ${by.bridge8k.map((r, i) => (r.cpuPct / by.bridge[i].cpuPct).toFixed(2)).join(' ')} (median ${median(by.bridge8k.map((r, i) => r.cpuPct / by.bridge[i].cpuPct)).toFixed(2)}x)` : ''),
      );
    }
  }
  fake.child.send({ cmd: 'exit' });
  console.log(`\nload average before: ${loadBefore}; after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`\nsummary (medians of ${rounds} rounds of ${seconds} s; sent/lost summed over rounds; ratios: bridge / floor of the same step):`);
  console.log(header);
  for (const s of summary) {
    console.log(line(s.path, 'floor', s.calls, s.floor));
    console.log(line(s.path, 'bridge', s.calls, s.bridge, s.floor));
    if (s['bridge+m']) console.log(line(s.path, 'bridge+m', s.calls, s['bridge+m'], s.floor) + `  (/metrics scraped 1/s: CPU ${((s['bridge+m'].cpuPct / s.bridge.cpuPct - 1) * 100).toFixed(1)} % over bridge)`);
    if (s.bridge8k) console.log(line(s.path, 'bridge8k', s.calls, s.bridge8k, s.floor) + '  (the bridge with Node\'s default 8 KB Buffer pool)');
  }
  printTargets(summary);
  // Capacity: one bridge process is one core (Node runs the bridge's JavaScript on one thread).
  const capacity = (path) => {
    const ok = summary.filter((s) => s.path === path && s.bridge.lost === 0 && s.bridge.p99 <= 5);
    if (!ok.length) return `none of ${summary.filter((s) => s.path === path).map((s) => s.calls).join(', ') || '(not run)'}`;
    const best = ok.reduce((a, s) => (s.calls > a.calls ? s : a));
    return `${best.calls} (${best.bridge.cpuPct.toFixed(0)} % of a core)`;
  };
  console.log(`capacity (highest calls per core with 0 frames lost and median p99 ≤ 5 ms, of the counts run): 24 kHz (ACS) ${capacity('acs24')}; 16 kHz (ACS) ${capacity('acs16')}`);
}

await main();
