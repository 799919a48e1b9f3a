/** `voicectl identity delete <userId>`: delete an ACS user (its tokens stop working). */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { confirmOrCancel } from './confirm.js';
import { addAcsAuthOptions, type AcsAuthFlags } from './auth-options.js';

interface DeleteOptions extends AcsAuthFlags {
  yes?: boolean;
  json?: boolean;
}

/** Factory for `identity delete`. */
export function identityDeleteCommand(ctx: CommandContext): Command {
  return addAcsAuthOptions(new Command('delete'))
    .description('Delete an ACS user and revoke all its tokens (asks first; --yes when not on a terminal)')
    .argument('<userId>', 'the ACS user id, 8:acs:…')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--json', 'print {"userId","deleted":true} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ voicectl identity delete 8:acs:…            # asks on a terminal
  $ voicectl identity delete "$USER_ID" --yes --json

Deleting a user also revokes its tokens; to keep the user, use \`voicectl token revoke\`.`,
    )
    .action(async (userIdArg: string, opts: DeleteOptions) => {
      const { resolveIdentityAuth } = await import('../../identity/auth.js');
      const { parseUserId } = await import('../../identity/validate.js');
      const userId = parseUserId(userIdArg);
      const auth = resolveIdentityAuth(opts, await ctx.config());
      const out = ctx.output({ json: opts.json });
      await confirmOrCancel(ctx, opts.yes, `Delete ACS user ${userId} on ${auth.host} and revoke its tokens?`, 'Not deleted.');
      const { openIdentityService } = await import('../../identity/service.js');
      await openIdentityService(auth).deleteUser(userId);
      if (out.jsonMode) out.json({ userId, deleted: true });
      else out.print(`Deleted ${userId}`);
    });
}
