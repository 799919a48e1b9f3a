import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';

/** Placeholder: replaced by the issue that builds `voicectl identity`. */
export function identityCommand(_ctx: CommandContext): Command {
  return new Command('identity').description('(not built yet)');
}
