import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';

/** Placeholder: replaced by the issue that builds `voicectl acs`. */
export function acsCommand(_ctx: CommandContext): Command {
  return new Command('acs').description('(not built yet)');
}
