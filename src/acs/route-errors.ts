/**
 * Event Grid failures of `acs route-calls`, mapped to voicectl errors that name the fix (exit 1),
 * before falling back to the generic ARM mapping ({@link mapArmError}):
 * - `VOICECTL_EVENTGRID_NOT_REGISTERED`: 409 `MissingSubscriptionRegistration`, the
 *   Microsoft.EventGrid resource provider is not registered on the subscription;
 * - `VOICECTL_ARM_FORBIDDEN`: 403 `AuthorizationFailed`, with the role needed;
 * - `VOICECTL_EVENTGRID_VALIDATION_FAILED`: the write ended Failed because Event Grid's
 *   SubscriptionValidationEvent POST was not answered 200 with the code (in 30 s), or the endpoint's
 *   certificate is not publicly trusted;
 * - `VOICECTL_EVENTGRID_NAME_CONFLICT`: 409 Conflict on a name.
 * Error codes and texts: ARM's common error shape `{error:{code,message}}`; Event Grid's
 * "Webhook validation handshake failed" (learn.microsoft.com, "Endpoint validation with Event Grid events").
 */
import { UserError, type VoicectlError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { asSdkError, serviceMessage } from '../identity/azure-errors.js';
import { mapArmError, type ArmFailureContext } from './errors.js';

/** The built-in role that can write system topics and their event subscriptions. */
export const EVENTGRID_ROLE = 'EventGrid Contributor';

/** Translate an Event Grid / ARM failure (see the module comment for the codes). */
export function mapRouteError(err: unknown, ctx: ArmFailureContext): VoicectlError {
  if (ctx.interrupted) return mapArmError(err, ctx);
  const e = asSdkError(err);
  const text = `${e.code ?? ''} ${e.message ?? ''}`;
  if (e.code === 'MissingSubscriptionRegistration' || /MissingSubscriptionRegistration|not registered to use namespace/i.test(text)) {
    return new UserError(`The subscription is not registered to use Microsoft.EventGrid (needed while ${ctx.doing}).`, {
      code: 'VOICECTL_EVENTGRID_NOT_REGISTERED',
      hint: 'Run the command again with --register-provider (registers Microsoft.EventGrid and waits, once per subscription), or `az provider register -n Microsoft.EventGrid --wait`.',
      cause: err,
    });
  }
  if (e.statusCode === 403) {
    return new UserError(`Not allowed (403 ${e.code ?? 'AuthorizationFailed'}) ${ctx.doing}: ${serviceMessage(err)}`, {
      code: 'VOICECTL_ARM_FORBIDDEN',
      hint: `You need the "${EVENTGRID_ROLE}" role (or Contributor) on the resource group of the ACS resource, and read access to the resource: \`az role assignment create --assignee <you> --role "${EVENTGRID_ROLE}" --scope /subscriptions/<sub>/resourceGroups/<rg>\`.`,
      cause: err,
    });
  }
  if (e.statusCode === undefined && /long-running operation has failed/i.test(e.message ?? '') && /validat|handshake/i.test(e.message ?? '')) {
    const why = redact((e.message ?? '').replace(/^.*long-running operation has failed\.?\s*/i, ''));
    const tls = /certificate|ssl|tls/i.test(why);
    return new UserError(`Event Grid could not validate the endpoint: ${why}`, {
      code: 'VOICECTL_EVENTGRID_VALIDATION_FAILED',
      hint: tls
        ? 'Event Grid only delivers to https endpoints with a publicly trusted certificate (not self-signed): use a tunnel (voicectl tunnel up) or a real certificate.'
        : 'Event Grid must get 200 with {"validationResponse": <code>} within 30 s: keep `voicectl bridge` and `voicectl tunnel up` running, check CALLBACK_URI_HOST is the current tunnel, and run the command again.',
      cause: err,
    });
  }
  if (e.statusCode === 409 && e.code !== 'MissingSubscriptionRegistration') {
    return new UserError(`Conflict (409 ${e.code ?? ''}) while ${ctx.doing}: ${serviceMessage(err)}`, {
      code: 'VOICECTL_EVENTGRID_NAME_CONFLICT',
      hint: 'Another resource holds that name, or an operation on it is still running: pick another --name, or wait a minute and run the command again.',
      cause: err,
    });
  }
  return mapArmError(err, ctx);
}
