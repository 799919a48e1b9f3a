/** `voicectl token`: ACS access tokens and Twilio Voice access tokens. */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { tokenIssueCommand } from './issue.js';
import { tokenRevokeCommand } from './revoke.js';
import { tokenTwilioCommand } from './twilio.js';

/** The `token` namespace. */
export function tokenCommand(ctx: CommandContext): Command {
  return new Command('token')
    .description('Issue and revoke ACS access tokens; mint Twilio Voice tokens')
    .addCommand(tokenIssueCommand(ctx))
    .addCommand(tokenRevokeCommand(ctx))
    .addCommand(tokenTwilioCommand(ctx));
}
