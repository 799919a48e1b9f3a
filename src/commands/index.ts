/**
 * The flat command table. Each entry is a factory `(ctx) => Command` from its own file;
 * command files import only commander and types at load time and `await import()` their
 * domain modules inside the action, so `voicectl --help` stays light.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import { acsCommand } from './acs/index.js';
import { ariCommand } from './ari/index.js';
import { bridgeCommand } from './bridge.js';
import { callCommand } from './call.js';
import { catchCommand } from './catch.js';
import { identityCommand } from './identity/index.js';
import { scaffoldCommand } from './scaffold.js';
import { tokenCommand } from './token/index.js';
import { tunnelCommand } from './tunnel/index.js';
import { wsProbeCommand } from './ws-probe.js';

/** A command factory. */
export type CommandFactory = (ctx: CommandContext) => Command;

/** Every top-level command, in help order. */
export const COMMANDS: readonly CommandFactory[] = [
  bridgeCommand,
  callCommand,
  wsProbeCommand,
  tunnelCommand,
  scaffoldCommand,
  identityCommand,
  tokenCommand,
  acsCommand,
  ariCommand,
  catchCommand,
];
