/**
 * Where Asterisk's chan_websocket dials the bridge: the `/ws/asterisk` path of its HTTP server.
 *
 * Authentication is HTTP Basic, the way `websocket_client.conf` sends it (`username` and
 * `password` both set → `Authorization: Basic …`): the password must be the bridge's media
 * token; the user name is not checked. Not `v()` query parameters: Asterisk keeps them on the
 * shared connection object and sends one call's values with the next call.
 * Asterisk offers the subprotocol `media` when `protocols = media` is configured; the bridge
 * accepts it (an answer without it is accepted too).
 */
import { basicPassword, secretMatches } from '../media-auth.js';
import type { WsLegRoute } from '../routes.js';
import { AsteriskWsLeg } from './asterisk-ws.js';

/** The chan_websocket leg's route. Without a media token it is open (the start-up text warns). */
export function asteriskWsRoute(o: { path: string; mediaToken?: string }): WsLegRoute {
  return {
    path: o.path,
    source: 'asterisk',
    protocols: ['media'],
    authorize(req) {
      if (o.mediaToken && !secretMatches(basicPassword(req), o.mediaToken)) {
        return { ok: false, status: 401, reason: 'Basic credentials missing or wrong: set websocket_client.conf username and password (the media token)' };
      }
      return { ok: true };
    },
    attach(ws, _req, core) {
      return new AsteriskWsLeg(ws, core);
    },
  };
}
