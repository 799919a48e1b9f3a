/**
 * The shapes of `voicectl doctor`: groups, one check's result, the report.
 *
 * The report is also the `--json` document:
 * `{"ok": boolean, "checks": [{"group","name","status":"pass|fail|skip","ms","message","hint"?}]}`.
 */

/** Check groups, in the order they are reported. */
export const DOCTOR_GROUPS = ['env', 'tools', 'acs', 'aoai', 'public', 'asterisk', 'twilio'] as const;

/** A check group. */
export type DoctorGroup = (typeof DOCTOR_GROUPS)[number];

/** Groups that need no network (`--offline` runs only these). */
export const OFFLINE_GROUPS: readonly DoctorGroup[] = ['env', 'tools'];

/** What happened to one check. */
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One finished check. */
export interface CheckResult {
  group: DoctorGroup;
  /** What was checked, e.g. `AZURE_OPENAI_DEPLOYMENT`, `realtime session`, `cloudflared`. */
  name: string;
  status: CheckStatus;
  /** Wall time of the check, ms (integer; 0 for checks that did not run). */
  ms: number;
  /** One line: what was found, or why it failed or was skipped. Never a secret. */
  message: string;
  /** The fix, for a failure (and for a skip that the user can act on). */
  hint?: string;
}

/** The whole run: `ok` is true when no check failed. */
export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

/** The outcome of one check before it is timed and labelled. */
export interface Outcome {
  status: CheckStatus;
  message: string;
  hint?: string;
}

/** A passing outcome. */
export function pass(message: string): Outcome {
  return { status: 'pass', message };
}

/** A failing outcome with its fix. */
export function fail(message: string, hint?: string): Outcome {
  return hint === undefined ? { status: 'fail', message } : { status: 'fail', message, hint };
}

/** A skipped outcome. */
export function skip(message: string, hint?: string): Outcome {
  return hint === undefined ? { status: 'skip', message } : { status: 'skip', message, hint };
}
