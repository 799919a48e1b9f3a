/** `voicectl acs route-calls`: route the ACS resource's IncomingCall events to the bridge (Event Grid). */
import { Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import type { RouteTargetFlags } from '../../acs/route-settings.js';
import { ARM_AUTH_HELP } from './options.js';

interface RouteCallsOptions extends RouteTargetFlags {
  url?: string;
  name: string;
  phoneNumber?: string[];
  show?: boolean;
  delete?: boolean;
  registerProvider?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ voicectl acs route-calls                          # bridge + tunnel running, settings in .env
  $ voicectl acs route-calls --phone-number +14255550123 --name voicectl-sales
  $ voicectl acs route-calls --show
  $ voicectl acs route-calls --delete

The endpoint defaults to the URL \`voicectl bridge\` prints (https://<CALLBACK_URI_HOST>/api/incomingCall
?code=<secret>, the secret derived from AZURE_COMMUNICATION_CONNECTION_STRING or VOICECTL_WEBHOOK_SECRET).
Event Grid validates it while the subscription is written, so the bridge and the tunnel must be up: the
command first POSTs a SubscriptionValidation event through the public URL and stops if it is not answered.
The ACS resource is the one of AZURE_COMMUNICATION_CONNECTION_STRING (or --acs-name [-g]) in
AZURE_SUBSCRIPTION_ID; its Event Grid system topic is created when missing (<resource>-events, global).
After a tunnel restart: \`voicectl tunnel up --write-env --route-calls\` moves the subscription.
${ARM_AUTH_HELP}`;

function phoneNumber(value: string, previous: string[] = []): string[] {
  if (!/^\+[1-9]\d{6,14}$/.test(value)) throw new InvalidArgumentError(`"${value}" is not an E.164 number (e.g. +14255550123).`);
  return [...previous, value];
}

function subscriptionName(value: string): string {
  if (!/^[A-Za-z0-9-]{3,64}$/.test(value)) throw new InvalidArgumentError('must be 3–64 letters, digits and hyphens (Event Grid\'s rule).');
  return value;
}

/** Factory for `acs route-calls`. */
export function acsRouteCallsCommand(ctx: CommandContext): Command {
  return new Command('route-calls')
    .description('Route incoming ACS calls to the bridge: Event Grid system topic + IncomingCall WebHook subscription (replaces the portal\'s Events blade)')
    .option('--url <url>', 'WebHook endpoint (default: the bridge\'s https://<CALLBACK_URI_HOST>/api/incomingCall?code=…)')
    .option('--name <name>', 'event subscription name', subscriptionName, 'voicectl-incoming')
    .option('--phone-number <e164>', 'deliver only calls to this number (repeat for several; default: every IncomingCall)', phoneNumber)
    .option('--show', 'list the resource\'s event subscriptions (endpoint host, secret masked, filters)')
    .option('--delete', 'delete voicectl\'s event subscription --name')
    .option('--register-provider', 'register the Microsoft.EventGrid resource provider first if needed, and wait')
    .option('--acs-name <name>', 'the Communication Services resource (default: the one of AZURE_COMMUNICATION_CONNECTION_STRING)')
    .option('-g, --resource-group <rg>', 'its resource group (with --acs-name; default: looked up)')
    .option('--subscription <id>', 'subscription id (default: AZURE_SUBSCRIPTION_ID from the environment or .env)')
    .option('--arm-endpoint <url>', 'Azure Resource Manager endpoint (default: AZURE_ARM_ENDPOINT, else https://management.azure.com)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: RouteCallsOptions) => {
      const { UsageError } = await import('../../core/errors.js');
      if (opts.show && opts.delete) throw new UsageError('--show and --delete cannot be combined.', { code: 'VOICECTL_USAGE', hint: 'Pick one.' });
      if ((opts.show || opts.delete) && (opts.url || opts.phoneNumber)) {
        throw new UsageError('--url and --phone-number only apply when creating or updating the route.', { code: 'VOICECTL_USAGE', hint: 'Drop them with --show / --delete.' });
      }
      const { runRouteCalls } = await import('./route-calls-run.js');
      await runRouteCalls(ctx, opts);
    });
}

export type { RouteCallsOptions };
