/** `voicectl identity create`: create an ACS user, optionally with a token. */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { addAcsAuthOptions, EXPIRES_HELP, SCOPE_HELP, type AcsAuthFlags } from './auth-options.js';

interface CreateOptions extends AcsAuthFlags {
  token?: boolean;
  scope?: string[];
  expiresIn?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ voicectl identity create
  $ voicectl identity create --token --scope voip --expires-in 60 --json
  $ USER_ID=$(voicectl identity create)

Without --token, stdout is only the user id. --scope or --expires-in imply --token;
--token alone issues a voip token.`;

/** Factory for `identity create`. */
export function identityCreateCommand(ctx: CommandContext): Command {
  return addAcsAuthOptions(new Command('create'))
    .description('Create an ACS user (8:acs:…); with --token, the user and an access token in one call')
    .option('--token', 'also issue an access token for the new user')
    .option('--scope <scope...>', SCOPE_HELP)
    .option('--expires-in <minutes>', EXPIRES_HELP)
    .option('--json', 'print {"userId"} (plus "token","expiresOn","scopes" with --token) as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: CreateOptions) => {
      const { resolveIdentityAuth } = await import('../../identity/auth.js');
      const { parseExpiresIn, parseScopes } = await import('../../identity/validate.js');
      const withToken = opts.token === true || opts.scope !== undefined || opts.expiresIn !== undefined;
      const scopes = withToken ? parseScopes(opts.scope ?? ['voip']) : [];
      const minutes = parseExpiresIn(opts.expiresIn);
      const auth = resolveIdentityAuth(opts, await ctx.config());
      const out = ctx.output({ json: opts.json });
      const { openIdentityService } = await import('../../identity/service.js');
      const svc = openIdentityService(auth);
      if (!withToken) {
        const { userId } = await svc.createUser();
        if (out.jsonMode) out.json({ userId });
        else out.print(userId);
        return;
      }
      const r = await svc.createUserAndToken(scopes, minutes);
      if (out.jsonMode) {
        out.json({ userId: r.userId, token: r.token, expiresOn: r.expiresOn, scopes: r.scopes });
        return;
      }
      out.print(`userId:    ${r.userId}`);
      out.print(`token:     ${r.token}`);
      out.print(`expiresOn: ${r.expiresOn}`);
      out.print(`scopes:    ${r.scopes.join(', ')}`);
    });
}
