/**
 * Where `acs …` points: the subscription (`--subscription`, else AZURE_SUBSCRIPTION_ID
 * from the environment or the env file) and the ARM endpoint (`--arm-endpoint`, for
 * sovereign clouds; default https://management.azure.com).
 */
import type { Config } from '../config/load.js';
import { UsageError } from '../core/errors.js';
import { DEFAULT_ARM_ENDPOINT, parseArmEndpoint, parseSubscriptionId } from './arm.js';

/** The flags shared by `acs create|show|keys`. */
export interface ArmFlags {
  subscription?: string;
  armEndpoint?: string;
  name: string;
  resourceGroup: string;
}

/** Resolved target. */
export interface ArmTarget {
  subscriptionId: string;
  endpoint: string;
  name: string;
  resourceGroup: string;
}

/**
 * Resolve and check the flags.
 * @throws UsageError (exit 2) `VOICECTL_MISSING_VALUE` without a subscription,
 *   `VOICECTL_AZURE_SUBSCRIPTION`, `VOICECTL_ARM_ENDPOINT`, `VOICECTL_USAGE` for an empty name or group.
 */
export function resolveArmTarget(flags: ArmFlags, config: Pick<Config, 'lookup'>): ArmTarget {
  const sub = flags.subscription ?? config.lookup('AZURE_SUBSCRIPTION_ID')?.value;
  if (!sub) {
    throw new UsageError('Missing Azure subscription id: pass --subscription or set AZURE_SUBSCRIPTION_ID (environment or .env).', {
      code: 'VOICECTL_MISSING_VALUE',
      hint: 'Find it with `az account show --query id -o tsv`.',
    });
  }
  for (const [flag, value] of [['--name', flags.name], ['--resource-group', flags.resourceGroup]] as const) {
    if (value.trim() === '') throw new UsageError(`${flag} cannot be empty.`, { code: 'VOICECTL_USAGE', hint: `Pass ${flag} <value>.` });
  }
  return {
    subscriptionId: parseSubscriptionId(sub),
    endpoint: armEndpointOf(flags.armEndpoint, config),
    name: flags.name.trim(),
    resourceGroup: flags.resourceGroup.trim(),
  };
}

/**
 * The ARM endpoint: `--arm-endpoint`, else `AZURE_ARM_ENDPOINT` (environment or env file), else
 * {@link DEFAULT_ARM_ENDPOINT}.
 * @throws UsageError `VOICECTL_ARM_ENDPOINT` (exit 2) when the value is not an https origin.
 */
export function armEndpointOf(flag: string | undefined, config: Pick<Config, 'lookup'>): string {
  if (flag) return parseArmEndpoint(flag);
  const value = config.lookup('AZURE_ARM_ENDPOINT')?.value;
  return value ? parseArmEndpoint(value, 'AZURE_ARM_ENDPOINT') : DEFAULT_ARM_ENDPOINT;
}
