/**
 * The Azure Resource Manager client for Communication Services resources
 * (@azure/arm-communication 4.2.x, api-version 2025-09-01), loaded lazily with
 * `createRequire` like the other Azure SDKs.
 */
import { createRequire } from 'node:module';
import type { CommunicationServiceManagementClient } from '@azure/arm-communication';
import type { TokenCredential } from '@azure/identity';
import { UsageError } from '../core/errors.js';
import { SDK_RETRY, defaultAzureCredential } from '../identity/sdk.js';

const requireModule = createRequire(import.meta.url);

/** The public-cloud ARM endpoint. */
export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

/** How to reach ARM: production passes only the subscription (and maybe a sovereign-cloud endpoint). */
export interface ArmOptions {
  /** Subscription id (a GUID). */
  subscriptionId: string;
  /** ARM endpoint, https origin (default {@link DEFAULT_ARM_ENDPOINT}); it also sets the token scope. */
  endpoint?: string;
  /** Credential (default DefaultAzureCredential: az login, environment, managed identity…). */
  credential?: TokenCredential;
  /** CA certificates (PEM) to trust for this client only, instead of Node's defaults (see `caFromEnv`). */
  tlsCa?: string | string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Check a subscription id.
 * @throws UsageError `VOICECTL_AZURE_SUBSCRIPTION` (exit 2).
 */
export function parseSubscriptionId(value: string): string {
  const v = value.trim();
  if (!GUID.test(v)) {
    throw new UsageError(`"${value}" is not an Azure subscription id (a GUID).`, {
      code: 'VOICECTL_AZURE_SUBSCRIPTION',
      hint: 'Find it with `az account show --query id -o tsv`; pass --subscription or set AZURE_SUBSCRIPTION_ID.',
    });
  }
  return v;
}

/**
 * Check an ARM endpoint: an https origin without a path.
 * @param what the flag or variable it came from, for the message.
 * @returns the origin, e.g. `https://management.azure.com`.
 * @throws UsageError `VOICECTL_ARM_ENDPOINT` (exit 2).
 */
export function parseArmEndpoint(value: string, what = '--arm-endpoint'): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '') || url.search) {
    throw new UsageError(`${what} must be an https:// origin without a path, got "${value}".`, {
      code: 'VOICECTL_ARM_ENDPOINT',
      hint: `Omit it for the public cloud (${DEFAULT_ARM_ENDPOINT}); e.g. https://management.chinacloudapi.cn for Azure China.`,
    });
  }
  return url.origin;
}

/** Build the management client; the SDK and @azure/identity load here. */
export function createArmClient(o: ArmOptions): CommunicationServiceManagementClient {
  const sdk = requireModule('@azure/arm-communication') as typeof import('@azure/arm-communication');
  return new sdk.CommunicationServiceManagementClient(o.credential ?? defaultAzureCredential(), o.subscriptionId, {
    endpoint: o.endpoint ?? DEFAULT_ARM_ENDPOINT,
    retryOptions: { ...SDK_RETRY },
    ...(o.tlsCa ? { tlsOptions: { ca: o.tlsCa } } : {}),
  });
}
