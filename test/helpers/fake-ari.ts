/**
 * A fake Asterisk ARI server on 127.0.0.1 (port 0) that checks what Asterisk checks and
 * answers with Asterisk's shapes (facts: /ari reference verified against Asterisk 22.10.1):
 *
 * - auth: HTTP Basic or `?api_key=user:pass`, on REST and on the events upgrade; otherwise
 *   401 `{"message":"Authentication required"}` with `WWW-Authenticate: Basic realm="Asterisk REST Interface"`;
 * - a `read_only` user writing → 403 `{"message":"Write access denied"}`;
 * - a path outside `<prefix>/ari/` → 404 HTML from the HTTP server; an unknown ARI resource →
 *   404 `{"message":"Resource not found"}`; unknown app / channel → 404 `Application not found` /
 *   `Channel not found`;
 * - an app is registered only while an events socket for it is open;
 * - originate `Local/<exten>@<context>` runs a tiny dialplan table: a route whose `app` is
 *   registered puts the `;2` half into Stasis with the route's args (StasisStart), the `;1`
 *   half enters the originate's app with `appArgs`; a missing context/extension or a route to
 *   an unregistered app leaves nothing in Stasis; hangup emits StasisEnd + ChannelDestroyed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { fakeStasis, type FakeAriCore, type FakeStasis, type FakeStasisOptions } from './fake-ari-stasis.js';

/** An ari.conf user. */
export interface FakeAriUser {
  password: string;
  readOnly?: boolean;
}

/** Where a dialplan extension goes: `Stasis(app, ...args)`, or (no app) somewhere else. */
export interface FakeDialplanRoute {
  app?: string;
  args?: string[];
}

export interface FakeAriOptions extends FakeStasisOptions {
  /** ari.conf users (default `{ voicectl: { password: 'ari-secret-pw' } }`). */
  users?: Record<string, FakeAriUser>;
  /** http.conf prefix as a path, e.g. `/asterisk` (default none). */
  prefix?: string;
  /** context → exten → route (exten `_X.` matches any digits). */
  dialplan?: Record<string, Record<string, FakeDialplanRoute>>;
  version?: string;
  entityId?: string;
  /** Refuse every events WebSocket upgrade with this HTTP status (res_ari_events missing, a proxy). */
  eventsRefuseStatus?: number;
  /** When false, an open events socket does not register its app (default true). */
  registerApps?: boolean;
}

/** One request the fake received. */
export interface FakeAriRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: 'basic' | 'api_key' | 'none';
  user?: string;
}

type Channel = {
  id: string;
  name: string;
  state: string;
  protocol_id: string;
  caller: { name: string; number: string };
  connected: { name: string; number: string };
  accountcode: string;
  dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string };
  creationtime: string;
  language: string;
};

export interface FakeAri {
  /** Base URL including the prefix, e.g. `http://127.0.0.1:41234/asterisk`. */
  url: string;
  port: number;
  requests: FakeAriRequest[];
  /** Names of the registered apps. */
  apps(): string[];
  /** Live channels by id. */
  channels: Map<string, Channel & { app?: string; partner?: string }>;
  /** Resolves when `app` is registered (an events socket for it is open). */
  waitForApp(app: string): Promise<void>;
  /** Send an event to every socket of `app`. */
  emit(app: string, event: Record<string, unknown>): void;
  /** Bridges, externalMedia and their media, callers dialling in (fake-ari-stasis.ts). */
  stasis: FakeStasis;
  /** Close every events socket from the server side (Asterisk restarting). */
  dropSockets(): void;
  close(): Promise<void>;
}

const ENTITY = '02:fc:00:00:00:01';

/** Start the fake. */
export async function startFakeAri(options: FakeAriOptions = {}): Promise<FakeAri> {
  const users = options.users ?? { voicectl: { password: 'ari-secret-pw' } };
  const prefix = options.prefix ?? '';
  const entityId = options.entityId ?? ENTITY;
  const dialplan = options.dialplan ?? {};
  const requests: FakeAriRequest[] = [];
  const sockets = new Map<string, Set<WebSocket>>();
  const appWaiters: Array<{ app: string; resolve: () => void }> = [];
  const channels: FakeAri['channels'] = new Map();
  let seq = 0;

  const registered = (app: string): boolean => (sockets.get(app)?.size ?? 0) > 0;
  const emit = (app: string, event: Record<string, unknown>): void => {
    const doc = JSON.stringify({ ...event, timestamp: ariTime(new Date()), asterisk_id: entityId, application: app });
    for (const ws of sockets.get(app) ?? []) ws.send(doc);
  };

  const authenticate = (req: http.IncomingMessage, query: URLSearchParams): 'none' | 'bad' | { user: string; kind: 'basic' | 'api_key' } => {
    let creds: string | undefined;
    let kind: 'basic' | 'api_key' = 'basic';
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) creds = Buffer.from(header.slice(6), 'base64').toString();
    else if (query.has('api_key')) {
      creds = query.get('api_key')!;
      kind = 'api_key';
    }
    if (creds === undefined) return 'none';
    const i = creds.indexOf(':');
    const user = creds.slice(0, i);
    const pass = creds.slice(i + 1);
    if (i < 0 || users[user]?.password !== pass) return 'bad';
    return { user, kind };
  };

  const json = (res: http.ServerResponse, status: number, body?: unknown): void => {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const notFoundHtml = (res: http.ServerResponse): void => {
    res
      .writeHead(404, { 'content-type': 'text/html' })
      .end('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n<title>404 Not Found</title>\r\n</head><body>\r\n<h1>Not Found</h1>\r\n<p>The requested URL was not found on this server.</p>\r\n<hr />\r\n<address>Asterisk Server</address>\r\n</body></html>\r\n');
  };

  const newChannel = (name: string, caller: string, dp: Partial<Channel['dialplan']>, id?: string): Channel & { app?: string; partner?: string } => {
    seq += 1;
    return {
      id: id ?? `1795310925.${seq}`,
      name,
      state: 'Down',
      protocol_id: '',
      caller: { name: caller, number: '' },
      connected: { name: '', number: '' },
      accountcode: '',
      dialplan: { context: dp.context ?? 'default', exten: dp.exten ?? 's', priority: dp.priority ?? 1, app_name: dp.app_name ?? '', app_data: dp.app_data ?? '' },
      creationtime: ariTime(new Date()),
      language: 'en',
    };
  };
  const enterStasis = (ch: Channel & { app?: string }, app: string, args: string[]): void => {
    ch.app = app;
    ch.state = 'Up';
    ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    emit(app, { type: 'StasisStart', args, channel: strip(ch) });
  };
  const route = (context: string, exten: string): FakeDialplanRoute | undefined => {
    const ctx = dialplan[context];
    if (!ctx) return undefined;
    return ctx[exten] ?? (/^\d+$/.test(exten) ? ctx['_X.'] : undefined);
  };
  const hangup = (id: string): void => {
    const ch = channels.get(id);
    if (!ch) return;
    channels.delete(id);
    stasis.hungUp(id);
    if (ch.app) {
      emit(ch.app, { type: 'StasisEnd', channel: strip(ch) });
      emit(ch.app, { type: 'ChannelDestroyed', cause: 16, cause_txt: 'Normal Clearing', channel: strip(ch) });
    }
    if (ch.partner) hangup(ch.partner);
  };

  const originate = (q: URLSearchParams, res: http.ServerResponse): void => {
    const endpoint = q.get('endpoint');
    if (!endpoint) return json(res, 400, { message: 'Endpoint must be specified' });
    const app = q.get('app') ?? undefined;
    const extension = q.get('extension') ?? undefined;
    if (!app && !extension) return json(res, 400, { message: 'Application or extension must be specified' });
    if (app && extension) return json(res, 400, { message: 'Application and extension are mutually exclusive' });
    const tech = /^([A-Za-z]+)\/(.+)$/.exec(endpoint);
    if (!tech) return json(res, 400, { message: 'Invalid endpoint specified' });
    const appArgs = q.get('appArgs') ? q.get('appArgs')!.split(',') : [];
    const callerName = q.get('callerId') ?? '';
    const local = /^Local\/([^@]+)@([^/]+)$/.exec(endpoint);
    if (!local) {
      const ch = newChannel(`${tech[1]}/${tech[2]}-${String(seq + 1).padStart(8, '0')}`, callerName, {}, q.get('channelId') ?? undefined);
      channels.set(ch.id, ch);
      json(res, 200, strip(ch));
      setImmediate(() => {
        if (app && registered(app)) enterStasis(ch, app, appArgs);
      });
      return;
    }
    const [, exten, context] = local as unknown as [string, string, string];
    const n = String(seq + 1).padStart(8, '0');
    const one = newChannel(`Local/${exten}@${context}-${n};1`, callerName, {}, q.get('channelId') ?? undefined);
    channels.set(one.id, one);
    json(res, 200, strip(one));
    setImmediate(() => {
      const r = route(context, exten);
      if (!r) {
        channels.delete(one.id); // "No such extension/context" → the dial fails
        return;
      }
      const two = newChannel(`Local/${exten}@${context}-${n};2`, callerName, { context, exten, priority: 1 }, q.get('otherChannelId') ?? undefined);
      one.partner = two.id;
      two.partner = one.id;
      channels.set(two.id, two);
      if (r.app && !registered(r.app)) {
        // "Stasis app 'x' doesn't exist": the call continues to Hangup()
        hangup(two.id);
        return;
      }
      two.state = 'Up';
      if (app && registered(app)) enterStasis(one, app, appArgs);
      else one.state = 'Up';
      if (r.app) enterStasis(two, r.app, r.args ?? []);
    });
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const u = new URL(req.url ?? '/', 'http://x');
    const base = `${prefix}/ari/`;
    if (!u.pathname.startsWith(base)) return notFoundHtml(res);
    const path = u.pathname.slice(base.length - 1);
    const auth = authenticate(req, u.searchParams);
    const query = Object.fromEntries([...u.searchParams].filter(([k]) => k !== 'api_key'));
    const method = req.method ?? 'GET';
    if (auth === 'none' || auth === 'bad') {
      requests.push({ method, path, query, auth: 'none' });
      res.setHeader('WWW-Authenticate', 'Basic realm="Asterisk REST Interface"');
      return json(res, 401, { message: 'Authentication required' });
    }
    requests.push({ method, path, query, auth: auth.kind, user: auth.user });
    if (method !== 'GET' && users[auth.user]!.readOnly) return json(res, 403, { message: 'Write access denied' });
    if (stasis.handle(method, path, u.searchParams, res)) return;
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/asterisk/info') {
      return json(res, 200, {
        build: { os: 'Linux', kernel: '6.1.0', machine: 'x86_64', options: '', date: '2026-11-21 00:00:00 UTC', user: 'root' },
        system: { version: options.version ?? '22.10.1', entity_id: entityId },
        config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
        status: { startup_time: ariTime(new Date()), last_reload_time: ariTime(new Date()) },
      });
    }
    if (method === 'GET' && path === '/asterisk/ping') return json(res, 200, { ping: 'pong', timestamp: ariTime(new Date()), asterisk_id: entityId });
    if (method === 'GET' && path === '/applications') return json(res, 200, [...sockets.keys()].filter(registered).map(appDoc));
    if (method === 'GET' && (m = /^\/applications\/([^/]+)$/.exec(path))) {
      const name = decodeURIComponent(m[1]!);
      return registered(name) ? json(res, 200, appDoc(name)) : json(res, 404, { message: 'Application not found' });
    }
    if (method === 'GET' && path === '/channels') return json(res, 200, [...channels.values()].map(strip));
    if (method === 'POST' && path === '/channels') return originate(u.searchParams, res);
    if ((m = /^\/channels\/([^/]+)$/.exec(path))) {
      const id = decodeURIComponent(m[1]!);
      if (method === 'GET') return channels.has(id) ? json(res, 200, strip(channels.get(id)!)) : json(res, 404, { message: 'Channel not found' });
      if (method === 'DELETE') {
        if (!channels.has(id)) return json(res, 404, { message: 'Channel not found' });
        hangup(id);
        return json(res, 204);
      }
      return json(res, 405, { message: 'Invalid method' });
    }
    return json(res, 404, { message: 'Resource not found' });
  };

  const appDoc = (name: string) => ({
    name,
    channel_ids: [...channels.values()].filter((c) => c.app === name).map((c) => c.id),
    bridge_ids: [],
    endpoint_ids: [],
    device_names: [],
    events_allowed: [{}],
    events_disallowed: [],
  });

  const stasis: FakeStasis = fakeStasis(
    {
      channels: channels as unknown as FakeAriCore['channels'],
      newChannel: (name, caller, id) => newChannel(name, caller, {}, id) as unknown as ReturnType<FakeAriCore['newChannel']>,
      enterStasis: (ch, app, args) => enterStasis(ch as unknown as Channel, app, args),
      hangup: (id) => hangup(id),
      emit,
      json,
    },
    options,
  );
  const server = http.createServer(handle);
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const refuse = (status: number, body: string): void => {
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    if (u.pathname.startsWith(`${prefix}/media/`)) return stasis.upgrade(req, socket, head, decodeURIComponent(u.pathname.slice(prefix.length + 7)));
    if (u.pathname !== `${prefix}/ari/events`) return refuse(404, '');
    const auth = authenticate(req, u.searchParams);
    requests.push({ method: 'UPGRADE', path: '/events', query: Object.fromEntries([...u.searchParams].filter(([k]) => k !== 'api_key')), auth: typeof auth === 'object' ? auth.kind : 'none', user: typeof auth === 'object' ? auth.user : undefined });
    if (typeof auth !== 'object') return refuse(401, '{"message":"Authentication required"}');
    if (options.eventsRefuseStatus) return refuse(options.eventsRefuseStatus, '{"message":"Refused"}');
    const apps = (u.searchParams.get('app') ?? '').split(',').filter(Boolean);
    if (apps.length === 0) return refuse(400, '{"message":"Missing parameter app"}');
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (options.registerApps !== false) {
        for (const app of apps) {
          if (!sockets.has(app)) sockets.set(app, new Set());
          sockets.get(app)!.add(ws);
        }
        for (const w of [...appWaiters]) {
          if (registered(w.app)) {
            appWaiters.splice(appWaiters.indexOf(w), 1);
            w.resolve();
          }
        }
      }
      ws.on('close', () => {
        for (const app of apps) sockets.get(app)?.delete(ws);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    port,
    requests,
    channels,
    apps: () => [...sockets.keys()].filter(registered),
    waitForApp: (app) => (registered(app) ? Promise.resolve() : new Promise((resolve) => appWaiters.push({ app, resolve }))),
    emit,
    stasis,
    dropSockets: () => {
      for (const set of sockets.values()) for (const ws of set) ws.close(1011, 'Asterisk shutting down');
    },
    close: async () => {
      stasis.close();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function strip(ch: Channel & { app?: string; partner?: string }): Channel {
  const { app: _app, partner: _partner, ...rest } = ch;
  return rest;
}

/** ARI's timestamp format: `2026-11-22T01:28:45.446+0000`. */
function ariTime(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}
