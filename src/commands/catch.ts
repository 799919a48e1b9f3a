import { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';

/** Placeholder: replaced by the issue that builds `voicectl catch`. */
export function catchCommand(_ctx: CommandContext): Command {
  return new Command('catch').description('(not built yet)');
}
