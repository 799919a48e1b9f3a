/** `voicectl acs`: the Azure Communication Services resource itself (through ARM). */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { acsCreateCommand } from './create.js';
import { acsKeysCommand } from './keys.js';
import { acsRouteCallsCommand } from './route-calls.js';
import { acsShowCommand } from './show.js';

/** The `acs` namespace. */
export function acsCommand(ctx: CommandContext): Command {
  return new Command('acs')
    .description('Create an ACS resource, show it, get its keys into .env, route its incoming calls to the bridge (Azure Resource Manager, DefaultAzureCredential)')
    .addCommand(acsCreateCommand(ctx))
    .addCommand(acsShowCommand(ctx))
    .addCommand(acsKeysCommand(ctx))
    .addCommand(acsRouteCallsCommand(ctx));
}
