import { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';

/** Placeholder: replaced by the issue that builds `voicectl call`. */
export function callCommand(_ctx: CommandContext): Command {
  return new Command('call').description('(not built yet)');
}
