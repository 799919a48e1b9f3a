#!/usr/bin/env node
// bench/doctor: what does one `voicectl doctor` run cost, and do its checks really run
// concurrently?
// 1. In-process: runDoctor (groups acs, aoai, public) against loopback stand-ins started here
//    (an HTTPS ACS identity stub and a Realtime stub answering session.updated, both after
//    150 ms, about a round trip to an Azure region; the real bridge from dist/ behind a TLS
//    edge), N runs (default 20, or the first argument). Prints the
//    median wall time of a run against two baselines measured in the same runs: the slowest
//    single check (the ideal for a concurrent run) and the sum of all checks (what running
//    them one after another would take).
// 2. Whole process: `voicectl doctor --offline --json` (a 12-variable .env, no tools on PATH)
//    against `node -e 0`, spawned alternately (default 10 runs, or the second argument).
// Usage: npm run build && node bench/doctor.mjs [runs] [spawnRuns]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generate } from 'selfsigned';
import { WebSocketServer } from 'ws';

const runs = Number(process.argv[2] ?? 20);
const spawnRuns = Number(process.argv[3] ?? 10);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const load = (p) => import(pathToFileURL(path.join(root, 'dist', p)).href);
const [{ runDoctor }, { loadConfig }, { startBridge }] = await Promise.all([load('doctor/run.js'), load('config/load.js'), load('bridge/server.js')]);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));

// --- stand-ins -------------------------------------------------------------------------
const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
  keyType: 'ec',
  curve: 'P-256',
  algorithm: 'sha256',
  extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
});
const cert = { cert: pems.cert, key: pems.private };
const LATENCY_MS = 150;
const later = (fn) => setTimeout(fn, LATENCY_MS);
const acs = https.createServer(cert, (req, res) => {
  req.resume();
  req.on('end', () =>
    later(() => {
      if (req.method === 'POST') res.writeHead(201, { 'content-type': 'application/json' }).end('{"identity":{"id":"8:acs:bench_1"}}');
      else res.writeHead(204).end();
    }),
  );
});
const acsPort = await listen(acs);
const realtime = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((r) => realtime.on('listening', r));
realtime.on('connection', (ws) => ws.on('message', () => later(() => ws.send('{"type":"session.updated","session":{}}'))));
const bridge = await startBridge({ port: 0, host: '127.0.0.1', mediaPath: '/ws/media', maxCalls: 100, upstream: { kind: 'echo' }, onEvent: () => {} });
const edge = tls.createServer(cert, (c) => {
  const u = net.connect(bridge.port, '127.0.0.1');
  c.pipe(u).pipe(c);
  c.on('error', () => u.destroy());
  u.on('error', () => c.destroy());
});
const edgePort = await listen(edge);

const settings = {
  AZURE_COMMUNICATION_CONNECTION_STRING: `endpoint=https://127.0.0.1:${acsPort}/;accesskey=${Buffer.alloc(32, 7).toString('base64')}`,
  AZURE_OPENAI_ENDPOINT: `http://127.0.0.1:${realtime.address().port}`,
  AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime',
  AZURE_OPENAI_API_KEY: 'bench-key',
  CALLBACK_URI_HOST: `https://127.0.0.1:${edgePort}`,
};
const dir = mkdtempSync(path.join(os.tmpdir(), 'voicectl-bench-doctor-'));
const config = await loadConfig({ env: settings, cwd: dir });

// --- 1. in-process ----------------------------------------------------------------------
const wall = [];
const slowest = [];
const sum = [];
for (let i = 0; i < runs + 2; i++) {
  const t0 = performance.now();
  const report = await runDoctor({ config, cwd: dir, env: settings, only: ['acs', 'aoai', 'public'], ca: [pems.cert], timeoutMs: 5000 });
  const ms = performance.now() - t0;
  if (!report.ok) throw new Error(`doctor failed: ${JSON.stringify(report.checks.filter((c) => c.status === 'fail'))}`);
  if (i < 2) continue; // warm-up: SDK loading, TLS session setup
  wall.push(ms);
  slowest.push(Math.max(...report.checks.map((c) => c.ms)));
  sum.push(report.checks.reduce((a, c) => a + c.ms, 0));
}
console.log(`in-process, ${runs} runs of runDoctor --only acs,aoai,public (median)`);
console.log(`  slowest single check                             ${median(slowest).toFixed(1)} ms`);
console.log(`  all checks one after another (sum)               ${median(sum).toFixed(1)} ms`);
console.log(`  one doctor run (wall)                            ${median(wall).toFixed(1)} ms`);
console.log(`  run / slowest check                              ${(median(wall) / median(slowest)).toFixed(2)}x`);
console.log(`  run / sum of checks                              ${(median(wall) / median(sum)).toFixed(2)}x`);
await Promise.all([bridge.close(), new Promise((r) => acs.close(r)), new Promise((r) => edge.close(r))]);
realtime.close();

// --- 2. whole process, offline ------------------------------------------------------------
const envText = [
  ...Object.entries(settings),
  ['AOAI_VOICE', 'alloy'],
  ['ASTERISK_HOST', '127.0.0.1'],
  ['ASTERISK_ARI_PORT', '8088'],
  ['ASTERISK_ARI_USERNAME', 'voicectl'],
  ['ASTERISK_ARI_PASSWORD', 'pw'],
  ['ASTERISK_APP_NAME', 'voicectl'],
  ['VOICECTL_MEDIA_TOKEN', 'token123'],
].map(([k, v]) => `${k}=${v}`).join('\n');
writeFileSync(path.join(dir, '.env'), `${envText}\n`, { mode: 0o600 });
const bin = path.join(root, 'bin', 'voicectl.js');
const emptyPath = mkdtempSync(path.join(os.tmpdir(), 'voicectl-bench-path-'));
function spawnOnce(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: dir, env: { PATH: emptyPath }, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const a = [];
const b = [];
for (let i = 0; i < spawnRuns + 2; i++) {
  const x = spawnOnce(['-e', '0']);
  const y = spawnOnce([bin, 'doctor', '--offline', '--json']);
  if (i >= 2) (a.push(x), b.push(y));
}
console.log(`whole process, ${spawnRuns} runs each (median)`);
console.log(`  node -e 0                                        ${median(a).toFixed(1)} ms`);
console.log(`  voicectl doctor --offline --json                 ${median(b).toFixed(1)} ms`);
console.log(`  ratio                                            ${(median(b) / median(a)).toFixed(2)}x`);
