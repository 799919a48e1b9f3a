import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';

/** Placeholder: replaced by the issue that builds `voicectl ari`. */
export function ariCommand(_ctx: CommandContext): Command {
  return new Command('ari').description('(not built yet)');
}
