/**
 * The `acs` group's Event Grid check, run when ARM settings are present (AZURE_SUBSCRIPTION_ID, the
 * endpoint from AZURE_ARM_ENDPOINT): voicectl's IncomingCall subscription exists on the resource's
 * system topic, is Succeeded, points at the current CALLBACK_URI_HOST (a stale quick-tunnel host is
 * the usual cause of "the phone rings but nothing answers") and carries the bridge's `?code=` secret.
 * Read-only: list/get/getFullUrl requests only.
 */
import type { Config } from '../config/load.js';
import { isVoicectlError } from '../core/errors.js';
import { fail, pass, skip, type Outcome } from './types.js';

/** Options of {@link checkRoute}. */
export interface RouteCheckOptions {
  config: Pick<Config, 'get' | 'lookup'>;
  /** The environment (NODE_EXTRA_CA_CERTS for ARM and trust). */
  env: Readonly<Record<string, string | undefined>>;
}

const FIX = 'Run `voicectl acs route-calls` with the bridge and the tunnel running (or restart the tunnel with `voicectl tunnel up --write-env --route-calls`).';

/**
 * Inspect the route.
 * @returns pass naming the endpoint host; fail with the fix for a missing, failed, stale or
 *   wrongly-keyed subscription; skip when Azure sign-in is not available.
 */
export async function checkRoute(o: RouteCheckOptions): Promise<Outcome> {
  const [{ resolveRouteTarget, bridgeEndpoint, openRouteService }, { inspectRoute, DEFAULT_ROUTE_NAME }, { publicHost }] = await Promise.all([
    import('../acs/route-settings.js'),
    import('../acs/route-calls.js'),
    import('../calls/urls.js'),
  ]);
  try {
    const target = resolveRouteTarget({}, o.config);
    const { svc } = await openRouteService(target, o.env);
    const state = await inspectRoute(svc, target.acs, DEFAULT_ROUTE_NAME);
    if (state.kind === 'no-topic') return fail(`${state.acs.name} has no Event Grid system topic: incoming calls are not routed anywhere`, FIX);
    if (state.kind === 'missing') return fail(`no event subscription ${DEFAULT_ROUTE_NAME} on ${state.topic.name}: incoming calls are not routed to the bridge`, FIX);
    const r = state.route;
    if (r.provisioningState !== 'Succeeded') return fail(`event subscription ${r.name} is ${r.provisioningState}`, FIX);
    const hostSetting = o.config.get('CALLBACK_URI_HOST');
    if (hostSetting) {
      const current = publicHost(hostSetting);
      if (r.endpointHost?.toLowerCase() !== current.toLowerCase()) {
        return fail(`IncomingCall goes to ${r.endpointHost ?? '?'}, but CALLBACK_URI_HOST is ${current}: calls ring into a stale tunnel`, FIX);
      }
      const full = await svc.fullUrl(state.topic, r.name);
      const code = full ? new URL(full).searchParams.get('code') : null;
      if (code !== bridgeEndpoint(o.config).code) {
        return fail(`event subscription ${r.name} does not carry the bridge's ?code= secret: the bridge answers every IncomingCall with 401`, FIX);
      }
    }
    const numbers = r.phoneNumbers.length > 0 ? r.phoneNumbers.join(', ') : 'all numbers';
    return pass(`IncomingCall (${numbers}) → ${r.endpointHost ?? '?'}${r.endpointBaseUrl ? new URL(r.endpointBaseUrl).pathname : ''} (${r.provisioningState})`);
  } catch (err) {
    if (!isVoicectlError(err)) throw err;
    if (err.code === 'VOICECTL_AZURE_LOGIN' || err.code === 'VOICECTL_AZURE_CREDENTIAL') return skip(`not checked: ${err.message}`, err.hint);
    return fail(err.message, err.hint);
  }
}
