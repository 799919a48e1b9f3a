/**
 * `voicectl bridge --ari`: a Stasis app that needs no code from the user. It holds the app on
 * the ARI events WebSocket and, for every caller channel that enters it (`StasisStart`),
 * answers, bridges the caller with an externalMedia channel whose audio reaches the bridge's
 * call core (chan_websocket dialled by the bridge, or AudioSocket), and cleans up on
 * `StasisEnd` of either channel or when the media call ends (see stasis-call.ts).
 *
 * Registration facts (Asterisk 22 `res/ari/ari_websockets.c`, `res/stasis/app.c`): connecting
 * the events socket registers the app; a second client connecting for the same app name is
 * not refused: it replaces the first, which receives `ApplicationReplaced` and no further
 * events. So before connecting, `GET /applications/<app>` answering 200 means another client
 * holds the app (or closed it recently) and is reported as `ari.warning`; receiving
 * `ApplicationReplaced` means another client took the app over: reported as `ari.error`
 * (`app_replaced`), and voicectl does not fight back (no reconnect loop).
 *
 * The events socket is reconnected with exponential backoff when it drops; Asterisk keeps the
 * app's channels meanwhile, and on reconnection calls whose caller is gone are cleaned up.
 */
import type { AriClient } from './client.js';
import { openEvents, type AriEventSocket } from './events.js';
import { assessMediaPaths, AUDIOSOCKET_WIDEBAND_MIN, describeMediaPath, meetsMinimum } from './modules.js';
import { StasisCall, type AriMediaMode } from './stasis-call.js';
import type { AriEvent } from './types.js';

export type { AriMediaMode } from './stasis-call.js';

/** Channel name prefixes of the externalMedia channels the app creates itself. */
const MEDIA_CHANNEL = /^(WebSocket|AudioSocket|UnicastRTP)\//;

/** Options of {@link startStasisBridge}. */
export interface StasisBridgeOptions {
  client: AriClient;
  /** Stasis app name (ASTERISK_APP_NAME, default `voicectl`). */
  app: string;
  media: AriMediaMode;
  /**
   * Asterisk format of the externalMedia channel. Default `slin16`; for AudioSocket on an
   * Asterisk older than 20.17 / 21.12 / 22.7 / 23.1 (8 kHz kinds only), `slin`.
   */
  format?: string;
  /** `host:port` of the bridge's AudioSocket listener as Asterisk reaches it (required for `audiosocket`). */
  audioSocket?: string;
  /**
   * Dial `/media/<id>` on Asterisk and admit the call (the bridge: `connectAsteriskMedia` with
   * its registry); resolves with the bridge's call id.
   */
  connectMedia(url: string, ids: Record<string, string>): Promise<string>;
  /** NDJSON event sink: `ari.connected`, `ari.call`, `ari.ended`, `ari.warning`, `ari.error`, `ari.disconnected`. */
  onEvent(type: string, data: Record<string, unknown>): void;
  /** Reconnect backoff in ms: first delay and cap (default 500 and 30 000), doubling in between. */
  backoff?: { initialMs: number; maxMs: number };
  /** Events handshake timeout (ms, default 10 000). */
  timeoutMs?: number;
}

/** A running Stasis app. */
export interface StasisBridge {
  /**
   * Feed the bridge's own call events: `call.started` / `call.ended` of AudioSocket calls
   * (matched by UUID) and chan_websocket calls (matched by call id) end their ARI calls.
   */
  callEvent(type: string, data: Record<string, unknown>): void;
  /** Callers currently handled. */
  active(): number;
  /** Hang every call up, destroy the bridges, close the events socket. Idempotent. */
  close(): Promise<void>;
}

/**
 * Register the app and start handling calls.
 * @throws AriError when the first connection fails (auth_failed, events_failed,
 *   connection_refused, …): a misconfiguration is reported at start, not retried.
 */
export async function startStasisBridge(o: StasisBridgeOptions): Promise<StasisBridge> {
  const { client, app } = o;
  const version = (await client.info().catch(() => undefined))?.system?.version;
  const format = o.format ?? (o.media === 'audiosocket' && meetsMinimum(version, AUDIOSOCKET_WIDEBAND_MIN) === false ? 'slin' : 'slin16');
  // the chosen path's modules and version: a warning now rather than a failure at every call
  const modules = await client.modules().catch(() => undefined);
  const path = modules ? assessMediaPaths(modules, version).find((r) => r.path === o.media) : undefined;
  if (path && !path.ok) o.onEvent('ari.warning', { app, message: `${describeMediaPath(path, version)}: calls will fail at externalMedia.` });
  const backoff = o.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const calls = new Map<string, StasisCall>(); // by caller channel id
  const byMedia = new Map<string, StasisCall>(); // by externalMedia channel id
  let socket: AriEventSocket | undefined;
  let closing = false;
  let replaced = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;

  const mediaBase = client.url.eventsUrl.replace(/\/ari\/events$/, '/media/');
  const deps = {
    client, app, media: o.media, format, connectMedia: o.connectMedia, onEvent: o.onEvent,
    ...(o.audioSocket ? { audioSocket: o.audioSocket } : {}),
    mediaUrl: (id: string) => `${mediaBase}${encodeURIComponent(id)}`,
    onEnded: (call: StasisCall) => {
      calls.delete(call.callerId);
      byMedia.delete(call.mediaChannelId);
    },
  };

  const onStasisStart = (e: AriEvent): void => {
    const ch = e.channel!;
    const mine = byMedia.get(ch.id);
    if (mine) return void mine.mediaEntered();
    // an externalMedia channel voicectl did not create (another app's, or one of ours after a restart)
    if (MEDIA_CHANNEL.test(ch.name) || ch.id.startsWith('voicectl-media-')) return;
    if (calls.has(ch.id) || closing) return;
    const call = new StasisCall(ch, deps);
    calls.set(ch.id, call);
    byMedia.set(call.mediaChannelId, call);
    void call.start();
  };

  const dispatch = (e: AriEvent): void => {
    if (e.application !== undefined && e.application !== app) return;
    switch (e.type) {
      case 'StasisStart':
        if (e.channel) onStasisStart(e);
        return;
      case 'StasisEnd':
      case 'ChannelDestroyed': {
        const id = e.channel?.id ?? '';
        const call = calls.get(id) ?? byMedia.get(id);
        if (call) void call.end(call.callerId === id ? 'caller hung up' : 'media channel hung up');
        return;
      }
      case 'ApplicationReplaced':
        replaced = true;
        o.onEvent('ari.error', {
          code: 'app_replaced',
          app,
          message: `Another ARI client registered Stasis app "${app}": Asterisk now sends its calls there and voicectl gets none. Stop the other client (asterisk -rx "ari show apps"), or give voicectl its own ASTERISK_APP_NAME and dialplan.`,
        });
        return;
      default:
    }
  };

  const connect = async (): Promise<void> => {
    const s = await openEvents(client, { app, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
    if (closing) return void (await s.close());
    socket = s;
    s.onEvent(dispatch);
    s.onClose((code, reason) => {
      socket = undefined;
      if (closing || replaced) return;
      scheduleReconnect(`events socket closed (${code}${reason ? ` ${reason}` : ''})`);
    });
  };

  const scheduleReconnect = (why: string): void => {
    const delayMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt);
    attempt += 1;
    o.onEvent('ari.disconnected', { app, reason: why, attempt, delayMs });
    timer = setTimeout(() => {
      timer = undefined;
      if (closing) return;
      connect().then(
        () => {
          if (closing) return;
          attempt = 0;
          o.onEvent('ari.connected', { app, url: client.url.base, media: o.media, reconnected: true });
          void sweep();
        },
        (err: unknown) => scheduleReconnect(err instanceof Error ? err.message : String(err)),
      );
    }, delayMs);
    timer.unref();
  };

  /** After a reconnection: end the calls whose caller hung up while no events came. */
  const sweep = async (): Promise<void> => {
    for (const call of [...calls.values()]) {
      const res = await client.raw('GET', `/channels/${encodeURIComponent(call.callerId)}`).catch(() => undefined);
      if (res?.status === 404) void call.end('caller hung up while ARI was disconnected');
    }
  };

  const before = await client.raw('GET', `/applications/${encodeURIComponent(app)}`);
  if (before.status === 200) {
    o.onEvent('ari.warning', {
      app,
      message: `Stasis app "${app}" is already registered: another ARI client holds it (it now loses its calls to voicectl) or it closed moments ago. Check with asterisk -rx "ari show apps".`,
    });
  }
  await connect();
  o.onEvent('ari.connected', { app, url: client.url.base, media: o.media, ...(o.audioSocket ? { audioSocket: o.audioSocket } : {}) });

  let closed: Promise<void> | undefined;
  return {
    callEvent(type, data) {
      if (type === 'call.started' && o.media === 'audiosocket' && typeof data.callId === 'string') {
        for (const call of calls.values()) if (data.uuid === call.uuid) call.callId = data.callId;
        return;
      }
      if (type !== 'call.ended') return;
      for (const call of calls.values()) {
        const same = (call.callId !== undefined && data.callId === call.callId) || (o.media === 'audiosocket' && data.uuid === call.uuid);
        if (same) void call.end('media call ended');
      }
    },
    active: () => calls.size,
    close() {
      closed ??= (async () => {
        closing = true;
        if (timer) clearTimeout(timer);
        await Promise.all([...calls.values()].map((c) => c.end('bridge stopping')));
        await socket?.close();
      })();
      return closed;
    },
  };
}
