import { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';

/** Placeholder: replaced by the issue that builds `voicectl scaffold`. */
export function scaffoldCommand(_ctx: CommandContext): Command {
  return new Command('scaffold').description('(not built yet)');
}
