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
// The bridge serves every path from one startBridge (ACS /ws/media with a media token, Asterisk
// /ws/asterisk with Basic auth, AudioSocket on TCP, Twilio /ws/twilio with its signature checks
// STUBBED: the upgrade and start checks always pass). --metrics adds a third process kind, the
// bridge with GET /metrics mounted (createBridgeMetrics, as src/bridge/service.ts does) and
// scraped every second, and reports its CPU against the plain bridge's.
//
// Also prints the SNR of a 1 kHz tone through the resampler (dist/audio/resampler.js); the full
// quality and speed figures are in bench/resampler.mjs.
//
// CPU pinning (default where `taskset` exists and there are 2+ cores; --no-pin turns it off):
// the process under test on the last core alone, the load generator and the fake model on the
// others. Each step also prints the harness's own CPU (generator + fake model, % of a core):
// near 100 % the harness, not the process under test, sets the tail latency.
//
// BENCH_CPU_PROF=<dir>: write a V8 CPU profile of each child there (named <kind>-<path>-<calls>-r<round>);
// summarise one with `node bench/profile-top.mjs <file>`.
//
// Usage: npm run build && node bench/bridge-load.mjs [--paths acs24,acs16,ast-slin24,ast-ulaw,ast-slin16,audiosocket16,twilio]
//   [--calls 100,200 | --calls acs24=100,200,400/acs16=100,200] [--seconds 5] [--rounds 3] [--metrics] [--snr-only] [--no-pin]
import { fork, spawnSync } from 'node:child_process';
import { createServer, get as httpGet } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import { DEFAULT_CALLS, MEDIA_TOKEN, PATHS, floorAcsEcho, floorAnswer, isLoud, markerFrame, openCaller, readHead } from './bridge-load-paths.mjs';

const self = fileURLToPath(import.meta.url);
const distUrl = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const API_KEY = 'bench-key';

// ---------------------------------------------------------------------------------------
// Child roles
// ---------------------------------------------------------------------------------------

const APPEND_HEAD = Buffer.from('{"type":"input_audio_buffer.append"');
const AUDIO_KEY = Buffer.from('"audio":"');

/**
 * The fake Realtime model: echoes appends as deltas; echoes the floor's caller messages in the
 * caller's shape. It shares a core with the load generator, so the bridge's appends (as the
 * bridge writes them) are answered from the bytes, without parsing or decoding the text.
 */
async function roleFake() {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
  wss.on('connection', (ws, req) => {
    if (req.headers['api-key'] !== API_KEY) return ws.close(1008, 'no api-key');
    let responseId;
    let n = 0;
    let events = 0;
    const floorState = {};
    /** A response.output_audio.delta carrying `audio` (a base64 string, or its bytes). */
    const answerAppend = (audio) => {
      if (!responseId) {
        responseId = `resp_${++n}`;
        ws.send(JSON.stringify({ type: 'response.created', response: { id: responseId, status: 'in_progress' } }));
      }
      const head = `{"type":"response.output_audio.delta","event_id":"event_${++events}","response_id":"${responseId}","item_id":"item_1","output_index":0,"content_index":0,"delta":"`;
      if (typeof audio === 'string') return ws.send(`${head}${audio}"}`);
      ws.send(Buffer.concat([Buffer.from(head), audio, DELTA_TAIL]), { binary: false });
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.send(data, { binary: true }); // Asterisk / AudioSocket through the floor
      if (data[0] !== 123) return; // Asterisk control text through the floor (MEDIA_START): no answer
      if (data.subarray(0, APPEND_HEAD.length).equals(APPEND_HEAD)) {
        const at = data.indexOf(AUDIO_KEY);
        const end = at > 0 ? data.indexOf(34, at + AUDIO_KEY.length) : -1;
        if (end > 0) return answerAppend(data.subarray(at + AUDIO_KEY.length, end));
      }
      const echo = floorAcsEcho(data);
      if (echo) return ws.send(echo, { binary: false });
      const ev = JSON.parse(data.toString());
      if (ev.type === 'session.update') return ws.send(JSON.stringify({ type: 'session.updated', session: ev.session }));
      if (ev.type === 'input_audio_buffer.append') return answerAppend(ev.audio);
      for (const m of floorAnswer(ev, floorState) ?? []) ws.send(m);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  let cpu = process.cpuUsage();
  process.on('message', (m) => {
    if (m.cmd === 'exit') process.exit(0);
    if (m.cmd === 'mark') cpu = process.cpuUsage();
    if (m.cmd === 'stats') {
      const d = process.cpuUsage(cpu);
      process.send({ stats: true, cpuMicros: d.user + d.system });
    }
  });
  process.send({ ready: true, port: server.address().port });
}
const DELTA_TAIL = Buffer.from('"}');

const upstreamSocket = (fakePort) =>
  new WebSocket(`ws://127.0.0.1:${fakePort}/openai/v1/realtime?model=bench`, { headers: { 'api-key': API_KEY }, perMessageDeflate: false });

/** The floor: bare forwarders, one upstream socket per call, bytes passed through unparsed. */
async function roleFloor(fakePort) {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 2 * 1024 * 1024, handleProtocols: (offered) => (offered.has('media') ? 'media' : false) });
  wss.on('connection', (ws) => {
    const up = upstreamSocket(fakePort);
    const pending = [];
    up.on('open', () => {
      for (const [m, isBinary] of pending.splice(0)) up.send(m, { binary: isBinary });
    });
    up.on('message', (data, isBinary) => ws.readyState === 1 && ws.send(data, { binary: isBinary }));
    ws.on('message', (data, isBinary) => (up.readyState === 1 ? up.send(data, { binary: isBinary }) : pending.push([data, isBinary])));
    ws.on('close', () => up.close());
    up.on('error', () => ws.close(1011));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  // AudioSocket floor: each TCP chunk forwarded as one binary message, each echo written back.
  const tcp = createTcpServer((sock) => {
    sock.setNoDelay(true);
    const up = upstreamSocket(fakePort);
    const pending = [];
    up.on('open', () => {
      for (const m of pending.splice(0)) up.send(m, { binary: true });
    });
    up.on('message', (data) => sock.writable && sock.write(data));
    sock.on('data', (chunk) => (up.readyState === 1 ? up.send(chunk, { binary: true }) : pending.push(chunk)));
    sock.on('error', () => undefined);
    sock.on('close', () => up.close());
    up.on('error', () => sock.destroy());
  });
  await new Promise((r) => tcp.listen(0, '127.0.0.1', r));
  return { ports: { ws: server.address().port, tcp: tcp.address().port }, stats: () => ({}) };
}

/** The bridge under test, from dist/, with every leg; `withMetrics` mounts GET /metrics as the service does. */
async function roleBridge(fakePort, withMetrics) {
  const { startBridge } = await import(distUrl('bridge/server.js'));
  const { twilioWsRoute } = await import(distUrl('bridge/legs/twilio-route.js'));
  let handle;
  const metrics = withMetrics ? (await import(distUrl('bridge/metrics.js'))).createBridgeMetrics({ stats: () => handle?.stats() }) : undefined;
  handle = await startBridge({
    port: 0,
    host: '127.0.0.1',
    mediaPath: '/ws/media',
    mediaToken: MEDIA_TOKEN,
    audioSocket: { port: 0, host: '127.0.0.1' },
    maxCalls: 100000,
    upstream: { kind: 'aoai', endpoint: `http://127.0.0.1:${fakePort}`, deployment: 'bench', protocol: 'ga', apiKey: API_KEY, session: {} },
    // Twilio signature and stream-token checks stubbed: the benchmark has no Twilio account.
    legs: [twilioWsRoute({ path: '/ws/twilio', checks: { checkUpgrade: () => ({ ok: true }), verifyStart: () => ({ ok: true }) }, maxQueuedBytes: 512 * 1024 })],
    ...(metrics ? { routes: [metrics.route] } : {}),
    onEvent: metrics ? (type, data) => metrics.observe(type, data) : () => {},
  });
  return { ports: { ws: handle.port, tcp: handle.audioSocketPort }, stats: () => handle.stats() };
}

/**
 * CPU time (ms) of a fixed integer loop: how fast this core runs right now. On this kind of
 * virtual machine the same work takes 2–3× longer at times (every function in a profile slows
 * down alike, floor and bridge both), so each round reports it before and after its load.
 */
function calibrate() {
  const t = process.cpuUsage();
  let x = 0;
  for (let i = 0; i < 4e6; i++) x = (x + i * 7) % 1000003;
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000 + (x < 0 ? 1 : 0);
}

async function roleServer(kind, fakePort) {
  const sut = kind === 'floor' ? await roleFloor(fakePort) : await roleBridge(fakePort, kind === 'bridge+m');
  calibrate(); // first run compiles the loop
  const calBefore = calibrate();
  let cpu = process.cpuUsage();
  process.on('message', (m) => {
    if (m.cmd === 'exit') process.exit(0);
    if (m.cmd === 'calibrate') process.send({ calibrated: true, before: calBefore, after: calibrate() });
    if (m.cmd === 'mark') cpu = process.cpuUsage();
    if (m.cmd === 'stats') {
      const d = process.cpuUsage(cpu);
      process.send({ stats: true, cpuMicros: d.user + d.system, sysMicros: d.system, rss: process.memoryUsage().rss, sut: sut.stats() });
    }
  });
  process.send({ ready: true, ports: sut.ports, rss: process.memoryUsage().rss });
}

// ---------------------------------------------------------------------------------------
// Load generator (main process)
// ---------------------------------------------------------------------------------------

/**
 * CPU pinning (default on a machine with 2+ cores and `taskset`; --no-pin turns it off): the
 * process under test (floor or bridge) gets the last core to itself, the load generator (this
 * process) and the fake model share the others. Without it the three compete for the same
 * cores and the tail latency of floor and bridge alike is set by the scheduler.
 */
const PIN = { on: false, sut: '', rest: '' };
function setupPinning(enabled) {
  const cores = availableParallelism();
  if (!enabled || cores < 2 || spawnSync('taskset', ['-V']).status !== 0) return;
  Object.assign(PIN, { on: true, sut: String(cores - 1), rest: cores === 2 ? '0' : `0-${cores - 2}` });
  pin(process.pid, PIN.rest);
}
function pin(pid, cpus) {
  if (PIN.on) spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

function startChild(args, profName, cpus = PIN.rest) {
  const dir = process.env.BENCH_CPU_PROF;
  const execArgv = [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), ...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...(profName ? [`--cpu-prof-name=${profName}.cpuprofile`] : [])] : [])];
  const child = fork(self, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  pin(child.pid, cpus);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
  const ask = (cmd) =>
    new Promise((resolve) => {
      if (cmd === 'mark') return child.send({ cmd }, resolve);
      child.once('message', resolve);
      child.send({ cmd });
    });
  return { child, ready, ask, exited };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

/** A frame of the passthrough pattern: a tone (PCM16) or byte ramp (μ-law) after the 16-byte header. */
function patternFrame(p) {
  const b = Buffer.alloc(p.frameBytes);
  if (p.rate === 8000) for (let i = 16; i < b.length; i++) b[i] = (i * 37) & 0xff;
  else for (let i = 16; i + 1 < b.length; i += 2) b.writeInt16LE(Math.round(8000 * Math.sin(i / 7)), i);
  return b;
}

/** Scrape GET /metrics every second until stopped; returns the stop function. */
function scrapeEverySecond(port) {
  const t = setInterval(() => {
    httpGet({ host: '127.0.0.1', port, path: '/metrics' }, (res) => res.resume()).on('error', () => undefined);
  }, 1000);
  return () => clearInterval(t);
}

async function runStep(kind, pathName, calls, seconds, fake, profName) {
  const fakePort = fake.port;
  const p = PATHS[pathName];
  const server = startChild(['--role', kind, '--fake-port', String(fakePort)], profName, PIN.sut);
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
  const timers = [];
  const lastSeq = new Int32Array(calls).fill(-1);
  const inWindow = (t) => t >= measureStart && t < measureEnd;
  const arrived = (sentAt) => {
    if (!inWindow(sentAt)) return;
    received++;
    latencies.push(performance.now() - sentAt);
  };

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
      setTimeout(() => timers.push(setInterval(tick, 20)), Math.random() * 20);
    }),
  );
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
  for (const t of timers) clearInterval(t);
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
// Resampler SNR: a 1 kHz tone at -6 dBFS through the polyphase FIR, against the ideal tone (sine fit)
// ---------------------------------------------------------------------------------------

async function toneSnr(fromHz, toHz) {
  const { createResampler } = await import(distUrl('audio/resampler.js'));
  const rs = createResampler(fromHz, toHz);
  const amp = 0.5 * 32767;
  const n = fromHz / 50;
  const out = [];
  for (let f = 0; f < 100; f++) {
    const b = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(amp * Math.sin((2 * Math.PI * 1000 * (f * n + i)) / fromHz)), i * 2);
    out.push(rs.process(b));
  }
  const pcm = Buffer.concat(out);
  const y = [];
  for (let i = 0; i < pcm.length; i += 2) y.push(pcm.readInt16LE(i));
  // least-squares fit of a·sin + b·cos at exactly 1 kHz over the steady part (skip 100 ms, end 20 ms)
  const s0 = Math.round(toHz * 0.1);
  const s1 = y.length - Math.round(toHz * 0.02);
  let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (let i = s0; i < s1; i++) {
    const w = (2 * Math.PI * 1000 * i) / toHz;
    const s = Math.sin(w), c = Math.cos(w);
    ss += s * s; cc += c * c; sc += s * c; ys += y[i] * s; yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const bb = (yc * ss - ys * sc) / det;
  let sig = 0, err = 0;
  for (let i = s0; i < s1; i++) {
    const w = (2 * Math.PI * 1000 * i) / toHz;
    const ideal = a * Math.sin(w) + bb * Math.cos(w);
    sig += ideal * ideal;
    err += (y[i] - ideal) ** 2;
  }
  return { snr: 10 * Math.log10(sig / err), gain: Math.hypot(a, bb) / amp, delayMs: rs.delayMs };
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
  const kinds = values.metrics ? ['floor', 'bridge', 'bridge+m'] : ['floor', 'bridge'];
  console.log(`plan: ${paths.map((p) => `${p} ${plan[p].join(',')}`).join('; ')}; ${rounds} rounds of ${seconds} s${values.metrics ? '; with --metrics' : ''}`);
  setupPinning(values.pin);
  console.log(PIN.on ? `pinning: process under test on CPU ${PIN.sut}; load generator and fake model on CPU ${PIN.rest} (--no-pin to turn off)` : 'pinning: off (all processes share every core)');
  const fake = startChild(['--role', 'fake'], process.env.BENCH_CPU_PROF ? `fake-${Date.now()}` : undefined);
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
          (s['bridge+m'] ? `; with /metrics scraped: CPU ${((s['bridge+m'].cpuPct / b.cpuPct - 1) * 100).toFixed(1)} % over the bridge` : ''),
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

/** The targets, checked on the medians of this run. */
function printTargets(summary) {
  const find = (path, calls) => summary.find((s) => s.path === path && s.calls === calls);
  const verdict = (ok) => (ok ? 'holds' : 'MISSED');
  console.log('\ntargets:');
  for (const calls of [200, 400]) {
    const s = find('acs24', calls);
    if (!s) continue;
    const cpu = s.bridge.cpuPct / s.floor.cpuPct, p99 = s.bridge.p99 / s.floor.p99;
    console.log(`  ACS 24 kHz ${calls} calls: CPU ${cpu.toFixed(2)}x floor (≤ 1.10) ${verdict(cpu <= 1.1)}; p99 ${p99.toFixed(2)}x floor (≤ 1.2) ${verdict(p99 <= 1.2)}; lost ${s.bridge.lost} ${verdict(s.bridge.lost === 0)}`);
  }
  const s16 = find('acs16', 200);
  const s24 = find('acs24', 200);
  if (s16) {
    const perCall = s24 ? s16.bridge.cpuPct / s24.bridge.cpuPct : NaN;
    console.log(
      `  ACS 16 kHz 200 calls: lost ${s16.bridge.lost} ${verdict(s16.bridge.lost === 0)}; p99 ${s16.bridge.p99.toFixed(2)} ms (≤ 5) ${verdict(s16.bridge.p99 <= 5)}; ` +
        `CPU per call ${perCall.toFixed(2)}x the 24 kHz path's (≤ 1.3) ${s24 ? verdict(perCall <= 1.3) : '(acs24 200 not run)'}; RSS per call ${s16.bridge.rssPerCallKB.toFixed(0)} KB (≤ 300) ${verdict(s16.bridge.rssPerCallKB <= 300)}`,
    );
  }
  for (const path of ['ast-ulaw', 'twilio']) {
    for (const s of summary.filter((x) => x.path === path)) {
      const cpu = s.bridge.cpuPct / s.floor.cpuPct;
      console.log(`  G.711 passthrough ${path} ${s.calls} calls: CPU ${cpu.toFixed(2)}x floor (≤ 1.10) ${verdict(cpu <= 1.1)}`);
    }
  }
  for (const s of summary.filter((x) => x['bridge+m'])) {
    const extra = (s['bridge+m'].cpuPct / s.bridge.cpuPct - 1) * 100;
    console.log(`  metrics ${s.path} ${s.calls} calls: CPU +${extra.toFixed(1)} % with /metrics scraped 1/s (≤ 3 %) ${verdict(extra <= 3)}`);
  }
}

await main();
