/**
 * The bridge's Call Automation HTTP handlers:
 * - `POST /api/incomingCall?code=<secret>`: Event Grid deliveries (validation handshake, IncomingCall);
 * - `POST /api/callbacks/<callbackId>/<token>`: Call Automation callbacks (CloudEvents array);
 * - `GET /api/calls/<callbackId>/<token>?since=<n>&waitMs=<ms>`: a call's state and events (long-poll),
 *   what `voicectl call` follows.
 * Unauthenticated requests get 401 and change nothing; malformed bodies get 400 and change nothing.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FAILURE_EVENTS, MalformedCallbackError, parseCallbackEvents, type CallbackEvent } from './callback-events.js';
import type { CallAutomationClient } from './client.js';
import { describeSdkError, mediaStreamingOptions } from './client.js';
import { diagnose } from './diagnose.js';
import { MalformedDeliveryError, parseEventGridDelivery, type EventGridItem } from './event-grid.js';
import { BodyTooLargeError, readBody, sendError, sendJson } from './http.js';
import type { AcsJwtValidator } from './jwt.js';
import type { CallSecrets } from './secrets.js';
import { verdictOf, type CallEventRecord } from './state.js';
import { CallStateUnavailableError, type CallStore } from './store.js';
import { CALLBACKS_PREFIX, CALLS_PREFIX, INCOMING_CALL_PATH, callbackUrl, mediaTransportUrl } from './urls.js';

/** operationContext of calls the bridge answers. */
export const ANSWER_CONTEXT = 'voicectl-answer';
/** operationContext of calls `voicectl call` places. */
export const PLACE_CONTEXT = 'voicectl-call';

/** What the handlers need. */
export interface RouteDeps {
  host: string;
  mediaPath: string;
  mediaToken: string | undefined;
  secrets: CallSecrets;
  store: CallStore;
  client: () => CallAutomationClient;
  jwt: AcsJwtValidator | undefined;
  /** Report a recorded event (NDJSON sink + human log). */
  report: (event: CallEventRecord) => void;
  /** A human log line (stderr). */
  log: (line: string) => void;
  maxBodyBytes: number;
  maxWaitMs: number;
  newCallbackId?: () => string;
  /**
   * Open the call's Realtime session while it is being answered (see {@link CallAutomationOptions.prewarm}):
   * `bind` gets the call connection id the answer returns, `cancel` is called when the answer fails.
   */
  prewarm?: () => { bind(callConnectionId: string): void; cancel(): void } | undefined;
}

/** Read and parse a body, answering 413/400 itself; undefined when it did. */
async function body<T>(req: IncomingMessage, res: ServerResponse, deps: RouteDeps, parse: (t: string) => T): Promise<T | undefined> {
  let text: string;
  try {
    text = await readBody(req, deps.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) sendError(res, 413, 'VOICECTL_BODY_TOO_LARGE', err.message);
    else sendError(res, 400, 'VOICECTL_BAD_BODY', 'could not read the body');
    return undefined;
  }
  try {
    return parse(text);
  } catch (err) {
    if (err instanceof MalformedDeliveryError || err instanceof MalformedCallbackError) {
      sendError(res, 400, 'VOICECTL_MALFORMED', err.message);
      deps.log(`refused a malformed ${req.url?.startsWith(INCOMING_CALL_PATH) ? 'Event Grid delivery' : 'callback'}: ${err.message}`);
      return undefined;
    }
    throw err;
  }
}

/** `POST /api/incomingCall?code=…`. */
export async function handleIncomingCall(deps: RouteDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (url.pathname !== INCOMING_CALL_PATH) return sendError(res, 404, 'VOICECTL_NOT_FOUND', 'not found');
  if (!deps.secrets.checkWebhookCode(url.searchParams.get('code'))) {
    req.resume();
    return sendError(res, 401, 'VOICECTL_UNAUTHORIZED', 'missing or wrong ?code= secret');
  }
  const items = await body(req, res, deps, parseEventGridDelivery);
  if (!items) return;
  const validation = items.find((i) => i.kind === 'validation');
  if (validation && validation.kind === 'validation') {
    deps.log('answered the Event Grid subscription validation handshake');
    return sendJson(res, 200, { validationResponse: validation.validationCode });
  }
  await Promise.all(items.filter((i) => i.kind === 'incomingCall').map((i) => answer(deps, i)));
  sendJson(res, 200, { ok: true });
}

async function answer(deps: RouteDeps, item: EventGridItem & { kind: 'incomingCall' }): Promise<void> {
  const callbackId = (deps.newCallbackId ?? randomUUID)();
  await deps.store.ensure(callbackId, { direction: 'inbound', ...(item.from ? { from: item.from } : {}), ...(item.to ? { to: item.to } : {}) });
  deps.report(await deps.store.record(callbackId, { type: 'call.incoming', ...(item.from ? { message: `from ${item.from} to ${item.to ?? '?'}` } : {}) }));
  const transportUrl = mediaTransportUrl(deps.host, deps.mediaPath, deps.mediaToken);
  // The session handshake runs while ACS answers and connects the media socket.
  const warm = deps.prewarm?.();
  let id: string | undefined;
  try {
    const result = await deps.client().answerCall(item.incomingCallContext, callbackUrl(deps.host, callbackId, deps.secrets.callToken(callbackId)), {
      mediaStreamingOptions: mediaStreamingOptions(transportUrl),
      operationContext: ANSWER_CONTEXT,
    });
    id = result.callConnectionProperties.callConnectionId;
  } catch (err) {
    warm?.cancel();
    const f = describeSdkError(err);
    deps.report(
      await deps.store.record(callbackId, {
        type: 'answer.failed',
        ...(f.status !== undefined ? { resultCode: f.status } : {}),
        message: f.message,
        diagnosisOf: f.diagnosis,
      }),
    );
    return;
  }
  if (id) warm?.bind(id);
  else warm?.cancel();
  deps.report(await deps.store.record(callbackId, { type: 'call.answered', ...(id ? { callConnectionId: id } : {}) }));
}

/**
 * Run a handler; when the shared call state is unreachable answer 503 with `Retry-After`, so ACS
 * and Event Grid deliver again later (media sockets are not affected: they never touch the state).
 */
export async function unlessStateDown(res: ServerResponse, handler: () => Promise<void>): Promise<void> {
  try {
    await handler();
  } catch (err) {
    // The outage itself is reported once by the store (state.unavailable), not per request.
    if (!(err instanceof CallStateUnavailableError)) throw err;
    if (res.headersSent) {
      res.end();
      return;
    }
    res.setHeader('retry-after', '2');
    sendError(res, 503, err.code, 'call state unavailable, retry later');
  }
}

/** Split `<prefix><callbackId>/<token>`; undefined when the shape is wrong. */
function callPath(pathname: string, prefix: string): { callbackId: string; token: string } | undefined {
  const rest = pathname.slice(prefix.length).split('/');
  if (rest.length !== 2 || !rest[0] || !rest[1]) return undefined;
  try {
    return { callbackId: decodeURIComponent(rest[0]), token: rest[1] };
  } catch {
    return undefined;
  }
}

/** `POST /api/callbacks/<callbackId>/<token>`. */
export async function handleCallback(deps: RouteDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const p = callPath(url.pathname, CALLBACKS_PREFIX);
  if (!p || !deps.secrets.checkCallToken(p.callbackId, p.token)) {
    req.resume();
    return sendError(res, 401, 'VOICECTL_UNAUTHORIZED', 'missing or wrong per-call secret');
  }
  if (deps.jwt) {
    const check = await deps.jwt(req.headers.authorization);
    if (!check.ok) {
      req.resume();
      deps.log(`refused a callback for call ${p.callbackId}: ${check.reason}`);
      return sendError(res, 401, 'VOICECTL_UNAUTHORIZED', check.reason);
    }
  }
  const events = await body(req, res, deps, parseCallbackEvents);
  if (!events) return;
  for (const ev of events) await record(deps, p.callbackId, ev);
  sendJson(res, 200, { ok: true });
}

async function record(deps: RouteDeps, callbackId: string, ev: CallbackEvent): Promise<void> {
  await deps.store.ensure(callbackId, { direction: ev.operationContext === ANSWER_CONTEXT ? 'inbound' : ev.operationContext === PLACE_CONTEXT ? 'outbound' : 'unknown' });
  if (!ev.name) {
    deps.log(`acs call ${ev.callConnectionId ?? callbackId}: ${ev.acsType}`);
    return;
  }
  const failure = FAILURE_EVENTS.has(ev.name);
  const stored = await deps.store.record(callbackId, {
    type: ev.name,
    acsType: ev.acsType,
    ...(ev.callConnectionId ? { callConnectionId: ev.callConnectionId } : {}),
    ...(ev.code !== undefined ? { resultCode: ev.code } : {}),
    ...(ev.subCode !== undefined ? { subCode: ev.subCode } : {}),
    ...(ev.message ? { message: ev.message } : {}),
    ...(ev.streamingDetails ? { streamingDetails: ev.streamingDetails } : {}),
    ...(failure
      ? {
          diagnosisOf: diagnose({
            ...(ev.code !== undefined ? { code: ev.code } : {}),
            ...(ev.subCode !== undefined ? { subCode: ev.subCode } : {}),
            ...(ev.message ? { message: ev.message } : {}),
            ...(ev.streamingDetails ? { details: ev.streamingDetails } : {}),
            mediaUrl: mediaTransportUrl(deps.host, deps.mediaPath),
          }),
        }
      : {}),
    ...(ev.correlationId ? { correlationId: ev.correlationId } : {}),
  });
  deps.report(stored);
}

/** `GET /api/calls/<callbackId>/<token>?since=<n>&waitMs=<ms>`. */
export async function handleCallState(deps: RouteDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const p = callPath(url.pathname, CALLS_PREFIX);
  if (!p || !deps.secrets.checkCallToken(p.callbackId, p.token)) {
    return sendError(res, 401, 'VOICECTL_UNAUTHORIZED', 'missing or wrong per-call secret');
  }
  const since = Math.max(0, Number.parseInt(url.searchParams.get('since') ?? '0', 10) || 0);
  const waitMs = Math.min(deps.maxWaitMs, Math.max(0, Number.parseInt(url.searchParams.get('waitMs') ?? '0', 10) || 0));
  const events = await deps.store.waitForEvents(p.callbackId, since, waitMs);
  const rec = await deps.store.get(p.callbackId);
  const all = rec?.events ?? [];
  const verdict = verdictOf(all);
  sendJson(res, 200, {
    ok: true,
    call: {
      callbackId: p.callbackId,
      known: rec !== undefined,
      direction: rec?.direction ?? 'unknown',
      callConnectionId: rec?.callConnectionId,
      connected: rec?.connected ?? false,
      mediaStarted: rec?.mediaStarted ?? false,
      ended: rec?.ended ?? false,
      ...(verdict ? { verdict } : {}),
    },
    events,
    next: since + events.length,
  });
}
