/**
 * Where ACS media streaming connects: `--media-path` (default `/ws/media`). The upgrade carries
 * the media token as `?token=` (in the ACS transport URL) or `Authorization: Bearer`, then, when
 * the ACS resource id is known, the JWT ACS signs (the `authorizeMediaUpgrade` hook).
 */
import type { IncomingMessage } from 'node:http';
import { hasMediaToken } from '../media-auth.js';
import type { UpgradeVerdict, WsLegRoute } from '../routes.js';
import { AcsLeg } from './acs.js';

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** The ACS media streaming leg's route: token, then the JWT hook. */
export function acsRoute(
  options: { mediaPath: string; mediaToken?: string; authorizeMediaUpgrade?: (req: IncomingMessage) => Promise<UpgradeVerdict> },
  limits: { maxQueuedBytes: number; maxFrameBytes: number },
  describeUpstream: () => string,
): WsLegRoute {
  return {
    path: options.mediaPath,
    source: 'acs',
    async authorize(req, url) {
      if (options.mediaToken && !hasMediaToken(req, url, options.mediaToken)) {
        return { ok: false, status: 401, reason: 'media token missing or wrong (?token= or Authorization: Bearer)' };
      }
      if (!options.authorizeMediaUpgrade) return { ok: true };
      try {
        return await options.authorizeMediaUpgrade(req);
      } catch (err) {
        return { ok: false, status: 401, reason: `authorization failed: ${(err as Error).message}` };
      }
    },
    attach(ws, req, core, active) {
      core.identify({ connectionId: header(req, 'x-ms-call-connection-id'), correlationId: header(req, 'x-ms-call-correlation-id') });
      const leg = new AcsLeg(ws, core, limits);
      core.announce({ upstream: describeUpstream(), active });
      return leg;
    },
  };
}

