import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';

/** Placeholder: replaced by the issue that builds `voicectl token`. */
export function tokenCommand(_ctx: CommandContext): Command {
  return new Command('token').description('(not built yet)');
}
