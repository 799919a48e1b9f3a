/**
 * `runCli(argv, io)`: parse, run, and render any error in the output contract's shape.
 * Returns the exit code; `bin/voicectl.js` is the only place that sets it on the process.
 */
import { CommanderError } from 'commander';
import {
  CheckFailedError,
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  isVoicectlError,
  type ErrorJson,
} from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { Io } from './io.js';
import { createProgram } from './program.js';

const ISSUES_URL = 'https://github.com/voicectl/voicectl/issues/new';

/**
 * Run voicectl with `argv` (without node and script), against `io`.
 * @returns the exit code (0, 1, 2 or 130; see docs/reference.md).
 */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  try {
    const { program } = await createProgram(io, argv);
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    return renderError(toVoicectlError(err, argv), io, { json, verbose });
  }
}

function toVoicectlError(err: unknown, argv: string[]): unknown {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return err; // exitCode 0
    }
    const sub = err.code === 'commander.unknownCommand' ? undefined : argv.find((a) => !a.startsWith('-'));
    return new UsageError(err.message.replace(/^error:\s*/i, ''), {
      code: 'VOICECTL_USAGE',
      hint: `Run \`voicectl ${sub ? `${sub} ` : ''}--help\` for the options.`,
    });
  }
  return err;
}

/**
 * Print an error in the output contract's shape (JSON on stdout under `--json`, else
 * `Error:` and `hint:` lines on stderr), redacted, and return its exit code.
 */
export function renderError(err: unknown, io: Io, o: { json: boolean; verbose: boolean }): number {
  if (err instanceof CommanderError) return err.exitCode; // help or version: already printed
  if (isVoicectlError(err)) {
    if (err instanceof CheckFailedError && err.reported) return err.exitCode;
    const message = redact(err.message);
    const hint = err.hint === undefined ? undefined : redact(err.hint);
    if (o.json) {
      const doc: ErrorJson = { ok: false, error: { code: err.code, message, ...(hint ? { hint } : {}) } };
      io.stdout.write(`${JSON.stringify(doc)}\n`);
    } else {
      io.stderr.write(`Error: ${message}\n`);
      if (hint) io.stderr.write(`hint: ${hint}\n`);
    }
    if (o.verbose && err.cause) io.stderr.write(`${redact(String((err.cause as Error).stack ?? err.cause))}\n`);
    return err.exitCode;
  }
  // An error voicectl did not anticipate: a bug. Say so; the stack only with --verbose.
  const message = redact(err instanceof Error ? err.message : String(err));
  if (o.json) {
    const doc: ErrorJson = {
      ok: false,
      error: { code: 'VOICECTL_INTERNAL', message, hint: `This is probably a bug in voicectl; please report it: ${ISSUES_URL}` },
    };
    io.stdout.write(`${JSON.stringify(doc)}\n`);
  } else {
    io.stderr.write(`Error: ${message}\n`);
    io.stderr.write(`This is probably a bug in voicectl; please report it: ${ISSUES_URL}\n`);
    if (o.verbose && err instanceof Error && err.stack) io.stderr.write(`${redact(err.stack)}\n`);
    else io.stderr.write('Run again with --verbose for the stack trace.\n');
  }
  return EXIT_FAILURE;
}
