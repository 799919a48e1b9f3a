/**
 * Resource provider registration (`az provider register -n Microsoft.EventGrid --wait`):
 * `POST /subscriptions/<sub>/providers/<namespace>/register`, then `GET …/providers/<namespace>`
 * until `registrationState` is `Registered` (api-version 2021-04-01, Microsoft.Resources REST reference).
 * A subscription that never used Event Grid answers its first write with MissingSubscriptionRegistration.
 */
import https from 'node:https';
import type { TokenCredential } from '@azure/identity';
import { UserError } from '../core/errors.js';
import { defaultAzureCredential } from '../identity/sdk.js';
import { DEFAULT_ARM_ENDPOINT, type ArmOptions } from './arm.js';
import { mapRouteError } from './route-errors.js';

/** api-version of the Microsoft.Resources providers operations. */
export const PROVIDERS_API_VERSION = '2021-04-01';

/** Options of {@link registerProvider}. */
export interface RegisterProviderOptions extends ArmOptions {
  /** e.g. `Microsoft.EventGrid`. */
  namespace: string;
  /** Longest wait for `Registered`, ms. Default 300 000 (registration usually takes 1–3 minutes). */
  timeoutMs?: number;
  /** Longest wait between state reads, ms. Default 5 000 (the first waits are 0.5, 1, 2, 4 s). */
  pollIntervalMs?: number;
  signal?: AbortSignal;
  /** Progress text (the current registration state). */
  onStep?: (text: string) => void;
}

/** An ARM JSON request with a bearer token; rejects like an SDK error (`statusCode`, `code`). */
async function armJson(o: ArmOptions & { credential: TokenCredential }, method: string, path: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const base = o.endpoint ?? DEFAULT_ARM_ENDPOINT;
  const token = await o.credential.getToken(`${base}/.default`, { abortSignal: signal });
  if (!token) throw new UserError('No Azure token for Azure Resource Manager.', { code: 'VOICECTL_AZURE_LOGIN', hint: 'Run `az login` and retry.' });
  const url = new URL(`${path}?api-version=${PROVIDERS_API_VERSION}`, base);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method, signal, headers: { authorization: `Bearer ${token.token}`, accept: 'application/json', 'content-length': 0 }, ...(o.tlsCa ? { ca: o.tlsCa } : {}) },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            body = {};
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(body);
          const error = (body.error ?? {}) as { code?: string; message?: string };
          reject(Object.assign(new Error(error.message ?? `HTTP ${status}`), { statusCode: status, code: error.code, details: body }));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Register a resource provider on the subscription and wait until it is `Registered`.
 * @throws UserError `VOICECTL_PROVIDER_REGISTRATION_TIMEOUT` after `timeoutMs`, and the ARM codes of
 *   {@link mapRouteError} (403 when the caller may not register providers).
 */
export async function registerProvider(o: RegisterProviderOptions): Promise<void> {
  const credential = o.credential ?? defaultAzureCredential();
  const limitMs = o.timeoutMs ?? 300_000;
  const most = o.pollIntervalMs ?? 5000;
  let every = Math.min(500, most);
  const host = new URL(o.endpoint ?? DEFAULT_ARM_ENDPOINT).host;
  const path = `/subscriptions/${o.subscriptionId}/providers/${o.namespace}`;
  const signal = o.signal ? AbortSignal.any([o.signal, AbortSignal.timeout(limitMs)]) : AbortSignal.timeout(limitMs);
  const doing = `registering the ${o.namespace} resource provider`;
  try {
    let state = String((await armJson({ ...o, credential }, 'POST', `${path}/register`, signal)).registrationState ?? 'Registering');
    while (state !== 'Registered') {
      o.onStep?.(`${o.namespace}: ${state}`);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, every);
        every = Math.min(every * 2, most);
        signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
      });
      state = String((await armJson({ ...o, credential }, 'GET', path, signal)).registrationState ?? 'Unknown');
    }
  } catch (err) {
    if (signal.aborted && !o.signal?.aborted) {
      throw new UserError(`${o.namespace} was still not registered after ${Math.round(limitMs / 1000)} s.`, {
        code: 'VOICECTL_PROVIDER_REGISTRATION_TIMEOUT',
        hint: `Check with \`az provider show -n ${o.namespace} --query registrationState\` and run the command again once it says Registered.`,
      });
    }
    throw mapRouteError(err, { host, timeoutMs: limitMs, doing, interrupted: o.signal?.aborted === true });
  }
}
