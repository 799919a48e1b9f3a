/** The confirm-or-cancel step shared by `identity delete` and `token revoke`. */
import type { CommandContext } from '../../cli/context.js';

/**
 * Unless `yes` (`--yes`) is set, ask `question` on a terminal and stop when the answer is no.
 * Prompting is loaded lazily, so the command files stay light.
 * @param declined the message when the user answers no (e.g. "Not deleted.").
 * @throws UsageError `VOICECTL_CONFIRM_REQUIRED` (exit 2) when no prompt is possible and `--yes`
 *   is missing; CancelledError (exit 130) when the user answers no or presses Ctrl-C.
 */
export async function confirmOrCancel(ctx: CommandContext, yes: boolean | undefined, question: string, declined: string): Promise<void> {
  if (yes) return;
  const { confirmAction } = await import('../../cli/prompt.js');
  const ok = await confirmAction(ctx.io, question, { flag: '--yes', noInput: ctx.globals().noInput });
  if (!ok) {
    const { CancelledError } = await import('../../core/errors.js');
    throw new CancelledError(declined);
  }
}
