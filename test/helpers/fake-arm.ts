/**
 * A local HTTPS stand-in for Azure Resource Manager's Microsoft.Communication provider
 * (api-version 2025-09-01), checking what ARM checks:
 * - `Authorization: Bearer <token>` equal to the token it issued (401 InvalidAuthenticationToken);
 * - the api-version (400), the subscription (404 SubscriptionNotFound), the resource group
 *   (404 ResourceGroupNotFound), the resource (404 ResourceNotFound);
 * - create body `{"location":"global","properties":{"dataLocation":…}}` (400 otherwise),
 *   then a long-running operation: 201 + `Azure-AsyncOperation`, polled Running → Succeeded
 *   (or Failed with the configured error).
 * Also writes a fake `az` for AzureCliCredential (DefaultAzureCredential with
 * AZURE_TOKEN_CREDENTIALS=AzureCliCredential) that prints the token, or the not-logged-in error.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface FakeArmOptions {
  subscriptionId: string;
  /** Resource groups that exist. */
  resourceGroups: string[];
  /** Names already taken elsewhere in Azure. */
  takenNames?: string[];
  /** Polls answered Running before the final status (default 1: the SDK's two immediate polls finish it). */
  runningPolls?: number;
  /** Make the create operation end Failed with this error. */
  failCreateWith?: { code: string; message: string };
  /**
   * Another provider's routes (e.g. test/helpers/fake-event-grid.ts), asked first for every request
   * that passed the bearer check; resolves true when it answered.
   */
  extraRoutes?: (req: ExtraRequest, res: ServerResponse) => Promise<boolean>;
}

/** What {@link FakeArmOptions.extraRoutes} gets. */
export interface ExtraRequest {
  method: string;
  url: URL;
  body: string;
  /** `https://127.0.0.1:<port>` of the fake. */
  origin: string;
}

export interface FakeArm {
  /** `https://127.0.0.1:<port>` */
  endpoint: string;
  /** The bearer token it accepts. */
  token: string;
  requests: Array<{ method: string; url: string; authorization?: string; body: string }>;
  resources: Map<string, Record<string, unknown>>;
  keys: Map<string, { primaryKey: string; secondaryKey: string; primaryConnectionString: string; secondaryConnectionString: string }>;
  /** Put a provisioned resource in place (as if `acs create` had run); returns its primary connection string. */
  addResource(resourceGroup: string, name: string): string;
  close(): Promise<void>;
}

const API_VERSION = '2025-09-01';
const TYPE = 'Microsoft.Communication/CommunicationServices';

export async function startFakeArm(tls: { cert: string; key: string }, o: FakeArmOptions): Promise<FakeArm> {
  const token = `arm-${randomBytes(16).toString('hex')}`;
  const requests: FakeArm['requests'] = [];
  const resources = new Map<string, Record<string, unknown>>();
  const keys: FakeArm['keys'] = new Map();
  const operations = new Map<string, { key: string; polls: number }>();
  const taken = new Set((o.takenNames ?? []).map((n) => n.toLowerCase()));
  let origin = '';

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: string, message: string): void => send(res, status, { error: { code, message } });

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    if (req.headers.authorization !== `Bearer ${token}`) {
      return fail(res, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    }
    const url = new URL(req.url ?? '/', origin);
    if (o.extraRoutes && (await o.extraRoutes({ method: req.method ?? '', url, body: raw, origin }, res))) return;
    if (url.searchParams.get('api-version') !== API_VERSION) return fail(res, 400, 'InvalidApiVersionParameter', 'Unsupported api-version.');
    const p = url.pathname;
    const sub = /^\/subscriptions\/([^/]+)/.exec(p)?.[1];
    if (sub !== o.subscriptionId) return fail(res, 404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);

    if (req.method === 'POST' && p.endsWith('/providers/Microsoft.Communication/checkNameAvailability')) {
      const body = JSON.parse(raw) as { name?: string; type?: string };
      if (body.type !== TYPE) return fail(res, 400, 'InvalidResourceType', 'Unexpected type.');
      const name = body.name ?? '';
      if (!/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(name)) {
        return send(res, 200, { nameAvailable: false, reason: 'Invalid', message: 'The name is invalid.' });
      }
      if (taken.has(name.toLowerCase())) {
        return send(res, 200, { nameAvailable: false, reason: 'AlreadyExists', message: `The name ${name} is already taken.` });
      }
      return send(res, 200, { nameAvailable: true });
    }
    if (req.method === 'GET' && p === `/subscriptions/${sub}/providers/Microsoft.Communication/communicationServices`) {
      return send(res, 200, { value: [...resources.values()] });
    }
    const op = /\/providers\/Microsoft\.Communication\/locations\/global\/operationStatuses\/([^/]+)$/.exec(p);
    if (req.method === 'GET' && op) {
      const state = operations.get(op[1]!);
      if (!state) return fail(res, 404, 'NotFound', 'No such operation.');
      state.polls++;
      const resource = resources.get(state.key)!;
      const props = resource.properties as Record<string, unknown>;
      if (state.polls <= (o.runningPolls ?? 1)) {
        props.provisioningState = 'Running';
        return send(res, 200, { id: p, name: op[1], status: 'Running' });
      }
      if (o.failCreateWith) {
        props.provisioningState = 'Failed';
        return send(res, 200, { id: p, name: op[1], status: 'Failed', error: o.failCreateWith });
      }
      props.provisioningState = 'Succeeded';
      return send(res, 200, { id: p, name: op[1], status: 'Succeeded' });
    }
    const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Communication\/communicationServices\/([^/]+)(\/listKeys)?$/i.exec(p);
    if (!m) return fail(res, 404, 'NotFound', 'No such route.');
    const [rg, name, listKeys] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), m[3]];
    if (!o.resourceGroups.includes(rg)) return fail(res, 404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
    const key = `${rg}/${name}`.toLowerCase();
    if (req.method === 'PUT' && !listKeys) {
      const body = JSON.parse(raw) as { location?: string; properties?: { dataLocation?: string } };
      if (body.location !== 'global') return fail(res, 400, 'LocationNotAvailableForResourceType', 'Communication Services must use location "global".');
      if (!body.properties?.dataLocation) return fail(res, 400, 'InvalidRequestContent', 'properties.dataLocation is required.');
      const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Communication/communicationServices/${name}`;
      const hostName = `${name}.unitedstates.communication.azure.com`;
      const resource = {
        id,
        name,
        type: TYPE,
        location: 'global',
        tags: {},
        properties: { provisioningState: 'Accepted', hostName, dataLocation: body.properties.dataLocation, immutableResourceId: randomUUID(), version: '0.2.0' },
      };
      resources.set(key, resource);
      taken.add(name.toLowerCase());
      const primaryKey = randomBytes(64).toString('base64');
      const secondaryKey = randomBytes(64).toString('base64');
      keys.set(key, {
        primaryKey,
        secondaryKey,
        primaryConnectionString: `endpoint=https://${hostName}/;accesskey=${primaryKey}`,
        secondaryConnectionString: `endpoint=https://${hostName}/;accesskey=${secondaryKey}`,
      });
      const opId = randomUUID();
      operations.set(opId, { key, polls: 0 });
      const asyncOp = `${origin}/subscriptions/${sub}/providers/Microsoft.Communication/locations/global/operationStatuses/${opId}?api-version=${API_VERSION}`;
      return send(res, 201, resource, { 'Azure-AsyncOperation': asyncOp });
    }
    const resource = resources.get(key);
    if (!resource) return fail(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.Communication/communicationServices/${name}' under resource group '${rg}' was not found.`);
    if (req.method === 'GET' && !listKeys) return send(res, 200, resource);
    if (req.method === 'POST' && listKeys) return send(res, 200, keys.get(key));
    return fail(res, 405, 'MethodNotAllowed', 'Method not allowed.');
  }

  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body: raw });
      handle(req, res, raw).catch(() => fail(res, 400, 'InvalidRequestContent', 'Body is not valid JSON.'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint: origin,
    token,
    requests,
    resources,
    keys,
    addResource(rg, name) {
      const hostName = `${name}.unitedstates.communication.azure.com`;
      const key = `${rg}/${name}`.toLowerCase();
      resources.set(key, {
        id: `/subscriptions/${o.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Communication/communicationServices/${name}`,
        name,
        type: TYPE,
        location: 'global',
        tags: {},
        properties: { provisioningState: 'Succeeded', hostName, dataLocation: 'United States', immutableResourceId: randomUUID(), version: '0.2.0' },
      });
      const primaryKey = randomBytes(64).toString('base64');
      const secondaryKey = randomBytes(64).toString('base64');
      const cs = (k: string): string => `endpoint=https://${hostName}/;accesskey=${k}`;
      keys.set(key, { primaryKey, secondaryKey, primaryConnectionString: cs(primaryKey), secondaryConnectionString: cs(secondaryKey) });
      taken.add(name.toLowerCase());
      return cs(primaryKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Write a fake `az` into a new directory (prepend it to PATH): `az account get-access-token
 * --resource <r>` prints the token JSON the Azure CLI prints, but only for `expectResource`;
 * with `loggedIn: false` it fails as the Azure CLI does before `az login`.
 * @returns the directory.
 */
export async function writeFakeAz(o: { token: string; expectResource: string; loggedIn?: boolean }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-fake-az-'));
  const expires = Math.floor(Date.now() / 1000) + 3600;
  const json = JSON.stringify({ accessToken: o.token, expiresOn: '2099-01-01 00:00:00.000000', expires_on: expires, subscription: 'x', tenant: 'y', tokenType: 'Bearer' });
  const script =
    o.loggedIn === false
      ? `#!/bin/sh\necho "ERROR: Please run 'az login' to setup account." >&2\nexit 1\n`
      : `#!/bin/sh
case "$*" in
  *"account get-access-token"*"--resource ${o.expectResource}"*) echo '${json}' ;;
  *) echo "ERROR: unexpected az call: $*" >&2; exit 2 ;;
esac
`;
  await writeFile(path.join(dir, 'az'), script);
  await chmod(path.join(dir, 'az'), 0o755);
  return dir;
}
