/**
 * Where Twilio opens Media Streams: `/ws/twilio` on the bridge's HTTP server. The upgrade must
 * carry a valid `X-Twilio-Signature` for the exact `wss://` URL the webhook's TwiML named (see
 * src/twilio/signature.ts for the rule and its sources); the per-call token is checked at `start`.
 */
import type { IncomingMessage } from 'node:http';
import type { UpgradeVerdict, WsLegRoute } from '../routes.js';
import { TwilioLeg, type TwilioStreamAuth } from './twilio.js';

/** The Twilio side the route needs: the upgrade check and the `start` token check. */
export interface TwilioStreamChecks extends TwilioStreamAuth {
  checkUpgrade(req: IncomingMessage): UpgradeVerdict;
}

/** The Media Streams leg's route. */
export function twilioWsRoute(o: { path: string; checks: TwilioStreamChecks; maxQueuedBytes: number }): WsLegRoute {
  return {
    path: o.path,
    source: 'twilio',
    authorize: (req) => o.checks.checkUpgrade(req),
    attach: (ws, _req, core) => new TwilioLeg(ws, core, { auth: o.checks, maxQueuedBytes: o.maxQueuedBytes }),
  };
}
