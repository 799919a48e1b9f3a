/**
 * The process streams and environment a command sees, injectable for in-process tests.
 */
import type { Readable } from 'node:stream';

/** A writable text stream (process.stdout / stderr, or a test buffer). */
export interface OutStream {
  write(chunk: string): unknown;
  /** True when the stream is a terminal. */
  isTTY?: boolean;
  /** Terminal width, when a terminal. */
  columns?: number;
}

/** What a command may touch of its process. */
export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /**
   * Registers a handler for SIGINT / SIGTERM; returns a function that removes it.
   * Long-running commands (bridge, tunnel, catch, ari watch) use it for a clean stop.
   */
  onSignal(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
}

/** The real process. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    onSignal(handler) {
      const onInt = (): void => handler('SIGINT');
      const onTerm = (): void => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
  };
}
