/**
 * The Stasis-app side of the fake ARI (see fake-ari.ts): answer, bridges, externalMedia and
 * modules with Asterisk 22's shapes and checks (`res/ari/resource_channels.c`,
 * `rest-api/api-docs/{channels,bridges,asterisk}.json`, the reference verified on 22.10.1),
 * and Asterisk's side of the media for the externalMedia channels it is asked to create:
 *
 * - websocket + `connection_type=server`: the 200 answer carries `channelvars`
 *   `MEDIA_WEBSOCKET_CONNECTION_ID` / `MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE`; the fake then serves
 *   `/media/<id>` on its own HTTP server (no auth; unknown id → 404, a second connection → 409,
 *   a subprotocol other than `media` → 400), sends `MEDIA_START` at once, puts the channel into
 *   Stasis (StasisStart) and streams 20 ms frames;
 * - audiosocket (`transport=tcp`, `data` = UUID required): during the POST it opens a TCP
 *   connection to `external_host` and sends the UUID message (0x01), answers with `channelvars`
 *   `AUDIOSOCKET_UUID` / `AUDIOSOCKET_SERVICE`, enters Stasis and streams 20 ms 0x12 frames.
 * Hanging up a media channel closes its socket (1000 / TCP end); the bridge closing it hangs the
 * channel up (StasisEnd). What comes back is recorded for the tests.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AudioSocketReader, audioSocketMessage } from '../../src/bridge/legs/audiosocket-frames.js';

type Json = Record<string, unknown>;
type Ch = { id: string; name: string; state: string; caller: { name: string; number: string }; app?: string; [k: string]: unknown };

/** What the fake ARI hands its Stasis side. */
export interface FakeAriCore {
  channels: Map<string, Ch>;
  newChannel(name: string, caller: string, id?: string): Ch;
  enterStasis(ch: Ch, app: string, args: string[]): void;
  hangup(id: string): void;
  emit(app: string, event: Json): void;
  json(res: http.ServerResponse, status: number, body?: unknown): void;
}

/** One externalMedia channel's media, as Asterisk's side saw it. */
export interface FakeMedia {
  channelId: string;
  transport: 'websocket' | 'audiosocket';
  /** Text messages received from the bridge (chan_websocket commands). */
  commands: string[];
  /** Audio received from the bridge (binary messages, or non-silent AudioSocket audio payloads). */
  audio: Buffer[];
  /** Kinds of the AudioSocket messages received. */
  kinds: number[];
  /** Frames sent toward the bridge so far. */
  sent: Buffer[];
  closed: Promise<void>;
}

export interface FakeStasisOptions {
  /** `GET /asterisk/modules`: loaded module file names (default: ARI, chan_websocket and AudioSocket ones). */
  modules?: string[];
  /** Caller frames each media channel sends (20 ms each, default 10). */
  frames?: number;
}

const SLIN16_FRAME = 640;

/** Frame `i` of the caller's audio: 320 samples of the value i+1 (recognisable when echoed). */
export function callerFrame(i: number): Buffer {
  const b = Buffer.alloc(SLIN16_FRAME);
  for (let s = 0; s < SLIN16_FRAME / 2; s++) b.writeInt16LE(i + 1, s * 2);
  return b;
}

export const DEFAULT_MODULES = [
  'res_ari.so', 'res_stasis.so', 'res_http_websocket.so', 'chan_websocket.so', 'res_websocket_client.so',
  'res_audiosocket.so', 'chan_audiosocket.so', 'app_audiosocket.so', 'bridge_softmix.so',
];

/** The Stasis side; mounted by fake-ari.ts. */
export function fakeStasis(core: FakeAriCore, o: FakeStasisOptions) {
  const bridges = new Map<string, Json & { id: string; channels: string[] }>();
  const pending = new Map<string, { channel: Ch; format: string; app: string; args: string[]; connected: boolean }>();
  const media = new Map<string, FakeMedia & { close(): void }>();
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('media') ? 'media' : false) });
  let seq = 0;
  const bad = (res: http.ServerResponse, message: string, status = 400): void => core.json(res, status, { message });

  const stream = (m: FakeMedia, send: (frame: Buffer) => void): NodeJS.Timeout => {
    let i = 0;
    const t = setInterval(() => {
      if (i >= (o.frames ?? 10)) return clearInterval(t);
      const f = callerFrame(i++);
      m.sent.push(f);
      send(f);
    }, 20);
    return t;
  };

  const externalMedia = (q: URLSearchParams, res: http.ServerResponse): void => {
    const app = q.get('app');
    if (!app) return bad(res, 'app cannot be empty');
    const transport = q.get('transport') || 'udp';
    const encapsulation = q.get('encapsulation') || 'rtp';
    const connectionType = q.get('connection_type') || 'client';
    if (transport === 'websocket' && encapsulation !== 'none') return bad(res, "encapsulation must be 'none' for websocket transport");
    if (encapsulation === 'audiosocket' && transport !== 'tcp') return bad(res, "transport must be 'tcp' for audiosocket encapsulation");
    if (transport !== 'websocket' && connectionType === 'server') return bad(res, "'server' connection_type can only be used with the websocket transport");
    const host = q.get('external_host') ?? '';
    if (!host && connectionType === 'client') return bad(res, 'external_host is required for all but websocket server connections');
    if (transport === 'websocket' && connectionType === 'client') return bad(res, 'external_host must be a valid websocket_client connection id.');
    const format = q.get('format');
    if (!format) return bad(res, 'format cannot be empty');
    const data = q.get('data') ?? '';
    const id = q.get('channelId') ?? undefined;
    if (id && core.channels.has(id)) return bad(res, 'Channel with given unique ID already exists.', 409);
    if (transport === 'websocket') {
      const connectionId = randomUUID();
      const ch = core.newChannel(`WebSocket/INCOMING/0x${randomBytes(6).toString('hex')}`, '', id);
      core.channels.set(ch.id, ch);
      pending.set(connectionId, { channel: ch, format, app, args: data ? [data] : [], connected: false });
      return core.json(res, 200, { ...ch, channelvars: { MEDIA_WEBSOCKET_CONNECTION_ID: connectionId, MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE: String(SLIN16_FRAME) } });
    }
    if (encapsulation !== 'audiosocket') return bad(res, 'The encapsulation and/or transport is not supported', 501);
    if (!data) return bad(res, 'data can not be empty');
    const hp = /^(.+):(\d+)$/.exec(host);
    if (!hp) return bad(res, 'external_host must be <host>:<port> for all transports other than websocket');
    const socket = net.connect({ host: hp[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(hp[2]) });
    const fail = (): void => bad(res, 'An internal error prevented this request from being handled', 500);
    const timer = setTimeout(() => (socket.destroy(), fail()), 2000);
    socket.once('error', () => (clearTimeout(timer), fail()));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      socket.setNoDelay(true);
      socket.write(audioSocketMessage(0x01, Buffer.from(data.replace(/-/g, ''), 'hex')));
      const ch = core.newChannel(`AudioSocket/${host}-${data}`, '', id);
      core.channels.set(ch.id, ch);
      core.json(res, 200, { ...ch, channelvars: { AUDIOSOCKET_UUID: data, AUDIOSOCKET_SERVICE: host } });
      const m = newMedia(ch.id, 'audiosocket');
      const reader = new AudioSocketReader();
      socket.on('data', (chunk: Buffer) => {
        for (const msg of reader.push(chunk)) {
          m.kinds.push(msg.kind);
          if (msg.kind === 0x12 && msg.payload.some((b) => b !== 0)) m.audio.push(Buffer.from(msg.payload));
        }
      });
      let timerStream: NodeJS.Timeout | undefined;
      m.close = () => socket.end();
      socket.on('close', () => {
        clearInterval(timerStream);
        m.done();
        core.hangup(ch.id); // the bridge closed the socket: chan_audiosocket hangs up
      });
      setTimeout(() => {
        if (!core.channels.has(ch.id)) return;
        core.enterStasis(ch, app, [data]);
        timerStream = stream(m, (f) => socket.write(audioSocketMessage(0x12, f)));
      }, 5);
    });
  };

  const newMedia = (channelId: string, transport: FakeMedia['transport']): FakeMedia & { close(): void; done(): void } => {
    let done!: () => void;
    const closed = new Promise<void>((r) => (done = r));
    const m = { channelId, transport, commands: [], audio: [], kinds: [], sent: [], closed, close: () => undefined, done };
    media.set(channelId, m);
    return m;
  };

  /** `/media/<id>` upgrades: Asterisk's own HTTP server (`chan_websocket.c` `incoming_ws_http_callback`). */
  const upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer, id: string): void => {
    const refuse = (status: number, text: string): void => void socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    const p = pending.get(id);
    if (!p) return refuse(404, 'Not Found');
    if (p.connected) return refuse(409, 'Conflict');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (offered.length > 0 && !offered.includes('media')) return refuse(400, 'Bad Request');
    if (req.headers['sec-websocket-extensions']) delete req.headers['sec-websocket-extensions']; // Asterisk negotiates none
    p.connected = true;
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const ch = p.channel;
      const m = newMedia(ch.id, 'websocket');
      ws.send(`MEDIA_START connection_id:${id} channel:${ch.name} channel_id:${ch.id} format:${p.format} optimal_frame_size:${SLIN16_FRAME} ptime:20`);
      ws.on('message', (d, binary) => (binary ? m.audio.push(Buffer.from(d as Buffer)) : m.commands.push(d.toString())));
      let timerStream: NodeJS.Timeout | undefined;
      m.close = () => ws.close(1000);
      ws.on('close', () => {
        clearInterval(timerStream);
        m.done();
        core.hangup(ch.id);
      });
      core.enterStasis(ch, p.app, p.args);
      timerStream = stream(m, (f) => ws.send(f, { binary: true }));
    });
  };

  const handle = (method: string, path: string, q: URLSearchParams, res: http.ServerResponse): boolean => {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/channels/externalMedia') return externalMedia(q, res), true;
    if (method === 'POST' && (m = /^\/channels\/([^/]+)\/answer$/.exec(path))) {
      const ch = core.channels.get(decodeURIComponent(m[1]!));
      if (!ch) return bad(res, 'Channel not found', 404), true;
      if (!ch.app) return bad(res, 'Channel not in a Stasis application', 409), true;
      ch.state = 'Up';
      return core.json(res, 204), true;
    }
    if (method === 'POST' && path === '/bridges') {
      const id = q.get('bridgeId') || `bridge-${++seq}`;
      if (bridges.has(id)) return bad(res, 'Bridge with the same bridgeId already exists', 409), true;
      const type = q.get('type') ?? 'mixing';
      const b = { id, technology: 'simple_bridge', bridge_type: type, bridge_class: 'stasis', creator: 'Stasis', name: q.get('name') ?? '', channels: [] as string[], creationtime: new Date().toISOString().replace('Z', '+0000'), video_mode: 'none' };
      bridges.set(id, b);
      return core.json(res, 200, b), true;
    }
    if ((m = /^\/bridges\/([^/]+)$/.exec(path))) {
      const b = bridges.get(decodeURIComponent(m[1]!));
      if (!b) return bad(res, 'Bridge not found', 404), true;
      if (method === 'GET') return core.json(res, 200, b), true;
      if (method === 'DELETE') return bridges.delete(b.id), core.json(res, 204), true;
    }
    if (method === 'POST' && (m = /^\/bridges\/([^/]+)\/addChannel$/.exec(path))) {
      const b = bridges.get(decodeURIComponent(m[1]!));
      const ids = (q.get('channel') ?? '').split(',').filter(Boolean);
      if (ids.length === 0) return bad(res, 'Missing parameter channel'), true;
      if (!b) return bad(res, 'Bridge not found', 404), true;
      for (const id of ids) {
        const ch = core.channels.get(id);
        if (!ch) return bad(res, 'Channel not found'), true;
        if (!ch.app) return bad(res, 'Channel not in Stasis application', 422), true;
      }
      for (const id of ids) if (!b.channels.includes(id)) b.channels.push(id);
      return core.json(res, 204), true;
    }
    if (method === 'GET' && path === '/asterisk/modules') return core.json(res, 200, (o.modules ?? DEFAULT_MODULES).map(moduleDoc)), true;
    if (method === 'GET' && (m = /^\/asterisk\/modules\/([^/]+)$/.exec(path))) {
      const name = decodeURIComponent(m[1]!);
      const found = (o.modules ?? DEFAULT_MODULES).find((n) => n === name || n === `${name}.so`);
      return found ? core.json(res, 200, moduleDoc(found)) : bad(res, 'Module could not be found in running modules', 404), true;
    }
    return false;
  };

  return {
    handle,
    upgrade,
    bridges,
    media,
    /** A channel was hung up: close its media socket (Asterisk closes chan_websocket with 1000, AudioSocket with a TCP end). */
    hungUp(id: string): void {
      for (const b of bridges.values()) b.channels = b.channels.filter((c) => c !== id);
      media.get(id)?.close();
    },
    /** Hang a channel up from Asterisk's side (the caller hangs up): StasisEnd + ChannelDestroyed. */
    hangupChannel(id: string): void {
      core.hangup(id);
    },
    /** A caller dials in: a `PJSIP/<number>-…` channel enters Stasis(app) with `args`. */
    callIn(app: string, number: string, args: string[] = []): Ch {
      const ch = core.newChannel(`PJSIP/${number}-${String(++seq).padStart(8, '0')}`, '');
      ch.caller = { name: '', number };
      ch.state = 'Ring';
      core.channels.set(ch.id, ch);
      core.enterStasis(ch, app, args);
      return ch;
    },
    close(): void {
      for (const m of media.values()) m.close();
      wss.close();
    },
  };
}

/** The `Module` shape of `GET /asterisk/modules`. */
function moduleDoc(name: string): Json {
  return { name, description: `${name} (fake)`, use_count: 0, status: 'Running', support_level: 'core' };
}

export type FakeStasis = ReturnType<typeof fakeStasis>;
