/**
 * `voicectl call`: ask ACS to place a call with media streaming to the bridge, then follow the
 * call's events from the running bridge (`GET /api/calls/<callbackId>/<token>`, long-poll) until a
 * verdict: connected and media started, or the step that failed and why.
 */
import { randomUUID } from 'node:crypto';
import { CancelledError, UserError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { createClient, describeSdkError, mediaStreamingOptions, type CallAutomationClientOptions } from './client.js';
import { PLACE_CONTEXT } from './routes.js';
import { deriveSecrets, parseConnectionString } from './secrets.js';
import { verdictOf, type CallEventRecord, type CallVerdict } from './state.js';
import type { CallTarget } from './targets.js';
import { CALLS_PREFIX, callbackUrl, mediaTransportUrl, publicHost } from './urls.js';

/** Options for {@link placeCall}. */
export interface PlaceCallOptions {
  connectionString: string;
  target: CallTarget;
  /** The bridge's public https origin (`--bridge-url`, default `CALLBACK_URI_HOST`). */
  bridgeUrl: string;
  /** Where to read the call's events (default the bridge URL); e.g. `http://127.0.0.1:8000` on the bridge's machine. */
  followUrl?: string;
  mediaPath?: string;
  /** The bridge's media token (`VOICECTL_MEDIA_TOKEN`), put in the transport URL. */
  mediaToken?: string;
  /** How long to wait for a verdict, in ms. */
  timeoutMs: number;
  /** Long-poll hold per request in ms (default 10 000). */
  pollWaitMs?: number;
  clientOptions?: CallAutomationClientOptions;
  fetch?: typeof fetch;
  /** Progress: `call.placed` and each event the bridge recorded. */
  onEvent?: (event: { type: string } & Record<string, unknown>) => void;
  signal?: AbortSignal;
  newCallbackId?: () => string;
}

/** The outcome of {@link placeCall}. */
export interface PlaceCallResult {
  callbackId: string;
  callConnectionId: string | undefined;
  verdict: CallVerdict;
  events: CallEventRecord[];
}

interface CallStateResponse {
  ok: boolean;
  call: { verdict?: CallVerdict; connected: boolean; callConnectionId?: string };
  events: CallEventRecord[];
  next: number;
}

/**
 * Place the call and follow it.
 * @throws UsageError for a bad connection string or bridge URL; UserError when the bridge cannot be
 *   reached or refuses (`VOICECTL_BRIDGE_UNREACHABLE`, `VOICECTL_BRIDGE_NOT_ANSWERING`,
 *   `VOICECTL_BRIDGE_SECRET_MISMATCH`) or ACS refuses the call (`VOICECTL_ACS_CREATE_FAILED`);
 *   CancelledError when `signal` aborts. A call that fails later is a verdict, not a throw.
 */
export async function placeCall(o: PlaceCallOptions): Promise<PlaceCallResult> {
  const conn = parseConnectionString(o.connectionString);
  const host = publicHost(o.bridgeUrl, '--bridge-url');
  const secrets = deriveSecrets(conn.accessKey);
  const callbackId = (o.newCallbackId ?? randomUUID)();
  const token = secrets.callToken(callbackId);
  const followBase = (o.followUrl ?? `https://${host}`).replace(/\/+$/, '');
  const stateUrl = `${followBase}${CALLS_PREFIX}${encodeURIComponent(callbackId)}/${token}`;
  const doFetch = o.fetch ?? fetch;

  const poll = async (since: number, waitMs: number): Promise<CallStateResponse> => {
    let res: Response;
    try {
      res = await doFetch(`${stateUrl}?since=${since}&waitMs=${Math.max(0, Math.round(waitMs))}`, o.signal ? { signal: o.signal } : {});
    } catch (err) {
      if (o.signal?.aborted) throw new CancelledError();
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new UserError(`Cannot reach the bridge at ${followBase} (${cause}).`, {
        code: 'VOICECTL_BRIDGE_UNREACHABLE',
        hint: `Start \`voicectl bridge\` with AZURE_COMMUNICATION_CONNECTION_STRING and CALLBACK_URI_HOST set, and check the tunnel (\`curl ${followBase}/api/health\`); on the bridge's machine, --follow-url http://127.0.0.1:8000 skips the tunnel.`,
        cause: err,
      });
    }
    if (res.status === 404) {
      throw new UserError(`The bridge at ${followBase} does not answer ACS calls (no ${CALLS_PREFIX} route).`, {
        code: 'VOICECTL_BRIDGE_NOT_ANSWERING',
        hint: 'Restart `voicectl bridge` with AZURE_COMMUNICATION_CONNECTION_STRING and CALLBACK_URI_HOST set.',
      });
    }
    if (res.status === 401) {
      throw new UserError(`The bridge at ${followBase} refused this call's secret.`, {
        code: 'VOICECTL_BRIDGE_SECRET_MISMATCH',
        hint: 'Run `voicectl call` with the same AZURE_COMMUNICATION_CONNECTION_STRING as the bridge.',
      });
    }
    if (!res.ok) {
      throw new UserError(`The bridge at ${followBase} answered HTTP ${res.status}.`, {
        code: 'VOICECTL_BRIDGE_UNREACHABLE',
        hint: 'Check that --bridge-url / --follow-url point at `voicectl bridge`, not another server.',
      });
    }
    return (await res.json()) as CallStateResponse;
  };

  // Preflight: make sure the bridge will hear the callbacks before asking ACS for a call.
  await poll(0, 0);

  let callConnectionId: string | undefined;
  try {
    const invite =
      o.target.kind === 'acsUser'
        ? { targetParticipant: { communicationUserId: o.target.communicationUserId } }
        : { targetParticipant: { phoneNumber: o.target.phoneNumber }, sourceCallIdNumber: { phoneNumber: o.target.from } };
    const result = await createClient(conn.connectionString, o.clientOptions).createCall(invite, callbackUrl(host, callbackId, token), {
      mediaStreamingOptions: mediaStreamingOptions(mediaTransportUrl(host, o.mediaPath, o.mediaToken)),
      operationContext: PLACE_CONTEXT,
      ...(o.signal ? { abortSignal: o.signal } : {}),
    });
    callConnectionId = result.callConnectionProperties.callConnectionId;
  } catch (err) {
    if (o.signal?.aborted) throw new CancelledError();
    const f = describeSdkError(err);
    throw new UserError(`ACS refused to place the call${f.status ? ` (HTTP ${f.status}${f.code ? ` ${f.code}` : ''})` : ''}: ${f.diagnosis.diagnosis}`, {
      code: 'VOICECTL_ACS_CREATE_FAILED',
      hint: f.diagnosis.fix,
      cause: err,
    });
  }
  o.onEvent?.({ type: 'call.placed', callbackId, callConnectionId, target: redact(targetId(o.target)) });

  const events: CallEventRecord[] = [];
  const deadline = Date.now() + o.timeoutMs;
  let since = 0;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const r = await poll(since, Math.min(o.pollWaitMs ?? 10_000, remaining));
    for (const e of r.events) {
      events.push(e);
      o.onEvent?.({ ...e });
    }
    since = r.next;
    callConnectionId ??= r.call.callConnectionId;
    const verdict = r.call.verdict ?? verdictOf(events);
    if (verdict) return { callbackId, callConnectionId, verdict, events };
  }
  return { callbackId, callConnectionId, verdict: timeoutVerdict(events, o.timeoutMs, host), events };
}

function targetId(t: CallTarget): string {
  return t.kind === 'acsUser' ? t.communicationUserId : t.phoneNumber;
}

/** The verdict when no outcome arrived within the timeout. */
export function timeoutVerdict(events: readonly CallEventRecord[], timeoutMs: number, host: string): CallVerdict {
  const s = Math.round(timeoutMs / 1000);
  if (events.length === 0) {
    return {
      ok: false,
      step: 'call',
      summary: `no callback reached the bridge within ${s} s`,
      cause: 'no-callbacks',
      diagnosis: `ACS accepted the call, but no callback reached the bridge through https://${host} within ${s} s (or the callee never answered).`,
      fix: `Check that https://${host}/api/health reaches this bridge through the tunnel, that the bridge runs with the same connection string, and that the callee accepts the call.`,
    };
  }
  const connected = events.some((e) => e.type === 'call.connected');
  return {
    ok: false,
    step: connected ? 'media' : 'call',
    summary: connected ? `media streaming did not start within ${s} s` : `the call did not connect within ${s} s`,
    cause: 'timeout',
    diagnosis: connected
      ? `The call connected but ACS did not report media streaming within ${s} s.`
      : `The callee did not answer within ${s} s.`,
    fix: connected
      ? `Run \`voicectl ws-probe wss://${host}/ws/media\` and watch the bridge log.`
      : 'Accept the call on the target (e.g. in the browser client), or raise --timeout.',
  };
}
