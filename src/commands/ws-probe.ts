/**
 * `voicectl ws-probe <url...>`: tell which hop of a media WebSocket fails (DNS, TCP, TLS,
 * HTTP upgrade, the open connection) and what to do about it. Thin: options and help
 * here, the probing in `src/probe/` (loaded lazily, with `ws`).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../cli/context.js';

/** Parsed options of `voicectl ws-probe`. */
export interface WsProbeOptions {
  path?: string;
  /** Per-phase bound, ms. */
  timeout: number;
  /** Hold, seconds. */
  hold: number;
  header?: Record<string, string>;
  subprotocol?: string[];
  insecure?: boolean;
  json?: boolean;
}

const VERDICTS_HELP = `
Verdicts (JSON field "verdict"; exit 0 only when every URL is ok, 1 otherwise, 2 for an invalid URL):
  ok                    opened, answered the ping and stayed open for the hold
  invalid_url           not a ws/wss/http/https URL or host name (exit 2; the other URLs are still probed)
  dns_error             the host name does not resolve (a tunnel name that is gone)
  connection_refused    nothing listens on the port
  connect_timeout       TCP packets dropped (firewall, host down)
  tls_error             TLS failed or the certificate does not verify (--insecure tests past it)
  handshake_timeout     TCP accepted, but no answer to the upgrade
  tunnel_auth_required  dev tunnel sign-in redirect or 401/403 from the relay: the tunnel is not anonymous
  http_unauthorized     other 401/403
  http_redirect         other 3xx (WebSocket clients such as ACS do not follow redirects)
  http_not_found        404: wrong path (or a cloudflared config.yml catch-all)
  tunnel_origin_down    502, or 530 / Cloudflare error 1033: the tunnel runs, the local server does not answer
  http_error            any other non-101 answer, or a hang-up without one
  not_websocket         2xx without an upgrade (a plain page), or an invalid 101
  closed_early          opened, then closed before the hold ended

Examples:
  voicectl ws-probe https://abc-8000.euw.devtunnels.ms --path /ws/media
  voicectl ws-probe wss://x.trycloudflare.com/ws/media ws://127.0.0.1:8000/ws/media --json
  voicectl ws-probe https://localhost:8443/ws --insecure --hold 10`;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError('expected a whole number of milliseconds above 0, e.g. --timeout 5000.');
  }
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 86_400) {
    throw new InvalidArgumentError('expected seconds between 0 and 86400, e.g. --hold 3 or --hold 0.5.');
  }
  return n;
}

function header(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const colon = value.indexOf(':');
  const name = colon === -1 ? '' : value.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    // (an Authorization-like example would come out masked: errors go through redact())
    throw new InvalidArgumentError('expected "Name: value", e.g. --header "Origin: https://example.com".');
  }
  return { ...previous, [name]: value.slice(colon + 1).trim() };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The `ws-probe` command. */
export function wsProbeCommand(ctx: CommandContext): Command {
  return new Command('ws-probe')
    .description('probe WebSocket URLs hop by hop (DNS, TCP, TLS, HTTP upgrade, open + hold) and say which hop fails and how to fix it')
    .argument('<url...>', 'wss://host/path, https://host (probed as wss://), http://host:port (ws://) or a bare host (wss://)')
    .option('--path <path>', 'set or replace the path of every URL, e.g. /ws/media')
    .addOption(new Option('--timeout <ms>', 'upper bound of each phase, in ms').default(10_000).argParser(positiveInt))
    .addOption(new Option('--hold <seconds>', 'keep the open connection this long to catch idle closes').default(3).argParser(seconds))
    .addOption(new Option('--header <header>', 'request header "Name: value" (repeatable)').argParser(header))
    .addOption(new Option('--subprotocol <protocol>', 'offer this subprotocol (repeatable)').argParser(collect))
    .option('--insecure', 'accept a certificate that does not verify (self-signed, wrong name); the report still says why')
    .option('--json', 'one JSON document on stdout: a report object, or an array for several URLs')
    .addHelpText('after', VERDICTS_HELP)
    .action(async (urls: string[], opts: WsProbeOptions) => {
      const [{ normalizeProbeUrl, probeWebSocket }, { renderReports }, { CheckFailedError, EXIT_USAGE }] = await Promise.all([
        import('../probe/index.js'),
        import('../probe/render.js'),
        import('../core/errors.js'),
      ]);
      const output = ctx.output({ json: opts.json });
      // an empty --path is a flag error (exit 2 before probing); an invalid URL is that URL's verdict
      if (opts.path !== undefined) normalizeProbeUrl('ws://127.0.0.1', opts.path);
      const abort = new AbortController();
      const stopListening = ctx.io.onSignal(() => abort.abort());
      const spinner = await output.spinner(`Probing ${urls.length === 1 ? urls[0] : `${urls.length} URLs`}…`);
      let reports;
      try {
        reports = await Promise.all(
          urls.map((url) =>
            probeWebSocket(url, {
              path: opts.path,
              timeoutMs: opts.timeout,
              holdMs: Math.round(opts.hold * 1000),
              headers: opts.header,
              subprotocols: opts.subprotocol,
              insecure: opts.insecure === true,
              signal: abort.signal,
            }),
          ),
        );
      } finally {
        spinner.stop();
        stopListening();
      }
      if (output.jsonMode) output.json(reports.length === 1 ? reports[0] : reports);
      else for (const line of renderReports(reports, output.color)) output.print(line);
      const invalid = reports.filter((r) => r.verdict === 'invalid_url').length;
      if (invalid > 0) {
        throw new CheckFailedError(`${invalid} of ${reports.length} URL(s) are not valid WebSocket URLs`, {
          code: 'VOICECTL_PROBE_INVALID_URL',
          reported: true,
          exitCode: EXIT_USAGE,
        });
      }
      const failed = reports.filter((r) => !r.ok).length;
      if (failed > 0) {
        throw new CheckFailedError(`${failed} of ${reports.length} URL(s) failed the probe`, {
          code: 'VOICECTL_PROBE_FAILED',
          reported: true,
        });
      }
    });
}
