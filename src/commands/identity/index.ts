/** `voicectl identity`: ACS users (communication identities). */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { identityCreateCommand } from './create.js';
import { identityDeleteCommand } from './delete.js';

/** The `identity` namespace. */
export function identityCommand(ctx: CommandContext): Command {
  return new Command('identity')
    .description('Create and delete ACS users (replaces `az communication identity user …`)')
    .addCommand(identityCreateCommand(ctx))
    .addCommand(identityDeleteCommand(ctx));
}
