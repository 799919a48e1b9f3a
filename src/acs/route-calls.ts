/**
 * What `voicectl acs route-calls` (and `tunnel up --route-calls`, and the doctor) do with the ACS
 * resource's Event Grid system topic: route IncomingCall to a WebHook, show the routes, delete
 * voicectl's, and inspect it. Pure orchestration over {@link EventGridService}; no printing.
 */
import { isVoicectlError, UserError } from '../core/errors.js';
import { checkValidationAnswer } from './endpoint-check.js';
import type { AcsRef, EventGridService, RouteInfo, TopicRef } from './event-grid.js';

/** The default event subscription name. */
export const DEFAULT_ROUTE_NAME = 'voicectl-incoming';

/** Which ACS resource: by name and group, else by the connection string's host name. */
export interface AcsSelector {
  hostName?: string;
  name?: string;
  resourceGroup?: string;
}

/** What {@link routeCalls} needs. */
export interface RouteCallsRequest {
  acs: AcsSelector;
  /** Event subscription name. */
  name: string;
  /** Full WebHook URL (secret included). */
  url: string;
  /** E.164 numbers for the advanced filter (empty: every IncomingCall); `keep`: those the subscription already has. */
  phoneNumbers: string[] | 'keep';
  /** Register Microsoft.EventGrid (and wait) when the subscription is not registered yet. */
  registerProvider?: () => Promise<void>;
  /** Certificates to trust for the endpoint pre-check (see `caFromEnv`). */
  ca?: string[];
  /** Limit of the endpoint pre-check, ms. */
  checkTimeoutMs?: number;
  signal?: AbortSignal;
  onStep?: (text: string) => void;
}

/** The outcome, for the output (no secret in it). */
export interface RouteCallsResult {
  acs: { name: string; resourceGroup: string };
  topic: { name: string; created: boolean };
  subscription: RouteInfo;
  /** The endpoint with its `?code=` secret masked. */
  endpoint: string;
  /** `created`, `updated` (the URL or filters changed) or `unchanged`. */
  action: 'created' | 'updated';
  /** The host the subscription pointed at before, when it existed. */
  previousHost?: string;
  /** Round trip of the pre-check, ms. */
  checkMs: number;
  providerRegistered: boolean;
}

/** `https://host/path?code=***`: the URL with every query value masked. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    const q = [...u.searchParams.keys()].map((k) => `${k}=***`).join('&');
    return `${u.origin}${u.pathname}${q ? `?${q}` : ''}`;
  } catch {
    return '***';
  }
}

/** Run `fn`; when Microsoft.EventGrid is not registered and `register` is given, register and run it once more. */
async function withRegistration<T>(register: (() => Promise<void>) | undefined, fn: () => Promise<T>): Promise<{ value: T; registered: boolean }> {
  try {
    return { value: await fn(), registered: false };
  } catch (err) {
    if (!register || !isVoicectlError(err) || err.code !== 'VOICECTL_EVENTGRID_NOT_REGISTERED') throw err;
    await register();
    return { value: await fn(), registered: true };
  }
}

/**
 * Check the endpoint answers Event Grid's handshake, then find or create the system topic and
 * create or update the WebHook subscription (Event Grid validates the endpoint during the write).
 * @throws the codes of `checkValidationAnswer` before any ARM request, then those of the service,
 *   and UserError `VOICECTL_EVENTGRID_NOT_SUCCEEDED` when the subscription ends in another state.
 */
export async function routeCalls(svc: EventGridService, req: RouteCallsRequest): Promise<RouteCallsResult> {
  req.onStep?.('Checking that the bridge answers the Event Grid validation handshake');
  const checkMs = await checkValidationAnswer({
    url: req.url,
    ...(req.ca ? { ca: req.ca } : {}),
    ...(req.checkTimeoutMs !== undefined ? { timeoutMs: req.checkTimeoutMs } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  req.onStep?.('Finding the Communication Services resource');
  const acs = await svc.findAcs(req.acs);
  const register = req.registerProvider
    ? async () => {
        req.onStep?.('Registering the Microsoft.EventGrid resource provider (1–3 minutes)');
        await req.registerProvider!();
      }
    : undefined;
  const { value: found, registered } = await withRegistration(register, () => svc.findTopic(acs));
  let topic: TopicRef;
  let created = false;
  if (found) topic = found;
  else {
    req.onStep?.(`Creating the Event Grid system topic ${acs.name}-events`);
    topic = await svc.createTopic(acs, `${acs.name}-events`, req.signal);
    created = true;
  }
  const previous = await svc.getRoute(topic, req.name);
  req.onStep?.(`${previous ? 'Updating' : 'Creating'} event subscription ${req.name} (Event Grid validates the endpoint)`);
  const phoneNumbers = req.phoneNumbers === 'keep' ? (previous?.phoneNumbers ?? []) : req.phoneNumbers;
  const sub = await svc.upsertRoute(topic, req.name, { url: req.url, phoneNumbers }, req.signal);
  if (sub.provisioningState !== 'Succeeded') {
    throw new UserError(`Event subscription ${req.name} ended in state ${sub.provisioningState}.`, {
      code: 'VOICECTL_EVENTGRID_NOT_SUCCEEDED',
      hint: 'Check `voicectl acs route-calls --show`; delete it with --delete and run the command again.',
    });
  }
  return {
    acs: { name: acs.name, resourceGroup: acs.resourceGroup },
    topic: { name: topic.name, created },
    subscription: sub,
    endpoint: maskUrl(req.url),
    action: previous ? 'updated' : 'created',
    ...(previous?.endpointHost ? { previousHost: previous.endpointHost } : {}),
    checkMs,
    providerRegistered: registered,
  };
}

/** What `--show` reports. */
export interface RoutesListing {
  acs: { name: string; resourceGroup: string };
  topic: { name: string } | null;
  subscriptions: Array<RouteInfo & { endpoint: string | undefined }>;
}

/** List the subscriptions of the resource's system topic, endpoints masked. */
export async function showRoutes(svc: EventGridService, sel: AcsSelector): Promise<RoutesListing> {
  const acs = await svc.findAcs(sel);
  const topic = await svc.findTopic(acs);
  if (!topic) return { acs: { name: acs.name, resourceGroup: acs.resourceGroup }, topic: null, subscriptions: [] };
  const routes = await svc.listRoutes(topic);
  const subscriptions = await Promise.all(
    routes.map(async (r) => {
      const full = r.endpointType === 'WebHook' ? await svc.fullUrl(topic, r.name) : undefined;
      return { ...r, endpoint: full ? maskUrl(full) : r.endpointBaseUrl };
    }),
  );
  return { acs: { name: acs.name, resourceGroup: acs.resourceGroup }, topic: { name: topic.name }, subscriptions };
}

/**
 * Delete voicectl's subscription `name`.
 * @returns false when there was none.
 * @throws UserError `VOICECTL_ROUTE_NOT_VOICECTL` for a subscription voicectl did not create.
 */
export async function deleteRoute(svc: EventGridService, sel: AcsSelector, name: string): Promise<{ deleted: boolean; acs: AcsRef }> {
  const acs = await svc.findAcs(sel);
  const topic = await svc.findTopic(acs);
  const route = topic ? await svc.getRoute(topic, name) : undefined;
  if (!topic || !route) return { deleted: false, acs };
  if (!route.voicectl) {
    throw new UserError(`Event subscription ${name} was not created by voicectl (no "voicectl" label); not deleting it.`, {
      code: 'VOICECTL_ROUTE_NOT_VOICECTL',
      hint: `Delete it yourself if you mean to: az eventgrid system-topic event-subscription delete -g ${topic.resourceGroup} --system-topic-name ${topic.name} -n ${name}`,
    });
  }
  await svc.deleteRoute(topic, name);
  return { deleted: true, acs };
}

/** What the doctor learns about the route. */
export type RouteState =
  | { kind: 'no-topic'; acs: AcsRef }
  | { kind: 'missing'; acs: AcsRef; topic: TopicRef }
  | { kind: 'found'; acs: AcsRef; topic: TopicRef; route: RouteInfo };

/** Read the resource's system topic and subscription `name`. */
export async function inspectRoute(svc: EventGridService, sel: AcsSelector, name: string): Promise<RouteState> {
  const acs = await svc.findAcs(sel);
  const topic = await svc.findTopic(acs);
  if (!topic) return { kind: 'no-topic', acs };
  const route = await svc.getRoute(topic, name);
  return route ? { kind: 'found', acs, topic, route } : { kind: 'missing', acs, topic };
}
