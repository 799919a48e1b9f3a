/**
 * What the bridge's HTTP server mounts besides its own routes: extra HTTP routes (Event Grid,
 * Call Automation callbacks, the Twilio webhook, metrics) and WebSocket media legs, each on its
 * own path with its own upgrade check.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { CallCore, CallSource, MediaLeg } from './call-core.js';

/** An extra HTTP route (Event Grid webhook, Call Automation callbacks, Twilio webhook, metrics). */
export interface BridgeRoute {
  method: 'GET' | 'POST';
  /** Path prefix, e.g. `/api/incomingCall`. */
  prefix: string;
  /** Handle the request; a throw becomes a 500 (the error is reported as `http.error`). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> | void;
}

/** The verdict of a leg on an upgrade request. */
export type UpgradeVerdict = { ok: true } | { ok: false; status: number; reason: string };

/** A WebSocket media leg mounted on a path of the bridge's HTTP server. */
export interface WsLegRoute {
  /** Exact path, e.g. `/ws/media`. */
  path: string;
  source: CallSource;
  /** Check the upgrade (after the path and draining checks); a refusal is answered with its status. */
  authorize(req: IncomingMessage, url: URL): Promise<UpgradeVerdict> | UpgradeVerdict;
  /** Attach the leg's adapter to an accepted socket and its new call. */
  attach(ws: WebSocket, req: IncomingMessage, core: CallCore, active: number): MediaLeg;
  /** Subprotocols the leg accepts (the first offered that matches is chosen); default: none chosen. */
  protocols?: readonly string[];
}

