/**
 * Before Event Grid is asked to subscribe a WebHook, check that the endpoint will pass its
 * validation handshake: POST what Event Grid POSTs (EventGrid schema, header
 * `aeg-event-type: SubscriptionValidation`, one `Microsoft.EventGrid.SubscriptionValidationEvent`
 * with `data{validationCode, validationUrl}`) to the public URL and expect 200 with
 * `{"validationResponse": <validationCode>}`. Source: learn.microsoft.com, "Endpoint validation with
 * Event Grid events" (webhook-event-delivery), and shared reference call-automation.md §2.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { UserError } from '../core/errors.js';
import { redact } from '../core/redact.js';

/** Options of {@link checkValidationAnswer}. */
export interface EndpointCheckOptions {
  /** The WebHook URL, secret included. */
  url: string;
  /** Time limit, ms (Event Grid's own is 30 s; default 10 000). */
  timeoutMs?: number;
  /** Certificates to trust instead of Node's defaults (tests: the test CA; see `caFromEnv`). */
  ca?: string[];
  signal?: AbortSignal;
}

/** The body Event Grid sends to validate a WebHook (one-element EventGrid-schema array). */
export function validationEvent(validationCode: string): Array<Record<string, unknown>> {
  return [
    {
      id: randomUUID(),
      topic: '/subscriptions/00000000-0000-0000-0000-000000000000',
      subject: '',
      data: { validationCode, validationUrl: `https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/voicectl-check/validate?id=${validationCode}` },
      eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      eventTime: new Date().toISOString(),
      metadataVersion: '1',
      dataVersion: '2',
    },
  ];
}

const START_BOTH = 'Start the bridge and the tunnel first (`voicectl bridge`, then `voicectl tunnel up --write-env` in another terminal), then run this again.';
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME_MISMATCH/;

/**
 * POST a validation event to the endpoint and check the answer.
 * @returns the round-trip time, ms.
 * @throws UserError `VOICECTL_ROUTE_ENDPOINT_DOWN` (nothing answers: start bridge and tunnel),
 *   `VOICECTL_ROUTE_ENDPOINT_TLS` (certificate Event Grid will not trust),
 *   `VOICECTL_ROUTE_ENDPOINT_SECRET` (401: the bridge has another ?code= secret),
 *   `VOICECTL_ROUTE_ENDPOINT_WRONG` (another status or body: not a voicectl bridge answering ACS).
 */
export async function checkValidationAnswer(o: EndpointCheckOptions): Promise<number> {
  const url = new URL(o.url);
  const shown = `${url.origin}${url.pathname}`;
  const code = randomUUID().toUpperCase();
  const body = JSON.stringify(validationEvent(code));
  const limitMs = o.timeoutMs ?? 10_000;
  const signal = o.signal ? AbortSignal.any([o.signal, AbortSignal.timeout(limitMs)]) : AbortSignal.timeout(limitMs);
  const started = Date.now();
  let status: number;
  let text: string;
  try {
    ({ status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: 'POST',
          signal,
          headers: { 'content-type': 'application/json; charset=utf-8', 'aeg-event-type': 'SubscriptionValidation', 'content-length': Buffer.byteLength(body) },
          ...(o.ca ? { ca: o.ca } : {}),
        },
        (res) => {
          let t = '';
          res.setEncoding('utf8').on('data', (c: string) => (t += c.length + t.length > 65536 ? '' : c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t }));
        },
      );
      req.on('error', reject);
      req.end(body);
    }));
  } catch (err) {
    const c = String((err as NodeJS.ErrnoException).code ?? '');
    if (TLS.test(c)) {
      throw new UserError(`${url.host} presented a certificate that is not publicly trusted (${c}); Event Grid would refuse it.`, {
        code: 'VOICECTL_ROUTE_ENDPOINT_TLS',
        hint: 'Event Grid only delivers to https endpoints with a publicly trusted certificate: use `voicectl tunnel up` (cloudflared, devtunnel, ngrok) or a real certificate, not a self-signed one.',
      });
    }
    const why = signal.aborted ? `no answer within ${Math.round(limitMs / 1000)} s` : c || redact((err as Error).message);
    throw new UserError(`Nothing answered the Event Grid validation handshake at ${shown} (${why}).`, { code: 'VOICECTL_ROUTE_ENDPOINT_DOWN', hint: START_BOTH });
  }
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  if (status === 200 && (answer as { validationResponse?: unknown } | undefined)?.validationResponse === code) return Date.now() - started;
  if (status === 401) {
    throw new UserError(`The bridge at ${url.host} refused the ?code= secret (401).`, {
      code: 'VOICECTL_ROUTE_ENDPOINT_SECRET',
      hint: 'The bridge and this command derive the secret from AZURE_COMMUNICATION_CONNECTION_STRING and VOICECTL_WEBHOOK_SECRET: give both the same values (same .env), or restart the bridge.',
    });
  }
  if (status === 502 || status === 503 || status === 504 || status === 530 || status === 404) {
    throw new UserError(`${shown} answered ${status}: no voicectl bridge answering ACS calls behind it.`, {
      code: 'VOICECTL_ROUTE_ENDPOINT_DOWN',
      hint: `${START_BOTH} The bridge answers IncomingCall only with AZURE_COMMUNICATION_CONNECTION_STRING and CALLBACK_URI_HOST set.`,
    });
  }
  throw new UserError(`${shown} answered ${status} without the validation code; Event Grid would fail the subscription.`, {
    code: 'VOICECTL_ROUTE_ENDPOINT_WRONG',
    hint: `Point --url (or CALLBACK_URI_HOST) at \`voicectl bridge\`, which answers {"validationResponse": <code>}. ${START_BOTH}`,
  });
}
