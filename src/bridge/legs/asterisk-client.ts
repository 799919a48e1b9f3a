/**
 * The bridge dials Asterisk for a chan_websocket channel created with
 * `connection_type=server` (ARI externalMedia, or `Dial(WebSocket/INCOMING/…)`): it connects to
 * `ws://<asterisk http>/media/<MEDIA_WEBSOCKET_CONNECTION_ID>` with the subprotocol `media`, and
 * the socket becomes an Asterisk leg in the bridge's registry like one Asterisk opened itself.
 *
 * Source: Asterisk 22 `chan_websocket.c` (`incoming_ws_http_callback`), verified on 22.10.1:
 * unknown id → 404, a second connection for an id → 409, no authentication (the random id is
 * the secret), `MEDIA_START` sent at once on connect.
 */
import WebSocket from 'ws';
import type { CallCore } from '../call-core.js';
import type { BridgeCalls } from '../bridge-calls.js';
import { AsteriskWsLeg } from './asterisk-ws.js';

/** Options of {@link connectAsteriskMedia}. */
export interface AsteriskMediaConnection {
  /** `ws://host:8088/media/<connection id>` (with Asterisk's http.conf `prefix`, `/<prefix>/media/…`). */
  url: string;
  registry: BridgeCalls;
  /** Ids to put on the call's events (e.g. the caller's channel id from ARI). */
  ids?: Record<string, string>;
  /** Opening-handshake timeout (ms, default 5000). */
  timeoutMs?: number;
}

/**
 * Connect and admit the call.
 * @returns the call, once the socket is open.
 * @throws Error `the bridge is shutting down` / `at its call limit` when the registry refuses,
 *   or the connection error (e.g. `Unexpected server response: 404`).
 */
export async function connectAsteriskMedia(o: AsteriskMediaConnection): Promise<CallCore> {
  const ws = new WebSocket(o.url, 'media', { perMessageDeflate: false, handshakeTimeout: o.timeoutMs ?? 5000 });
  // MEDIA_START arrives right after the upgrade: attach the leg before the first message is read.
  const opened = new Promise<CallCore>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('upgrade', () => {
      const core = o.registry.admit('asterisk', new URL(o.url).host);
      if (typeof core === 'string') {
        ws.once('open', () => ws.close(core === 'draining' ? 1001 : 1013, core));
        return reject(new Error(core === 'draining' ? 'the bridge is shutting down' : 'the bridge is at its call limit'));
      }
      if (o.ids) core.identify(o.ids);
      core.attach(new AsteriskWsLeg(ws, core, { transport: 'websocket-server' }));
      ws.off('error', reject);
      resolve(core);
    });
  });
  return opened;
}
