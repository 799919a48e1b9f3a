/** The confirm-or-cancel step shared by `identity delete` and `token revoke`. */
import type { CommandContext } from '../../cli/context.js';

/**
 * Unless `yes` (`--yes`) is set, ask `question` on a terminal and stop when the answer is no.
 * Prompting is loaded lazily, so the command files stay light.
 * @param declined what did not happen when the user answers no (e.g. "Not deleted.").
 * @throws UsageError `VOICECTL_CONFIRM_REQUIRED` (exit 2) when no prompt is possible and `--yes`
 *   is missing; UserError `VOICECTL_CANCELLED` (exit 1, "Cancelled: <declined>") when the user
 *   answers no; CancelledError (exit 130) only when the user presses Ctrl-C.
 */
export async function confirmOrCancel(ctx: CommandContext, yes: boolean | undefined, question: string, declined: string): Promise<void> {
  if (yes) return;
  const { confirmAction } = await import('../../cli/prompt.js');
  const ok = await confirmAction(ctx.io, question, { flag: '--yes', noInput: ctx.globals().noInput });
  if (!ok) {
    // a "no" is an answer, not an interruption: exit 1, and 130 stays the Ctrl-C code
    const { UserError } = await import('../../core/errors.js');
    throw new UserError(`Cancelled: ${declined}`, { code: 'VOICECTL_CANCELLED' });
  }
}
