/**
 * `voicectl tunnel up --route-calls`: once the tunnel is up (and probed), point voicectl's Event Grid
 * IncomingCall subscription at the new public host, with the URL derived exactly as the bridge
 * derives it (src/calls/incoming-url.ts). A failure here is reported with its fix and leaves the
 * tunnel running: the tunnel is still useful for outbound calls.
 */
import type { CommandContext } from '../../cli/context.js';
import type { Output } from '../../cli/output.js';
import type { Config } from '../../config/load.js';
import { isVoicectlError } from '../../core/errors.js';
import { redact } from '../../core/redact.js';

/**
 * Update the route; emits `tunnel.route` `{ok, action, endpoint (secret masked), previousHost}` or
 * `{ok: false, code, message, hint}` and human lines on stderr.
 * @returns whether the route now points at `callbackUriHost`. Only non-voicectl errors (bugs) are thrown.
 */
export async function routeCallsStep(
  ctx: CommandContext,
  output: Output,
  config: Config | undefined,
  callbackUriHost: string,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    const [{ resolveRouteTarget, bridgeEndpoint, openRouteService }, { routeCalls, DEFAULT_ROUTE_NAME }] = await Promise.all([
      import('../../acs/route-settings.js'),
      import('../../acs/route-calls.js'),
    ]);
    const settings = config ?? (await ctx.config());
    const target = resolveRouteTarget({}, settings);
    const endpoint = bridgeEndpoint(settings, callbackUriHost);
    output.info(`Routing incoming ACS calls to ${callbackUriHost} (Event Grid subscription ${DEFAULT_ROUTE_NAME})…`);
    const { svc, ca } = await openRouteService(target, ctx.io.env, { signal });
    const r = await routeCalls(svc, {
      acs: target.acs,
      name: DEFAULT_ROUTE_NAME,
      url: endpoint.url,
      // Keep the number filter an earlier `acs route-calls --phone-number` set.
      phoneNumbers: 'keep',
      ...(ca ? { ca } : {}),
      signal,
      onStep: (text) => output.debug(text),
    });
    output.event('tunnel.route', { ok: true, action: r.action, subscription: r.subscription.name, endpoint: r.endpoint, previousHost: r.previousHost ?? null });
    const was = r.previousHost && r.previousHost !== r.subscription.endpointHost ? ` (was ${r.previousHost})` : '';
    output.info(`${output.errColor.green('✓')} IncomingCall route ${r.action}: ${r.endpoint}${was}`);
    return true;
  } catch (err) {
    if (!isVoicectlError(err)) throw err;
    output.event('tunnel.route', { ok: false, code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) });
    output.warn(`Could not update the IncomingCall route: ${redact(err.message)}`);
    if (err.hint) output.info(`hint: ${err.hint}`);
    output.info('The tunnel stays up; fix that and run `voicectl acs route-calls` in another terminal.');
    return false;
  }
}
