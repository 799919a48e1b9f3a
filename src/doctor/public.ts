/**
 * The `public` group: what ACS will do with `CALLBACK_URI_HOST`.
 * 1. `health`: `GET https://<host>/api/health` answers 200 with the bridge's health
 *    document (src/bridge/health.ts), through whatever tunnel or proxy is in front;
 * 2. `media websocket`: `wss://<host><media path>` upgrades and stays open, with the
 *    ws-probe logic (src/probe), the media path and token requirement taken from the
 *    health document when it answered.
 * The media probe is skipped when the host did not answer at all (the health check then
 * names the fix).
 */
import https from 'node:https';
import { mediaTransportUrl, publicHost } from '../calls/urls.js';
import { redact } from '../core/redact.js';
import { probeWebSocket } from '../probe/index.js';
import { fail, pass, skip, type Outcome } from './types.js';

/** Options of {@link checkPublic}. */
export interface PublicCheckOptions {
  /** `CALLBACK_URI_HOST` (already shape-checked). */
  callbackHost: string;
  /** `VOICECTL_MEDIA_TOKEN`, added as `?token=` when the bridge requires one. */
  mediaToken?: string;
  /** Bound of the health request and of each probe phase, ms. */
  timeoutMs: number;
  /** How long the media socket is held open, ms (default 1000). */
  holdMs?: number;
  /** Certificates to trust instead of Node's defaults (see `caFromEnv`). */
  ca?: string[];
}

/** What the health check learnt, for the media check. */
export interface HealthResult {
  outcome: Outcome;
  /** True when the host answered HTTP at all (the media probe is worth running). */
  answered: boolean;
  /** The bridge's media path and token requirement, from its health document. */
  media?: { path: string; tokenRequired: boolean };
}

/** An HTTP answer: status, headers, and the first 64 KiB of the body as text. */
interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, o: { timeoutMs: number; ca?: string[]; signal?: AbortSignal }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      agent: false, // one request, no pooled socket left to hold the process open
      timeout: o.timeoutMs,
      headers: { accept: 'application/json', 'user-agent': 'voicectl-doctor' },
      ...(o.ca ? { ca: o.ca } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    };
    const req = https.get(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < 64 * 1024) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

const TUNNEL_HINT = 'Check that the tunnel is still running and forwards to the bridge (`voicectl tunnel up` prints the current URL); quick tunnel and dev tunnel names change when they restart.';

/** `GET /api/health` on the public host. */
export async function checkHealth(o: PublicCheckOptions, signal?: AbortSignal): Promise<HealthResult> {
  const host = publicHost(o.callbackHost);
  const url = `https://${host}/api/health`;
  let answer: HttpAnswer;
  try {
    answer = await get(url, { timeoutMs: o.timeoutMs, ...(o.ca ? { ca: o.ca } : {}), ...(signal ? { signal } : {}) });
  } catch (err) {
    return { outcome: transportOutcome(err as NodeJS.ErrnoException, host), answered: false };
  }
  const server = typeof answer.headers.server === 'string' ? ` (server: ${answer.headers.server.slice(0, 40)})` : '';
  const location = typeof answer.headers.location === 'string' ? answer.headers.location : '';
  if (answer.status === 200) {
    let doc: { status?: unknown; version?: unknown; calls?: { active?: unknown }; media?: { path?: unknown; tokenRequired?: unknown }; upstream?: { kind?: unknown; deployment?: unknown; lastError?: { message?: unknown } | null } };
    try {
      doc = JSON.parse(answer.body) as typeof doc;
    } catch {
      return { outcome: fail(`${url} answered 200 but not with the bridge's JSON${server}`, `Another server answers on ${host}: point the tunnel at the port of \`voicectl bridge\`.`), answered: true };
    }
    const media = typeof doc.media?.path === 'string' ? { path: doc.media.path, tokenRequired: doc.media.tokenRequired === true } : undefined;
    if (doc.status === 'draining') return { outcome: fail(`the bridge behind ${host} is shutting down (draining)`, 'Start `voicectl bridge` again.'), answered: true, ...(media ? { media } : {}) };
    const upstream = doc.upstream?.kind === 'aoai' ? `aoai (${String(doc.upstream.deployment ?? '?')})` : String(doc.upstream?.kind ?? 'unknown');
    const lastError = typeof doc.upstream?.lastError?.message === 'string' ? `; last upstream error: ${redact(doc.upstream.lastError.message.slice(0, 120))}` : '';
    const echo = doc.upstream?.kind === 'echo' ? ' (echo mode: callers hear themselves; set AZURE_OPENAI_* where the bridge runs)' : '';
    return {
      outcome: pass(`voicectl bridge ${String(doc.version ?? '?')} answers at https://${host}: upstream ${upstream}${echo}, ${String(doc.calls?.active ?? 0)} active calls${lastError}`),
      answered: true,
      ...(media ? { media } : {}),
    };
  }
  const status = `${url} answered ${answer.status}${server}`;
  if (answer.status === 401 || answer.status === 403 || ((answer.status === 302 || answer.status === 307) && /login|auth|signin/i.test(location))) {
    return {
      outcome: fail(`${status}: the public host asks for sign-in, and ACS cannot sign in`, 'Allow anonymous access to the tunnel: `devtunnel access create <tunnel> --anonymous --port-number <port>` (dev tunnels), or remove the auth in front of the bridge.'),
      answered: true,
    };
  }
  if (answer.status === 404) {
    return { outcome: fail(`${status}: this is not a voicectl bridge (no /api/health)`, `Point the tunnel at the port of \`voicectl bridge --listen <port>\`, and set CALLBACK_URI_HOST to that tunnel's URL.`), answered: true };
  }
  if ([502, 503, 504, 521, 522, 523, 530].includes(answer.status)) {
    return { outcome: fail(`${status}: the tunnel is up but nothing answers behind it`, 'Start `voicectl bridge --listen <port>` on the port the tunnel forwards to.'), answered: true };
  }
  return { outcome: fail(status, TUNNEL_HINT), answered: true };
}

/**
 * Probe the media WebSocket; `health` supplies the path and whether a token is needed.
 * @returns pass when it upgraded, answered a ping and stayed open for the hold.
 */
export async function checkMedia(o: PublicCheckOptions, health: HealthResult, signal?: AbortSignal): Promise<Outcome> {
  if (!health.answered) return skip('not run: the public host did not answer (see health)');
  const host = publicHost(o.callbackHost);
  const mediaPath = health.media?.path ?? '/ws/media';
  if (health.media?.tokenRequired && !o.mediaToken) {
    return fail(
      `the bridge requires a media token on ${mediaPath}, and VOICECTL_MEDIA_TOKEN is not set here`,
      'Set VOICECTL_MEDIA_TOKEN to the bridge\'s token, so voicectl call and the ACS transport URL carry it.',
    );
  }
  const url = mediaTransportUrl(host, mediaPath, health.media?.tokenRequired === false ? undefined : o.mediaToken);
  const report = await probeWebSocket(url, {
    timeoutMs: o.timeoutMs,
    holdMs: o.holdMs ?? 1000,
    ...(o.ca ? { ca: o.ca } : {}),
    ...(signal ? { signal } : {}),
  });
  if (report.ok) {
    const ping = report.phases.open?.pingMs;
    return pass(`${redact(report.target)} upgraded and stayed open${typeof ping === 'number' ? ` (ping ${ping} ms)` : ''}`);
  }
  return fail(`${redact(report.target)}: ${report.message}`, report.hint === undefined ? undefined : probeHintForDoctor(report.hint));
}

/**
 * A ws-probe hint, reworded for the doctor: clauses that suggest a `ws-probe` test flag
 * (`--insecure`, `--header`, `--subprotocol`) are dropped, and a mention of `--path` is
 * marked as the `ws-probe` flag it is (the doctor takes the path from the bridge's health).
 */
export function probeHintForDoctor(hint: string): string {
  const kept = hint.split(/(?<=[.;])\s+/).filter((c) => !/--(insecure|header|subprotocol)\b/.test(c));
  if (kept.length === 0) return hint;
  let text = kept
    .map((c, i) => (i > 0 && kept[i - 1]!.endsWith('.') ? c.charAt(0).toUpperCase() + c.slice(1) : c))
    .join(' ')
    .replace(/;$/, '.');
  if (/--path\b/.test(text)) text += ' (--path is a `voicectl ws-probe` option, for trying other paths.)';
  return text;
}

function transportOutcome(err: NodeJS.ErrnoException, host: string): Outcome {
  const code = err.code ?? '';
  const text = `${code} ${err.message}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail(`${host} does not resolve (${code})`, TUNNEL_HINT);
  if (code === 'ECONNREFUSED') return fail(`${host} refused the connection`, 'Nothing listens there: start the tunnel (`voicectl tunnel up`) and set CALLBACK_URI_HOST to its URL.');
  if (code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'ABORT_ERR') return fail(`${host} did not answer /api/health (${code})`, TUNNEL_HINT);
  if (/certificate|self.signed|CERT_|SSL|ERR_TLS/i.test(text)) {
    return fail(`${host}'s certificate does not verify (${code || err.message}); ACS will refuse it`, 'Use a tunnel with a public certificate (cloudflared, devtunnel, ngrok), or a certificate from a public CA.');
  }
  return fail(`GET https://${host}/api/health failed: ${redact(err.message.split('\n')[0]!.slice(0, 160))}`, TUNNEL_HINT);
}
