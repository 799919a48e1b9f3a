/** How `voicectl call` ends, for ACS and Twilio calls alike: the verdict printed, exit 1 when it failed. */
import type { Output } from '../cli/output.js';
import { CheckFailedError } from '../core/errors.js';

/** A call's verdict, as the ACS and Twilio followers return it. */
export interface CallVerdict {
  ok: boolean;
  summary: string;
  diagnosis?: string | undefined;
  fix?: string | undefined;
}

/**
 * Print the verdict (human mode: `verdict: ok|FAILED, …` with why and fix).
 * @throws CheckFailedError `VOICECTL_CALL_FAILED` (exit 1) when the call failed.
 */
export function reportVerdict(out: Output, v: CallVerdict): void {
  if (!out.jsonMode) {
    out.print(v.ok ? `verdict: ok, ${v.summary}` : `verdict: FAILED, ${v.summary}`);
    if (!v.ok && v.diagnosis) out.print(`  why: ${v.diagnosis}`);
    if (!v.ok && v.fix) out.print(`  fix: ${v.fix}`);
  }
  if (!v.ok) throw new CheckFailedError(`call failed: ${v.summary}`, { reported: true, code: 'VOICECTL_CALL_FAILED' });
}
