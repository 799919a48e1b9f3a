/**
 * Run voicectl in-process with captured stdout / stderr, an injected environment and
 * working directory, TTY flags, and a signal trigger for long-running commands.
 */
import { PassThrough } from 'node:stream';
import type { Io, OutStream } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';

/** A captured text stream. */
export class Capture implements OutStream {
  text = '';
  isTTY: boolean;
  columns = 100;
  constructor(isTTY = false) {
    this.isTTY = isTTY;
  }
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  /** The NDJSON lines written so far, parsed. */
  events(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** stdin and stdout are terminals (prompts become possible when CI is unset). */
  tty?: boolean;
  stdin?: PassThrough;
}

export interface RunHandle {
  io: Io;
  stdout: Capture;
  stderr: Capture;
  /** Deliver SIGINT / SIGTERM to the handlers the command registered. */
  signal(name: 'SIGINT' | 'SIGTERM'): void;
  /** How many signal handlers are currently registered. */
  signalHandlers(): number;
  /** Resolves with the exit code. */
  done: Promise<number>;
}

/** Start voicectl in-process; `await handle.done` for the exit code. */
export function startCli(argv: string[], options: RunOptions = {}): RunHandle {
  const stdout = new Capture(options.tty === true);
  const stderr = new Capture(options.tty === true);
  const handlers = new Set<(s: 'SIGINT' | 'SIGTERM') => void>();
  const stdin = options.stdin ?? new PassThrough();
  (stdin as PassThrough & { isTTY?: boolean }).isTTY = options.tty === true;
  const io: Io = {
    stdout,
    stderr,
    stdin,
    env: { PATH: process.env.PATH, ...(options.env ?? {}) },
    cwd: options.cwd ?? process.cwd(),
    onSignal(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  const done = runCli(argv, io);
  return {
    io,
    stdout,
    stderr,
    done,
    signal: (name) => {
      for (const h of [...handlers]) h(name);
    },
    signalHandlers: () => handlers.size,
  };
}

/** Run voicectl in-process to completion. */
export async function runVoicectl(
  argv: string[],
  options: RunOptions = {},
): Promise<{ code: number; stdout: string; stderr: string; json: () => unknown }> {
  const h = startCli(argv, options);
  const code = await h.done;
  return { code, stdout: h.stdout.text, stderr: h.stderr.text, json: () => JSON.parse(h.stdout.text) as unknown };
}
