/** `voicectl token issue`: an ACS access token (for a new user unless --user is given). */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { addAcsAuthOptions, EXPIRES_HELP, SCOPE_HELP, type AcsAuthFlags } from '../identity/auth-options.js';

interface IssueOptions extends AcsAuthFlags {
  user?: string;
  scope: string[];
  expiresIn?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ TOKEN=$(voicectl token issue --scope voip)
  $ voicectl token issue --user 8:acs:… --scope chat voip --expires-in 60 --json

Without --json, stdout holds only the token. Without --user a new user is created
first (its id goes to stderr, and into "userId" with --json).`;

/** Factory for `token issue`. */
export function tokenIssueCommand(ctx: CommandContext): Command {
  return addAcsAuthOptions(new Command('issue'))
    .description('Issue an ACS access token (creates a user first unless --user is given)')
    .option('--user <userId>', 'an existing ACS user id, 8:acs:…')
    .requiredOption('--scope <scope...>', SCOPE_HELP)
    .option('--expires-in <minutes>', EXPIRES_HELP)
    .option('--json', 'print {"userId","token","expiresOn","scopes","userCreated"} as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: IssueOptions) => {
      const { resolveIdentityAuth } = await import('../../identity/auth.js');
      const { parseExpiresIn, parseScopes, parseUserId } = await import('../../identity/validate.js');
      const scopes = parseScopes(opts.scope);
      const minutes = parseExpiresIn(opts.expiresIn);
      const user = opts.user === undefined ? undefined : parseUserId(opts.user);
      const auth = resolveIdentityAuth(opts, await ctx.config());
      const out = ctx.output({ json: opts.json });
      const { openIdentityService } = await import('../../identity/service.js');
      const svc = openIdentityService(auth);
      const r = user
        ? { userId: user, ...(await svc.issueToken(user, scopes, minutes)) }
        : await svc.createUserAndToken(scopes, minutes);
      if (out.jsonMode) {
        out.json({ userId: r.userId, token: r.token, expiresOn: r.expiresOn, scopes: r.scopes, userCreated: !user });
        return;
      }
      if (!user) out.info(`Created ACS user ${r.userId}`);
      out.raw(`${r.token}\n`);
    });
}
