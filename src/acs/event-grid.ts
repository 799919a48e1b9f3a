/**
 * The ACS resource's Event Grid plumbing through Azure Resource Manager (@azure/arm-eventgrid 14.x,
 * api-version 2022-06-15): the system topic whose source is the Communication Services resource
 * (`topicType` Microsoft.Communication.CommunicationServices, location `global`), and WebHook event
 * subscriptions on it. Writes are long-running operations (PUT, then `Azure-AsyncOperation` polling);
 * while a WebHook subscription is created or its URL changes, Event Grid POSTs a
 * SubscriptionValidationEvent to the endpoint and fails the operation unless it is answered.
 * Resource shapes: Microsoft.EventGrid REST reference (systemTopics, eventSubscriptions).
 */
import { createRequire } from 'node:module';
import type { EventGridManagementClient, EventSubscription, SystemTopic } from '@azure/arm-eventgrid';
import { UserError } from '../core/errors.js';
import { defaultAzureCredential, SDK_RETRY } from '../identity/sdk.js';
import { createArmClient, DEFAULT_ARM_ENDPOINT, type ArmOptions } from './arm.js';
import { mapRouteError } from './route-errors.js';

const requireModule = createRequire(import.meta.url);

/** The event type ACS raises for a call to one of its numbers or users. */
export const INCOMING_CALL_EVENT = 'Microsoft.Communication.IncomingCall';
/** The system topic type of a Communication Services resource. */
export const ACS_TOPIC_TYPE = 'Microsoft.Communication.CommunicationServices';
/** The label voicectl puts on the subscriptions it manages. */
export const VOICECTL_LABEL = 'voicectl';
/** The advanced-filter key of the called number. */
export const PHONE_FILTER_KEY = 'data.to.PhoneNumber.Value';

/** The ACS resource the topic belongs to. */
export interface AcsRef {
  /** ARM id `/subscriptions/…/resourceGroups/<rg>/providers/Microsoft.Communication/communicationServices/<name>`. */
  id: string;
  name: string;
  resourceGroup: string;
  /** `<name>.<region>.communication.azure.com`. */
  hostName: string;
}

/** An Event Grid system topic. */
export interface TopicRef {
  name: string;
  resourceGroup: string;
  /** The resource it publishes for (an {@link AcsRef.id}). */
  source: string;
  provisioningState: string;
}

/** One event subscription of the topic, as voicectl reports it (never the `?code=` secret). */
export interface RouteInfo {
  name: string;
  /** Succeeded, Creating, Updating, Failed, AwaitingManualAction… */
  provisioningState: string;
  endpointType: string;
  /** `https://host/path` without the query (ARM never returns the full URL on a GET). */
  endpointBaseUrl: string | undefined;
  /** The host of {@link endpointBaseUrl}. */
  endpointHost: string | undefined;
  includedEventTypes: string[];
  /** Values of a StringIn filter on {@link PHONE_FILTER_KEY}. */
  phoneNumbers: string[];
  /** Other advanced filters, as `<key> <operator> <values>`. */
  otherFilters: string[];
  eventDeliverySchema: string | undefined;
  /** Created by voicectl (carries the {@link VOICECTL_LABEL} label). */
  voicectl: boolean;
}

/** Timing knobs of {@link openEventGridService}; production uses the defaults. */
export interface EventGridServiceOptions extends ArmOptions {
  /** Limit for one plain request, ms. Default 30 000. */
  timeoutMs?: number;
  /** Limit for a create / update (includes Event Grid's validation handshake), ms. Default 180 000. */
  writeTimeoutMs?: number;
  /** Wait between polls of a long-running operation, ms (default: the SDK's, or Retry-After). */
  pollIntervalMs?: number;
}

/** What {@link EventGridService.upsertRoute} writes. */
export interface RouteSpec {
  /** The full WebHook URL, secret included. */
  url: string;
  /** E.164 numbers: deliver only calls to these (empty: every IncomingCall of the resource). */
  phoneNumbers: string[];
}

/** The operations, bound to one Azure subscription. */
export interface EventGridService {
  /**
   * Find the ACS resource: by name and group when given, else the one whose host name is `hostName`.
   * @throws UserError `VOICECTL_ACS_NOT_FOUND`, and the ARM codes of {@link mapRouteError}.
   */
  findAcs(o: { hostName?: string; name?: string; resourceGroup?: string }): Promise<AcsRef>;
  /** The system topic whose source is the resource, if any. */
  findTopic(acs: AcsRef): Promise<TopicRef | undefined>;
  /** Create the system topic `name` for the resource and wait for it. @throws `VOICECTL_EVENTGRID_NAME_CONFLICT` and ARM codes. */
  createTopic(acs: AcsRef, name: string, signal?: AbortSignal): Promise<TopicRef>;
  /** Every subscription of the topic. */
  listRoutes(topic: TopicRef): Promise<RouteInfo[]>;
  /** One subscription, or undefined when there is none by that name. */
  getRoute(topic: TopicRef, name: string): Promise<RouteInfo | undefined>;
  /** The full endpoint URL (secret included: mask it before showing it). */
  fullUrl(topic: TopicRef, name: string): Promise<string | undefined>;
  /** Create or update the WebHook subscription and wait (Event Grid validates the endpoint meanwhile). */
  upsertRoute(topic: TopicRef, name: string, spec: RouteSpec, signal?: AbortSignal): Promise<RouteInfo>;
  /** Delete a subscription and wait. */
  deleteRoute(topic: TopicRef, name: string): Promise<void>;
}

/** Parse the resource group out of an ARM id. */
export function resourceGroupOf(id: string): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? '';
}

/** Build the Event Grid management client; the SDK loads here. */
function createEventGridClient(o: ArmOptions): EventGridManagementClient {
  const sdk = requireModule('@azure/arm-eventgrid') as typeof import('@azure/arm-eventgrid');
  return new sdk.EventGridManagementClient(o.credential ?? defaultAzureCredential(), o.subscriptionId, {
    endpoint: o.endpoint ?? DEFAULT_ARM_ENDPOINT,
    retryOptions: { ...SDK_RETRY },
    ...(o.tlsCa ? { tlsOptions: { ca: o.tlsCa } } : {}),
  });
}

/** The RouteInfo of an ARM event subscription. */
export function toRouteInfo(s: EventSubscription): RouteInfo {
  const dest = (s.destination ?? {}) as { endpointType?: string; endpointBaseUrl?: string };
  let endpointHost: string | undefined;
  try {
    endpointHost = dest.endpointBaseUrl ? new URL(dest.endpointBaseUrl).host : undefined;
  } catch {
    endpointHost = undefined;
  }
  const phoneNumbers: string[] = [];
  const otherFilters: string[] = [];
  for (const f of (s.filter?.advancedFilters ?? []) as Array<{ key?: string; operatorType?: string; values?: unknown[]; value?: unknown }>) {
    const values = f.values ?? (f.value !== undefined ? [f.value] : []);
    if (f.key === PHONE_FILTER_KEY && f.operatorType === 'StringIn') phoneNumbers.push(...values.map(String));
    else otherFilters.push(`${f.key ?? '?'} ${f.operatorType ?? '?'} ${values.map(String).join(',')}`);
  }
  return {
    name: s.name ?? '',
    provisioningState: s.provisioningState ?? 'Unknown',
    endpointType: dest.endpointType ?? 'Unknown',
    endpointBaseUrl: dest.endpointBaseUrl,
    endpointHost,
    includedEventTypes: s.filter?.includedEventTypes ?? [],
    phoneNumbers,
    otherFilters,
    eventDeliverySchema: s.eventDeliverySchema,
    voicectl: (s.labels ?? []).includes(VOICECTL_LABEL),
  };
}

/** The ARM body of voicectl's IncomingCall subscription. */
export function routeBody(spec: RouteSpec): EventSubscription {
  return {
    destination: { endpointType: 'WebHook', endpointUrl: spec.url, maxEventsPerBatch: 1, preferredBatchSizeInKilobytes: 64 },
    filter: {
      includedEventTypes: [INCOMING_CALL_EVENT],
      ...(spec.phoneNumbers.length > 0 ? { advancedFilters: [{ operatorType: 'StringIn', key: PHONE_FILTER_KEY, values: spec.phoneNumbers }] } : {}),
    },
    eventDeliverySchema: 'EventGridSchema',
    labels: [VOICECTL_LABEL],
  };
}

const topicInfo = (t: SystemTopic): TopicRef => ({
  name: t.name ?? '',
  resourceGroup: resourceGroupOf(t.id ?? ''),
  source: t.source ?? '',
  provisioningState: t.provisioningState ?? 'Unknown',
});

/** Open the service; the SDKs (and DefaultAzureCredential unless given a credential) load here. */
export function openEventGridService(o: EventGridServiceOptions): EventGridService {
  const credential = o.credential ?? defaultAzureCredential();
  const eg = createEventGridClient({ ...o, credential });
  const acsClient = createArmClient({ ...o, credential });
  const host = new URL(o.endpoint ?? DEFAULT_ARM_ENDPOINT).host;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const writeTimeoutMs = o.writeTimeoutMs ?? 180_000;
  const poll = o.pollIntervalMs !== undefined ? { updateIntervalInMs: o.pollIntervalMs } : {};
  const guard = async <T>(doing: string, limitMs: number, outer: AbortSignal | undefined, fn: (s: AbortSignal) => Promise<T>): Promise<T> => {
    const signal = outer ? AbortSignal.any([outer, AbortSignal.timeout(limitMs)]) : AbortSignal.timeout(limitMs);
    try {
      return await fn(signal);
    } catch (err) {
      throw mapRouteError(err, { host, timeoutMs: limitMs, doing, interrupted: outer?.aborted === true });
    }
  };
  const notFound = (err: unknown): boolean => (err as { statusCode?: number }).statusCode === 404;

  return {
    findAcs: (q) =>
      guard('finding the Communication Services resource', timeoutMs, undefined, async (abortSignal) => {
        if (q.name && q.resourceGroup) {
          const r = await acsClient.communicationServices.get(q.resourceGroup, q.name, { abortSignal });
          return { id: r.id ?? '', name: r.name ?? q.name, resourceGroup: q.resourceGroup, hostName: r.hostName ?? '' };
        }
        const wanted = q.hostName?.toLowerCase();
        const seen: string[] = [];
        for await (const r of acsClient.communicationServices.listBySubscription({ abortSignal })) {
          seen.push(r.name ?? '');
          const match = q.name ? r.name?.toLowerCase() === q.name.toLowerCase() : r.hostName?.toLowerCase() === wanted;
          if (match) return { id: r.id ?? '', name: r.name ?? '', resourceGroup: resourceGroupOf(r.id ?? ''), hostName: r.hostName ?? '' };
        }
        throw new UserError(
          `No Communication Services resource ${q.name ? `named "${q.name}"` : `with host ${q.hostName}`} in subscription ${o.subscriptionId}${seen.length ? ` (found: ${seen.join(', ')})` : ''}.`,
          {
            code: 'VOICECTL_ACS_NOT_FOUND',
            hint: 'Check AZURE_SUBSCRIPTION_ID (or --subscription) and AZURE_COMMUNICATION_CONNECTION_STRING, or name it with --acs-name <name> -g <rg>.',
          },
        );
      }),
    findTopic: (acs) =>
      guard(`listing the Event Grid system topics of resource group "${acs.resourceGroup}"`, timeoutMs, undefined, async (abortSignal) => {
        for await (const t of eg.systemTopics.listByResourceGroup(acs.resourceGroup, { abortSignal })) {
          if (t.source?.toLowerCase() === acs.id.toLowerCase()) return topicInfo(t);
        }
        return undefined;
      }),
    createTopic: async (acs, name, signal) => {
      const existing = await guard(`reading system topic "${name}"`, timeoutMs, signal, (abortSignal) =>
        eg.systemTopics.get(acs.resourceGroup, name, { abortSignal }).catch((err: unknown) => (notFound(err) ? undefined : Promise.reject(err))),
      );
      if (existing && existing.source?.toLowerCase() !== acs.id.toLowerCase()) {
        throw new UserError(`An Event Grid system topic named "${name}" already exists in "${acs.resourceGroup}" for another resource (${existing.source ?? '?'}).`, {
          code: 'VOICECTL_EVENTGRID_NAME_CONFLICT',
          hint: 'Delete or rename that topic, or create the ACS resource\'s topic yourself and run the command again (voicectl finds it by its source).',
        });
      }
      const t = await guard(`creating the Event Grid system topic "${name}" for ${acs.name}`, writeTimeoutMs, signal, (abortSignal) =>
        eg.systemTopics.beginCreateOrUpdateAndWait(acs.resourceGroup, name, { location: 'global', source: acs.id, topicType: ACS_TOPIC_TYPE }, { abortSignal, ...poll }),
      );
      return topicInfo(t);
    },
    listRoutes: (topic) =>
      guard(`listing the event subscriptions of system topic "${topic.name}"`, timeoutMs, undefined, async (abortSignal) => {
        const out: RouteInfo[] = [];
        for await (const s of eg.systemTopicEventSubscriptions.listBySystemTopic(topic.resourceGroup, topic.name, { abortSignal })) out.push(toRouteInfo(s));
        return out;
      }),
    getRoute: (topic, name) =>
      guard(`reading event subscription "${name}"`, timeoutMs, undefined, (abortSignal) =>
        eg.systemTopicEventSubscriptions
          .get(topic.resourceGroup, topic.name, name, { abortSignal })
          .then(toRouteInfo, (err: unknown) => (notFound(err) ? undefined : Promise.reject(err))),
      ),
    fullUrl: (topic, name) =>
      guard(`reading the endpoint of event subscription "${name}"`, timeoutMs, undefined, (abortSignal) =>
        eg.systemTopicEventSubscriptions
          .getFullUrl(topic.resourceGroup, topic.name, name, { abortSignal })
          .then((r) => r.endpointUrl, (err: unknown) => (notFound(err) ? undefined : Promise.reject(err))),
      ),
    upsertRoute: (topic, name, spec, signal) =>
      guard(`creating event subscription "${name}" (Event Grid validates the endpoint meanwhile)`, writeTimeoutMs, signal, async (abortSignal) =>
        toRouteInfo(await eg.systemTopicEventSubscriptions.beginCreateOrUpdateAndWait(topic.resourceGroup, topic.name, name, routeBody(spec), { abortSignal, ...poll })),
      ),
    deleteRoute: (topic, name) =>
      guard(`deleting event subscription "${name}"`, writeTimeoutMs, undefined, (abortSignal) =>
        eg.systemTopicEventSubscriptions.beginDeleteAndWait(topic.resourceGroup, topic.name, name, { abortSignal, ...poll }),
      ),
  };
}
