#!/usr/bin/env node
// bench/ws-probe: what does the phase-by-phase probe cost over a bare `ws` client doing the
// same exchange (connect, upgrade, one ping/pong, close: what `wscat -c` does)?
// The probe does more (its own DNS/TCP/TLS steps, timing, classification); the ratio is its cost.
// Against a loopback ws server started here, both run alternately, N times (default 200, or
// the first argument), after a warm-up; prints medians and the ratio. Then the same for the
// whole CLI (`voicectl ws-probe URL --hold 0 --json`) against a node process running the bare
// client, spawned alternately (default 20 runs, or the second argument).
// Usage: npm run build && node bench/ws-probe.mjs [runs] [spawnRuns]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';

const runs = Number(process.argv[2] ?? 200);
const spawnRuns = Number(process.argv[3] ?? 20);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { probeWebSocket } = await import(pathToFileURL(path.join(root, 'dist/probe/index.js')).href);

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws/media' });
await new Promise((r) => wss.on('listening', r));
const url = `ws://127.0.0.1:${wss.address().port}/ws/media`;

function bare() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('open', () => ws.ping());
    // like the probe: resolve at the pong, close without waiting for the peer's close frame
    ws.on('pong', () => {
      ws.close(1000);
      resolve();
    });
    ws.on('error', reject);
  });
}
async function probe() {
  const r = await probeWebSocket(url, { holdMs: 0 });
  if (!r.ok) throw new Error(`probe failed: ${r.verdict}`);
}
async function timeOnce(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

for (let i = 0; i < 20; i++) {
  await timeOnce(bare);
  await timeOnce(probe);
}
const a = [];
const b = [];
for (let i = 0; i < runs; i++) {
  a.push(await timeOnce(bare));
  b.push(await timeOnce(probe));
}
const ma = median(a);
const mb = median(b);
console.log(`in-process, ${runs} runs each (median)`);
console.log(`  bare ws client (connect, ping/pong, close)   ${ma.toFixed(2)} ms`);
console.log(`  probeWebSocket (all phases, hold 0)          ${mb.toFixed(2)} ms`);
console.log(`  ratio                                        ${(mb / ma).toFixed(2)}x`);

// The CLI: spawns run synchronously, so the server lives in a child process meanwhile.
wss.close();
const server = `import { WebSocketServer } from 'ws';
const s = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws/media' });
s.on('listening', () => console.log(s.address().port));`;
const { spawn } = await import('node:child_process');
const child = spawn(process.execPath, ['--input-type=module', '-e', server], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((r) => child.stdout.once('data', (d) => r(Number(String(d).trim()))));
const url2 = `ws://127.0.0.1:${port}/ws/media`;
const bareScript = `import WebSocket from 'ws';
const ws = new WebSocket(${JSON.stringify(url2)}, { perMessageDeflate: false });
ws.on('open', () => ws.ping()); ws.on('pong', () => ws.close(1000)); ws.on('close', () => process.exit(0));
ws.on('error', () => process.exit(1));`;
const bin = path.join(root, 'bin', 'voicectl.js');
function spawnOnce(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const c = [];
const d = [];
for (let i = 0; i < spawnRuns + 2; i++) {
  const x = spawnOnce(['--input-type=module', '-e', bareScript]);
  const y = spawnOnce([bin, 'ws-probe', url2, '--hold', '0', '--json']);
  if (i >= 2) (c.push(x), d.push(y));
}
child.kill();
const mc = median(c);
const md = median(d);
console.log(`whole process, ${spawnRuns} runs each (median)`);
console.log(`  node + bare ws client                        ${mc.toFixed(1)} ms`);
console.log(`  voicectl ws-probe URL --hold 0 --json        ${md.toFixed(1)} ms`);
console.log(`  ratio                                        ${(md / mc).toFixed(2)}x`);
