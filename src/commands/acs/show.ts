/** `voicectl acs show`: a Communication Services resource's endpoint, state and ids. */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import type { ArmFlags } from '../../acs/settings.js';
import { addArmOptions, ARM_AUTH_HELP } from './options.js';

interface ShowOptions extends ArmFlags {
  json?: boolean;
}

/** Factory for `acs show`. */
export function acsShowCommand(ctx: CommandContext): Command {
  return addArmOptions(new Command('show'))
    .description('Show a Communication Services resource: endpoint, provisioning state, data location, resource id')
    .option('--json', 'print the resource as JSON')
    .addHelpText('after', `\nExample:\n  $ voicectl acs show -n contoso-voice -g rg-voice --json\n${ARM_AUTH_HELP}`)
    .action(async (opts: ShowOptions) => {
      const { resolveArmTarget } = await import('../../acs/settings.js');
      const target = resolveArmTarget(opts, await ctx.config());
      const out = ctx.output({ json: opts.json });
      const { openAcsService } = await import('../../acs/service.js');
      const info = await openAcsService({ subscriptionId: target.subscriptionId, endpoint: target.endpoint }).show(
        target.resourceGroup,
        target.name,
      );
      if (out.jsonMode) {
        out.json(info);
        return;
      }
      out.print(`name:               ${info.name}`);
      out.print(`resource group:     ${info.resourceGroup}`);
      out.print(`endpoint:           ${info.endpoint}`);
      out.print(`provisioning state: ${info.provisioningState}`);
      out.print(`data location:      ${info.dataLocation}`);
      out.print(`resource id:        ${info.immutableResourceId}`);
      out.print(`arm id:             ${info.id}`);
    });
}
