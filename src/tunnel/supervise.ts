/**
 * Child-process supervision for the tunnel tools (execa 9): run a short command to
 * completion, or start the long-running tunnel, read its stdout and stderr line by line,
 * and stop it (SIGTERM, then SIGKILL after a grace period on an unref'd timer).
 *
 * Credentials reach the child only through `env` (never argv); `env` replaces the process
 * environment entirely (`extendEnv: false`), so tests and in-process runs control it.
 */
import { createInterface } from 'node:readline';
import { execa } from 'execa';

/** How a child process ended: its exit code, or the signal that killed it. */
export interface ChildExit {
  exitCode: number | undefined;
  signal: string | undefined;
  /** Set when the process could not be started at all (e.g. EACCES). */
  error?: string;
}

/** A running child process. */
export interface SupervisedChild {
  pid: number | undefined;
  /** Resolves once the process ended and all of its output lines were delivered. */
  exited: Promise<ChildExit>;
  /**
   * Stop it: SIGTERM, then SIGKILL after `graceMs` (default 5000 ms; the timer is unref'd so
   * it never keeps voicectl alive). Idempotent; resolves like {@link exited}.
   */
  stop(graceMs?: number): Promise<ChildExit>;
}

/** Options of {@link startChild}. */
export interface StartChildOptions {
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Called for every output line (without its newline), from stdout or stderr. */
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
  /** Default grace for {@link SupervisedChild.stop}, in ms. */
  killGraceMs?: number;
}

/** Start `file args` with piped output; never throws (a spawn failure resolves `exited`). */
export function startChild(file: string, args: string[], o: StartChildOptions): SupervisedChild {
  const sub = execa(file, args, {
    env: o.env,
    extendEnv: false,
    cwd: o.cwd,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    forceKillAfterDelay: false,
    windowsHide: true,
  });
  const closed: Array<Promise<void>> = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const readable = sub[stream];
    if (!readable) continue;
    const rl = createInterface({ input: readable, crlfDelay: Infinity });
    rl.on('line', (line) => o.onLine(line, stream));
    closed.push(new Promise((resolve) => rl.once('close', () => resolve())));
  }
  const exited: Promise<ChildExit> = sub.then(async (r) => {
    await Promise.all(closed);
    const exit: ChildExit = { exitCode: r.exitCode, signal: r.signal };
    if (r.failed && r.exitCode === undefined && r.signal === undefined) exit.error = r.shortMessage;
    return exit;
  });
  let stopping: Promise<ChildExit> | undefined;
  return {
    pid: sub.pid,
    exited,
    stop(graceMs = o.killGraceMs ?? 5000) {
      stopping ??= (async () => {
        if (sub.exitCode !== null || sub.signalCode !== null) return exited;
        sub.kill('SIGTERM');
        const timer = setTimeout(() => sub.kill('SIGKILL'), graceMs);
        timer.unref();
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}

/**
 * Run a short command to completion (e.g. `devtunnel user show`), capturing its output.
 * @param timeoutMs kill it after this long (default 60 s: a first `devtunnel` run may be slow).
 * @returns exit code (-1 when it could not start or was killed) and the output.
 */
export async function runToCompletion(
  file: string,
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa(file, args, { env, extendEnv: false, stdin: 'ignore', reject: false, timeout: timeoutMs, windowsHide: true });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}
