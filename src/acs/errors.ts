/**
 * Azure Resource Manager failures for `acs create|show|keys`, mapped to voicectl errors
 * (all exit 1):
 * - `VOICECTL_AZURE_LOGIN`: no credential, or ARM rejected the token (401)
 * - `VOICECTL_ARM_FORBIDDEN` (403): signed in, but no role on the subscription / group
 * - `VOICECTL_ARM_NOT_FOUND` (404): resource group or resource missing
 * - `VOICECTL_ACS_PROVISIONING_FAILED`: the long-running create ended Failed (quota, policy…)
 * - `VOICECTL_ARM_UNREACHABLE`, `VOICECTL_ARM_TLS`, `VOICECTL_ARM_TIMEOUT`, `VOICECTL_ARM_REQUEST_FAILED`
 */
import { CancelledError, UserError, type VoicectlError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { asSdkError, describeTransportFailure, serviceMessage } from '../identity/azure-errors.js';

/** What was being done, for the messages. */
export interface ArmFailureContext {
  host: string;
  timeoutMs: number;
  /** e.g. `creating Communication Services resource "x" in resource group "rg"`. */
  doing: string;
  /** Set when the user interrupted (SIGINT): the abort becomes a CancelledError. */
  interrupted?: boolean;
}

/** Translate an ARM SDK failure (see the module comment for the codes). */
export function mapArmError(err: unknown, ctx: ArmFailureContext): VoicectlError {
  if (ctx.interrupted) {
    return new CancelledError(`Interrupted while ${ctx.doing}; the operation may still complete in Azure.`, {
      hint: 'Check with `voicectl acs show`.',
    });
  }
  const transport = describeTransportFailure(err, {
    service: 'Azure Resource Manager',
    host: ctx.host,
    timeoutMs: ctx.timeoutMs,
    codePrefix: 'VOICECTL_ARM',
  });
  if (transport) return transport;
  const e = asSdkError(err);
  const said = serviceMessage(err);
  const code = e.code ? ` ${e.code}` : '';
  if (e.statusCode === undefined && /long-running operation has failed/i.test(e.message ?? '')) {
    const why = redact((e.message ?? '').replace(/^.*long-running operation has failed\.?\s*/i, '')) || 'no reason given';
    return new UserError(`Azure failed while ${ctx.doing}: ${why}`, {
      code: 'VOICECTL_ACS_PROVISIONING_FAILED',
      hint: /quota/i.test(why)
        ? 'Free a Communication Services resource or ask for a quota increase (portal: Subscriptions > Usage + quotas).'
        : 'See the activity log of the resource group in the portal for details, fix the cause and run the command again.',
      cause: err,
    });
  }
  if (e.statusCode === 401) {
    return new UserError(`Azure Resource Manager rejected the sign-in (401${code}) while ${ctx.doing}.`, {
      code: 'VOICECTL_AZURE_LOGIN',
      hint: 'Run `az login` again (or refresh the credential DefaultAzureCredential uses) and retry.',
      cause: err,
    });
  }
  if (e.statusCode === 403) {
    return new UserError(`Not allowed (403${code}) ${ctx.doing}: ${said}`, {
      code: 'VOICECTL_ARM_FORBIDDEN',
      hint: 'You need a role such as Contributor on the resource group; check `az account show` points at the right subscription.',
      cause: err,
    });
  }
  if (e.statusCode === 404) {
    return new UserError(`Not found (404${code}) while ${ctx.doing}: ${said}`, {
      code: 'VOICECTL_ARM_NOT_FOUND',
      hint:
        e.code === 'ResourceGroupNotFound'
          ? 'Create the resource group first (`az group create -n <rg> -l <region>`) or check --resource-group and --subscription.'
          : 'Check --name, --resource-group and --subscription (`voicectl acs show`).',
      cause: err,
    });
  }
  return new UserError(`Azure Resource Manager failed${e.statusCode ? ` (${e.statusCode}${code})` : ''} while ${ctx.doing}: ${said}`, {
    code: 'VOICECTL_ARM_REQUEST_FAILED',
    hint: 'Check the values passed; run again with --verbose for the underlying error.',
    cause: err,
  });
}
