import { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';

/** Placeholder: replaced by the issue that builds `voicectl bridge`. */
export function bridgeCommand(_ctx: CommandContext): Command {
  return new Command('bridge').description('(not built yet)');
}
