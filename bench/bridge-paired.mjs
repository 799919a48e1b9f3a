#!/usr/bin/env node
// bench/bridge-paired: the bridge's CPU against the bare forwarder's, measured at the same time.
//
// bench/bridge-load.mjs runs floor and bridge one after the other; on a machine whose speed
// drifts (this 2-core VM's syscalls intermittently cost 1.5–3× as much, in every process), a
// ratio of two runs seconds apart moves by ±15 %. Here the floor and the bridge run side by
// side, both pinned to the same core, each carrying `--calls` calls of the same path, so every
// slow or fast phase of the machine hits both alike; each round reads both processes' CPU over
// the same window. The ratio is bridge CPU / floor CPU per round, then the median.
//
// The processes, the callers and the fake model are bench/bridge-load.mjs's (its --role
// children and bench/bridge-load-paths.mjs), so the floor is the same bare forwarder. Latency is
// not measured here (two processes share a core by design); use bench/bridge-load.mjs for it.
//
// --bridge-flags '--single-threaded-gc' starts the bridge with extra Node/V8 flags.
// --against bridge8k compares the bridge with itself on Node's default 8 KB Buffer pool instead
// of the floor (an A/B of the bridge's enlargeBufferPool()); --against bridge --against-dist DIR
// compares it with another build (DIR: that build's dist/, e.g. from a git worktree). The
// columns keep their names ("floor" is the other side).
//
// Usage: npm run build && node bench/bridge-paired.mjs [--path acs24] [--calls 100] [--rounds 9] [--seconds 4] [--against floor|bridge8k|bridge] [--against-dist DIR] [--bridge-flags '…']
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { PIN, setupPinning, startChild } from './bench-procs.mjs';
import { PATHS, markerFrame, openCaller } from './bridge-load-paths.mjs';
import { startFrameClock } from './frame-clock.mjs';

const { values } = parseArgs({
  options: {
    path: { type: 'string', default: 'acs24' },
    calls: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '9' },
    seconds: { type: 'string', default: '4' },
    against: { type: 'string', default: 'floor' },
    'bridge-flags': { type: 'string', default: '' },
    'against-dist': { type: 'string' },
  },
});
const p = PATHS[values.path];
if (!p) throw new Error(`--path: unknown path ${values.path} (known: ${Object.keys(PATHS).join(', ')})`);
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

console.log(`command: node bench/bridge-paired.mjs ${process.argv.slice(2).join(' ')}`.trimEnd());
setupPinning(true);
const pinned = PIN.on;

// BENCH_CPU_PROF=<dir>: a V8 CPU profile of each child there (paired-<role>.cpuprofile), to
// compare the two processes function by function over the same window.
function child(args, cpus, flags = [], env = process.env) {
  const dir = process.env.BENCH_CPU_PROF;
  return startChild(args, { cpus, env, execArgv: [...flags, ...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=paired-${args[1]}.cpuprofile`] : [])] });
}

const fake = child(['--role', 'fake'], PIN.rest);
const { port: fakePort } = await fake.ready;
if (!['floor', 'bridge8k', 'bridge'].includes(values.against)) throw new Error('--against: floor, bridge8k or bridge (with --against-dist)');
const againstEnv = values['against-dist'] ? { ...process.env, BENCH_DIST: values['against-dist'] } : process.env;
const sut = { floor: child(['--role', values.against, '--fake-port', String(fakePort)], PIN.sut, [], againstEnv), bridge: child(['--role', 'bridge', '--fake-port', String(fakePort)], PIN.sut, values['bridge-flags'].split(' ').filter(Boolean)) };
// A child that dies takes the run with it: its figures would be void, and its callers would wait forever.
let finished = false;
for (const [name, s] of Object.entries({ fake, ...sut })) {
  s.exited.then((code) => {
    if (finished) return;
    console.error(`the ${name} process exited (${code}): stopping`);
    for (const o of [fake, sut.floor, sut.bridge]) o.child.kill();
    process.exit(1);
  });
}
const ports = { floor: (await sut.floor.ready).ports, bridge: (await sut.bridge.ready).ports };

// The same load on both: `calls` callers each, 50 frames a second, spread evenly over a frame
// by one clock (see frame-clock.mjs).
const pattern = Buffer.alloc(p.frameBytes, 1);
const counts = { floor: { sent: 0, back: 0 }, bridge: { sent: 0, back: 0 } };
const ticks = [];
const callers = [];
for (const target of ['floor', 'bridge']) {
  for (let call = 0; call < calls; call++) {
    const as = target === 'floor' && values.against === 'floor' ? 'floor' : 'bridge';
    const caller = await openCaller({ path: values.path, target: as, call, ports: ports[target], onAudio: () => void counts[target].back++ });
    callers.push(caller);
    let seq = 0;
    const tick = () => {
      let frame;
      if (p.marker) frame = markerFrame(p.frameBytes, seq++ % 5 === 0);
      else {
        frame = Buffer.from(pattern);
        frame.writeUInt32LE(call, 0);
        frame.writeUInt32LE(seq++, 4);
        frame.writeDoubleLE(performance.now(), 8);
      }
      caller.send(frame);
      counts[target].sent++;
    };
    ticks.push(tick);
  }
}
// floor and bridge callers interleaved on the clock, so both see the same spread of load
const order = ticks.map((_, k) => (k % 2 === 0 ? k / 2 : calls + (k - 1) / 2));
const stopClock = startFrameClock(ticks.length, 20, (k) => ticks[order[k]]());
console.log(`${p.label}: ${calls} calls on the ${values.against} and ${calls} on the bridge at once, both on CPU ${pinned ? PIN.sut : '(any: no taskset)'}; ${rounds} rounds of ${seconds} s after 2 s warm-up; load average ${loadavg()[0].toFixed(2)}; ${process.version}`);
await sleep(2000);
console.log('round  floor %core  bridge %core  bridge/floor');
const ratios = [];
const cpu = { floor: [], bridge: [] };
for (let r = 0; r < rounds; r++) {
  await Promise.all([sut.floor.ask('mark'), sut.bridge.ask('mark')]);
  await sleep(seconds * 1000);
  const [f, b] = await Promise.all([sut.floor.ask('stats'), sut.bridge.ask('stats')]);
  const fPct = (f.cpuMicros / (seconds * 1e6)) * 100;
  const bPct = (b.cpuMicros / (seconds * 1e6)) * 100;
  cpu.floor.push(fPct);
  cpu.bridge.push(bPct);
  ratios.push(bPct / fPct);
  console.log(`${String(r + 1).padStart(5)}  ${fPct.toFixed(1).padStart(11)}  ${bPct.toFixed(1).padStart(12)}  ${(bPct / fPct).toFixed(3).padStart(12)}`);
}
stopClock();
for (const c of callers) c.close();
await sleep(500);
const lost = (t) => counts[t].sent - counts[t].back;
console.log(
  `median: floor ${median(cpu.floor).toFixed(1)} %core, bridge ${median(cpu.bridge).toFixed(1)} %core; bridge/floor ${median(ratios).toFixed(3)}x ` +
    `(rounds ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}); frames not back at the end: floor ${lost('floor')}, bridge ${lost('bridge')} (in flight or lost)`,
);
finished = true;
for (const s of [sut.floor, sut.bridge, fake]) s.child.send({ cmd: 'exit' });
