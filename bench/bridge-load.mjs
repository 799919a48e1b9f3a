#!/usr/bin/env node
// bench/bridge-load: N simulated ACS calls through `voicectl bridge` (dist/) to a local fake
// Azure OpenAI Realtime server (an echo-like model: every input_audio_buffer.append comes back
// at once as a response.output_audio.delta), 50 frames per second each way per call.
//
// Each 20 ms frame carries (call, sequence, send time) in its first 16 PCM bytes, so the
// caller measures the round trip ACS → bridge → model → bridge → ACS and counts lost frames.
// In the same run, a bare `ws` forwarder (no parsing, no protocol translation) does the same
// job as the floor; the ratio bridge / floor is printed. The bridge, the floor, and the fake
// model each run in their own process; CPU and RSS are those of the process under test.
//
// Also prints the SNR of a 1 kHz tone through the 16k → 24k resampler (target ≥ 90 dB).
//
// Usage: npm run build && node bench/bridge-load.mjs [--calls 50,100,200] [--seconds 5] [--rounds 3] [--rate 24000|16000] [--snr-only]
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';

const self = fileURLToPath(import.meta.url);
const distUrl = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const API_KEY = 'bench-key';

// ---------------------------------------------------------------------------------------
// Child roles
// ---------------------------------------------------------------------------------------

/** The fake Realtime model: echoes appends as deltas (and ACS AudioData as AudioData, for the floor). */
async function roleFake() {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    if (req.headers['api-key'] !== API_KEY) return ws.close(1008, 'no api-key');
    let responseId;
    let n = 0;
    ws.on('message', (data) => {
      const ev = JSON.parse(data.toString());
      if (ev.type === 'session.update') return ws.send(JSON.stringify({ type: 'session.updated', session: ev.session }));
      if (ev.type === 'input_audio_buffer.append') {
        if (!responseId) {
          responseId = `resp_${++n}`;
          ws.send(JSON.stringify({ type: 'response.created', response: { id: responseId, status: 'in_progress' } }));
        }
        return ws.send(
          JSON.stringify({ type: 'response.output_audio.delta', response_id: responseId, item_id: 'item_1', output_index: 0, content_index: 0, delta: ev.audio }),
        );
      }
      if (ev.kind === 'AudioData') return ws.send(JSON.stringify({ kind: 'AudioData', audioData: { data: ev.audioData.data } }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  process.on('message', (m) => m.cmd === 'exit' && process.exit(0));
  process.send({ ready: true, port: server.address().port });
}

/** The floor: a bare ws forwarder, one upstream socket per call, bytes passed through unparsed. */
async function roleFloor(fakePort) {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 2 * 1024 * 1024 });
  wss.on('connection', (ws) => {
    const up = new WebSocket(`ws://127.0.0.1:${fakePort}/openai/v1/realtime?model=bench`, { headers: { 'api-key': API_KEY }, perMessageDeflate: false });
    const pending = [];
    up.on('open', () => {
      for (const m of pending.splice(0)) up.send(m);
    });
    up.on('message', (data, isBinary) => ws.readyState === 1 && ws.send(data, { binary: isBinary }));
    ws.on('message', (data, isBinary) => (up.readyState === 1 ? up.send(data, { binary: isBinary }) : pending.push(data)));
    ws.on('close', () => up.close());
    up.on('error', () => ws.close(1011));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, stats: () => ({}) };
}

/** The bridge under test, from dist/. */
async function roleBridge(fakePort) {
  const { startBridge } = await import(distUrl('bridge/server.js'));
  const handle = await startBridge({
    port: 0,
    host: '127.0.0.1',
    mediaPath: '/ws/media',
    maxCalls: 100000,
    upstream: { kind: 'aoai', endpoint: `http://127.0.0.1:${fakePort}`, deployment: 'bench', protocol: 'ga', apiKey: API_KEY, session: {} },
    onEvent: () => {},
  });
  return { port: handle.port, stats: () => handle.stats() };
}

async function roleServer(kind, fakePort) {
  const sut = kind === 'bridge' ? await roleBridge(fakePort) : await roleFloor(fakePort);
  let cpu = process.cpuUsage();
  process.on('message', (m) => {
    if (m.cmd === 'exit') process.exit(0);
    if (m.cmd === 'mark') cpu = process.cpuUsage();
    if (m.cmd === 'stats') {
      const d = process.cpuUsage(cpu);
      process.send({ stats: true, cpuMicros: d.user + d.system, rss: process.memoryUsage().rss, sut: sut.stats() });
    }
  });
  process.send({ ready: true, port: sut.port, rss: process.memoryUsage().rss });
}

// ---------------------------------------------------------------------------------------
// Load generator (main process)
// ---------------------------------------------------------------------------------------

function startChild(args) {
  // BENCH_CPU_PROF=<dir>: write a V8 CPU profile of each child (bridge, floor, fake) there.
  const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = fork(self, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
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
  return { child, ready, ask };
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

async function runStep(kind, calls, seconds, rate, fakePort) {
  const server = startChild(['--role', kind, '--fake-port', String(fakePort)]);
  const { port, rss: rssBase } = await server.ready;
  const url = kind === 'bridge' ? `ws://127.0.0.1:${port}/ws/media` : `ws://127.0.0.1:${port}/`;
  const frameBytes = (rate / 50) * 2;
  const pattern = Buffer.alloc(frameBytes);
  for (let i = 16; i < frameBytes; i += 2) pattern.writeInt16LE(Math.round(8000 * Math.sin(i / 7)), i);
  const markerMode = rate !== 24000;
  const markerB64 = Buffer.alloc(frameBytes).fill(Buffer.from([0x20, 0x4e])).toString('base64'); // 20000 LE
  const silenceB64 = Buffer.alloc(frameBytes).toString('base64');
  const meta = JSON.stringify({ kind: 'AudioMetadata', audioMetadata: { subscriptionId: 'bench', encoding: 'PCM', sampleRate: rate, channels: 1, length: frameBytes } });

  let measuring = false;
  let measureStart = Infinity;
  let measureEnd = Infinity;
  const latencies = [];
  let sentInWindow = 0;
  let receivedInWindow = 0;
  let outOfOrder = 0;
  const sockets = [];
  const timers = [];
  const lastSeq = new Int32Array(calls).fill(-1);

  await Promise.all(
    Array.from({ length: calls }, (_, c) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url, { perMessageDeflate: false, headers: { 'x-ms-call-connection-id': `bench-${c}` } });
        sockets.push(ws);
        ws.on('error', reject);
        // 24 kHz: (call, seq, send time) ride in the first 16 bytes, which pass through bit-exact.
        // 16 kHz: resampling changes every sample, so every 5th frame is a loud marker frame
        // (all samples 20000, the rest silence) and its arrival is matched to its send time.
        const markers = [];
        let inMarker = false;
        ws.on('message', (data) => {
          const text = data.toString();
          const i = text.indexOf('"data":"');
          if (i < 0) return;
          if (markerMode) {
            const pcm = Buffer.from(text.slice(i + 8, text.indexOf('"', i + 8)), 'base64');
            let loud = false;
            for (let k = 0; k + 1 < pcm.length; k += 8) if (pcm.readInt16LE(k) > 10000) { loud = true; break; }
            if (loud && !inMarker) {
              const sentAt = markers.shift();
              if (sentAt >= measureStart && sentAt < measureEnd) {
                receivedInWindow++;
                latencies.push(performance.now() - sentAt);
              }
            }
            inMarker = loud;
            return;
          }
          const head = Buffer.from(text.slice(i + 8, i + 8 + 24), 'base64');
          const seq = head.readUInt32LE(4);
          const sentAt = head.readDoubleLE(8);
          const call = head.readUInt32LE(0);
          if (seq <= lastSeq[call]) outOfOrder++;
          lastSeq[call] = seq;
          if (sentAt >= measureStart && sentAt < measureEnd) {
            receivedInWindow++;
            latencies.push(performance.now() - sentAt);
          }
        });
        ws.on('open', () => {
          ws.send(meta);
          let seq = 0;
          const frame = Buffer.from(pattern);
          frame.writeUInt32LE(c, 0);
          const tick = () => {
            if (ws.readyState !== 1) return;
            const now = performance.now();
            let data;
            if (markerMode) {
              const marker = seq++ % 5 === 0;
              if (marker) {
                markers.push(now);
                if (now >= measureStart && now < measureEnd) sentInWindow++;
              }
              data = marker ? markerB64 : silenceB64;
            } else {
              frame.writeUInt32LE(seq++, 4);
              frame.writeDoubleLE(now, 8);
              if (now >= measureStart && now < measureEnd) sentInWindow++;
              data = frame.toString('base64');
            }
            ws.send(`{"kind":"AudioData","audioData":{"timestamp":"${new Date().toISOString()}","participantRawID":"8:acs:bench","data":"${data}","silent":false}}`);
          };
          setTimeout(() => timers.push(setInterval(tick, 20)), Math.random() * 20);
          resolve();
        });
      }),
    ),
  );
  // warm up 1 s, then measure
  await new Promise((r) => setTimeout(r, 1000));
  await server.ask('mark');
  measureStart = performance.now();
  measuring = true;
  measureEnd = measureStart + seconds * 1000;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const stats = await server.ask('stats');
  await new Promise((r) => setTimeout(r, 1000)); // let the last frames of the window arrive
  for (const t of timers) clearInterval(t);
  for (const ws of sockets) ws.close();
  await new Promise((r) => setTimeout(r, 300));
  server.child.send({ cmd: 'exit' });
  void measuring;
  latencies.sort((a, b) => a - b);
  return {
    kind, calls, sent: sentInWindow, lost: sentInWindow - receivedInWindow, outOfOrder,
    p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN,
    cpuPct: (stats.cpuMicros / (seconds * 1e6)) * 100,
    rssMB: stats.rss / 1e6,
    rssPerCallKB: (stats.rss - rssBase) / 1e3 / calls,
    dropped: stats.sut.droppedIn !== undefined ? stats.sut.droppedIn + stats.sut.droppedOut : 0,
  };
}

// ---------------------------------------------------------------------------------------
// Resampler SNR: a 1 kHz tone through 16k → 24k, against the ideal tone (sine fit)
// ---------------------------------------------------------------------------------------

async function toneSnr(fromHz, toHz) {
  const { createPcmResampler } = await import(distUrl('bridge/resampler.js'));
  const rs = await createPcmResampler(fromHz, toHz);
  const amp = 0.9 * 32767;
  const n = fromHz / 50;
  const out = [];
  for (let f = 0; f < 100; f++) {
    const b = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(amp * Math.sin((2 * Math.PI * 1000 * (f * n + i)) / fromHz)), i * 2);
    out.push(Buffer.from(rs.process(b.toString('base64')), 'base64'));
  }
  rs.destroy();
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
  return { snr: 10 * Math.log10(sig / err), gain: Math.hypot(a, bb) / amp, samples: y.length };
}

// ---------------------------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      'fake-port': { type: 'string' },
      calls: { type: 'string', default: '50,100,200' },
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      rate: { type: 'string', default: '24000' },
      'snr-only': { type: 'boolean', default: false },
    },
  });
  if (values.role === 'fake') return roleFake();
  if (values.role) return roleServer(values.role, Number(values['fake-port']));

  const up = await toneSnr(16000, 24000);
  const down = await toneSnr(24000, 16000);
  console.log(`resampler  1 kHz tone at -1 dBFS, 16k→24k: SNR ${up.snr.toFixed(1)} dB (target ≥ 90 dB), gain ${up.gain.toFixed(4)}`);
  console.log(`resampler  1 kHz tone at -1 dBFS, 24k→16k: SNR ${down.snr.toFixed(1)} dB, gain ${down.gain.toFixed(4)}`);
  if (values['snr-only']) return;

  const steps = values.calls.split(',').map(Number);
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const rate = Number(values.rate);
  const fake = startChild(['--role', 'fake']);
  const { port: fakePort } = await fake.ready;
  console.log(`\nload average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other work on the machine skews the figures)`);
  console.log(`load: ${rounds} rounds of ${seconds} s per step (floor and bridge alternating, fresh processes) after 1 s warm-up, ${rate} Hz PCM16, 50 frames/s each way per call, loopback, ${process.version}`);
  if (rate !== 24000) console.log('16 kHz: latency and loss are measured on marker frames (every 5th frame), not on every frame');
  console.log('impl    calls   sent     lost  p50 ms  p99 ms  max ms  CPU %core  CPU/call %  RSS MB  RSS/call KB');
  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const line = (label, calls, r) =>
    `${label.padEnd(7)} ${String(calls).padStart(5)} ${String(r.sent).padStart(6)} ${String(r.lost).padStart(8)} ` +
    `${r.p50.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(7)} ${r.max.toFixed(1).padStart(7)} ` +
    `${r.cpuPct.toFixed(1).padStart(10)} ${(r.cpuPct / calls).toFixed(3).padStart(11)} ${r.rssMB.toFixed(0).padStart(7)} ${r.rssPerCallKB.toFixed(0).padStart(12)}` +
    (r.outOfOrder ? `  out-of-order ${r.outOfOrder}` : '') + (r.dropped ? `  dropped ${r.dropped}` : '');
  const summary = [];
  for (const calls of steps) {
    const byKind = { floor: [], bridge: [] };
    for (let round = 0; round < rounds; round++) {
      for (const kind of round % 2 ? ['bridge', 'floor'] : ['floor', 'bridge']) {
        const r = await runStep(kind, calls, seconds, rate, fakePort);
        byKind[kind].push(r);
        console.log(line(kind, calls, r));
      }
    }
    // Medians over the rounds (the machine is shared: single rounds swing widely).
    const agg = (rs) => ({
      sent: rs.reduce((a, r) => a + r.sent, 0), lost: rs.reduce((a, r) => a + r.lost, 0), outOfOrder: rs.reduce((a, r) => a + r.outOfOrder, 0),
      p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), max: Math.max(...rs.map((r) => r.max)),
      cpuPct: median(rs.map((r) => r.cpuPct)), rssMB: median(rs.map((r) => r.rssMB)), rssPerCallKB: median(rs.map((r) => r.rssPerCallKB)),
      dropped: rs.reduce((a, r) => a + r.dropped, 0),
    });
    const f = agg(byKind.floor);
    const b = agg(byKind.bridge);
    summary.push({ calls, f, b });
    console.log(`ratio   ${String(calls).padStart(5)}  medians of ${rounds} rounds, bridge/floor: p50 ${(b.p50 / f.p50).toFixed(2)}x, p99 ${(b.p99 / f.p99).toFixed(2)}x, CPU ${(b.cpuPct / f.cpuPct).toFixed(2)}x`);
  }
  fake.child.send({ cmd: 'exit' });
  console.log(`\nload average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`\nsummary (medians of ${rounds} rounds of ${seconds} s; sent/lost summed):`);
  console.log('impl    calls   sent     lost  p50 ms  p99 ms  max ms  CPU %core  CPU/call %  RSS MB  RSS/call KB');
  for (const { calls, f, b } of summary) {
    console.log(line('floor', calls, f));
    console.log(line('bridge', calls, b));
  }
  const holding = summary.filter(({ b }) => b.lost === 0 && b.p99 <= 5).map(({ calls }) => calls);
  console.log(`highest N with 0 frames lost and median p99 ≤ 5 ms: ${holding.length ? Math.max(...holding) : 'none'} (of ${steps.join(', ')})`);
}

await main();
