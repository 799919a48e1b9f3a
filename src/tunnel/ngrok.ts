/**
 * ngrok: the argv, the parser of its JSON log lines, and the local agent API query.
 *
 * Sources: ngrok.com/docs/agent/api (`GET /api/tunnels` → `{tunnels:[{public_url, proto, …}]}`),
 * ngrok.com/docs/errors (ERR_NGROK_4018 no authtoken, 105/107 bad authtoken, 108 too many
 * sessions), pyngrok `process.py` / `log.py` (the "starting web service addr=…" and
 * "started tunnel" lines, `lvl` values `info`/`warn`/`eror`/`crit`, `err=` on failures).
 * The authtoken reaches ngrok through its environment (`NGROK_AUTHTOKEN`), never argv.
 */
import { cleanLine } from './text.js';
import type { LineInfo, LineLevel, TunnelFailure } from './types.js';

/** argv for `ngrok`: an HTTP tunnel to the port, JSON logs on stdout. */
export function ngrokArgs(port: number): string[] {
  return ['http', String(port), '--log', 'stdout', '--log-format', 'json'];
}

/** ngrok failures, by the error code it prints. */
export const NGROK_FAILURES: ReadonlyArray<{ test: RegExp; failure: TunnelFailure }> = [
  {
    test: /ERR_NGROK_4018|requires a verified account and authtoken/i,
    failure: {
      code: 'VOICECTL_TUNNEL_AUTHTOKEN_MISSING',
      message: 'ngrok needs an authtoken (ERR_NGROK_4018).',
      hint: 'Copy your authtoken from https://dashboard.ngrok.com/get-started/your-authtoken and either set NGROK_AUTHTOKEN (environment or .env) or run `ngrok config add-authtoken <token>` once.',
      fatal: true,
      exitCode: 2,
    },
  },
  {
    test: /ERR_NGROK_10[57]\b|authtoken you specified (?:does not look like|is invalid)/i,
    failure: {
      code: 'VOICECTL_TUNNEL_AUTHTOKEN_INVALID',
      message: 'ngrok rejected the authtoken (ERR_NGROK_105/107).',
      hint: 'Copy a current authtoken from https://dashboard.ngrok.com/get-started/your-authtoken into NGROK_AUTHTOKEN (or `ngrok config add-authtoken <token>`).',
      fatal: true,
      exitCode: 2,
    },
  },
  {
    test: /ERR_NGROK_108\b/i,
    failure: {
      code: 'VOICECTL_TUNNEL_TOO_MANY_SESSIONS',
      message: 'Your ngrok account already has its maximum of agent sessions (ERR_NGROK_108).',
      hint: 'Stop the other ngrok agent (https://dashboard.ngrok.com/agents), or use --provider cloudflared or devtunnel.',
      fatal: true,
      exitCode: 1,
    },
  },
];

interface NgrokJsonLine {
  lvl?: string;
  msg?: string;
  err?: string;
  url?: string;
  addr?: unknown;
  obj?: string;
}

/**
 * Parse one ngrok log line. JSON lines (`--log-format json`) are read by their fields:
 * `msg:"started tunnel"` + `url` gives the URL and readiness, `msg:"starting web service"` +
 * `addr` the agent API address, `lvl` the level. Plain lines (`ERROR:  …` on stderr, or the
 * logfmt form) are matched as text. Never throws.
 */
export function parseNgrokLine(raw: string): LineInfo {
  const text = cleanLine(raw);
  let level: LineLevel = /^(ERROR|CRIT)|\blvl=(eror|crit)\b/i.test(text) ? 'error' : /\blvl=warn\b|^WARN/i.test(text) ? 'warn' : 'info';
  const info: LineInfo = { text, level };
  let doc: NgrokJsonLine | undefined;
  if (text.startsWith('{')) {
    try {
      doc = JSON.parse(text) as NgrokJsonLine;
    } catch {
      doc = undefined;
    }
  }
  if (doc) {
    level = doc.lvl === 'eror' || doc.lvl === 'crit' || doc.lvl === 'error' ? 'error' : doc.lvl === 'warn' ? 'warn' : 'info';
    info.level = level;
    if (doc.msg === 'started tunnel' && typeof doc.url === 'string' && doc.url.startsWith('https://')) {
      info.url = doc.url.replace(/\/+$/, '');
      info.ready = true;
    }
    if (doc.msg === 'starting web service' && typeof doc.addr === 'string') info.agentApi = doc.addr;
  } else {
    const started = /msg="?started tunnel"?.*\burl=(https:\/\/\S+)/.exec(text);
    if (started) {
      info.url = started[1]!.replace(/\/+$/, '');
      info.ready = true;
    }
    const web = /msg="?starting web service"?.*\baddr=(\S+)/.exec(text);
    if (web) info.agentApi = web[1]!;
  }
  const failure = NGROK_FAILURES.find((f) => f.test.test(text));
  if (failure) info.failure = failure.failure;
  return info;
}

/**
 * The https public URL from ngrok's local agent API (`GET http://<addr>/api/tunnels`), or
 * undefined when the API is not up or lists no https tunnel. Never throws.
 * @param agentApi `host:port` of the agent's web service (default 127.0.0.1:4040).
 */
export async function queryNgrokAgent(agentApi: string, fetchFn: typeof fetch = fetch, timeoutMs = 1000): Promise<string | undefined> {
  try {
    const res = await fetchFn(`http://${agentApi}/api/tunnels`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { tunnels?: Array<{ public_url?: unknown; proto?: unknown }> };
    const https = (body.tunnels ?? []).find((t) => typeof t.public_url === 'string' && t.public_url.startsWith('https://'));
    return typeof https?.public_url === 'string' ? https.public_url.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}
