import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';

/** Placeholder: replaced by the issue that builds `voicectl tunnel`. */
export function tunnelCommand(_ctx: CommandContext): Command {
  return new Command('tunnel').description('(not built yet)');
}
