#!/usr/bin/env node
// bench/catch-throughput: what does keeping the WAV header right on every append cost?
//
// 1. file, paced: N frames of 320 bytes (20 ms at 8 kHz), each awaited before the next (a
//           live call: one data write + one header rewrite per frame) — WavWriter vs a plain
//           awaited FileHandle append.
//    file, burst: the same frames issued at once — WavWriter (batches queued frames: one
//           write + one header rewrite per batch) vs fs.createWriteStream (the seed's way).
// 2. relay: 2 calls x 3 legs over real loopback WebSockets, N frames per leg — the voicectl
//           catch server vs a seed-style server (ws noServer + createWriteStream per leg).
// Both pairs run alternately in the same process, ROUNDS times; medians and ratios are printed,
// plus how many concurrent 3-leg 8 kHz calls the measured rate would carry (16,000 B/s per leg).
// Usage: npm run build && node bench/catch-throughput.mjs [framesPerLeg=20000] [rounds=5]
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { startCatchServer } from '../dist/catch/server.js';
import { WavWriter } from '../dist/catch/wav-writer.js';

const FRAMES = Number(process.argv[2] ?? 20000);
const ROUNDS = Number(process.argv[3] ?? 5);
const FRAME = Buffer.alloc(320, 7);
const LEGS = ['left', 'right', 'mix'];
const IDS = ['7bace96a-b33e-4d19-ae72-e1ba25886472', '0f8fad5b-d9cb-469f-a165-70867728950e'];
const dir = await mkdtemp(path.join(tmpdir(), 'catch-bench-'));
let seq = 0;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function fileWav(paced) {
  const w = await WavWriter.open(path.join(dir, `w${seq++}.wav`), { sampleRate: 8000 });
  const t0 = now();
  let last;
  for (let i = 0; i < FRAMES; i++) {
    last = w.append(FRAME);
    if (paced) await last;
  }
  await last;
  await w.close();
  return now() - t0;
}

async function filePaced() {
  const fh = await open(path.join(dir, `q${seq++}.raw`), 'a');
  const t0 = now();
  for (let i = 0; i < FRAMES; i++) await fh.write(FRAME);
  await fh.datasync();
  await fh.close();
  return now() - t0;
}

async function filePlain() {
  const s = createWriteStream(path.join(dir, `p${seq++}.raw`));
  await once(s, 'open');
  const t0 = now();
  for (let i = 0; i < FRAMES; i++) s.write(FRAME);
  s.end();
  await once(s, 'close');
  return now() - t0;
}

/** The seed's server, trimmed: one createWriteStream per connection, appending each message. */
async function startSeed(out) {
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  let ended = 0;
  let onEnded = () => {};
  server.on('upgrade', (req, socket, head) => {
    const [, leg, id] = req.url.split('/');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const f = createWriteStream(path.join(out, `${id}-${leg}.raw`));
      ws.on('message', (m) => f.write(m));
      ws.on('close', () => f.end(() => { ended++; onEnded(); }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    waitEnded: (n) => new Promise((r) => { onEnded = () => ended >= n && r(); onEnded(); }),
    close: () => new Promise((r) => { wss.close(); server.close(r); }),
  };
}

async function relay(kind) {
  const out = await mkdtemp(path.join(dir, `${kind}-`));
  let srv;
  let ended = 0;
  let onEnded = () => {};
  if (kind === 'catch') {
    const s = await startCatchServer({ port: 0, outDir: out, sampleRate: 8000, onEvent: (e) => { if (e.type === 'stream.ended') { ended++; onEnded(); } } });
    srv = { port: s.port, waitEnded: (n) => new Promise((r) => { onEnded = () => ended >= n && r(); onEnded(); }), close: () => s.close() };
  } else srv = await startSeed(out);
  const clients = await Promise.all(
    IDS.flatMap((id) => LEGS.map(async (leg) => {
      const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/${leg}/${id}`);
      await once(ws, 'open');
      return ws;
    })),
  );
  const t0 = now();
  await Promise.all(clients.map(async (ws) => {
    for (let i = 0; i < FRAMES; i++) ws.send(FRAME);
    ws.close();
    await once(ws, 'close');
  }));
  await srv.waitEnded(clients.length);
  const ms = now() - t0;
  await srv.close();
  return ms;
}

const r = { wavPaced: [], paced: [], wav: [], plain: [], catch: [], seed: [] };
await fileWav(true); await filePaced(); await fileWav(false); await filePlain(); await relay('catch'); await relay('seed'); // warm-up
for (let i = 0; i < ROUNDS; i++) {
  r.wavPaced.push(await fileWav(true));
  r.paced.push(await filePaced());
  r.wav.push(await fileWav(false));
  r.plain.push(await filePlain());
  r.catch.push(await relay('catch'));
  r.seed.push(await relay('seed'));
}
await rm(dir, { recursive: true, force: true });

const fileBytes = FRAMES * FRAME.length;
const relayBytes = fileBytes * IDS.length * LEGS.length;
const line = (label, ms, bytes) => `${label.padEnd(44)} median ${ms.toFixed(1).padStart(8)} ms  ${mbps(bytes, ms).toFixed(1).padStart(7)} MB/s`;
const calls = (ms, bytes) => Math.floor(bytes / (ms / 1000) / (16000 * 3));
console.log(`frames of 320 bytes: ${FRAMES} per file/leg, ${ROUNDS} rounds, Node ${process.version}`);
console.log(line('file paced: WavWriter (header per frame)', median(r.wavPaced), fileBytes));
console.log(line('file paced: FileHandle append (baseline)', median(r.paced), fileBytes));
console.log(`file paced ratio (WavWriter / baseline)       ${(median(r.wavPaced) / median(r.paced)).toFixed(2)}x`);
console.log(line('file burst: WavWriter (batched)', median(r.wav), fileBytes));
console.log(line('file burst: fs.createWriteStream (baseline)', median(r.plain), fileBytes));
console.log(`file burst ratio (WavWriter / baseline)       ${(median(r.wav) / median(r.plain)).toFixed(2)}x`);
console.log(line('relay 6 legs: voicectl catch', median(r.catch), relayBytes));
console.log(line('relay 6 legs: seed server (baseline)', median(r.seed), relayBytes));
console.log(`relay ratio (catch time / baseline)           ${(median(r.catch) / median(r.seed)).toFixed(2)}x`);
console.log(`voicectl catch carries ~${calls(median(r.catch), relayBytes)} concurrent 3-leg 8 kHz calls at this rate`);
