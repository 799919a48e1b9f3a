/**
 * `createCallAutomation(options)`: what `voicectl bridge` mounts so it answers ACS calls itself.
 * Produces the routes (`POST /api/incomingCall`, `POST /api/callbacks/`, `GET /api/calls/`), the
 * `/api/health` extras (answered / failed / active ACS calls, last callback failure), and, when the
 * ACS resource's immutable id is known, a media-upgrade check of ACS's JWT.
 * The SDK is loaded on the first IncomingCall, not at start-up.
 *
 * The call state lives in a {@link CallStore}: this process's memory by default, or Redis when
 * `redisUrl` is set, so several bridge replicas behind a load balancer share it (an IncomingCall
 * answered by one replica, its callbacks and long-polls served by any other). The bridge does not
 * tell this module about media sockets: the media facts come from ACS's own callbacks
 * (`MediaStreamingStarted` / `MediaStreamingFailed`), so media never depends on the store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallAutomationClient, CallAutomationClientOptions } from './client.js';
import { createClient } from './client.js';
import { diagnosisLine } from './diagnose.js';
import { createAcsJwtValidator, type AcsJwtValidator } from './jwt.js';
import { handleCallState, handleCallback, handleIncomingCall, unlessStateDown, type RouteDeps } from './routes.js';
import { deriveSecrets, parseConnectionString } from './secrets.js';
import { MemoryCallStore, type CallEventRecord } from './state.js';
import type { CallStore } from './store.js';
import { incomingCallEndpoint } from './incoming-url.js';
import { CALLBACKS_PREFIX, CALLS_PREFIX, INCOMING_CALL_PATH, publicHost } from './urls.js';

/** A route the bridge mounts (same shape as the bridge's `BridgeRoute`). */
export interface CallRoute {
  method: 'GET' | 'POST';
  /** Path prefix, e.g. `/api/callbacks/`. */
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

/** The media upgrade decision (same shape as the bridge's `authorizeMediaUpgrade`). */
export type UpgradeDecision = { ok: true } | { ok: false; status: number; reason: string };

/** Options for {@link createCallAutomation}. */
export interface CallAutomationOptions {
  /** `AZURE_COMMUNICATION_CONNECTION_STRING`. */
  connectionString: string;
  /** `CALLBACK_URI_HOST`: the bridge's public https origin. */
  callbackHost: string;
  /** The bridge's media WebSocket path (default `/ws/media`). */
  mediaPath?: string;
  /** The bridge's media token, appended to the transport URL as `?token=`. */
  mediaToken?: string;
  /** `VOICECTL_WEBHOOK_SECRET`: the Event Grid `?code=`; derived from the access key when unset. */
  webhookSecret?: string;
  /** `ACS_RESOURCE_ID`: when set, the JWTs on callbacks and media upgrades are validated. */
  acsResourceId?: string;
  /** JWKS URL override (`VOICECTL_ACS_JWKS_URL`). */
  jwksUrl?: string;
  /** fetch for the JWKS (default global fetch). */
  fetch?: typeof fetch;
  /** SDK client options (TLS trust, retries) for the ACS endpoint. */
  clientOptions?: CallAutomationClientOptions;
  /** NDJSON sink: `onEvent(type, data)`. */
  onEvent?: (type: string, data: Record<string, unknown>) => void;
  /** Human log line (stderr). */
  log?: (line: string) => void;
  /** Largest accepted webhook / callback body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Longest long-poll of `GET /api/calls/…` in ms (default 25 000). */
  maxWaitMs?: number;
  /** Callback ids (tests); default random UUIDs. */
  newCallbackId?: () => string;
  /**
   * Open the Realtime session of a call the bridge is answering, before its media socket exists
   * (the bridge's pre-opened sessions); undefined when none can be opened now.
   */
  prewarm?: () => { bind(callConnectionId: string): void; cancel(): void } | undefined;
  /**
   * `VOICECTL_REDIS_URL`: share the call state with other replicas through this Redis 6+.
   * Unset: the state lives in this process.
   */
  redisUrl?: string;
  /** A store to use instead (tests); wins over `redisUrl`. */
  store?: CallStore;
}

/** What the bridge mounts. */
export interface CallAutomation {
  routes: CallRoute[];
  healthExtras: () => Record<string, unknown>;
  /** Present only when `acsResourceId` is set. */
  authorizeMediaUpgrade?: (req: IncomingMessage) => Promise<UpgradeDecision>;
  /** The Event Grid subscription endpoint, with its `?code=` secret. */
  eventGridUrl: string;
  /** The public host the URLs use. */
  host: string;
  /** Where the call state lives. */
  store: CallStore;
  /** End pending long-polls and release the store's connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Build the Call Automation part of the bridge (connects to Redis first when `redisUrl` is set).
 * @throws UsageError for a malformed connection string or CALLBACK_URI_HOST (exit 2); UserError
 *   `VOICECTL_REDIS_UNREACHABLE` naming VOICECTL_REDIS_URL when Redis cannot be reached (exit 1).
 */
export async function createCallAutomation(options: CallAutomationOptions): Promise<CallAutomation> {
  const conn = parseConnectionString(options.connectionString);
  const host = publicHost(options.callbackHost);
  const secrets = deriveSecrets(conn.accessKey, options.webhookSecret);
  const store: CallStore =
    options.store ??
    (options.redisUrl
      ? await import('./redis-store.js').then(({ connectRedisCallStore }) =>
          connectRedisCallStore({
            url: options.redisUrl!,
            onEvent(type, data) {
              options.onEvent?.(type, data);
              options.log?.(
                type === 'state.unavailable'
                  ? `call state: Redis at ${String(data.target)} unreachable (${String(data.message)}); callbacks answer 503 until it is back, media continues`
                  : `call state: Redis at ${String(data.target)} is back`,
              );
            },
          }),
        )
      : new MemoryCallStore());
  const log = options.log ?? (() => {});
  let client: CallAutomationClient | undefined;
  const jwt: AcsJwtValidator | undefined = options.acsResourceId
    ? createAcsJwtValidator({
        audience: options.acsResourceId,
        ...(options.jwksUrl ? { jwksUrl: options.jwksUrl } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      })
    : undefined;

  const report = (e: CallEventRecord): void => {
    const { seq: _seq, type, ...data } = e;
    options.onEvent?.(type, data as Record<string, unknown>);
    const id = e.callConnectionId ?? e.callbackId;
    const quiet = e.type === 'media.started' || e.type === 'media.stopped' || e.type === 'call.connected';
    const extra = e.diagnosis
      ? ` — ${diagnosisLine({ cause: e.cause ?? '', diagnosis: e.diagnosis, fix: e.fix ?? '' })}`
      : e.message && !quiet
        ? ` (${e.message})`
        : '';
    log(`acs call ${id}: ${type}${extra}`);
  };

  const deps: RouteDeps = {
    host,
    mediaPath: options.mediaPath ?? '/ws/media',
    mediaToken: options.mediaToken,
    secrets,
    store,
    client: () => (client ??= createClient(conn.connectionString, options.clientOptions)),
    jwt,
    report,
    log,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    maxWaitMs: options.maxWaitMs ?? 25_000,
    ...(options.newCallbackId ? { newCallbackId: options.newCallbackId } : {}),
    ...(options.prewarm ? { prewarm: options.prewarm } : {}),
  };

  const result: CallAutomation = {
    routes: [
      { method: 'POST', prefix: INCOMING_CALL_PATH, handle: (req, res, url) => unlessStateDown(res, () => handleIncomingCall(deps, req, res, url)) },
      { method: 'POST', prefix: CALLBACKS_PREFIX, handle: (req, res, url) => unlessStateDown(res, () => handleCallback(deps, req, res, url)) },
      { method: 'GET', prefix: CALLS_PREFIX, handle: (req, res, url) => unlessStateDown(res, () => handleCallState(deps, req, res, url)) },
    ],
    healthExtras: () => {
      const s = store.stats();
      return {
        acs: {
          answering: true,
          callbackHost: host,
          jwtValidation: jwt !== undefined,
          callState: store.kind,
          answered: s.answered,
          failed: s.failed,
          active: s.active,
          lastCallbackFailure: s.lastFailure ?? null,
        },
      };
    },
    // The same derivation `voicectl acs route-calls` subscribes Event Grid to.
    eventGridUrl: incomingCallEndpoint(options).url,
    host,
    store,
    close: () => store.close(),
  };
  if (jwt) {
    result.authorizeMediaUpgrade = async (req) => {
      const check = await jwt(req.headers.authorization);
      return check.ok ? { ok: true } : { ok: false, status: 401, reason: check.reason };
    };
  }
  return result;
}

export { parseConnectionString, deriveSecrets } from './secrets.js';
export { publicHost, callbackUrl, mediaTransportUrl, eventGridUrl } from './urls.js';
export { incomingCallEndpoint } from './incoming-url.js';
