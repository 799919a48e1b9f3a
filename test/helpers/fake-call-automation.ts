/**
 * A local HTTPS fake of the ACS Call Automation service (api-version 2026-03-12), for the real
 * `@azure/communication-call-automation` SDK. Shapes from shared reference call-automation.md §1–4.
 *
 * It checks what the service checks: the HMAC-SHA256 signature over
 * `METHOD\n<path?query>\n<x-ms-date>;<host>;<x-ms-content-sha256>` with the access key, the body hash,
 * the date (±15 min), the api-version and the media options, and answers 401 / 400 like the service.
 * It records every request. After create / answer it behaves like the service: signed callbacks
 * (`CallConnected`, `ParticipantsUpdated`, then `MediaStreamingStarted` once it has opened the media
 * WebSocket with an ACS-style JWT and `x-ms-call-*` headers, or `MediaStreamingFailed` 400/8581
 * `initialWebSocketConnectionFailed` when it cannot). It serves its JWKS on a plain loopback http port.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import WebSocket from 'ws';
import { testCert } from './tls.js';

export const API_VERSION = '2026-03-12';
export const ACS_ISSUER = 'https://acscallautomation.communication.azure.com';

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  status: number;
}

/** One callback the fake delivered. */
export interface DeliveredCallback {
  url: string;
  type: string;
  status: number;
}

/** A media WebSocket the fake opened. */
export interface MediaSession {
  url: string;
  received: unknown[];
  socket: WebSocket;
}

interface FakeCall {
  id: string;
  serverCallId: string;
  correlationId: string;
  callbackUri: string;
  operationContext?: string;
  media?: { transportUrl?: string; startMediaStreaming?: boolean; audioFormat?: string };
  ended: boolean;
  socket?: WebSocket;
}

interface IncomingCtx {
  expires: number;
  answerFails: boolean;
  used: boolean;
}

export interface FakeOptions {
  /** Map a public https:// or wss:// URL to the local listener (default identity). */
  rewriteUrl?: (url: string) => string;
  /** Targets (raw ids) whose create ends in `CreateCallFailed` (default 603/8538 declined). */
  failingTargets?: Record<string, { code: number; subCode: number; message: string }>;
  /** Force `MediaStreamingFailed` with these details instead of dialing the media URL. */
  mediaFailure?: { code: number; subCode: number; details: string; message?: string };
  /** Audio frames sent after `AudioMetadata` (default 4), every `frameIntervalMs` (default 20). */
  frames?: number;
  frameIntervalMs?: number;
  /** Audience of the JWTs it signs (the ACS immutable resource id). */
  resourceId?: string;
  /** Skip `CallConnected` (a callee that never answers). */
  neverConnect?: boolean;
}

function b64sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('base64');
}

export class FakeCallAutomation {
  readonly requests: RecordedRequest[] = [];
  readonly callbacks: DeliveredCallback[] = [];
  readonly media: MediaSession[] = [];
  readonly accessKey = randomBytes(32).toString('base64');
  readonly resourceId: string;
  endpoint = '';
  jwksUrl = '';
  ca = '';
  private server: https.Server | undefined;
  private jwksServer: http.Server | undefined;
  private readonly calls = new Map<string, FakeCall>();
  private readonly contexts = new Map<string, IncomingCtx>();
  private readonly replays = new Map<string, { status: number; body: string }>();
  private readonly pending = new Set<Promise<unknown>>();
  private privateKey: Parameters<SignJWT["sign"]>[0] | undefined;
  private publicJwk: JWK | undefined;
  private readonly kid = randomUUID();

  constructor(private readonly options: FakeOptions = {}) {
    this.resourceId = options.resourceId ?? randomUUID();
  }

  /** `endpoint=https://127.0.0.1:<port>/;accesskey=<key>`. */
  get connectionString(): string {
    return `endpoint=${this.endpoint}/;accesskey=${this.accessKey}`;
  }

  /** SDK client options that trust the fake's certificate and do not retry. */
  clientOptions(): Record<string, unknown> {
    return { tlsOptions: { ca: this.ca }, retryOptions: { maxRetries: 0 } };
  }

  async start(): Promise<this> {
    const cert = await testCert();
    this.ca = cert.cert;
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    this.privateKey = privateKey;
    this.publicJwk = { ...(await exportJWK(publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' };
    this.server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.endpoint = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.jwksServer = http.createServer((req, res) => {
      if (req.url === '/calling/keys') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.jwks()));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => this.jwksServer!.listen(0, '127.0.0.1', r));
    this.jwksUrl = `http://127.0.0.1:${(this.jwksServer.address() as AddressInfo).port}/calling/keys`;
    return this;
  }

  async close(): Promise<void> {
    for (const m of this.media) m.socket.terminate();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    await new Promise<void>((r) => (this.jwksServer ? this.jwksServer.close(() => r()) : r()));
  }

  /** The JWKS the fake signs with. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk!] };
  }

  /** An ACS-style RS256 JWT (iss, aud = resource id, 5 min), claims overridable. */
  async signJwt(claims: { aud?: string; iss?: string; expSeconds?: number } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuer(claims.iss ?? ACS_ISSUER)
      .setAudience(claims.aud ?? this.resourceId)
      .setIssuedAt(now - 5)
      .setExpirationTime(now + (claims.expSeconds ?? 300))
      .sign(this.privateKey!);
  }

  /** Wait until every callback and media exchange started so far has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** An Event Grid `SubscriptionValidationEvent` delivery. */
  validationDelivery(code: string = randomUUID()): unknown[] {
    return [
      {
        id: randomUUID(),
        topic: `/subscriptions/${randomUUID()}/resourceGroups/rg-voice/providers/Microsoft.Communication/communicationServices/acs-voicectl`,
        subject: '',
        data: { validationCode: code, validationUrl: `https://rp-westus.eventgrid.azure.net:553/eventsubscriptions/voicectl/validate?id=${code}&token=x` },
        eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
        eventTime: new Date().toISOString(),
        metadataVersion: '1',
        dataVersion: '1',
      },
    ];
  }

  /**
   * An Event Grid `IncomingCall` delivery whose context this fake will accept once.
   * `ttlMs: -1` makes a stale context; `answerFails` makes the answer end in `AnswerFailed`.
   */
  makeIncomingCall(o: { from?: string; to?: string; ttlMs?: number; answerFails?: boolean } = {}): { delivery: unknown[]; context: string } {
    const context = `ctx.${randomBytes(24).toString('base64url')}`;
    this.contexts.set(context, { expires: Date.now() + (o.ttlMs ?? 30_000), answerFails: o.answerFails === true, used: false });
    const id = (raw: string): Record<string, unknown> =>
      raw.startsWith('8:')
        ? { kind: 'communicationUser', rawId: raw, communicationUser: { id: raw } }
        : { kind: 'phoneNumber', rawId: `4:${raw}`, phoneNumber: { value: raw } };
    const from = o.from ?? '+14255550123';
    const to = o.to ?? '+18005550199';
    return {
      context,
      delivery: [
        {
          id: randomUUID(),
          topic: '/subscriptions/x/resourceGroups/rg-voice/providers/Microsoft.Communication/communicationServices/acs-voicectl',
          subject: `/caller/${from}/recipient/${to}`,
          data: {
            to: id(to),
            from: id(from),
            serverCallId: Buffer.from(`https://api.example/conv/${randomUUID()}`).toString('base64url'),
            callerDisplayName: '',
            incomingCallContext: context,
            correlationId: randomUUID(),
            customContext: { sipHeaders: {}, voipHeaders: {} },
          },
          eventType: 'Microsoft.Communication.IncomingCall',
          dataVersion: '1.0',
          metadataVersion: '1',
          eventTime: new Date().toISOString(),
        },
      ],
    };
  }

  /** A callback CloudEvent of `type` for a call (real envelope). */
  static callbackEvent(type: string, call: { id: string; serverCallId?: string; correlationId?: string; operationContext?: string }, data: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id: randomUUID(),
      source: `calling/callConnections/${call.id}`,
      type: `Microsoft.Communication.${type}`,
      data: {
        callConnectionId: call.id,
        serverCallId: call.serverCallId ?? 'c2VydmVy',
        correlationId: call.correlationId ?? randomUUID(),
        ...(call.operationContext ? { operationContext: call.operationContext } : {}),
        ...data,
      },
      time: new Date().toISOString(),
      specversion: '1.0',
      datacontenttype: 'application/json',
      subject: `calling/callConnections/${call.id}`,
    };
  }

  /** End a call from the far side: `MediaStreamingStopped` (if streaming) then `CallDisconnected`. */
  remoteHangUp(callConnectionId: string): Promise<void> {
    const call = this.calls.get(callConnectionId);
    if (!call) return Promise.resolve();
    return this.track(this.endCall(call));
  }

  // --- HTTP --------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const body = raw.toString('utf8');
    const url = new URL(req.url ?? '/', 'https://fake');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', path: url.pathname, headers: req.headers, body, json, status: 0 };
    this.requests.push(rec);
    const send = (status: number, payload?: unknown): void => {
      rec.status = status;
      const text = payload === undefined ? '' : JSON.stringify(payload);
      const rid = req.headers['repeatability-request-id'];
      if (typeof rid === 'string' && status < 500) this.replays.set(rid, { status, body: text });
      res.writeHead(status, text ? { 'content-type': 'application/json' } : {});
      res.end(text);
    };
    const fail = (status: number, code: string, message: string): void => send(status, { error: { code, message } });

    const authError = this.checkHmac(req, raw);
    if (authError) return fail(401, '7509', `HMAC-SHA256 validation failed: ${authError}`);
    if (url.searchParams.get('api-version') !== API_VERSION) return fail(400, '8523', `unsupported api-version ${url.searchParams.get('api-version')}`);
    if (raw.length > 0 && !/application\/json/.test(req.headers['content-type'] ?? '')) return fail(400, '8523', 'content-type must be JSON');
    const rid = req.headers['repeatability-request-id'];
    if (typeof rid === 'string' && this.replays.has(rid)) {
      const r = this.replays.get(rid)!;
      rec.status = r.status;
      res.writeHead(r.status, r.body ? { 'content-type': 'application/json' } : {});
      return void res.end(r.body);
    }

    const p = url.pathname;
    if (req.method === 'POST' && p === '/calling/callConnections') return this.create(json as Record<string, unknown>, send, fail);
    if (req.method === 'POST' && p === '/calling/callConnections:answer') return this.answer(json as Record<string, unknown>, send, fail);
    const m = /^\/calling\/callConnections\/([^/:]+)(:terminate)?$/.exec(p);
    if (m) {
      const call = this.calls.get(decodeURIComponent(m[1]!));
      if (!call || call.ended) return fail(404, '8522', 'Call not found.');
      if (req.method === 'GET' && !m[2]) return send(200, this.props(call));
      if ((req.method === 'DELETE' && !m[2]) || (req.method === 'POST' && m[2])) {
        send(204);
        void this.track(this.endCall(call));
        return;
      }
    }
    fail(404, 'NotFound', `no route ${req.method} ${p}`);
  }

  private checkHmac(req: http.IncomingMessage, raw: Buffer): string | undefined {
    const auth = req.headers.authorization ?? '';
    const m = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=(.+)$/.exec(auth);
    if (!m) return 'no HMAC authorization header';
    const date = req.headers['x-ms-date'];
    const hash = req.headers['x-ms-content-sha256'];
    if (typeof date !== 'string' || typeof hash !== 'string') return 'missing x-ms-date or x-ms-content-sha256';
    if (hash !== b64sha256(raw)) return 'content hash mismatch';
    if (Math.abs(Date.parse(date) - Date.now()) > 15 * 60_000) return 'x-ms-date too far off';
    const toSign = `${req.method}\n${req.url}\n${date};${req.headers.host};${hash}`;
    const expected = createHmac('sha256', Buffer.from(this.accessKey, 'base64')).update(toSign).digest();
    const given = Buffer.from(m[1]!, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature mismatch';
    return undefined;
  }

  private mediaError(media: Record<string, unknown> | undefined): string | undefined {
    if (!media) return undefined;
    if (media.transportType !== 'websocket') return 'transportType must be websocket';
    if (media.audioChannelType !== 'mixed' && media.audioChannelType !== 'unmixed') return 'audioChannelType must be mixed or unmixed';
    if (media.audioFormat !== undefined && !/^pcm(16|24)kmono$/i.test(String(media.audioFormat))) return 'audioFormat must be pcm16KMono or pcm24KMono';
    if (media.transportUrl !== undefined && !String(media.transportUrl).startsWith('wss://')) return 'transportUrl must be wss://';
    return undefined;
  }

  private newCall(body: Record<string, unknown>): FakeCall {
    const media = body.mediaStreamingOptions as FakeCall['media'];
    const call: FakeCall = {
      id: randomUUID(),
      serverCallId: Buffer.from(`https://api.example/conv/${randomUUID()}`).toString('base64url'),
      correlationId: randomUUID(),
      callbackUri: String(body.callbackUri),
      ...(typeof body.operationContext === 'string' ? { operationContext: body.operationContext } : {}),
      ...(media ? { media } : {}),
      ended: false,
    };
    this.calls.set(call.id, call);
    return call;
  }

  private props(call: FakeCall): Record<string, unknown> {
    return {
      callConnectionId: call.id,
      serverCallId: call.serverCallId,
      correlationId: call.correlationId,
      callbackUri: call.callbackUri,
      callConnectionState: 'connecting',
      source: { kind: 'communicationUser', rawId: `8:acs:${this.resourceId}_${randomUUID()}`, communicationUser: { id: `8:acs:${this.resourceId}_x` } },
      targets: [],
      mediaStreamingSubscription: { id: randomUUID(), state: 'inactive', subscribedContentTypes: ['audio'] },
    };
  }

  private create(body: Record<string, unknown>, send: (s: number, p?: unknown) => void, fail: (s: number, c: string, m: string) => void): void {
    const targets = body?.targets as Array<Record<string, unknown>> | undefined;
    if (!Array.isArray(targets) || targets.length === 0) return fail(400, '8523', 'targets is required');
    if (typeof body.callbackUri !== 'string' || !body.callbackUri.startsWith('https://')) return fail(400, '8523', 'callbackUri must be https');
    if (targets.some((t) => t.kind === 'phoneNumber') && !body.sourceCallerIdNumber) return fail(400, '8523', 'sourceCallerIdNumber is required for PSTN targets');
    const mediaError = this.mediaError(body.mediaStreamingOptions as Record<string, unknown> | undefined);
    if (mediaError) return fail(400, '8523', mediaError);
    const call = this.newCall(body);
    send(201, this.props(call));
    const failing = this.options.failingTargets?.[String(targets[0]!.rawId)];
    if (failing) {
      void this.track(this.post(call, 'CreateCallFailed', { resultInformation: failing }).then(() => void (call.ended = true)));
    } else {
      void this.track(this.connect(call));
    }
  }

  private answer(body: Record<string, unknown>, send: (s: number, p?: unknown) => void, fail: (s: number, c: string, m: string) => void): void {
    const ctx = this.contexts.get(String(body?.incomingCallContext));
    if (!ctx) return fail(400, '8523', 'Invalid incoming call context.');
    if (ctx.expires < Date.now()) return fail(400, '8523', 'Lifetime validation of the signed http request failed.');
    if (ctx.used) return fail(409, '8519', 'The call was already answered or rejected.');
    if (typeof body.callbackUri !== 'string' || !body.callbackUri.startsWith('https://')) return fail(400, '8523', 'callbackUri must be https');
    const mediaError = this.mediaError(body.mediaStreamingOptions as Record<string, unknown> | undefined);
    if (mediaError) return fail(400, '8523', mediaError);
    ctx.used = true;
    const call = this.newCall(body);
    send(200, this.props(call));
    if (ctx.answerFails) {
      void this.track(
        this.post(call, 'AnswerFailed', { resultInformation: { code: 408, subCode: 8587, message: 'Incoming call was not answered in time.' } }).then(
          () => void (call.ended = true),
        ),
      );
    } else {
      void this.track(this.connect(call));
    }
  }

  // --- service-like behaviour ------------------------------------------------------------------

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => {});
    return p;
  }

  private rewrite(url: string): string {
    return this.options.rewriteUrl ? this.options.rewriteUrl(url) : url;
  }

  /** POST one signed callback; records the status (0 when unreachable). */
  async post(call: FakeCall, type: string, data: Record<string, unknown> = {}, jwt?: string): Promise<number> {
    const ev = FakeCallAutomation.callbackEvent(type, { id: call.id, serverCallId: call.serverCallId, correlationId: call.correlationId, ...(call.operationContext ? { operationContext: call.operationContext } : {}) }, data);
    let status = 0;
    try {
      const res = await fetch(this.rewrite(call.callbackUri), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt ?? (await this.signJwt())}` },
        body: JSON.stringify([ev]),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    this.callbacks.push({ url: call.callbackUri, type, status });
    return status;
  }

  private async connect(call: FakeCall): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.options.neverConnect) return;
    await this.post(call, 'CallConnected');
    await this.post(call, 'ParticipantsUpdated', { sequenceNumber: 1, participants: [] });
    if (!call.media?.startMediaStreaming) return;
    const forced = this.options.mediaFailure;
    if (forced) {
      await this.post(call, 'MediaStreamingFailed', {
        resultInformation: { code: forced.code, subCode: forced.subCode, message: forced.message ?? 'Action failed.' },
        mediaStreamingUpdate: { contentType: 'Audio', mediaStreamingStatus: 'mediaStreamingFailed', mediaStreamingStatusDetails: forced.details },
      });
      return;
    }
    const opened = await this.dialMedia(call);
    if (!opened) {
      await this.post(call, 'MediaStreamingFailed', {
        resultInformation: { code: 400, subCode: 8581, message: 'Action failed, Transport url is not valid or web socket server is not operational.' },
        mediaStreamingUpdate: { contentType: 'Audio', mediaStreamingStatus: 'mediaStreamingFailed', mediaStreamingStatusDetails: 'initialWebSocketConnectionFailed' },
      });
      return;
    }
    await this.post(call, 'MediaStreamingStarted', {
      resultInformation: { code: 200, subCode: 0, message: 'Action completed successfully.' },
      mediaStreamingUpdate: { contentType: 'Audio', mediaStreamingStatus: 'mediaStreamingStarted', mediaStreamingStatusDetails: 'subscriptionStarted' },
    });
    await this.sendFrames(call);
  }

  private async dialMedia(call: FakeCall): Promise<boolean> {
    const target = call.media?.transportUrl;
    if (!target) return false;
    const jwt = await this.signJwt({ expSeconds: 24 * 3600 });
    return new Promise<boolean>((resolve) => {
      const socket = new WebSocket(this.rewrite(target), {
        headers: { authorization: `Bearer ${jwt}`, 'x-ms-call-connection-id': call.id, 'x-ms-call-correlation-id': call.correlationId },
      });
      const session: MediaSession = { url: target, received: [], socket };
      socket.on('open', () => {
        call.socket = socket;
        this.media.push(session);
        resolve(true);
      });
      socket.on('message', (d) => {
        try {
          session.received.push(JSON.parse(d.toString()));
        } catch {
          session.received.push(d.toString());
        }
      });
      socket.on('error', () => resolve(false));
      socket.on('unexpected-response', (_req, res) => {
        res.resume();
        resolve(false);
        socket.terminate();
      });
    });
  }

  private async sendFrames(call: FakeCall): Promise<void> {
    const socket = call.socket;
    if (!socket) return;
    const rate = /24/.test(call.media?.audioFormat ?? '') ? 24000 : 16000;
    const bytes = (rate / 1000) * 20 * 2;
    socket.send(JSON.stringify({ kind: 'AudioMetadata', audioMetadata: { subscriptionId: randomUUID(), encoding: 'PCM', sampleRate: rate, channels: 1, length: bytes } }));
    const frames = this.options.frames ?? 4;
    for (let i = 0; i < frames && socket.readyState === WebSocket.OPEN; i += 1) {
      const pcm = Buffer.alloc(bytes);
      const silent = i % 2 === 0;
      if (!silent) for (let s = 0; s < bytes / 2; s += 1) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * s) / rate)), s * 2);
      socket.send(
        JSON.stringify({ kind: 'AudioData', audioData: { timestamp: new Date().toISOString(), participantRawID: '4:+14255550123', data: pcm.toString('base64'), silent } }),
      );
      await new Promise((r) => setTimeout(r, this.options.frameIntervalMs ?? 20));
    }
  }

  private async endCall(call: FakeCall): Promise<void> {
    if (call.ended) return;
    call.ended = true;
    if (call.socket) {
      call.socket.close(1000);
      await this.post(call, 'MediaStreamingStopped', {
        resultInformation: { code: 200, subCode: 0, message: 'Action completed successfully.' },
        mediaStreamingUpdate: { contentType: 'Audio', mediaStreamingStatus: 'mediaStreamingStopped', mediaStreamingStatusDetails: 'subscriptionStopped' },
      });
    }
    await this.post(call, 'CallDisconnected', { resultInformation: { code: 200, subCode: 7000, message: 'The conversation has ended.' } });
  }
}

/** A stand-in for the bridge's server: mounts Call Automation routes the way `startBridge` does. */
export interface MiniBridge {
  url: string;
  port: number;
  /** Media upgrades accepted, with their headers. */
  upgrades: http.IncomingHttpHeaders[];
  /** Media upgrades refused, with the reason. */
  refused: string[];
  close(): Promise<void>;
}

/**
 * Start a node:http server on 127.0.0.1:0 that dispatches `routes` by method and path prefix,
 * serves `/api/health` with `healthExtras()`, and accepts WebSocket upgrades on `mediaPath`
 * (through `authorizeMediaUpgrade` when given; `mediaPath: null` refuses every upgrade with 404).
 */
export async function startMiniBridge(parts: {
  routes: Array<{ method: string; prefix: string; handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> | void }>;
  healthExtras?: () => Record<string, unknown>;
  authorizeMediaUpgrade?: (req: http.IncomingMessage) => Promise<{ ok: true } | { ok: false; status: number; reason: string }>;
  mediaPath?: string | null;
}): Promise<MiniBridge> {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true });
  const upgrades: http.IncomingHttpHeaders[] = [];
  const refused: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/api/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', ...(parts.healthExtras?.() ?? {}) }));
      return;
    }
    const route = parts.routes.find((r) => r.method === req.method && url.pathname.startsWith(r.prefix));
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve(route.handle(req, res, url)).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const mediaPath = parts.mediaPath === undefined ? '/ws/media' : parts.mediaPath;
      if (mediaPath === null || url.pathname !== mediaPath) {
        refused.push('not found');
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      if (parts.authorizeMediaUpgrade) {
        const d = await parts.authorizeMediaUpgrade(req);
        if (!d.ok) {
          refused.push(d.reason);
          socket.end(`HTTP/1.1 ${d.status} Unauthorized\r\n\r\n`);
          return;
        }
      }
      upgrades.push(req.headers);
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', () => {});
      });
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    upgrades,
    refused,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A rewrite from the public `https://<host>` / `wss://<host>` to a local bridge port. */
export function rewriteTo(host: string, getPort: () => number): (url: string) => string {
  return (url) => url.replace(`https://${host}`, `http://127.0.0.1:${getPort()}`).replace(`wss://${host}`, `ws://127.0.0.1:${getPort()}`);
}
