#!/usr/bin/env node
// bench/resampler: the polyphase FIR resampler (src/audio/resampler.ts) against libsamplerate
// (`@alexanderolsen/libsamplerate-js`, used the way the bridge used it before, bench/libsamplerate-baseline.mjs: one WASM
// converter per call and direction, sinc-fastest, base64 in and out), measured in the same run.
//
// Prints, per direction (16k→24k, 24k→16k, 8k→24k, 24k→8k):
// - speed: CPU ns per 20 ms frame (this process's user + system CPU time, not wall time, so
//   other load on the machine counts less; median of the rounds; rounds interleave the implementations).
//   "ours" is Buffer → Buffer; "ours b64" is processBase64 (base64 in and out, decoded into and
//   encoded from the kernel's memory, as the bridge calls it), which is what the libsamplerate wrapper's figure includes;
// - quality on a 1 kHz tone at −6 dBFS (PCM16 in, PCM16 out):
//   * sine-fit SNR: least-squares fit of a 1 kHz sine to the output after the ramp-in, residual
//     power as noise. It counts the test tone's own int16 quantisation as noise, so even a
//     perfect resampler scores ≈89–93 dB here; "floor" is that perfect resampler (the exact
//     band-limited resampling of the same int16 input, rounded to int16);
//   * own SNR: against that exact band-limited resampling of the same int16 input, aligned by
//     the reported group delay: the resampler's own error (filter + its output rounding);
//   * alias rejection: output power of a tone above the lower rate's Nyquist (10 kHz into
//     24k→16k, 5 kHz into 24k→8k) relative to the tone's input power;
//   * pass band: gain at 3.4 kHz (and 7 kHz on the 16 kHz paths); group delay (ms);
// - the filter itself, from its coefficients (float64, before any int16 rounding): taps, worst
//   pass-band deviation up to the pass-band edge, least stop-band attenuation from the stop-band edge;
// - memory: bytes per converter instance (heap + array buffers, 1000 instances, after one frame
//   each), and for libsamplerate the RSS growth per instance (its WASM memory is outside the heap).
//
// Usage: npm run build && node bench/resampler.mjs [--frames 1500] [--rounds 5]
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sineFit } from './sine-fit.mjs';

const { values } = parseArgs({
  options: { frames: { type: 'string', default: '1500' }, rounds: { type: 'string', default: '5' } },
});
const FRAMES = Number(values.frames);
const ROUNDS = Number(values.rounds);
console.log(`$ node ${process.argv.slice(1).map((a) => a.replace(/^.*\/bench\//, 'bench/')).join(' ')}`);
console.log(`node ${process.version}, ${FRAMES} frames × ${ROUNDS} rounds per direction\n`);

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const { createResampler } = await import(dist('audio/resampler.js'));
const { createPcmResampler } = await import('./libsamplerate-baseline.mjs');
const { bankFor } = await import(dist('audio/polyphase-bank.js'));
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const DIRECTIONS = [
  [16000, 24000],
  [24000, 16000],
  [8000, 24000],
  [24000, 8000],
];
const AMP = 10 ** (-6 / 20) * 32767; // −6 dBFS

// ---------------------------------------------------------------------------------------
// Signals and measurements
// ---------------------------------------------------------------------------------------

function tone(rate, hz, n, amp = AMP, phase = 0) {
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate + phase)), 2 * i);
  return b;
}

/** Pseudo-speech: two wandering tones plus noise, ±12000 (content for the speed rounds). */
function babble(rate, n) {
  const b = Buffer.alloc(n * 2);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const t = i / rate;
    const v = 6000 * Math.sin(2 * Math.PI * (300 + 200 * Math.sin(t)) * t) + 4000 * Math.sin(2 * Math.PI * 1900 * t) + ((x >>> 16) - 32768) / 16;
    b.writeInt16LE(Math.round(v), 2 * i);
  }
  return b;
}

const samples = (buf) => {
  const y = new Float64Array(buf.length >> 1);
  for (let i = 0; i < y.length; i++) y[i] = buf.readInt16LE(2 * i);
  return y;
};

/**
 * The exact band-limited resampling of a 1 kHz-periodic int16 input (one period = fromHz / 1000
 * samples): trigonometric interpolation of its harmonics, those below the lower Nyquist kept,
 * one at it halved (the filters' cutoff), evaluated at output instant m / toHz − delay.
 */
function idealResample(x, fromHz, toHz, delayMs, count) {
  const P = fromHz / 1000;
  const nyq = Math.min(fromHz, toHz) / 2;
  const re = [], im = [];
  for (let k = 0; k <= P / 2; k++) {
    let r = 0, s = 0;
    for (let n = 0; n < P; n++) {
      r += x[n] * Math.cos((2 * Math.PI * k * n) / P);
      s -= x[n] * Math.sin((2 * Math.PI * k * n) / P);
    }
    const g = k * 1000 < nyq ? 1 : k * 1000 === nyq ? 0.5 : 0;
    const both = k === 0 || k === P / 2 ? 1 : 2;
    re.push((g * both * r) / P);
    im.push((g * both * s) / P);
  }
  const out = new Float64Array(count);
  for (let m = 0; m < count; m++) {
    const t = (m / toHz - delayMs / 1000) * fromHz;
    let v = 0;
    for (let k = 0; k <= P / 2; k++) v += re[k] * Math.cos((2 * Math.PI * k * t) / P) - im[k] * Math.sin((2 * Math.PI * k * t) / P);
    out[m] = v;
  }
  return out;
}

/** SNR (dB) of y against g·ref with the gain g fitted, over [s0, s1). */
function snrAgainst(y, ref, s0, s1) {
  let yr = 0, rr = 0;
  for (let i = s0; i < s1; i++) { yr += y[i] * ref[i]; rr += ref[i] * ref[i]; }
  const g = yr / rr;
  let err = 0;
  for (let i = s0; i < s1; i++) err += (y[i] - g * ref[i]) ** 2;
  return 10 * Math.log10((g * g * rr) / err);
}

/** Our converter over 1 s of input in 20 ms frames. */
function runOurs(from, to, input) {
  const rs = createResampler(from, to);
  const frame = (from / 50) * 2;
  const out = [];
  for (let o = 0; o < input.length; o += frame) out.push(rs.process(input.subarray(o, o + frame)));
  return { y: samples(Buffer.concat(out)), delayMs: rs.delayMs };
}

/** libsamplerate, as the bridge wraps it (base64 in and out). */
async function runLsr(from, to, input) {
  const rs = await createPcmResampler(from, to);
  const frame = (from / 50) * 2;
  const out = [];
  for (let o = 0; o < input.length; o += frame) out.push(Buffer.from(rs.process(input.subarray(o, o + frame).toString('base64')), 'base64'));
  rs.destroy();
  return { y: samples(Buffer.concat(out)) };
}

const db = (x) => (x >= 0 ? '+' : '') + x.toFixed(2);

async function quality(from, to) {
  const s0 = Math.round(to * 0.05); // past the ramp-in of either implementation
  const s1 = to - Math.round(to * 0.02); // libsamplerate holds back its last few ms
  const t1k = tone(from, 1000, from);
  const ours = runOurs(from, to, t1k);
  const lsr = await runLsr(from, to, t1k);
  const ideal = idealResample(samples(t1k), from, to, ours.delayMs, to);
  const floor = Float64Array.from(ideal, Math.round);
  const r = {
    delayMs: ours.delayMs,
    fit: sineFit(ours.y, to, 1000, s0, s1).snr,
    fitLsr: sineFit(lsr.y, to, 1000, s0, s1).snr,
    fitFloor: sineFit(floor, to, 1000, s0, s1).snr,
    own: snrAgainst(ours.y, ideal, s0, s1),
  };
  const gain = async (hz) => {
    const o = sineFit(runOurs(from, to, tone(from, hz, from)).y, to, hz, s0, s1).amp;
    const l = sineFit((await runLsr(from, to, tone(from, hz, from))).y, to, hz, s0, s1).amp;
    return [20 * Math.log10(o / AMP), 20 * Math.log10(l / AMP)];
  };
  r.pass = [[3400, await gain(3400)]];
  if (Math.min(from, to) === 16000) r.pass.push([7000, await gain(7000)]);
  if (to < from) {
    const hz = to === 16000 ? 10000 : 5000;
    const power = (y) => {
      let p = 0;
      for (let i = s0; i < s1; i++) p += y[i] * y[i];
      return p / (s1 - s0);
    };
    const x = tone(from, hz, from);
    r.alias = [hz, 10 * Math.log10(power(runOurs(from, to, x).y) / (AMP * AMP / 2)), 10 * Math.log10(power((await runLsr(from, to, x)).y) / (AMP * AMP / 2))];
  }
  return r;
}

/** The bank's prototype response: max |gain − 1| (dB) in the pass band, min attenuation (dB) in the stop band. */
function filterFigures(from, to) {
  const b = bankFor(from, to);
  const K = b.taps;
  const L = b.up;
  const h = new Float64Array(K * L);
  for (let p = 0; p < L; p++) for (let j = 0; j < K; j++) h[p + j * L] = b.coefs[p * K + (K - 1 - j)] / L;
  const rate = from * L;
  const gain = (hz) => {
    let re = 0, im = 0;
    for (let k = 0; k < h.length; k++) { re += h[k] * Math.cos((2 * Math.PI * hz * k) / rate); im -= h[k] * Math.sin((2 * Math.PI * hz * k) / rate); }
    return Math.hypot(re, im);
  };
  let ripple = 0, stop = Infinity;
  for (let i = 0; i <= 400; i++) ripple = Math.max(ripple, Math.abs(20 * Math.log10(gain((b.passHz * i) / 400))));
  for (let i = 0; i <= 4000; i++) stop = Math.min(stop, -20 * Math.log10(gain(b.stopHz + ((rate / 2 - b.stopHz) * i) / 4000)));
  return { taps: K, L, passHz: b.passHz, stopHz: b.stopHz, ripple, stop };
}

// ---------------------------------------------------------------------------------------
// Speed
// ---------------------------------------------------------------------------------------

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function speed(from, to) {
  const n = from / 50;
  const input = babble(from, n * FRAMES);
  const frames = [];
  for (let f = 0; f < FRAMES; f++) frames.push(input.subarray(f * n * 2, (f + 1) * n * 2));
  const b64 = frames.map((f) => f.toString('base64'));
  const ours = createResampler(from, to);
  const oursB64 = createResampler(from, to);
  const lsr = await createPcmResampler(from, to);
  const impls = {
    ours: () => { for (const f of frames) ours.process(f); },
    'ours b64': () => { for (const s of b64) oursB64.processBase64(s); },
    libsamplerate: () => { for (const s of b64) lsr.process(s); },
  };
  const times = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
  for (const run of Object.values(impls)) run(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of Object.entries(impls)) {
      const c0 = process.cpuUsage();
      run();
      const c = process.cpuUsage(c0);
      times[name].push(((c.user + c.system) * 1000) / FRAMES);
    }
  }
  lsr.destroy();
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

// ---------------------------------------------------------------------------------------
// Memory per instance
// ---------------------------------------------------------------------------------------

function memNow() {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

async function memory(from, to) {
  const frame = tone(from, 1000, from / 50);
  createResampler(from, to).process(frame); // tables designed before the baseline
  const N = 1000;
  const keep = [];
  const before = memNow();
  for (let i = 0; i < N; i++) {
    const rs = createResampler(from, to);
    rs.process(frame);
    keep.push(rs);
  }
  const after = memNow();
  const L = 20; // libsamplerate instances are megabytes each
  const lsrs = [];
  const lBefore = memNow();
  for (let i = 0; i < L; i++) {
    const rs = await createPcmResampler(from, to);
    rs.process(frame.toString('base64'));
    lsrs.push(rs);
  }
  const lAfter = memNow();
  for (const rs of lsrs) rs.destroy();
  return { ours: (after.heap - before.heap) / keep.length, lsrRss: (lAfter.rss - lBefore.rss) / L, lsrHeap: (lAfter.heap - lBefore.heap) / L };
}

// ---------------------------------------------------------------------------------------

const t0 = Date.now();
const rows = [];
// Memory first, while nothing else has allocated or is being freed.
const mem = [];
for (const [from, to] of DIRECTIONS) mem.push(await memory(from, to));
for (const [i, [from, to]] of DIRECTIONS.entries()) rows.push({ from, to, m: mem[i], f: filterFigures(from, to), q: await quality(from, to), s: await speed(from, to) });

const k = (hz) => `${hz / 1000}k`;
console.log('speed, CPU ns per 20 ms frame (median)    ours   ours b64  libsamplerate  ratio (lsr / ours b64)');
for (const { from, to, s } of rows) {
  console.log(`  ${`${k(from)} → ${k(to)}`.padEnd(38)} ${s.ours.toFixed(0).padStart(7)} ${s['ours b64'].toFixed(0).padStart(9)} ${s.libsamplerate.toFixed(0).padStart(13)}  ${(s.libsamplerate / s['ours b64']).toFixed(1)}×`);
}
console.log('\nquality, 1 kHz at −6 dBFS (dB)   sine-fit SNR: ours / libsamplerate / perfect-int16 floor   own SNR   group delay');
for (const { from, to, q } of rows) {
  console.log(`  ${`${k(from)} → ${k(to)}`.padEnd(30)} ${q.fit.toFixed(1).padStart(6)} / ${q.fitLsr.toFixed(1)} / ${q.fitFloor.toFixed(1)}${' '.repeat(30)}${q.own.toFixed(1)}   ${q.delayMs.toFixed(3)} ms`);
}
console.log('\npass band (gain, dB: ours / libsamplerate), alias rejection (output vs input power, dB, ours / libsamplerate; silent = all samples 0)');
for (const { from, to, q } of rows) {
  const pass = q.pass.map(([hz, [o, l]]) => `${k(hz)} ${db(o)} / ${db(l)}`).join(', ');
  const fmt = (x) => (x === -Infinity ? 'silent' : x.toFixed(1)); // silent: every output sample rounds to 0 (< −96 dB)
  const alias = q.alias ? `; ${k(q.alias[0])} tone ${fmt(q.alias[1])} / ${fmt(q.alias[2])}` : '';
  console.log(`  ${`${k(from)} → ${k(to)}`.padEnd(12)} ${pass}${alias}`);
}
console.log('\nfilter (float64 coefficients): taps per phase × phases, pass band, stop band');
for (const { from, to, f } of rows) {
  console.log(`  ${`${k(from)} → ${k(to)}`.padEnd(12)} ${f.taps} × ${f.L}, ±${f.ripple.toExponential(1)} dB to ${k(f.passHz)}, ≥ ${f.stop.toFixed(1)} dB from ${k(f.stopHz)}`);
}
console.log('\nmemory per converter: ours (heap + array buffers, 1000 instances) / libsamplerate (RSS growth, 20 instances)');
for (const { from, to, m } of rows) {
  console.log(`  ${`${k(from)} → ${k(to)}`.padEnd(12)} ${(m.ours / 1024).toFixed(1)} KB / ${(m.lsrRss / 1024).toFixed(0)} KB (heap + array buffers, its WASM memory included: ${(m.lsrHeap / 1024).toFixed(0)} KB)`);
}
console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
