/**
 * A small typed ARI REST client over Node's `fetch`, with HTTP Basic auth.
 *
 * Endpoints and shapes: Asterisk 22 `rest-api/api-docs/*.json`, verified against
 * Asterisk 22.10.1. Failures become {@link AriError}s carrying a verdict:
 * 401 → auth_failed, 403 → write_denied, 404 with a non-JSON body → ari_not_found (the
 * HTTP server has no ARI there: res_ari missing or a prefix missing), 404 with an ARI
 * `{"message"}` body → the caller's not-found verdict, 400 → bad_request, any other
 * non-2xx → http_error; socket errors → connection_refused / dns_error / connect_timeout.
 */
import type { AriApplication, AriAsteriskInfo, AriBridge, AriChannel, AriModule, ExternalMediaParams, OriginateParams } from './types.js';
import { restUrl, type AriUrl } from './url.js';
import { AriError, verdictForSocketError, type AriVerdict } from './verdicts.js';

/** Options of {@link AriClient}. */
export interface AriClientOptions {
  url: AriUrl;
  user: string;
  password: string;
  /** Injected fetch (default the global one). */
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 10000). */
  timeoutMs?: number;
}

/** A raw ARI answer: status, parsed JSON (when the body is JSON) and the text. */
export interface AriResponse {
  status: number;
  json: unknown;
  text: string;
}

/** The ARI REST surface voicectl uses. */
export class AriClient {
  readonly url: AriUrl;
  readonly user: string;
  private readonly authHeader: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: AriClientOptions) {
    this.url = options.url;
    this.user = options.user;
    this.authHeader = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The `Authorization` header value (also used for the events WebSocket). */
  get authorization(): string {
    return this.authHeader;
  }

  /**
   * One request; never throws for an HTTP status, only for a socket failure.
   * @throws AriError connection_refused / dns_error / connect_timeout / http_error (no answer).
   */
  async raw(method: string, path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): Promise<AriResponse> {
    const target = restUrl(this.url.base, path, query);
    let res: Response;
    try {
      res = await this.fetchImpl(target, {
        method,
        headers: {
          authorization: this.authHeader,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw socketFailure(err, `${this.url.host}:${this.url.port}`, this.timeoutMs);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  /**
   * A request that must succeed (2xx); returns the parsed JSON body.
   * @param notFound the verdict for an ARI 404 with a `{"message"}` body (default http_error).
   * @throws AriError as described in the module doc.
   */
  async call<T>(method: string, path: string, query: Record<string, string | number | undefined> = {}, body?: unknown, notFound: Exclude<AriVerdict, 'ok'> = 'http_error'): Promise<T> {
    const res = await this.raw(method, path, query, body);
    if (res.status >= 200 && res.status < 300) return res.json as T;
    throw httpFailure(res, `${method} ${this.url.prefix}/ari${path}`, this.user, notFound);
  }

  /** `GET /asterisk/info`. */
  info(): Promise<AriAsteriskInfo> {
    return this.call('GET', '/asterisk/info');
  }

  /** `GET /applications/{name}`; AriError app_not_registered on 404. */
  application(name: string): Promise<AriApplication> {
    return this.call('GET', `/applications/${encodeURIComponent(name)}`, {}, undefined, 'app_not_registered');
  }

  /** `GET /channels`: every live channel. */
  channels(): Promise<AriChannel[]> {
    return this.call('GET', '/channels');
  }

  /** `POST /channels` (originate); returns the new channel (state usually `Down`). */
  originate(p: OriginateParams): Promise<AriChannel> {
    return this.call('POST', '/channels', {
      endpoint: p.endpoint,
      app: p.app,
      appArgs: p.appArgs && p.appArgs.length > 0 ? p.appArgs.join(',') : undefined,
      extension: p.extension,
      context: p.context,
      priority: p.priority,
      callerId: p.callerId,
      timeout: p.timeout,
      channelId: p.channelId,
      otherChannelId: p.otherChannelId,
    });
  }

  /** `DELETE /channels/{id}` (hang up, 204); AriError channel_not_found on 404. */
  async hangup(channelId: string, reason?: string): Promise<void> {
    await this.call('DELETE', `/channels/${encodeURIComponent(channelId)}`, { reason }, undefined, 'channel_not_found');
  }

  /** `POST /channels/{id}/answer` (204); AriError channel_not_found on 404, http_error on 409 (not in Stasis). */
  async answer(channelId: string): Promise<void> {
    await this.call('POST', `/channels/${encodeURIComponent(channelId)}/answer`, {}, undefined, 'channel_not_found');
  }

  /** `POST /channels/externalMedia`: the new channel, with `channelvars` (e.g. `MEDIA_WEBSOCKET_CONNECTION_ID`). */
  externalMedia(p: ExternalMediaParams): Promise<AriChannel & { channelvars?: Record<string, string> }> {
    return this.call('POST', '/channels/externalMedia', {
      app: p.app,
      channelId: p.channelId,
      format: p.format,
      transport: p.transport,
      encapsulation: p.encapsulation,
      connection_type: p.connectionType,
      external_host: p.externalHost,
      data: p.data,
      transport_data: p.transportData,
    });
  }

  /** `POST /bridges?type=<type>`: a new bridge (`mixing` mixes audio both ways). */
  createBridge(type: string, bridgeId?: string, name?: string): Promise<AriBridge> {
    return this.call('POST', '/bridges', { type, bridgeId, name });
  }

  /** `POST /bridges/{id}/addChannel?channel=a,b` (204); 422 when a channel is not in Stasis. */
  async addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    await this.call('POST', `/bridges/${encodeURIComponent(bridgeId)}/addChannel`, { channel: channelIds.join(',') });
  }

  /** `DELETE /bridges/{id}` (204); AriError http_error on 404. */
  async destroyBridge(bridgeId: string): Promise<void> {
    await this.call('DELETE', `/bridges/${encodeURIComponent(bridgeId)}`);
  }

  /** `GET /asterisk/modules`: every loaded module. */
  modules(): Promise<AriModule[]> {
    return this.call('GET', '/asterisk/modules');
  }
}

/** The `message` of an ARI error body (`{"message":"..."}`), if any. */
export function ariMessage(json: unknown): string | undefined {
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  if (json && typeof json === 'object' && typeof (json as { error?: unknown }).error === 'string') {
    return (json as { error: string }).error;
  }
  return undefined;
}

/** Turn a non-2xx response into the AriError of its verdict. */
export function httpFailure(res: AriResponse, what: string, user: string, notFound: Exclude<AriVerdict, 'ok'>): AriError {
  const msg = ariMessage(res.json);
  const said = msg ? `: ${msg}` : '';
  switch (res.status) {
    case 401:
      return new AriError('auth_failed', `ARI refused the credentials of user "${user}" (401${said})`, { status: 401 });
    case 403:
      return new AriError('write_denied', `ARI denied ${what} to user "${user}" (403${said})`, { status: 403 });
    case 404:
      if (msg === undefined) return new AriError('ari_not_found', `No ARI at ${what} (404 from the HTTP server)`, { status: 404 });
      return new AriError(notFound, `${what}: 404${said}`, { status: 404 });
    case 400:
      return new AriError('bad_request', `${what}: 400${said}`, { status: 400 });
    default:
      return new AriError('http_error', `${what}: HTTP ${res.status}${said}`, { status: res.status });
  }
}

/** Turn a fetch / socket failure into the AriError of its verdict. */
export function socketFailure(err: unknown, where: string, timeoutMs: number): AriError {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string; message?: string }; message?: string };
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined); // DOMException.code is a number
  const code =
    e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' ? 'TimeoutError' : (str(e?.cause?.code) ?? str(e?.code));
  const verdict = verdictForSocketError(code) ?? 'http_error';
  const detail = code === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (code ?? e?.cause?.message ?? e?.message ?? String(err));
  const lead = {
    connection_refused: `Connection refused by ${where}`,
    dns_error: `Cannot resolve the host of ${where}`,
    connect_timeout: `No answer from ${where}`,
    http_error: `HTTP request to ${where} failed`,
  }[verdict];
  return new AriError(verdict, `${lead} (${detail})`, { cause: err });
}
