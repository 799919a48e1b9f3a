/**
 * The bridge's Twilio HTTP side: `POST /twilio/voice`, the incoming-call webhook.
 *
 * Twilio POSTs `application/x-www-form-urlencoded` fields (`CallSid`, `AccountSid`, `From`, `To`,
 * `CallStatus`, `Direction`, …) signed with the account's auth token. A request whose
 * `X-Twilio-Signature` does not validate over the public URL and the POST parameters gets 403 and
 * no TwiML; a valid one gets `text/xml` TwiML that connects the call's media to
 * `wss://<public host>/ws/twilio` with a per-call stream token in a `<Parameter>` (see
 * signature.ts), after an optional `<Say>` greeting.
 *
 * Without an auth token nothing is mounted (`/twilio/*` stays 404) and {@link TwilioRoutes.notice}
 * says what to set.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BridgeRoute } from '../bridge/server.js';
import { BodyTooLargeError, readBody } from '../calls/http.js';
import { registerSecret } from '../core/redact.js';
import { TWILIO_VOICE_PATH, configuredPublicHost, requestOrigin, streamUrl, type PublicHostSettings, type PublicOrigin } from './public-host.js';
import {
  DEFAULT_STREAM_TOKEN_TTL_MS,
  SIGNATURE_HEADER,
  STREAM_TOKEN_PARAMETER,
  checkStreamUpgrade,
  checkWebhookSignature,
  deriveStreamSecret,
  issueStreamToken,
  verifyStreamToken,
  type StreamTokenCheck,
  type StreamUpgradeDecision,
} from './signature.js';
import { streamTwiml } from './twiml.js';

/** Options of {@link twilioRoutes}. */
export interface TwilioRoutesOptions {
  /** TWILIO_AUTH_TOKEN; unset or empty: nothing is mounted. */
  authToken?: string | undefined;
  /** TWILIO_PUBLIC_HOST and CALLBACK_URI_HOST (see public-host.ts for the precedence). */
  publicHost: PublicHostSettings;
  /** TWILIO_GREETING: said before the call is connected. */
  greeting?: string | undefined;
  /** Secret of the stream tokens (default derived from the auth token). */
  streamSecret?: string | Buffer;
  /** Lifetime of a stream token, ms (default 60 000, plus 100 ms per greeting character: `<Say>` plays first). */
  streamTokenTtlMs?: number;
  /** Largest accepted webhook body, bytes (default 64 KiB; Twilio's are about 1 KiB). */
  maxBodyBytes?: number;
  /** Clock, ms since the epoch (tests). */
  now?: () => number;
  /** NDJSON sink: `twilio.webhook` {callSid, from, to, direction, callStatus}, `twilio.webhook.refused` {status, reason}. */
  onEvent?: (type: string, data: Record<string, unknown>) => void;
  /** Human log line (stderr). */
  log?: (line: string) => void;
  /**
   * Open the call's Realtime session (μ-law) while Twilio connects the stream, so the first
   * answer does not wait for the session handshake; the stream's `start` claims it by CallSid.
   */
  prewarm?: () => { bind(key: string): void; cancel(): void } | undefined;
}

/** What the bridge mounts for Twilio. */
export interface TwilioRoutes {
  /** True when TWILIO_AUTH_TOKEN is set (routes mounted, media upgrades can be checked). */
  enabled: boolean;
  /** `[POST /twilio/voice]` when enabled, else empty. */
  routes: BridgeRoute[];
  /** A start-up line for stderr when something is missing (no auth token, no public host), else undefined. */
  notice?: string;
  /** Hosts a stream URL may have been built from: the configured one, plus those learnt from signed webhooks. */
  streamHosts(): string[];
  /** Check a `/ws/twilio` upgrade's signature (always 403 when not enabled). */
  checkUpgrade(req: IncomingMessage): StreamUpgradeDecision;
  /** Check `start.customParameters` / `start.callSid` against the stream token the webhook issued. */
  verifyStart(customParameters: unknown, callSid: unknown): StreamTokenCheck;
}

/** Hosts learnt from signed webhooks are kept up to this many (most recent). */
const MAX_LEARNT_HOSTS = 8;

/**
 * Build the Twilio routes and checks.
 * @throws UsageError `VOICECTL_CALLBACK_HOST` (exit 2) when TWILIO_PUBLIC_HOST or CALLBACK_URI_HOST is malformed.
 */
export function twilioRoutes(o: TwilioRoutesOptions): TwilioRoutes {
  const authToken = o.authToken?.trim() ?? '';
  const configured = configuredPublicHost(o.publicHost);
  if (authToken === '') {
    return {
      enabled: false,
      routes: [],
      notice: 'twilio: TWILIO_AUTH_TOKEN is not set, so /twilio/voice and /ws/twilio are not served (404); set it (Twilio Console > Account info) to take Twilio calls.',
      streamHosts: () => [],
      checkUpgrade: () => ({ ok: false, status: 403, reason: 'TWILIO_AUTH_TOKEN is not set' }),
      verifyStart: () => ({ ok: false, reason: 'TWILIO_AUTH_TOKEN is not set' }),
    };
  }
  registerSecret(authToken);
  const secret = o.streamSecret ?? deriveStreamSecret(authToken);
  const now = o.now ?? Date.now;
  const greeting = o.greeting?.trim() || undefined;
  const ttlMs = o.streamTokenTtlMs ?? DEFAULT_STREAM_TOKEN_TTL_MS + 100 * (greeting?.length ?? 0);
  const learnt: string[] = [];
  const emit = o.onEvent ?? (() => {});
  const log = o.log ?? (() => {});
  const hosts = (): string[] => [...(configured ? [configured.host] : []), ...learnt];

  const refuse = (res: ServerResponse, status: number, reason: string): void => {
    emit('twilio.webhook.refused', { status, reason });
    log(`twilio webhook refused (${status}): ${reason}`);
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${status === 403 ? 'Forbidden' : 'Refused'}\n`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (url.pathname !== TWILIO_VOICE_PATH) {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not Found\n');
      return;
    }
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      req.resume();
      return refuse(res, 415, `expected a form-encoded body, got ${type.slice(0, 60) || 'none'}`);
    }
    let body: string;
    try {
      body = await readBody(req, o.maxBodyBytes ?? 64 * 1024);
    } catch (err) {
      return refuse(res, err instanceof BodyTooLargeError ? 413 : 400, err instanceof BodyTooLargeError ? err.message : 'could not read the body');
    }
    const params = formParams(body);
    const origin: PublicOrigin | undefined = configured ?? requestOrigin(req.headers);
    if (!origin) return refuse(res, 403, 'no public host: set TWILIO_PUBLIC_HOST or CALLBACK_URI_HOST');
    const signature = header(req, SIGNATURE_HEADER);
    const target = req.url ?? TWILIO_VOICE_PATH;
    if (!checkWebhookSignature(authToken, signature, `${origin.scheme}://${origin.host}${target}`, params)) {
      return refuse(res, 403, signatureDiagnosis(authToken, signature, origin, requestOrigin(req.headers), target, params));
    }
    const callSid = one(params.CallSid);
    if (!callSid || !/^CA[0-9a-fA-F]{32}$/.test(callSid)) return refuse(res, 400, 'signed, but CallSid is missing or malformed');
    if (origin.source === 'request' && !learnt.includes(origin.host)) {
      learnt.push(origin.host);
      if (learnt.length > MAX_LEARNT_HOSTS) learnt.shift();
    }
    const xml = streamTwiml({
      streamUrl: streamUrl(origin.host),
      parameters: { [STREAM_TOKEN_PARAMETER]: issueStreamToken(callSid, secret, now(), ttlMs) },
      ...(greeting ? { greeting } : {}),
    });
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(xml), 'cache-control': 'no-store' });
    res.end(xml);
    o.prewarm?.()?.bind(callSid);
    const data: Record<string, unknown> = { callSid };
    for (const [k, name] of [['from', 'From'], ['to', 'To'], ['direction', 'Direction'], ['callStatus', 'CallStatus']] as const) {
      const v = one(params[name]);
      if (v !== undefined) data[k] = v;
    }
    emit('twilio.webhook', data);
    log(`twilio call ${callSid}: webhook answered, connecting its media to ${streamUrl(origin.host)}`);
  };

  const missingHost = configured
    ? undefined
    : 'twilio: neither TWILIO_PUBLIC_HOST nor CALLBACK_URI_HOST is set: webhooks are checked against their own Host header, and /ws/twilio accepts only hosts a signed webhook used.';
  return {
    enabled: true,
    routes: [{ method: 'POST', prefix: TWILIO_VOICE_PATH, handle }],
    ...(missingHost ? { notice: missingHost } : {}),
    streamHosts: hosts,
    checkUpgrade: (req) => checkStreamUpgrade({ authToken, signature: header(req, SIGNATURE_HEADER), requestTarget: req.url, hosts: hosts() }),
    verifyStart: (customParameters, callSid) => verifyStreamToken(customParameters, callSid, secret, now()),
  };
}

/** Parse a form body: repeated names become arrays (the twilio validator sorts and dedupes them). */
export function formParams(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Why a signature failed, naming the likely fix when the request's own URL would have validated. */
function signatureDiagnosis(
  authToken: string,
  signature: string | undefined,
  used: PublicOrigin,
  fromRequest: PublicOrigin | undefined,
  target: string,
  params: Record<string, string | string[]>,
): string {
  if (!signature) return 'no X-Twilio-Signature header';
  if (used.source !== 'request' && fromRequest && fromRequest.host !== used.host) {
    for (const scheme of ['https', 'http'] as const) {
      if (checkWebhookSignature(authToken, signature, `${scheme}://${fromRequest.host}${target}`, params)) {
        return `signed for ${scheme}://${fromRequest.host}${TWILIO_VOICE_PATH}, but ${used.source} names ${used.host}: update ${used.source} or point the number at it (voicectl twilio number configure)`;
      }
    }
  }
  return `X-Twilio-Signature does not match ${used.scheme}://${used.host}${TWILIO_VOICE_PATH} (wrong TWILIO_AUTH_TOKEN, or the number's voiceUrl names another host)`;
}
