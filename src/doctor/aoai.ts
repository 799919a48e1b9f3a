/**
 * The `aoai` group: open a Realtime session with the configured endpoint, deployment and
 * credentials, send the bridge's own `session.update`, wait for `session.updated`, and
 * close at once. No audio is sent, so nothing is billed beyond the session itself.
 *
 * What each answer proves (sources as in src/bridge/realtime-protocol.ts: the Azure
 * `realtime-audio-websockets.md` and the preview migration guide):
 * - 101 then `session.updated`: endpoint, deployment, credentials and session shape are right;
 * - 401 at the upgrade: the api-key (or the Entra token) was refused, or GA was sent an api-version;
 * - 404: no such deployment (`DeploymentNotFound`) or not an Azure OpenAI endpoint;
 * - 400: a preview api-version the resource does not know, or the protocol does not match;
 * - `error` answering the session.update: the deployment is not a realtime model, the
 *   voice is unknown, or the protocol's session shape is wrong.
 */
import WebSocket from 'ws';
import { realtimeUrl, sessionUpdate, type RealtimeProtocol, type SessionSettings } from '../bridge/realtime-protocol.js';
import { redact } from '../core/redact.js';
import { fail, pass, type Outcome } from './types.js';

/** Options of {@link checkAoai}. */
export interface AoaiCheckOptions {
  /** `AZURE_OPENAI_ENDPOINT`. */
  endpoint: string;
  /** `AZURE_OPENAI_DEPLOYMENT`. */
  deployment: string;
  protocol: RealtimeProtocol;
  /** `AZURE_OPENAI_API_KEY`; without it, `getToken` supplies an Entra ID bearer token. */
  apiKey?: string;
  /** Entra ID access token for `https://cognitiveservices.azure.com/.default`. */
  getToken?: () => Promise<string>;
  session: SessionSettings;
  /** Opening-handshake and session-answer bound, ms. */
  timeoutMs: number;
  /** Certificates to trust instead of Node's defaults (see `caFromEnv`). */
  ca?: string[];
  /** Aborts the attempt (the socket is terminated); the outcome is then a failure. */
  signal?: AbortSignal;
}

const KEY_HINT = 'Copy KEY 1 from the portal (Azure OpenAI > Keys and Endpoint) into AZURE_OPENAI_API_KEY; or unset it and sign in with `az login` (role: Cognitive Services OpenAI User).';
const ENTRA_HINT = 'Sign in with `az login` and give yourself the Cognitive Services OpenAI User role on the resource, or set AZURE_OPENAI_API_KEY.';

/** What an HTTP refusal of the upgrade means, with its fix. */
export function refusalOutcome(status: number, body: string, o: Pick<AoaiCheckOptions, 'apiKey' | 'deployment' | 'protocol'>, host: string): Outcome {
  const said = body.trim() === '' ? '' : `: ${redact(body.trim().replace(/\s+/g, ' ').slice(0, 160))}`;
  switch (status) {
    case 401:
      return o.apiKey
        ? fail(`${host} refused the API key (401)${said}`, KEY_HINT)
        : fail(`${host} refused the Entra ID token (401)${said}`, ENTRA_HINT);
    case 403:
      return fail(`${host} denied access (403)${said}`, o.apiKey ? 'The key is valid but the resource refuses it (network rules or a disabled key): check Azure OpenAI > Networking.' : ENTRA_HINT);
    case 404:
      return fail(
        `${host} has no Realtime deployment "${o.deployment}" (404)${said}`,
        'Set AZURE_OPENAI_DEPLOYMENT to the deployment name shown in Azure AI Foundry > Deployments (a gpt-realtime or gpt-4o-realtime model), and AZURE_OPENAI_ENDPOINT to that resource.',
      );
    case 400:
      return fail(
        `${host} refused the ${o.protocol === 'ga' ? 'GA' : 'preview'} Realtime request (400)${said}`,
        o.protocol === 'ga' ? 'Try --aoai-protocol preview for an older preview deployment.' : 'Use --aoai-protocol ga (the preview api-version may be retired on this resource).',
      );
    case 429:
      return fail(`${host} is throttling the deployment (429)${said}`, 'Raise the deployment\'s quota (tokens per minute) or try again later.');
    default:
      return fail(`${host} answered the upgrade with HTTP ${status}${said}`, 'Check AZURE_OPENAI_ENDPOINT, and the resource\'s status in the portal.');
  }
}

/**
 * Open one Realtime session and configure it.
 * @returns pass when `session.updated` arrives; fail for every refusal, with its fix. Never throws.
 */
export async function checkAoai(o: AoaiCheckOptions): Promise<Outcome> {
  const url = realtimeUrl(o.endpoint, o.deployment, o.protocol);
  const host = new URL(url).host;
  let headers: Record<string, string>;
  if (o.apiKey) headers = { 'api-key': o.apiKey };
  else {
    if (!o.getToken) return fail('No AZURE_OPENAI_API_KEY and no Entra ID credential', ENTRA_HINT);
    try {
      headers = { Authorization: `Bearer ${await o.getToken()}` };
    } catch (err) {
      return fail(`No Entra ID token for Azure OpenAI: ${redact(firstLine(err))}`, ENTRA_HINT);
    }
  }
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const ws = new WebSocket(url, {
      headers,
      perMessageDeflate: false,
      handshakeTimeout: o.timeoutMs,
      ...(o.ca ? { ca: o.ca } : {}),
    });
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'voicectl doctor');
      else ws.terminate();
      resolve(outcome);
    };
    const onAbort = (): void => finish(fail(`no answer from ${host} in time`));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(fail(`${host} did not answer the session.update within ${o.timeoutMs} ms`, 'Check the deployment\'s status in Azure AI Foundry, and raise --timeout on a slow link.')), o.timeoutMs);
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < 2048) chunks.push(c);
        size += c.length;
      });
      const done = (): void => finish(refusalOutcome(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), o, host));
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    ws.on('error', (err) => finish(transportOutcome(err, host)));
    ws.on('open', () => ws.send(JSON.stringify(sessionUpdate(o.protocol, o.session))));
    ws.on('close', (code, reason) => {
      finish(fail(`${host} closed the Realtime connection (${code}${reason.length ? ` ${redact(reason.toString().slice(0, 80))}` : ''}) before the session was configured`, 'Check that AZURE_OPENAI_DEPLOYMENT is a realtime model and --aoai-protocol matches it.'));
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let ev: { type?: unknown; error?: { message?: unknown; code?: unknown; param?: unknown } };
      try {
        ev = JSON.parse(data.toString()) as typeof ev;
      } catch {
        return;
      }
      if (ev.type === 'session.updated') {
        const voice = o.session.voice ? `, voice ${o.session.voice}` : '';
        finish(pass(`${host}: ${o.protocol === 'ga' ? 'GA' : 'preview'} Realtime session on deployment ${o.deployment} accepted the session.update${voice}`));
      } else if (ev.type === 'error') {
        const e = ev.error ?? {};
        const message = typeof e.message === 'string' ? e.message : 'error';
        const code = typeof e.code === 'string' ? ` (${e.code})` : '';
        const param = typeof e.param === 'string' ? e.param : '';
        const hint = /voice/i.test(param) || /voice/i.test(message)
          ? 'Set AOAI_VOICE to a voice the model offers (alloy, ash, ballad, coral, echo, sage, shimmer, verse, marin, cedar), or unset it.'
          : 'Check that AZURE_OPENAI_DEPLOYMENT is a realtime model and that --aoai-protocol matches it (ga for gpt-realtime, preview for older gpt-4o-realtime-preview).';
        finish(fail(`${host} rejected the session.update${code}: ${redact(message.slice(0, 200))}`, hint));
      }
    });
  });
}

function transportOutcome(err: Error & { code?: string }, host: string): Outcome {
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail(`${host} does not resolve (${code})`, 'Check AZURE_OPENAI_ENDPOINT: https://<resource>.openai.azure.com.');
  if (code === 'ECONNREFUSED') return fail(`${host} refused the connection`, 'Check AZURE_OPENAI_ENDPOINT and its port.');
  if (/certificate|self.signed|CERT_|SSL/i.test(`${code} ${err.message}`)) {
    return fail(`TLS to ${host} failed: ${firstLine(err)}`, 'If a proxy inspects TLS, start voicectl with NODE_EXTRA_CA_CERTS=<its CA file>.');
  }
  if (/handshake has timed out/i.test(err.message)) return fail(`${host} did not complete the WebSocket handshake in time`, 'Check the network path to Azure OpenAI (proxy, firewall), or raise --timeout.');
  return fail(`Cannot connect to ${host}: ${redact(firstLine(err))}`, 'Check AZURE_OPENAI_ENDPOINT and the network path to it.');
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200);
}
