/**
 * The non-interactive contract, in one place.
 *
 * Prompts (inquirer, loaded lazily) are shown only when {@link canPrompt} is true: stdin
 * and stdout are TTYs, `CI` is unset, and neither `VOICECTL_NO_PROMPT` nor `--no-input`
 * is set. Every prompt has a flag; when no prompt is allowed, a missing value is a
 * UsageError (exit 2) naming the flag and the env variable.
 */
import type { EnvVarName } from '../config/env.js';
import { missingValueError } from '../config/load.js';
import { CancelledError, UsageError } from '../core/errors.js';
import type { Io } from './io.js';

/** True when voicectl may ask the user a question. */
export function canPrompt(io: Io, options: { noInput?: boolean } = {}): boolean {
  const set = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v !== 'false';
  return (
    io.stdin.isTTY === true &&
    io.stdout.isTTY === true &&
    !set(io.env.CI) &&
    !set(io.env.VOICECTL_NO_PROMPT) &&
    options.noInput !== true
  );
}

/** Describes a value that may be prompted for. */
export interface PromptSpec {
  /** The question. */
  message: string;
  /** The flag that supplies it, e.g. `--user`. */
  flag?: string;
  /** The env variable that supplies it. */
  envVar?: EnvVarName;
  /** What it is, for the error when missing (e.g. "ARI password"). */
  what: string;
  /** Default shown in the prompt. */
  default?: string;
  /** Mask input (passwords). */
  secret?: boolean;
  /** Validation; return a message to reject. */
  validate?: (value: string) => string | true;
}

/**
 * Ask for a value when allowed, else throw the exit-2 error naming the flag and env var.
 * @throws UsageError when prompting is not allowed; CancelledError when the user hits Ctrl-C.
 */
export async function promptValue(io: Io, spec: PromptSpec, options: { noInput?: boolean } = {}): Promise<string> {
  if (!canPrompt(io, options)) throw missingValueError(spec.flag, spec.envVar, spec.what);
  const prompts = await import('@inquirer/prompts');
  const validate = spec.validate ?? ((v: string) => (v.trim() === '' ? `${spec.what} is required` : true));
  const context = promptContext(io);
  try {
    if (spec.secret) return await prompts.password({ message: spec.message, mask: '*', validate }, context);
    return await prompts.input({ message: spec.message, default: spec.default, validate }, context);
  } catch (err) {
    throw asCancel(err);
  }
}

/**
 * Ask a yes/no question when allowed; otherwise a UsageError saying which flag confirms
 * (e.g. "--yes required when not running interactively").
 */
export async function confirmAction(
  io: Io,
  message: string,
  options: { flag: string; noInput?: boolean; default?: boolean },
): Promise<boolean> {
  if (!canPrompt(io, options)) {
    throw new UsageError(`${options.flag} required when not running interactively.`, {
      code: 'VOICECTL_CONFIRM_REQUIRED',
      hint: `Add ${options.flag} to confirm.`,
    });
  }
  const prompts = await import('@inquirer/prompts');
  try {
    return await prompts.confirm({ message, default: options.default ?? false }, promptContext(io));
  } catch (err) {
    throw asCancel(err);
  }
}

/** Prompts read the command's stdin and draw on its stderr, so stdout stays data only. */
function promptContext(io: Io): { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } {
  return { input: io.stdin, output: io.stderr as unknown as NodeJS.WritableStream };
}

function asCancel(err: unknown): unknown {
  if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) {
    return new CancelledError('Prompt cancelled');
  }
  return err;
}
