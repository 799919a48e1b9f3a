/**
 * The action of `voicectl acs route-calls` (loaded lazily): resolve the target, then create/update,
 * show or delete the IncomingCall route, and render the result (never the `?code=` secret).
 */
import type { CommandContext } from '../../cli/context.js';
import { UsageError } from '../../core/errors.js';
import type { Output } from '../../cli/output.js';
import type { RouteCallsResult, RoutesListing } from '../../acs/route-calls.js';
import type { RouteCallsOptions } from './route-calls.js';

/** Run the command with parsed options. */
export async function runRouteCalls(ctx: CommandContext, opts: RouteCallsOptions): Promise<void> {
  const [{ resolveRouteTarget, bridgeEndpoint, openRouteService }, routes] = await Promise.all([
    import('../../acs/route-settings.js'),
    import('../../acs/route-calls.js'),
  ]);
  const config = await ctx.config();
  const out = ctx.output({ json: opts.json });
  const target = resolveRouteTarget(opts, config);
  // Checked before any request: a missing setting is a usage error, not an Azure one.
  const url = opts.show || opts.delete ? undefined : opts.url ? checkUrl(opts.url) : bridgeEndpoint(config).url;
  const abort = new AbortController();
  const off = ctx.io.onSignal(() => abort.abort());
  const step = (text: string): void => {
    if (!out.jsonMode) out.info(`${text}…`);
  };
  try {
    const { svc, register, ca } = await openRouteService(target, ctx.io.env, { onStep: step, signal: abort.signal });
    if (opts.show) return renderListing(out, await routes.showRoutes(svc, target.acs));
    if (opts.delete) {
      const r = await routes.deleteRoute(svc, target.acs, opts.name);
      if (out.jsonMode) return out.json({ name: opts.name, deleted: r.deleted, acs: { name: r.acs.name, resourceGroup: r.acs.resourceGroup } });
      out.print(r.deleted ? `Deleted event subscription ${opts.name} of ${r.acs.name}.` : `No event subscription named ${opts.name} on ${r.acs.name}: nothing to delete.`);
      return;
    }
    const result = await routes.routeCalls(svc, {
      acs: target.acs,
      name: opts.name,
      url: url!,
      phoneNumbers: opts.phoneNumber ?? [],
      ...(opts.registerProvider ? { registerProvider: register } : {}),
      ...(ca ? { ca } : {}),
      signal: abort.signal,
      onStep: step,
    });
    renderResult(out, result);
  } finally {
    off();
  }
}

/** `--url` must be https with a path (Event Grid accepts only https WebHooks). */
function checkUrl(value: string): string {
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  if (!u || u.protocol !== 'https:') {
    throw new UsageError(`--url must be an https:// URL, got "${value.replace(/code=[^&]*/g, 'code=***')}".`, {
      code: 'VOICECTL_USAGE',
      hint: 'Event Grid only delivers to https WebHooks; omit --url to use the bridge\'s own URL from CALLBACK_URI_HOST.',
    });
  }
  return u.href;
}

function renderResult(out: Output, r: RouteCallsResult): void {
  if (out.jsonMode) return out.json(r);
  const c = out.color;
  const s = r.subscription;
  out.print(`${c.green('✓')} Incoming calls of ${r.acs.name} now go to ${r.endpoint}`);
  out.print(`  system topic:  ${r.topic.name}${r.topic.created ? ' (created)' : ''}`);
  out.print(`  subscription:  ${s.name} (${r.action}${r.previousHost && r.previousHost !== s.endpointHost ? `; was ${r.previousHost}` : ''}), ${s.provisioningState}`);
  out.print(`  events:        ${s.includedEventTypes.join(', ')} (${s.eventDeliverySchema ?? 'EventGridSchema'})`);
  out.print(`  numbers:       ${s.phoneNumbers.length > 0 ? s.phoneNumbers.join(', ') : 'all numbers of the resource'}`);
  if (r.providerRegistered) out.print('  Microsoft.EventGrid was registered on the subscription.');
}

function renderListing(out: Output, l: RoutesListing): void {
  if (out.jsonMode) return out.json(l);
  if (!l.topic) {
    out.print(`${l.acs.name} (${l.acs.resourceGroup}) has no Event Grid system topic: no event subscriptions. Create one with \`voicectl acs route-calls\`.`);
    return;
  }
  out.print(`${l.acs.name} (${l.acs.resourceGroup}), system topic ${l.topic.name}: ${l.subscriptions.length} event subscription(s)`);
  for (const s of l.subscriptions) {
    out.print(`- ${s.name}${s.voicectl ? ' (voicectl)' : ''}: ${s.provisioningState}`);
    out.print(`    endpoint: ${s.endpointType} ${s.endpoint ?? '-'}`);
    out.print(`    events:   ${s.includedEventTypes.join(', ') || 'all'}`);
    const filters = [...(s.phoneNumbers.length > 0 ? [`to ${s.phoneNumbers.join(', ')}`] : []), ...s.otherFilters];
    out.print(`    filters:  ${filters.join('; ') || 'none'}`);
  }
}
