/**
 * The output contract.
 *
 * - `--json`: stdout holds exactly one JSON document ({@link Output.json}) or NDJSON, one
 *   event per line ({@link Output.event}, for long-running commands), and nothing else.
 * - Otherwise: human text. Data goes to stdout ({@link Output.print}); notices, progress and
 *   logs go to stderr ({@link Output.info}, {@link Output.warn}). Colour only when the
 *   stream is a TTY and `NO_COLOR` is unset; spinners only on a TTY stderr.
 * - Every stderr line passes through the redaction helper.
 */
import { createRequire } from 'node:module';
import type { ChalkInstance } from 'chalk';
import type { Ora } from 'ora';
import { redact } from '../core/redact.js';
import type { Io } from './io.js';

/** Version of the NDJSON event schema (`version` field of every event). */
export const EVENT_SCHEMA_VERSION = 1;

/** A spinner, or a no-op when stderr is not a terminal or `--json` is on. */
export interface Spinner {
  /** Update the text. */
  text(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

/** Writes a command's output according to the contract above. */
export class Output {
  readonly jsonMode: boolean;
  readonly verbose: boolean;
  private readonly io: Io;
  private readonly stdoutLevel: 0 | 1;
  private readonly stderrLevel: 0 | 1;
  private stdoutChalk: ChalkInstance | undefined;
  private stderrChalk: ChalkInstance | undefined;

  constructor(io: Io, options: { json?: boolean; verbose?: boolean } = {}) {
    this.io = io;
    this.jsonMode = options.json === true;
    this.verbose = options.verbose === true;
    const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
    this.stdoutLevel = !noColor && io.stdout.isTTY && !this.jsonMode ? 1 : 0;
    this.stderrLevel = !noColor && io.stderr.isTTY ? 1 : 0;
  }

  /** Colours for stdout: plain unless stdout is a TTY and NO_COLOR is unset. */
  get color(): ChalkInstance {
    this.stdoutChalk ??= makeChalk(this.stdoutLevel);
    return this.stdoutChalk;
  }

  /** Colours for stderr: plain unless stderr is a TTY and NO_COLOR is unset. */
  get errColor(): ChalkInstance {
    this.stderrChalk ??= makeChalk(this.stderrLevel);
    return this.stderrChalk;
  }

  /** Human data line on stdout (ignored in JSON mode: use {@link json}). */
  print(text = ''): void {
    if (!this.jsonMode) this.io.stdout.write(`${text}\n`);
  }

  /** Raw data on stdout, as given (e.g. a token for `TOKEN=$(voicectl token issue)`). */
  raw(text: string): void {
    this.io.stdout.write(text);
  }

  /** The one JSON document of a `--json` run. */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * One NDJSON event (`{"type","version","time",...data}`) on stdout in JSON mode.
   * In human mode nothing is written: the caller logs its own line with {@link info}.
   */
  event(type: string, data: Record<string, unknown> = {}): void {
    if (!this.jsonMode) return;
    this.io.stdout.write(
      `${JSON.stringify({ type, version: EVENT_SCHEMA_VERSION, time: new Date().toISOString(), ...data })}\n`,
    );
  }

  /** A notice on stderr (shown in JSON mode too: stderr is never parsed). Redacted. */
  info(text: string): void {
    this.io.stderr.write(`${redact(text)}\n`);
  }

  /** A warning on stderr, marked. Redacted. */
  warn(text: string): void {
    this.io.stderr.write(`${this.errColor.yellow('warning:')} ${redact(text)}\n`);
  }

  /** Only with `--verbose`, on stderr. Redacted. */
  debug(text: string): void {
    if (this.verbose) this.io.stderr.write(`${this.errColor.dim(redact(text))}\n`);
  }

  /** True when a spinner would be shown. */
  get interactiveStderr(): boolean {
    return this.io.stderr.isTTY === true && !this.jsonMode && !this.io.env.CI;
  }

  /**
   * Start a spinner on stderr; a no-op object when stderr is not a TTY (or JSON mode / CI).
   * ora is loaded lazily so start-up stays light.
   */
  async spinner(text: string): Promise<Spinner> {
    if (!this.interactiveStderr) return NO_SPINNER;
    const { default: ora } = await import('ora');
    const s: Ora = ora({ text, stream: this.io.stderr as NodeJS.WritableStream, color: 'cyan' }).start();
    return {
      text: (t) => {
        s.text = t;
      },
      succeed: (t) => void s.succeed(t),
      fail: (t) => void s.fail(t === undefined ? undefined : redact(t)),
      stop: () => void s.stop(),
    };
  }
}

// chalk is loaded on first use (require of ESM works from Node 20.19), keeping it off the
// `voicectl --help` path.
const requireModule = createRequire(import.meta.url);
let chalkModule: typeof import('chalk') | undefined;
function makeChalk(level: 0 | 1): ChalkInstance {
  chalkModule ??= requireModule('chalk') as typeof import('chalk');
  return new chalkModule.Chalk({ level });
}

const NO_SPINNER: Spinner = { text() {}, succeed() {}, fail() {}, stop() {} };
