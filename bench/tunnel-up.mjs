#!/usr/bin/env node
// bench/tunnel-up: how much later than the tunnel tool itself does `voicectl tunnel up` know
// the tunnel is ready, and how long does Ctrl-C take to leave no process behind?
// Both sides drive the stand-in cloudflared of the tests (test/fixtures/bin, no delays):
// - voicectl: spawn `voicectl tunnel up --json --no-probe`, time to the tunnel.ready line on
//   stdout; then SIGINT, time to exit (the tool stopped and its temp config removed);
// - baseline: spawn the stand-in directly, as a shell recipe does (`cloudflared tunnel --url …`
//   and watch for "Registered tunnel connection"); then SIGINT, time to exit.
// Alternating runs (default 20, or the first argument); prints medians and ratios.
// Usage: npm run build && node bench/tunnel-up.mjs [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 20);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/voicectl.js');
const fixtures = path.join(root, 'test/fixtures/bin');
const cwd = mkdtempSync(path.join(os.tmpdir(), 'voicectl-bench-tunnel-'));
const config = path.join(cwd, 'empty.yml');
writeFileSync(config, '');
const env = { PATH: `${fixtures}${path.delimiter}${process.env.PATH}`, HOME: cwd, FAKE_TUNNEL_DELAY_MS: '0' };

function once(argv, ready) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let readyMs;
    let stopAt;
    const onData = (d) => {
      text += d.toString();
      if (readyMs === undefined && ready(text)) {
        readyMs = ms();
        stopAt = process.hrtime.bigint();
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', () => {
      if (readyMs === undefined) reject(new Error(`never ready:\n${text}`));
      else resolve({ readyMs, stopMs: Number(process.hrtime.bigint() - stopAt) / 1e6 });
    });
  });
}

const voicectl = () => once([process.execPath, bin, 'tunnel', 'up', '--provider', 'cloudflared', '--json', '--no-probe'], (t) => t.includes('"type":"tunnel.ready"'));
const baseline = () =>
  once([path.join(fixtures, 'cloudflared'), 'tunnel', '--no-autoupdate', '--config', config, '--metrics', '127.0.0.1:0', '--url', 'http://127.0.0.1:8000'], (t) =>
    t.includes('Registered tunnel connection'),
  );

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

await voicectl();
await baseline();
const v = [];
const b = [];
for (let i = 0; i < runs; i++) {
  v.push(await voicectl());
  b.push(await baseline());
}
const row = (name, key) => {
  const mv = median(v.map((r) => r[key]));
  const mb = median(b.map((r) => r[key]));
  console.log(`${name.padEnd(34)} voicectl ${mv.toFixed(1).padStart(7)} ms   baseline ${mb.toFixed(1).padStart(7)} ms   ratio ${(mv / mb).toFixed(2)}x`);
};
console.log(`tunnel up vs the tool alone (stand-in cloudflared, ${runs} alternating runs, medians, Node ${process.version})`);
row('spawn → tunnel ready', 'readyMs');
row('SIGINT → process gone', 'stopMs');
