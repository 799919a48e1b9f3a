/**
 * What every command factory receives: the process streams, a lazily loaded
 * configuration, and the global flags (`--env-file`, `--verbose`, `--no-input`).
 */
import type { Config } from '../config/load.js';
import type { Io } from './io.js';
import { Output } from './output.js';

/** Global flags, read from the root program when an action runs. */
export interface GlobalOptions {
  envFile?: string;
  verbose?: boolean;
  /** `--no-input`: never prompt. */
  noInput?: boolean;
}

/** Handed to every `<noun><Verb>Command(ctx)` factory. */
export interface CommandContext {
  io: Io;
  /** The global flags, valid once parsing has happened (inside an action). */
  globals(): GlobalOptions;
  /** The configuration (env + env file), loaded once, on first use. */
  config(): Promise<Config>;
  /** An output writer for this command's `--json` flag. */
  output(options?: { json?: boolean }): Output;
}

/** Build the context; `getGlobals` reads the root program's parsed options. */
export function createContext(io: Io, getGlobals: () => GlobalOptions): CommandContext {
  let configPromise: Promise<Config> | undefined;
  return {
    io,
    globals: getGlobals,
    config() {
      configPromise ??= import('../config/load.js').then(({ loadConfig }) =>
        loadConfig({ env: io.env, cwd: io.cwd, envFile: getGlobals().envFile }),
      );
      return configPromise;
    },
    output(options = {}) {
      return new Output(io, { json: options.json, verbose: getGlobals().verbose });
    },
  };
}
