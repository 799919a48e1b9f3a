/** `voicectl acs create`: create a Communication Services resource and wait for it. */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import type { ArmFlags } from '../../acs/settings.js';
import { addArmOptions, ARM_AUTH_HELP } from './options.js';

interface CreateOptions extends ArmFlags {
  dataLocation: string;
  writeEnv?: string | true;
  force?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ voicectl acs create -n contoso-voice -g rg-voice --write-env
  $ voicectl acs create -n contoso-voice -g rg-voice --data-location Europe --json

Checks the name is free, creates the resource (location "global") and waits until it is
provisioned (about a minute). --write-env then fetches its keys and sets
AZURE_COMMUNICATION_CONNECTION_STRING and ACS_RESOURCE_ID in the env file (other lines
kept, mode 0600); an existing different value needs --force (a backup is kept).
${ARM_AUTH_HELP}`;

/** Factory for `acs create`. */
export function acsCreateCommand(ctx: CommandContext): Command {
  return addArmOptions(new Command('create'))
    .description('Create an Azure Communication Services resource (replaces the portal steps and `az communication create`)')
    .option('--data-location <place>', 'where ACS stores data at rest (e.g. "United States", Europe, Japan)', 'United States')
    .option('--write-env [path]', 'write the connection string and resource id into an env file (default: --env-file or ./.env)')
    .option('--force', 'with --write-env: replace existing different values (after a backup)')
    .option('--json', 'print the resource as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: CreateOptions) => {
      const { resolveArmTarget } = await import('../../acs/settings.js');
      const { assertEnvWritable, envFileTarget, writeEnvValues } = await import('../../acs/write-env.js');
      const target = resolveArmTarget(opts, await ctx.config());
      const out = ctx.output({ json: opts.json });
      const envFile = opts.writeEnv === undefined ? undefined : envFileTarget(opts.writeEnv, ctx.io.cwd, ctx.globals().envFile);
      const envKeys = { AZURE_COMMUNICATION_CONNECTION_STRING: undefined, ACS_RESOURCE_ID: undefined };
      if (envFile) await assertEnvWritable(envFile, envKeys, opts.force === true);

      const { openAcsService } = await import('../../acs/service.js');
      const svc = openAcsService({ subscriptionId: target.subscriptionId, endpoint: target.endpoint });
      const abort = new AbortController();
      const off = ctx.io.onSignal(() => abort.abort());
      const spinner = await out.spinner(`Creating ${target.name}`);
      let info;
      try {
        info = await svc.create(
          { name: target.name, resourceGroup: target.resourceGroup, dataLocation: opts.dataLocation },
          {
            signal: abort.signal,
            onStep: (step) => {
              spinner.text(`${step}…`);
              if (!out.interactiveStderr && !out.jsonMode) out.info(`${step}…`);
            },
          },
        );
        spinner.succeed(`Created ${info.name} (${info.hostName})`);
      } catch (err) {
        spinner.fail(`Could not create ${target.name}`);
        throw err;
      } finally {
        off();
      }

      let written;
      if (envFile) {
        const keys = await svc.keys(target.resourceGroup, target.name);
        written = await writeEnvValues(
          envFile,
          { AZURE_COMMUNICATION_CONNECTION_STRING: keys.primaryConnectionString, ACS_RESOURCE_ID: info.immutableResourceId },
          opts.force === true,
        );
      }
      if (out.jsonMode) {
        out.json({ ...info, envFile: written ?? null });
        return;
      }
      out.print(`Created ${info.name} in ${info.resourceGroup}`);
      out.print(`  endpoint:      ${info.endpoint}`);
      out.print(`  data location: ${info.dataLocation}`);
      out.print(`  resource id:   ${info.immutableResourceId}`);
      if (written) {
        out.print(`Wrote AZURE_COMMUNICATION_CONNECTION_STRING and ACS_RESOURCE_ID to ${written.path}`);
        if (written.backup) out.print(`  previous file kept as ${written.backup}`);
      } else {
        out.print(`Next: voicectl acs keys -n ${info.name} -g ${info.resourceGroup} --write-env`);
      }
    });
}
