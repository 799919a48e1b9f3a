import { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';

/** Placeholder: replaced by the issue that builds `voicectl ws-probe`. */
export function wsProbeCommand(_ctx: CommandContext): Command {
  return new Command('ws-probe').description('(not built yet)');
}
