#!/usr/bin/env node
// bench/scaffold: what do `voicectl scaffold` and its pure-JS SHA-512 crypt cost?
// 1. One `$6$` hash in-process (sha512-crypt-ts, 5000 rounds) vs `openssl passwd -6` spawned
//    (what the manual setup does), alternately, N times (default 20, or the first argument).
// 2. The whole CLI: `voicectl scaffold all --crypt --json --dir <fresh tmp dir>` vs
//    `voicectl --version` (process start-up alone), alternately, M times (default 10, or the second).
// Prints medians and ratios. Usage: npm run build && node bench/scaffold.mjs [runs] [spawnRuns]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const runs = Number(process.argv[2] ?? 20);
const spawnRuns = Number(process.argv[3] ?? 10);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/voicectl.js');
const { sha512Crypt } = await import(pathToFileURL(path.join(root, 'dist/scaffold/secrets.js')).href);

const password = 'Xy7pLm2QaB9cD4eF6gH8jK1n';
const salt = 'abcdefghijklmnop';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (fn) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

const hasOpenssl = spawnSync('openssl', ['passwd', '-6', '-salt', salt, password]).status === 0;
const js = [];
const ossl = [];
sha512Crypt(password, salt); // warm-up
for (let i = 0; i < runs; i++) {
  js.push(ms(() => sha512Crypt(password, salt)));
  if (hasOpenssl) ossl.push(ms(() => spawnSync('openssl', ['passwd', '-6', '-salt', salt, password])));
}

const env = { PATH: process.env.PATH ?? '' };
const scaffoldRuns = [];
const versionRuns = [];
for (let i = 0; i < spawnRuns; i++) {
  const dir = mkdtempSync(path.join(tmpdir(), 'voicectl-bench-scaffold-'));
  scaffoldRuns.push(
    ms(() => {
      const r = spawnSync(process.execPath, [bin, 'scaffold', 'all', '--crypt', '--json', '--dir', dir], { env });
      if (r.status !== 0) throw new Error(`scaffold failed: ${r.stdout}${r.stderr}`);
    }),
  );
  rmSync(dir, { recursive: true, force: true });
  versionRuns.push(ms(() => spawnSync(process.execPath, [bin, '--version'], { env })));
}

const f = (x) => `${x.toFixed(1)} ms`;
console.log(`node ${process.version}, ${runs} hashes, ${spawnRuns} process runs (medians)`);
console.log(
  `one $6$ hash in-process: ${f(median(js))}` +
    (hasOpenssl ? ` | openssl passwd -6 spawned: ${f(median(ossl))} | ratio ${(median(js) / median(ossl)).toFixed(2)}x` : ''),
);
console.log(
  `voicectl scaffold all --crypt: ${f(median(scaffoldRuns))} | voicectl --version: ${f(median(versionRuns))}` +
    ` | ratio ${(median(scaffoldRuns) / median(versionRuns)).toFixed(2)}x`,
);
