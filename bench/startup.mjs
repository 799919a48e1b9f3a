#!/usr/bin/env node
// bench/startup: how much slower is `voicectl --help` than a bare `node -e 0`?
// Runs both alternately, N times each (default 30, or the first argument), after a warm-up,
// and prints the medians and their ratio. Target: ratio <= 1.5.
// Usage: npm run build && node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 30);
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'voicectl.js');

function timeOnce(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

for (let i = 0; i < 3; i++) {
  timeOnce(['-e', '0']);
  timeOnce([bin, '--help']);
}
const base = [];
const cli = [];
for (let i = 0; i < runs; i++) {
  base.push(timeOnce(['-e', '0']));
  cli.push(timeOnce([bin, '--help']));
}
const b = median(base);
const c = median(cli);
console.log(`node -e 0         median ${b.toFixed(1)} ms (${runs} runs)`);
console.log(`voicectl --help   median ${c.toFixed(1)} ms (${runs} runs)`);
console.log(`ratio             ${(c / b).toFixed(2)}x (target <= 1.5x)`);
