/**
 * `voicectl tunnel up`: options and help. The work happens in `up-run.ts`, loaded when the
 * action runs, so `voicectl --help` never loads execa or ws.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../../cli/context.js';

/** Parsed `voicectl tunnel up` options. */
export interface TunnelUpCliOptions {
  provider?: 'cloudflared' | 'devtunnel' | 'ngrok';
  /** Local bridge port. */
  port: number;
  tunnelId?: string;
  /** `--write-env` alone → true (the --env-file, else ./.env); with a value → that path. */
  writeEnv?: string | true;
  probePath: string;
  /** false with `--no-probe`. */
  probe: boolean;
  probeUrl?: string;
  /** Seconds the probe holds the open WebSocket. */
  probeHold: number;
  /** Seconds to wait for the public URL. */
  timeout: number;
  cloudflaredProtocol?: 'auto' | 'quic' | 'http2';
  /** `--route-calls`: point the Event Grid IncomingCall subscription at the new host. */
  routeCalls?: boolean;
  json?: boolean;
}

const HELP_AFTER = `
Providers (without --provider, the first found on PATH, in this order):
  cloudflared  quick tunnel to http://127.0.0.1:<port> (https://<words>.trycloudflare.com, new on
               every run, no account). Run with an empty --config so ~/.cloudflared/config.yml
               cannot answer 404, and a pinned --metrics address for the URL and readiness.
  devtunnel    needs a login once: devtunnel user login -d. Without --tunnel-id a temporary
               anonymous tunnel (devtunnel host -p <port> --allow-anonymous); with --tunnel-id the
               port and anonymous access are added to that tunnel first (ACS cannot log in: a
               private tunnel answers its WebSocket with 302/401).
  ngrok        ngrok http <port>; the authtoken comes from NGROK_AUTHTOKEN (environment or .env,
               passed to ngrok through its environment) or ngrok's own config.

Once the tunnel is up: a tunnel.ready event (publicUrl, wssUrl, callbackUriHost), the optional
.env update, then a WebSocket probe of wss://<public host><probe path> when something listens on
the port (start the bridge first: voicectl bridge --listen <port>). voicectl stays in the
foreground, passing the tool's warnings and errors to stderr (all of its output with --verbose).
A failed cloudflared QUIC dial is explained at once (a warning and a tunnel.warning event with the
code and hint) while voicectl keeps waiting for cloudflared's own fallback to http2.
Ctrl-C stops the tool and exits 130; SIGTERM exits 0; the tool dying on its own exits 1.

Examples:
  voicectl tunnel up --write-env                      # first tool on PATH, port 8000, sets ./.env
  voicectl tunnel up --provider devtunnel --tunnel-id voicectl-demo.usw2
  voicectl tunnel up --provider cloudflared --cloudflared-protocol http2   # UDP 7844 blocked
  voicectl tunnel up --write-env --route-calls      # new quick-tunnel host: incoming calls follow it
  voicectl tunnel up --json | jq -c 'select(.type=="tunnel.ready")'`;

/** Build `voicectl tunnel up`. */
export function tunnelUpCommand(ctx: CommandContext): Command {
  return new Command('up')
    .summary('start a tunnel to the bridge port, print its URL, probe its wss://')
    .description(
      'Start a public tunnel to the local bridge port with cloudflared, devtunnel or ngrok, report its URL (and write CALLBACK_URI_HOST with --write-env), probe the public media WebSocket, and keep the tunnel up until Ctrl-C.',
    )
    .addOption(new Option('--provider <tool>', 'tunnel tool to drive (default: first found on PATH)').choices(['cloudflared', 'devtunnel', 'ngrok']))
    .addOption(new Option('--port <port>', 'local port of the bridge').default(8000).argParser(parsePort))
    .option('--tunnel-id <id>', 'devtunnel: host this existing tunnel (port and anonymous access are ensured first)')
    .option('--write-env [path]', 'set CALLBACK_URI_HOST in this env file (default: --env-file, else ./.env), in place, mode 0600')
    .addOption(new Option('--probe-path <path>', 'path of the media WebSocket to probe').default('/ws/media'))
    .option('--no-probe', 'do not probe the public WebSocket')
    .option('--probe-url <url>', 'probe this URL instead of wss://<public host><probe path> (a custom domain in front of the tunnel)')
    .addOption(new Option('--probe-hold <seconds>', 'how long the probe keeps the WebSocket open').default(3).argParser(parseSeconds))
    .addOption(new Option('--timeout <seconds>', 'how long to wait for the public URL and the connection').default(60).argParser(parseSeconds))
    .addOption(
      new Option('--cloudflared-protocol <protocol>', 'cloudflared edge transport (http2 when UDP port 7844 is blocked)').choices(['auto', 'quic', 'http2']),
    )
    .option('--route-calls', 'then point the ACS IncomingCall Event Grid subscription at the new host (as `voicectl acs route-calls`; needs AZURE_SUBSCRIPTION_ID and an Azure sign-in)')
    .option('--json', 'NDJSON events on stdout: tunnel.warning, tunnel.ready, tunnel.env, tunnel.probe, tunnel.route, tunnel.stopped')
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: TunnelUpCliOptions) => {
      if (opts.tunnelId && opts.provider && opts.provider !== 'devtunnel') {
        const { UsageError } = await import('../../core/errors.js');
        throw new UsageError('--tunnel-id is for --provider devtunnel.', {
          code: 'VOICECTL_USAGE',
          hint: 'Drop --tunnel-id, or use --provider devtunnel.',
        });
      }
      const { runTunnelUp } = await import('./up-run.js');
      await runTunnelUp(ctx, opts);
    });
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a TCP port 1-65535, e.g. --port 8000.');
  return n;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 3600) {
    throw new InvalidArgumentError('expected a number of seconds between 0 and 3600, e.g. 30 or 0.5.');
  }
  return n;
}
