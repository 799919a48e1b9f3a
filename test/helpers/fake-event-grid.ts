/**
 * The Microsoft.EventGrid provider (api-version 2022-06-15) and the provider-registration
 * operations (Microsoft.Resources, 2021-04-01) for the ARM fake (`extraRoutes` of fake-arm.ts).
 * It checks and answers what ARM and Event Grid do:
 * - until Microsoft.EventGrid is registered (POST …/providers/Microsoft.EventGrid/register, then
 *   `registrationPolls` GETs answering Registering), every EventGrid request gets 409
 *   MissingSubscriptionRegistration;
 * - with `forbidden`, writes get 403 AuthorizationFailed naming the action and scope;
 * - system topics: `{location:"global", properties:{source, topicType}}`, the source must be an
 *   existing resource of the fake (400 otherwise), one topic per source;
 * - event subscriptions: a WebHook destination with an https `endpointUrl`; GET returns only
 *   `endpointBaseUrl` (the full URL only from POST …/getFullUrl);
 * - writes are long-running: 201 + `Azure-AsyncOperation`, InProgress for `runningPolls` polls, then
 *   Succeeded / Failed. While a subscription's URL is new, the fake really POSTs a
 *   SubscriptionValidationEvent (EventGrid schema, `aeg-event-type: SubscriptionValidation`) to it and
 *   fails the operation ("Webhook validation handshake failed…") unless it gets 200 with
 *   `{"validationResponse": code}` within `validationTimeoutMs`; a failed create leaves nothing, a
 *   failed update leaves the previous subscription.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import https from 'node:https';
import type { ExtraRequest } from './fake-arm.js';

export interface FakeEventGridOptions {
  subscriptionId: string;
  /** ARM ids of the resources that exist (topic sources), read at request time. */
  resourceIds: () => string[];
  /** Microsoft.EventGrid registered at start (default true). */
  registered?: boolean;
  /** GETs of the provider answered Registering after the register POST (default 1). */
  registrationPolls?: number;
  /** 403 AuthorizationFailed on every write. */
  forbidden?: boolean;
  /** Polls of an operation answered InProgress before its result (default 0). */
  runningPolls?: number;
  /** Event Grid's limit for the validation answer, ms (the real one: 30 000). */
  validationTimeoutMs?: number;
  /** CA (PEM) the validation POST trusts besides nothing else: like Event Grid, only "public" CAs. */
  validationCa?: string;
}

export interface FakeEventGrid {
  routes: (req: ExtraRequest, res: ServerResponse) => Promise<boolean>;
  state: { registered: boolean; registerCalls: number };
  topics: Map<string, Record<string, unknown>>;
  /** Key `<rg>/<topic>/<name>` (lower case). */
  subscriptions: Map<string, { resource: Record<string, unknown>; endpointUrl: string }>;
  /** Every validation POST made, with its outcome. */
  validations: Array<{ url: string; ok: boolean; reason: string }>;
}

const EG_API = '2022-06-15';
const PROVIDERS_API = '2021-04-01';

export function fakeEventGrid(o: FakeEventGridOptions): FakeEventGrid {
  const state = { registered: o.registered ?? true, registerCalls: 0, registrationGets: 0 };
  const topics = new Map<string, Record<string, unknown>>();
  const subscriptions: FakeEventGrid['subscriptions'] = new Map();
  const validations: FakeEventGrid['validations'] = [];
  const operations = new Map<string, { polls: number; result: Promise<{ code: string; message: string } | undefined> }>();
  const sub = o.subscriptionId;

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: string, message: string): true => (send(res, status, { error: { code, message } }), true);

  function validate(endpointUrl: string): Promise<{ code: string; message: string } | undefined> {
    const base = endpointUrl.split('?')[0]!;
    const code = randomUUID().toUpperCase();
    const body = JSON.stringify([
      {
        id: randomUUID(),
        topic: `/subscriptions/${sub}`,
        subject: '',
        data: { validationCode: code, validationUrl: `https://rp-eastus.eventgrid.azure.net:553/eventsubscriptions/x/validate?id=${code}` },
        eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
        eventTime: new Date().toISOString(),
        metadataVersion: '1',
        dataVersion: '2',
      },
    ]);
    const failed = (reason: string): { code: string; message: string } => {
      validations.push({ url: endpointUrl, ok: false, reason });
      return { code: 'Url validation', message: `Webhook validation handshake failed for ${base}. ${reason} For troubleshooting, visit https://aka.ms/esvalidation.` };
    };
    return new Promise((settle) => {
      let settled = false;
      const resolve = (v: { code: string; message: string } | undefined): void => {
        if (!settled) settle(v);
        settled = true;
      };
      const req = https.request(
        endpointUrl,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'aeg-event-type': 'SubscriptionValidation', 'content-length': Buffer.byteLength(body) },
          ca: o.validationCa ? [o.validationCa] : [],
          timeout: o.validationTimeoutMs ?? 30_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => {
            let answer: { validationResponse?: unknown } = {};
            try {
              answer = JSON.parse(text) as typeof answer;
            } catch {
              answer = {};
            }
            if (settled) return;
            if (res.statusCode === 200 && answer.validationResponse === code) {
              validations.push({ url: endpointUrl, ok: true, reason: 'answered' });
              resolve(undefined);
            } else resolve(failed(`Http POST request retuned 2XX response with invalid content or failed with response code ${res.statusCode}.`));
          });
        },
      );
      req.on('timeout', () => {
        if (!settled) resolve(failed('Http POST request timed out.'));
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(err.code ?? '')) resolve(failed('The SSL connection could not be established: the remote certificate is invalid.'));
        else resolve(failed(`Http POST request failed with response code Unknown (${err.code ?? err.message}).`));
      });
      req.end(body);
    });
  }

  function startOperation(res: ServerResponse, origin: string, resource: Record<string, unknown>, result: Promise<{ code: string; message: string } | undefined>): true {
    const id = randomUUID();
    operations.set(id, { polls: 0, result });
    const asyncOp = `${origin}/subscriptions/${sub}/providers/Microsoft.EventGrid/locations/global/operationsStatus/${id}?api-version=${EG_API}`;
    send(res, 201, resource, { 'Azure-AsyncOperation': asyncOp });
    return true;
  }

  async function routes(req: ExtraRequest, res: ServerResponse): Promise<boolean> {
    const p = req.url.pathname;
    const version = req.url.searchParams.get('api-version');
    const provider = `/subscriptions/${sub}/providers/Microsoft.EventGrid`;
    if (p === `${provider}/register` || p === provider) {
      if (version !== PROVIDERS_API) return fail(res, 400, 'InvalidApiVersionParameter', 'Unsupported api-version.');
      if (req.method === 'POST' && p.endsWith('/register')) {
        state.registerCalls++;
        if (o.forbidden) return fail(res, 403, 'AuthorizationFailed', `The client does not have authorization to perform action 'Microsoft.EventGrid/register/action' over scope '/subscriptions/${sub}'.`);
        if (!state.registered) state.registrationGets = 0;
        send(res, 200, { id: provider, namespace: 'Microsoft.EventGrid', registrationState: state.registered ? 'Registered' : 'Registering' });
        return true;
      }
      if (req.method === 'GET' && p === provider) {
        if (state.registerCalls > 0 && !state.registered && ++state.registrationGets > (o.registrationPolls ?? 1)) state.registered = true;
        send(res, 200, { id: provider, namespace: 'Microsoft.EventGrid', registrationState: state.registered ? 'Registered' : state.registerCalls > 0 ? 'Registering' : 'NotRegistered' });
        return true;
      }
    }
    if (!/\/providers\/Microsoft\.EventGrid\//i.test(p)) return false;
    if (version !== EG_API) return fail(res, 400, 'InvalidApiVersionParameter', 'Unsupported api-version.');
    if (!state.registered) {
      return fail(res, 409, 'MissingSubscriptionRegistration', "The subscription is not registered to use namespace 'Microsoft.EventGrid'. See https://aka.ms/rps-not-found for how to register subscriptions.");
    }
    const op = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.EventGrid\/locations\/global\/operationsStatus\/([^/]+)$/.exec(p);
    if (op && req.method === 'GET') {
      const state = operations.get(op[1]!);
      if (!state) return fail(res, 404, 'NotFound', 'No such operation.');
      if (++state.polls <= (o.runningPolls ?? 0)) return (send(res, 200, { id: p, name: op[1], status: 'InProgress' }), true);
      const error = await state.result;
      send(res, 200, error ? { id: p, name: op[1], status: 'Failed', error } : { id: p, name: op[1], status: 'Succeeded' });
      return true;
    }
    const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.EventGrid\/systemTopics(?:\/([^/]+)(?:\/eventSubscriptions(?:\/([^/]+)(\/getFullUrl)?)?)?)?$/i.exec(p);
    if (!m) return fail(res, 404, 'NotFound', 'No such route.');
    const [rg, topicName, subName, fullUrl] = [decodeURIComponent(m[1]!), m[2] && decodeURIComponent(m[2]), m[3] && decodeURIComponent(m[3]), m[4]];
    const writes = req.method === 'PUT' || req.method === 'DELETE';
    const topicsPath = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.EventGrid/systemTopics`;
    if (writes && o.forbidden) {
      const action = subName ? 'Microsoft.EventGrid/systemTopics/eventSubscriptions/write' : 'Microsoft.EventGrid/systemTopics/write';
      return fail(res, 403, 'AuthorizationFailed', `The client 'user@example.com' with object id '${randomUUID()}' does not have authorization to perform action '${action}' over scope '${p}' or the scope is invalid. If access was recently granted, please refresh your credentials.`);
    }
    if (!topicName) {
      if (req.method !== 'GET') return fail(res, 405, 'MethodNotAllowed', 'Method not allowed.');
      send(res, 200, { value: [...topics.values()].filter((t) => String(t.id).toLowerCase().startsWith(topicsPath.toLowerCase() + '/')) });
      return true;
    }
    const topicKey = `${rg}/${topicName}`.toLowerCase();
    const topic = topics.get(topicKey);
    if (!subName && !fullUrl && m[3] === undefined && !p.endsWith('/eventSubscriptions')) {
      if (req.method === 'GET') return topic ? (send(res, 200, topic), true) : fail(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.EventGrid/systemTopics/${topicName}' under resource group '${rg}' was not found.`);
      if (req.method !== 'PUT') return fail(res, 405, 'MethodNotAllowed', 'Method not allowed.');
      const body = JSON.parse(req.body) as { location?: string; properties?: { source?: string; topicType?: string } };
      const source = body.properties?.source ?? '';
      if (body.location !== 'global') return fail(res, 400, 'InvalidRequest', 'System topics of Microsoft.Communication.CommunicationServices must use location "global".');
      if (body.properties?.topicType !== 'Microsoft.Communication.CommunicationServices') return fail(res, 400, 'InvalidRequest', 'Unexpected topicType.');
      if (!o.resourceIds().some((id) => id.toLowerCase() === source.toLowerCase())) return fail(res, 400, 'InvalidRequest', `Source resource ${source} does not exist.`);
      if (topic && String((topic.properties as { source: string }).source).toLowerCase() !== source.toLowerCase()) return fail(res, 409, 'Conflict', `System topic ${topicName} already exists with another source.`);
      if ([...topics.values()].some((t) => t !== topic && String((t.properties as { source: string }).source).toLowerCase() === source.toLowerCase())) {
        return fail(res, 400, 'InvalidRequest', 'Only one system topic is allowed per source.');
      }
      const resource = {
        id: `${topicsPath}/${topicName}`,
        name: topicName,
        type: 'Microsoft.EventGrid/systemTopics',
        location: 'global',
        tags: {},
        properties: { provisioningState: 'Succeeded', source, topicType: body.properties.topicType, metricResourceId: randomUUID() },
      };
      topics.set(topicKey, resource);
      return startOperation(res, req.origin, { ...resource, properties: { ...resource.properties, provisioningState: 'Creating' } }, Promise.resolve(undefined));
    }
    if (!topic) return fail(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.EventGrid/systemTopics/${topicName}' under resource group '${rg}' was not found.`);
    if (!subName) {
      const prefix = `${topicKey}/`;
      send(res, 200, { value: [...subscriptions.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v.resource) });
      return true;
    }
    const key = `${topicKey}/${subName}`.toLowerCase();
    const existing = subscriptions.get(key);
    const notFound = (): true => fail(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.EventGrid/systemTopics/${topicName}/eventSubscriptions/${subName}' under resource group '${rg}' was not found.`);
    if (fullUrl) return req.method === 'POST' && existing ? (send(res, 200, { endpointUrl: existing.endpointUrl }), true) : notFound();
    if (req.method === 'GET') return existing ? (send(res, 200, existing.resource), true) : notFound();
    if (req.method === 'DELETE') {
      if (!existing) return (send(res, 204), true);
      subscriptions.delete(key);
      send(res, 200);
      return true;
    }
    if (req.method !== 'PUT') return fail(res, 405, 'MethodNotAllowed', 'Method not allowed.');
    const body = JSON.parse(req.body) as { properties?: Record<string, unknown> };
    const props = body.properties ?? {};
    const dest = props.destination as { endpointType?: string; properties?: Record<string, unknown> } | undefined;
    const endpointUrl = String(dest?.properties?.endpointUrl ?? '');
    if (dest?.endpointType !== 'WebHook') return fail(res, 400, 'InvalidRequest', 'This fake only knows WebHook destinations.');
    if (!endpointUrl.startsWith('https://')) return fail(res, 400, 'InvalidRequest', `The attempt to validate the provided endpoint ${endpointUrl} failed: the endpoint must be https.`);
    const { endpointUrl: _secret, ...destProps } = dest.properties ?? {};
    const resource = {
      id: `${topicsPath}/${topicName}/eventSubscriptions/${subName}`,
      name: subName,
      type: 'Microsoft.EventGrid/systemTopics/eventSubscriptions',
      properties: {
        topic: (topic.properties as { source: string }).source,
        provisioningState: 'Succeeded',
        destination: { endpointType: 'WebHook', properties: { ...destProps, endpointBaseUrl: endpointUrl.split('?')[0] } },
        filter: props.filter ?? {},
        labels: props.labels ?? [],
        eventDeliverySchema: props.eventDeliverySchema ?? 'EventGridSchema',
        retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
      },
    };
    const validation = existing?.endpointUrl === endpointUrl ? Promise.resolve(undefined) : validate(endpointUrl);
    subscriptions.set(key, { resource: { ...resource, properties: { ...resource.properties, provisioningState: existing ? 'Updating' : 'Creating' } }, endpointUrl });
    const outcome = validation.then((error) => {
      if (error && existing) subscriptions.set(key, existing);
      else if (error) subscriptions.delete(key);
      else subscriptions.set(key, { resource, endpointUrl });
      return error;
    });
    return startOperation(res, req.origin, subscriptions.get(key)!.resource, outcome);
  }

  return { routes, state, topics, subscriptions, validations };
}
