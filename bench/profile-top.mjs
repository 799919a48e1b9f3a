#!/usr/bin/env node
// bench/profile-top: the top N functions of a V8 .cpuprofile (`node --cpu-prof`, or
// BENCH_CPU_PROF=<dir> with bench/bridge-load.mjs) by self time, with file:line.
//
// Self time of a function = samples whose leaf frame is that function (all call sites merged:
// same name, file, line and column). Lines are 1-based (the profile's are 0-based).
// `--filter src/bridge` keeps only functions whose file contains the text (percentages stay of
// the whole profile).
//
// `--from 12 --to 20` keeps the samples taken between 12 s and 20 s after the profile started
// (to compare two phases of one run).
//
// `--group` prints self time per group instead (ms per second of the window): idle, GC, program,
// native socket writes, other native code, Node's own JavaScript, ws, voicectl (dist/), bench.
//
// Usage: node bench/profile-top.mjs <file.cpuprofile> [--top 20] [--filter text] [--from s] [--to s] [--group]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { group: { type: 'boolean', default: false }, top: { type: 'string', default: '20' }, filter: { type: 'string' }, from: { type: 'string', default: '0' }, to: { type: 'string', default: 'Infinity' } },
});
if (positionals.length !== 1) {
  console.error('usage: node bench/profile-top.mjs <file.cpuprofile> [--top 20] [--filter text] [--from s] [--to s]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// Time per sample: timeDeltas[i] is the time before sample i (µs).
const selfUs = new Map();
const fromUs = Number(values.from) * 1e6;
const toUs = Number(values.to) * 1e6;
let at = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  at += profile.timeDeltas[i] ?? 0;
  if (at < fromUs || at >= toUs) continue;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const shortUrl = (url) => url.replace(/^file:\/\/.*?\/(dist|node_modules|bench|src)\//, '$1/').replace(/^node:/, 'node:');
/** The group of a profile node (see --group). */
function group(f) {
  if (!f.url) {
    if (f.functionName.startsWith('(')) return f.functionName;
    return f.functionName === 'writev' || f.functionName === 'writeBuffer' ? 'native socket writes' : 'other native';
  }
  if (f.url.includes('node_modules/ws/')) return 'ws';
  if (f.url.startsWith('node:')) return "Node's JavaScript";
  if (f.url.includes('/dist/')) return 'voicectl (dist/)';
  return f.url.includes('/bench/') ? 'bench' : 'other JavaScript';
}
if (values.group) {
  const groups = new Map();
  for (const [id, us] of selfUs) {
    const g = group(byId.get(id).callFrame);
    groups.set(g, (groups.get(g) ?? 0) + us);
  }
  const windowS = total / 1e6;
  console.log(`${positionals[0]}: ${(total / 1e3).toFixed(0)} ms sampled`);
  console.log('ms per s  group');
  for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${(us / 1e3 / windowS).toFixed(1).padStart(8)}  ${g}`);
  process.exit(0);
}
const merged = new Map();
for (const [id, us] of selfUs) {
  const f = byId.get(id).callFrame;
  const name = f.functionName || '(anonymous)';
  const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : '';
  const key = `${name}\t${where}`;
  merged.set(key, (merged.get(key) ?? 0) + us);
}
const rows = [...merged].filter(([k]) => !values.filter || k.includes(values.filter)).sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
console.log(`${positionals[0]}: ${(total / 1e3).toFixed(0)} ms sampled`);
console.log('self ms   self %  function  (file:line)');
for (const [key, us] of rows) {
  const [name, where] = key.split('\t');
  console.log(`${(us / 1e3).toFixed(1).padStart(7)}  ${((us / total) * 100).toFixed(1).padStart(6)} %  ${name}${where ? `  (${where})` : ''}`);
}
