/**
 * Communication Services resources through Azure Resource Manager: check a name, create
 * (PUT + `Azure-AsyncOperation` polling, location `global`), show, and list keys.
 * Requests and shapes: @azure/arm-communication 4.2.x, api-version 2025-09-01.
 */
import type { CommunicationServiceResource } from '@azure/arm-communication';
import { UsageError, UserError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { createArmClient, DEFAULT_ARM_ENDPOINT, type ArmOptions } from './arm.js';
import { mapArmError } from './errors.js';

/** The resource type checkNameAvailability takes. */
export const ACS_RESOURCE_TYPE = 'Microsoft.Communication/CommunicationServices';

/** A Communication Services resource, as voicectl reports it. */
export interface AcsResourceInfo {
  name: string;
  resourceGroup: string;
  subscriptionId: string;
  /** ARM id `/subscriptions/…/providers/Microsoft.Communication/communicationServices/<name>`. */
  id: string;
  location: string;
  /** Where the data is stored, e.g. "United States". */
  dataLocation: string;
  /** e.g. `<name>.unitedstates.communication.azure.com`. */
  hostName: string;
  /** `https://<hostName>/`, the data-plane endpoint. */
  endpoint: string;
  provisioningState: string;
  /** The resource GUID ACS puts in its JWTs (ACS_RESOURCE_ID). */
  immutableResourceId: string;
}

/** The access keys of a resource (secrets: registered for redaction in logs). */
export interface AcsKeys {
  primaryKey: string;
  secondaryKey: string;
  primaryConnectionString: string;
  secondaryConnectionString: string;
}

/** Timing knobs; production uses the defaults. */
export interface AcsServiceOptions extends ArmOptions {
  /** Limit for one plain request (show, keys, name check), ms. Default 30 000. */
  timeoutMs?: number;
  /** Limit for the whole create, ms. Default 600 000 (10 min). */
  createTimeoutMs?: number;
  /** Wait between polls of the create operation, ms. Default 2 000 (the SDK's own). */
  pollIntervalMs?: number;
}

/** What `acs create` needs. */
export interface CreateAcsRequest {
  name: string;
  resourceGroup: string;
  /** Default "United States". */
  dataLocation?: string;
}

/** The operations, bound to one subscription. */
export interface AcsService {
  /**
   * Check that the name is free, create the resource and wait until it is provisioned.
   * @param o.signal aborts the wait (SIGINT); @param o.onStep progress text for a spinner.
   * @throws UsageError `VOICECTL_ACS_NAME_INVALID` (exit 2), UserError `VOICECTL_ACS_NAME_TAKEN`,
   *   and the codes of {@link mapArmError}.
   */
  create(req: CreateAcsRequest, o?: { signal?: AbortSignal; onStep?: (text: string) => void }): Promise<AcsResourceInfo>;
  /** Read a resource. @throws `VOICECTL_ARM_NOT_FOUND` and the other ARM codes. */
  show(resourceGroup: string, name: string): Promise<AcsResourceInfo>;
  /** List the keys and connection strings. */
  keys(resourceGroup: string, name: string): Promise<AcsKeys>;
}

/** Open the service; the ARM SDK (and DefaultAzureCredential unless given a credential) load here. */
export function openAcsService(o: AcsServiceOptions): AcsService {
  const client = createArmClient(o);
  const host = new URL(o.endpoint ?? DEFAULT_ARM_ENDPOINT).host;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const createTimeoutMs = o.createTimeoutMs ?? 600_000;
  const guard = async <T>(doing: string, limitMs: number, outer: AbortSignal | undefined, fn: (s: AbortSignal) => Promise<T>): Promise<T> => {
    const signal = outer ? AbortSignal.any([outer, AbortSignal.timeout(limitMs)]) : AbortSignal.timeout(limitMs);
    try {
      return await fn(signal);
    } catch (err) {
      throw mapArmError(err, { host, timeoutMs: limitMs, doing, interrupted: outer?.aborted === true });
    }
  };
  const toInfo = (r: CommunicationServiceResource, resourceGroup: string): AcsResourceInfo => ({
    name: r.name ?? '',
    resourceGroup,
    subscriptionId: o.subscriptionId,
    id: r.id ?? '',
    location: r.location,
    dataLocation: r.dataLocation ?? '',
    hostName: r.hostName ?? '',
    endpoint: r.hostName ? `https://${r.hostName}/` : '',
    provisioningState: r.provisioningState ?? 'Unknown',
    immutableResourceId: r.immutableResourceId ?? '',
  });
  const where = (rg: string, name: string): string => `Communication Services resource "${name}" in resource group "${rg}"`;

  return {
    async create(req, opts = {}) {
      const dataLocation = req.dataLocation ?? 'United States';
      opts.onStep?.(`Checking that the name "${req.name}" is available`);
      const avail = await guard(`checking the name "${req.name}"`, timeoutMs, opts.signal, (abortSignal) =>
        client.communicationServices.checkNameAvailability({ name: req.name, type: ACS_RESOURCE_TYPE }, { abortSignal }),
      );
      if (avail.nameAvailable === false) {
        const said = avail.message ? `: ${avail.message}` : '';
        if (avail.reason === 'Invalid') {
          throw new UsageError(`"${req.name}" is not a valid Communication Services name${said}`, {
            code: 'VOICECTL_ACS_NAME_INVALID',
            hint: 'Use 1–63 letters, digits and hyphens, starting with a letter; the name becomes <name>.<region>.communication.azure.com.',
          });
        }
        // ARM's message for a taken name repeats the sentence ("The name x is already taken."): say it once
        const why = !avail.message || /taken|already exists|unavailable/i.test(avail.message) ? '.' : said;
        throw new UserError(`The name "${req.name}" is already taken${why}`, {
          code: 'VOICECTL_ACS_NAME_TAKEN',
          hint: 'Names are global across Azure: pick another --name (e.g. add your team or a suffix).',
        });
      }
      opts.onStep?.(`Creating ${where(req.resourceGroup, req.name)} (data location ${dataLocation})`);
      const created = await guard(`creating ${where(req.resourceGroup, req.name)}`, createTimeoutMs, opts.signal, (abortSignal) =>
        client.communicationServices.beginCreateOrUpdateAndWait(
          req.resourceGroup,
          req.name,
          { location: 'global', dataLocation },
          { abortSignal, ...(o.pollIntervalMs !== undefined ? { updateIntervalInMs: o.pollIntervalMs } : {}) },
        ),
      );
      const info = toInfo(created, req.resourceGroup);
      if (info.provisioningState !== 'Succeeded') {
        throw new UserError(`${where(req.resourceGroup, req.name)} ended in state ${info.provisioningState}.`, {
          code: 'VOICECTL_ACS_PROVISIONING_FAILED',
          hint: 'See the activity log of the resource group in the portal; delete the resource and try again.',
        });
      }
      return info;
    },
    show: (rg, name) =>
      guard(`reading ${where(rg, name)}`, timeoutMs, undefined, async (abortSignal) =>
        toInfo(await client.communicationServices.get(rg, name, { abortSignal }), rg),
      ),
    keys: (rg, name) =>
      guard(`listing the keys of ${where(rg, name)}`, timeoutMs, undefined, async (abortSignal) => {
        const k = await client.communicationServices.listKeys(rg, name, { abortSignal });
        const keys: AcsKeys = {
          primaryKey: k.primaryKey ?? '',
          secondaryKey: k.secondaryKey ?? '',
          primaryConnectionString: k.primaryConnectionString ?? '',
          secondaryConnectionString: k.secondaryConnectionString ?? '',
        };
        for (const v of Object.values(keys)) registerSecret(v);
        return keys;
      }),
  };
}
