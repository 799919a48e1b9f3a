/**
 * Where `acs route-calls`, `tunnel up --route-calls` and the doctor point: the Azure subscription
 * (`--subscription`, else AZURE_SUBSCRIPTION_ID), the ARM endpoint (`--arm-endpoint`, else
 * AZURE_ARM_ENDPOINT), the ACS resource (`--acs-name` [`-g`], else the one whose host name is in
 * AZURE_COMMUNICATION_CONNECTION_STRING), and the bridge's IncomingCall URL (derived by
 * src/calls/incoming-url.ts, as the running bridge derives it).
 */
import { incomingCallEndpoint, type IncomingCallEndpoint } from '../calls/incoming-url.js';
import type { Config } from '../config/load.js';
import { missingValueError } from '../config/load.js';
import { UsageError } from '../core/errors.js';
import { caFromEnv } from '../core/tls.js';
import { parseConnectionString } from '../identity/connection-string.js';
import { parseSubscriptionId } from './arm.js';
import type { EventGridService } from './event-grid.js';
import type { AcsSelector } from './route-calls.js';
import { armEndpointOf } from './settings.js';

/** The flags that pick the subscription, the ARM endpoint and the resource. */
export interface RouteTargetFlags {
  subscription?: string;
  armEndpoint?: string;
  acsName?: string;
  resourceGroup?: string;
}

/** Resolved target. */
export interface RouteTarget {
  subscriptionId: string;
  /** ARM origin. */
  endpoint: string;
  acs: AcsSelector;
}

type Settings = Pick<Config, 'get' | 'lookup'>;

/**
 * Resolve the target.
 * @throws UsageError (exit 2): `VOICECTL_MISSING_VALUE` without a subscription or any way to find the
 *   resource, `VOICECTL_AZURE_SUBSCRIPTION`, `VOICECTL_ARM_ENDPOINT`, `VOICECTL_ACS_CONNECTION_STRING`.
 */
export function resolveRouteTarget(flags: RouteTargetFlags, config: Settings): RouteTarget {
  const sub = flags.subscription ?? config.get('AZURE_SUBSCRIPTION_ID');
  if (!sub) throw missingValueError('--subscription', 'AZURE_SUBSCRIPTION_ID', 'Azure subscription id (`az account show --query id -o tsv`)');
  if (flags.resourceGroup && !flags.acsName) {
    throw new UsageError('-g/--resource-group goes with --acs-name.', { code: 'VOICECTL_USAGE', hint: 'Pass --acs-name <resource> -g <rg>, or neither.' });
  }
  let acs: AcsSelector;
  if (flags.acsName) acs = { name: flags.acsName, ...(flags.resourceGroup ? { resourceGroup: flags.resourceGroup } : {}) };
  else {
    const cs = config.get('AZURE_COMMUNICATION_CONNECTION_STRING');
    if (!cs) throw missingValueError('--acs-name', 'AZURE_COMMUNICATION_CONNECTION_STRING', 'Communication Services resource');
    acs = { hostName: new URL(parseConnectionString(cs, 'AZURE_COMMUNICATION_CONNECTION_STRING').endpoint).hostname };
  }
  return { subscriptionId: parseSubscriptionId(sub), endpoint: armEndpointOf(flags.armEndpoint, config), acs };
}

/**
 * The bridge's IncomingCall endpoint for `callbackHost` (default CALLBACK_URI_HOST).
 * @throws UsageError `VOICECTL_MISSING_VALUE` without the connection string or a host, and the
 *   shape errors of {@link incomingCallEndpoint}.
 */
export function bridgeEndpoint(config: Pick<Config, 'get'>, callbackHost?: string): IncomingCallEndpoint {
  const connectionString = config.get('AZURE_COMMUNICATION_CONNECTION_STRING');
  if (!connectionString) throw missingValueError(undefined, 'AZURE_COMMUNICATION_CONNECTION_STRING', 'ACS connection string (the bridge derives its ?code= secret from it)');
  const host = callbackHost ?? config.get('CALLBACK_URI_HOST');
  if (!host) throw missingValueError('--url', 'CALLBACK_URI_HOST', 'public URL of the bridge (run `voicectl tunnel up --write-env`)');
  const webhookSecret = config.get('VOICECTL_WEBHOOK_SECRET');
  return incomingCallEndpoint({ connectionString, callbackHost: host, ...(webhookSecret ? { webhookSecret } : {}) });
}

/**
 * Open the Event Grid service for a target, with trust from `env.NODE_EXTRA_CA_CERTS` (in-process
 * callers get the trust a new process would) and the provider registration `--register-provider` runs.
 */
export async function openRouteService(
  target: RouteTarget,
  env: Readonly<Record<string, string | undefined>>,
  o: { onStep?: (text: string) => void; signal?: AbortSignal } = {},
): Promise<{ svc: EventGridService; register: () => Promise<void>; ca: string[] | undefined }> {
  const [{ openEventGridService }, { registerProvider }, { defaultAzureCredential }] = await Promise.all([
    import('./event-grid.js'),
    import('./provider.js'),
    import('../identity/sdk.js'),
  ]);
  const ca = caFromEnv(env);
  const arm = { subscriptionId: target.subscriptionId, endpoint: target.endpoint, credential: defaultAzureCredential(), ...(ca ? { tlsCa: ca } : {}) };
  return {
    svc: openEventGridService(arm),
    register: () =>
      registerProvider({ ...arm, namespace: 'Microsoft.EventGrid', ...(o.signal ? { signal: o.signal } : {}), ...(o.onStep ? { onStep: o.onStep } : {}) }),
    ca,
  };
}
