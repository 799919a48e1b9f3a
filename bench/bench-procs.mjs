// bench/bench-procs: the child processes of the bridge benchmarks (bench/bridge-load.mjs and
// bench/bridge-paired.mjs): CPU pinning with taskset, forked --role children answering over IPC,
// and a scraper of a child's GET /metrics.
import { fork, spawnSync } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The script whose --role children run the fake model, the floor and the bridge. */
export const ROLES_SCRIPT = fileURLToPath(new URL('./bridge-load.mjs', import.meta.url));

/**
 * CPU pinning (on a machine with 2+ cores and `taskset`): the process under test gets the last
 * core (`sut`), the load generator and the fake model share the others (`rest`).
 */
export const PIN = { on: false, sut: '', rest: '' };

/** Turn pinning on when `enabled` and possible, and pin this process to the `rest` cores. */
export function setupPinning(enabled) {
  const cores = availableParallelism();
  if (!enabled || cores < 2 || spawnSync('taskset', ['-V']).status !== 0) return;
  Object.assign(PIN, { on: true, sut: String(cores - 1), rest: cores === 2 ? '0' : `0-${cores - 2}` });
  pin(process.pid, PIN.rest);
}

/** Pin every thread of `pid` to `cpus` (a taskset list) when pinning is on. */
export function pin(pid, cpus) {
  if (PIN.on) spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/**
 * Fork `ROLES_SCRIPT args` pinned to `cpus`. `execArgv`: extra Node flags (a CPU profile's, say);
 * `env`: the child's environment.
 * @returns the child, `ready` (its first message), `ask(cmd)` (the answer to an IPC command;
 *   `mark` resolves once sent) and `exited`.
 */
export function startChild(args, { cpus = PIN.rest, execArgv = [], env = process.env } = {}) {
  const child = fork(ROLES_SCRIPT, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv, env });
  pin(child.pid, cpus);
  const exited = new Promise((resolve) => child.once('exit', resolve));
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
  return { child, ready, ask, exited };
}

/** Scrape GET /metrics every second until stopped; returns the stop function. */
export function scrapeEverySecond(port) {
  const t = setInterval(() => {
    httpGet({ host: '127.0.0.1', port, path: '/metrics' }, (res) => res.resume()).on('error', () => undefined);
  }, 1000);
  return () => clearInterval(t);
}
