/** `voicectl acs keys`: the access keys and connection strings of a resource. */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import type { ArmFlags } from '../../acs/settings.js';
import { addArmOptions, ARM_AUTH_HELP } from './options.js';

interface KeysOptions extends ArmFlags {
  writeEnv?: string | true;
  force?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ voicectl acs keys -n contoso-voice -g rg-voice --write-env
  $ voicectl acs keys -n contoso-voice -g rg-voice --json

Without --write-env the keys are printed on stdout (they are secrets: mind your
terminal history). With --write-env only the file path is printed.
${ARM_AUTH_HELP}`;

/** Factory for `acs keys`. */
export function acsKeysCommand(ctx: CommandContext): Command {
  return addArmOptions(new Command('keys'))
    .description('List the access keys and connection strings of a resource, or write the connection string to .env')
    .option('--write-env [path]', 'set AZURE_COMMUNICATION_CONNECTION_STRING in an env file (default: --env-file or ./.env)')
    .option('--force', 'with --write-env: replace an existing different value (after a backup)')
    .option('--json', 'print the keys as JSON (or, with --write-env, what was written)')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: KeysOptions) => {
      const { resolveArmTarget } = await import('../../acs/settings.js');
      const target = resolveArmTarget(opts, await ctx.config());
      const out = ctx.output({ json: opts.json });
      const { openAcsService } = await import('../../acs/service.js');
      const keys = await openAcsService({ subscriptionId: target.subscriptionId, endpoint: target.endpoint }).keys(
        target.resourceGroup,
        target.name,
      );
      if (opts.writeEnv !== undefined) {
        const { envFileTarget, writeEnvValues } = await import('../../acs/write-env.js');
        const file = envFileTarget(opts.writeEnv, ctx.io.cwd, ctx.globals().envFile);
        const written = await writeEnvValues(file, { AZURE_COMMUNICATION_CONNECTION_STRING: keys.primaryConnectionString }, opts.force === true);
        if (out.jsonMode) out.json({ name: target.name, resourceGroup: target.resourceGroup, envFile: written });
        else {
          out.print(`Wrote AZURE_COMMUNICATION_CONNECTION_STRING to ${written.path}`);
          if (written.backup) out.print(`  previous file kept as ${written.backup}`);
        }
        return;
      }
      if (out.jsonMode) {
        out.json({ name: target.name, resourceGroup: target.resourceGroup, ...keys });
        return;
      }
      out.print(`primaryConnectionString:   ${keys.primaryConnectionString}`);
      out.print(`secondaryConnectionString: ${keys.secondaryConnectionString}`);
      out.print(`primaryKey:                ${keys.primaryKey}`);
      out.print(`secondaryKey:              ${keys.secondaryKey}`);
    });
}
