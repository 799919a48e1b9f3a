/**
 * The one error model of voicectl.
 *
 * Domain modules throw these; only `src/cli/run.ts` turns them into output, and
 * only `bin/voicectl.js` turns them into a process exit code.
 *
 * Exit codes (documented in docs/reference.md):
 * - 0 success
 * - 1 the operation ran and failed, or a check found a problem ({@link UserError}, {@link CheckFailedError})
 * - 2 usage or configuration error: bad or missing flag or env value, unreadable file ({@link UsageError})
 * - 130 interrupted ({@link CancelledError})
 */

/** Exit code for success. */
export const EXIT_OK = 0;
/** Exit code: the operation ran and failed, or a check found a problem. */
export const EXIT_FAILURE = 1;
/** Exit code: usage or configuration error. */
export const EXIT_USAGE = 2;
/** Exit code: interrupted (SIGINT / Ctrl-C, or a prompt cancelled). */
export const EXIT_INTERRUPTED = 130;

/** Options shared by every voicectl error. */
export interface VoicectlErrorOptions {
  /** Stable machine-readable code, e.g. `VOICECTL_ARI_UNREACHABLE`. */
  code?: string;
  /** One sentence telling the user what to do about it. */
  hint?: string;
  /** The underlying error, kept for `--verbose`; never printed with secrets. */
  cause?: unknown;
}

/**
 * Base class: a failure voicectl understands. Carries a stable `code`, a `hint` and
 * the exit code the bin uses. Its stack trace is never shown to users.
 */
export class VoicectlError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, exitCode: number, options: VoicectlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'VOICECTL_ERROR';
    this.hint = options.hint;
    this.exitCode = exitCode;
  }
}

/** The operation ran and failed (exit 1): a service refused, a file exists, a peer hung up. */
export class UserError extends VoicectlError {
  constructor(message: string, options: VoicectlErrorOptions = {}) {
    super(message, EXIT_FAILURE, { code: 'VOICECTL_FAILED', ...options });
  }
}

/**
 * A check ran and found a problem (exit 1). Used when the command already printed its
 * report (for example a probe verdict) and only the exit code remains to be set.
 * `exitCode` overrides the 1, e.g. 2 when the report says an input was invalid.
 */
export class CheckFailedError extends VoicectlError {
  /** When true, the report was already printed and the CLI prints nothing more. */
  readonly reported: boolean;
  constructor(message: string, options: VoicectlErrorOptions & { reported?: boolean; exitCode?: number } = {}) {
    super(message, options.exitCode ?? EXIT_FAILURE, { code: 'VOICECTL_CHECK_FAILED', ...options });
    this.reported = options.reported ?? false;
  }
}

/** Usage or configuration error (exit 2): a bad or missing flag or env value, an unreadable file. */
export class UsageError extends VoicectlError {
  constructor(message: string, options: VoicectlErrorOptions = {}) {
    super(message, EXIT_USAGE, { code: 'VOICECTL_USAGE', ...options });
  }
}

/** The user interrupted (exit 130): Ctrl-C, SIGINT, a cancelled prompt. */
export class CancelledError extends VoicectlError {
  constructor(message = 'Interrupted', options: VoicectlErrorOptions = {}) {
    super(message, EXIT_INTERRUPTED, { code: 'VOICECTL_INTERRUPTED', ...options });
  }
}

/** The JSON shape of a failure under `--json`: `{"ok":false,"error":{code,message,hint}}`. */
export interface ErrorJson {
  ok: false;
  error: { code: string; message: string; hint?: string };
}

/** True when `err` is a voicectl error (works across module copies, by duck type). */
export function isVoicectlError(err: unknown): err is VoicectlError {
  return (
    err instanceof VoicectlError ||
    (typeof err === 'object' &&
      err !== null &&
      typeof (err as { exitCode?: unknown }).exitCode === 'number' &&
      typeof (err as { code?: unknown }).code === 'string')
  );
}
