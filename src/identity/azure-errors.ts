/**
 * Failures common to every Azure SDK call voicectl makes (ACS identity data plane and
 * Azure Resource Manager): the network, TLS, time-outs and Entra ID credentials.
 *
 * Errors are recognised by `name` / `code` / `statusCode`, never by `instanceof`: the SDKs
 * can load two copies of @azure/core-rest-pipeline (see the dependency notes in the README).
 */
import { UserError, type VoicectlError } from '../core/errors.js';
import { redact } from '../core/redact.js';

/** What the SDK throws, as far as voicectl looks at it. */
export interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  details?: unknown;
}

/** Read the fields voicectl uses from an unknown thrown value. */
export function asSdkError(err: unknown): SdkErrorLike {
  return typeof err === 'object' && err !== null ? (err as SdkErrorLike) : { message: String(err) };
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME_MISMATCH/;

/** Context for {@link describeTransportFailure}. */
export interface FailureContext {
  /** Human name of the service, e.g. "ACS" or "Azure Resource Manager". */
  service: string;
  /** Host (and port) the request went to. */
  host: string;
  /** Per-command time limit in ms, for the time-out message. */
  timeoutMs: number;
  /** Prefix of the stable codes, e.g. `VOICECTL_ACS` or `VOICECTL_ARM`. */
  codePrefix: string;
}

/**
 * Map a network, TLS, time-out or credential failure to a voicectl error (exit 1), or
 * return `undefined` when the failure is an HTTP answer the caller should interpret.
 * Codes: `<prefix>_UNREACHABLE`, `<prefix>_TLS`, `<prefix>_TIMEOUT`, `VOICECTL_AZURE_LOGIN`.
 */
export function describeTransportFailure(err: unknown, ctx: FailureContext): VoicectlError | undefined {
  const e = asSdkError(err);
  const code = e.code ?? '';
  const detail = redact(e.message ?? String(err));
  if (e.name === 'AbortError' || code === 'ABORT_ERR') {
    return new UserError(`No answer from ${ctx.service} at ${ctx.host} within ${Math.round(ctx.timeoutMs / 1000)} s.`, {
      code: `${ctx.codePrefix}_TIMEOUT`,
      hint: 'Check the network path to the host (firewall, VPN, HTTPS_PROXY / NO_PROXY) and try again.',
      cause: err,
    });
  }
  if (DNS_CODES.has(code)) {
    return new UserError(`Cannot resolve ${ctx.host} (${code}).`, {
      code: `${ctx.codePrefix}_UNREACHABLE`,
      hint: `Check the resource name in the ${ctx.service} endpoint, and your DNS or network connection.`,
      cause: err,
    });
  }
  if (CONNECT_CODES.has(code)) {
    return new UserError(`Cannot connect to ${ctx.service} at ${ctx.host} (${code}).`, {
      code: `${ctx.codePrefix}_UNREACHABLE`,
      hint: 'Check the endpoint host and port, your network, and any proxy (HTTPS_PROXY / NO_PROXY).',
      cause: err,
    });
  }
  if (TLS_CODE.test(code)) {
    return new UserError(`TLS to ${ctx.host} failed: ${detail} (${code}).`, {
      code: `${ctx.codePrefix}_TLS`,
      hint: 'If a proxy inspects TLS, start voicectl with NODE_EXTRA_CA_CERTS=<its CA file>; otherwise check the endpoint host.',
      cause: err,
    });
  }
  if (e.name === 'CredentialUnavailableError' || e.name === 'AggregateAuthenticationError' || e.name === 'AuthenticationError') {
    return new UserError(`No Azure sign-in available for ${ctx.service}: ${firstLine(detail)}`, {
      code: 'VOICECTL_AZURE_LOGIN',
      hint: 'Run `az login` (or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET, or use a managed identity); DefaultAzureCredential tries each. Add --verbose to see what each source said.',
      cause: err,
    });
  }
  return undefined;
}

/** The service's own error message from a RestError body (`{"error":{code,message}}`), redacted. */
export function serviceMessage(err: unknown): string {
  const e = asSdkError(err);
  const body = e.details as { error?: { code?: string; message?: string } } | undefined;
  const text = body?.error?.message ?? e.message ?? String(err);
  return redact(firstLine(text));
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
