/** `voicectl token revoke <userId>`: revoke every token of an ACS user. */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { confirmOrCancel } from '../identity/confirm.js';
import { addAcsAuthOptions, type AcsAuthFlags } from '../identity/auth-options.js';

interface RevokeOptions extends AcsAuthFlags {
  yes?: boolean;
  json?: boolean;
}

/** Factory for `token revoke`. */
export function tokenRevokeCommand(ctx: CommandContext): Command {
  return addAcsAuthOptions(new Command('revoke'))
    .description('Revoke all access tokens of an ACS user; the user stays (asks first; --yes when not on a terminal)')
    .argument('<userId>', 'the ACS user id, 8:acs:…')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--json', 'print {"userId","revoked":true} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ voicectl token revoke 8:acs:…            # asks on a terminal
  $ voicectl token revoke "$USER_ID" --yes --json

Tokens already handed out stop working; the user id stays valid for new tokens.`,
    )
    .action(async (userIdArg: string, opts: RevokeOptions) => {
      const { resolveIdentityAuth } = await import('../../identity/auth.js');
      const { parseUserId } = await import('../../identity/validate.js');
      const userId = parseUserId(userIdArg);
      const auth = resolveIdentityAuth(opts, await ctx.config());
      const out = ctx.output({ json: opts.json });
      await confirmOrCancel(ctx, opts.yes, `Revoke every token of ${userId} on ${auth.host}?`, 'Nothing revoked.');
      const { openIdentityService } = await import('../../identity/service.js');
      await openIdentityService(auth).revokeTokens(userId);
      if (out.jsonMode) out.json({ userId, revoked: true });
      else out.print(`Revoked all tokens of ${userId}`);
    });
}
