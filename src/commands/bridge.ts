import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { BridgeFlags } from '../bridge/settings.js';

interface BridgeCommandOptions extends BridgeFlags {
  json?: boolean;
  /** `--acs-resource-id`: enables ACS JWT checks on callbacks and media upgrades. */
  acsResourceId?: string;
}

/**
 * Longest a shutdown may take before the command returns anyway (ms). The bin then exits at
 * most 2 s later, whatever still holds the event loop: a stop takes under 5 s.
 */
const SHUTDOWN_BUDGET_MS = 2500;

function intOption(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    return n;
  };
}

function mediaPathOption(v: string): string {
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(v)) throw new InvalidArgumentError('must be a URL path starting with /, e.g. /ws/media.');
  return v;
}

/** `voicectl bridge`: phone-call media (ACS, Asterisk) ↔ Azure OpenAI Realtime relay. */
export function bridgeCommand(ctx: CommandContext): Command {
  return new Command('bridge')
    .description('Phone-call media (ACS media streaming, Asterisk chan_websocket and AudioSocket) ↔ Azure OpenAI Realtime relay, many calls at once')
    .addOption(new Option('--listen <port>', 'TCP port of the HTTP + WebSocket server').default(8000).argParser(intOption('--listen', 0, 65535)))
    .addOption(new Option('--host <addr>', 'address to listen on').default('0.0.0.0'))
    .addOption(new Option('--media-path <path>', 'path of the media WebSocket ACS connects to').default('/ws/media').argParser(mediaPathOption))
    .addOption(new Option('--asterisk-path <path>', 'path of the WebSocket Asterisk chan_websocket dials (websocket_client.conf uri)').default('/ws/asterisk').argParser(mediaPathOption))
    .addOption(
      new Option('--audiosocket-listen <port>', 'also take Asterisk AudioSocket calls on this TCP port (off unless given; AudioSocket has no authentication)').argParser(
        intOption('--audiosocket-listen', 0, 65535),
      ),
    )
    .addOption(new Option('--audiosocket-host <addr>', 'address of the AudioSocket listener: keep it on loopback or a private address only Asterisk reaches').default('127.0.0.1'))
    .option('--ari', 'also run the Stasis app ASTERISK_APP_NAME (default voicectl): each call entering it is answered, bridged with an externalMedia channel and relayed (ASTERISK_HOST, ASTERISK_ARI_PORT, ASTERISK_ARI_USERNAME, ASTERISK_ARI_PASSWORD)')
    .addOption(
      new Option('--ari-media <transport>', 'with --ari: websocket (chan_websocket; the bridge dials Asterisk, no port opened toward the bridge; default) or audiosocket (Asterisk dials the AudioSocket listener, port 9092 unless --audiosocket-listen)').choices([
        'websocket',
        'audiosocket',
      ]),
    )
    .addOption(
      new Option('--upstream <kind>', 'where calls go: aoai (Azure OpenAI Realtime) or echo (callers hear themselves); default aoai when AZURE_OPENAI_ENDPOINT is set, else echo').choices(['aoai', 'echo']),
    )
    .addOption(new Option('--aoai-protocol <protocol>', 'Realtime protocol: ga (/openai/v1/realtime) or preview (api-version 2024-10-01-preview)').choices(['ga', 'preview']).default('ga'))
    .addOption(new Option('--max-calls <n>', 'concurrent calls; beyond it media sockets are closed with 1013').default(200).argParser(intOption('--max-calls', 1, 100000)))
    .addOption(new Option('--media-token <secret>', 'secret required on the media upgrade as ?token= or Authorization: Bearer (prefer VOICECTL_MEDIA_TOKEN: argv is visible to other users)'))
    .addOption(
      new Option('--drain-timeout <seconds>', 'on SIGTERM, how long active calls may run on while new ones are refused (then closed with 1001); VOICECTL_DRAIN_TIMEOUT').argParser(
        intOption('--drain-timeout', 0, 86_400),
      ),
    )
    .option('--transcripts <dir>', 'append each call\'s final transcript lines (caller and model) to <dir>/<start>-<callId>.jsonl, mode 0600')
    .option('--acs-resource-id <id>', 'immutable id of the ACS resource (`voicectl acs show`, or ACS_RESOURCE_ID): validate the JWT ACS puts on callbacks and media sockets')
    .option('--json', 'NDJSON events on stdout (bridge.listening, call.started, call.ended, upstream.error, transcript, ...)')
    .addHelpText(
      'after',
      `
Azure OpenAI settings come from the environment or .env: AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_DEPLOYMENT,
AZURE_OPENAI_API_KEY (without it: Entra ID via DefaultAzureCredential), AOAI_VOICE, AOAI_INSTRUCTIONS
or AOAI_INSTRUCTIONS_FILE. Ask ACS for audioFormat Pcm24KMono: 24 kHz audio passes through unchanged;
16 kHz calls are resampled.

Routes: GET /api/health (liveness, JSON, never a secret), GET /api/ready (readiness: 503 while
draining, at --max-calls or while Azure OpenAI refuses), and the media WebSockets; anything else is 404.
SIGTERM / SIGINT: drain (new calls refused with 1013, /api/ready 503, active calls run to their end
for up to --drain-timeout seconds, default 30), then close the rest with 1001 and exit 0. A second
signal ends the drain at once.

--ari: the Stasis app needs no code of yours. It uses the same ASTERISK_* settings as
\`voicectl ari check\`; the scaffolded dialplan (\`voicectl scaffold dialplan\`) sends calls to it.
Asterisk 20.16+/21.11+/22.6+ for chan_websocket (default), 18+ for --ari-media audiosocket
(slin16 from 20.17/21.12/22.7). AudioSocket has no authentication: keep --audiosocket-host on
loopback or a private address only Asterisk reaches.

Examples:
  voicectl bridge --listen 8000                      # echo mode without AOAI settings
  VOICECTL_MEDIA_TOKEN=s3cret voicectl bridge        # ACS transport URL: wss://<tunnel>/ws/media?token=s3cret
  voicectl bridge --aoai-protocol preview --json     # NDJSON events for a log pipeline
  voicectl bridge --ari                              # Asterisk calls entering Stasis(voicectl)
  voicectl bridge --ari --ari-media audiosocket      # the same over AudioSocket (127.0.0.1:9092)`,
    )
    .action(async (opts: BridgeCommandOptions) => {
      const output = ctx.output({ json: opts.json });
      const [{ resolveBridgeSettings }, { startBridgeService }, { describeEvent }, { voicectlVersion }, { redact }] = await Promise.all([
        import('../bridge/settings.js'),
        import('../bridge/service.js'),
        import('../bridge/log-lines.js'),
        import('../cli/version.js'),
        import('../core/redact.js'),
      ]);
      const settings = await resolveBridgeSettings(await ctx.config(), opts, ctx.io.cwd);
      for (const notice of settings.notices) output.info(notice);
      const onEvent = (type: string, data: Record<string, unknown>): void => {
        // Free-text fields (an error from the model or a route, a close reason) may quote a
        // secret: mask them. Other fields are built by voicectl (and acs.answering's Event Grid
        // URL must keep its ?code= for the subscription).
        if (output.jsonMode) {
          const masked = { ...data };
          for (const k of ['message', 'reason'] as const) if (typeof masked[k] === 'string') masked[k] = redact(masked[k] as string);
          return output.event(type, masked);
        }
        const line = describeEvent(type, data);
        if (line !== undefined) output.info(line);
      };
      const service = await startBridgeService({
        settings,
        config: await ctx.config(),
        env: ctx.io.env,
        ...(opts.acsResourceId ? { acsResourceId: opts.acsResourceId } : {}),
        version: voicectlVersion(),
        onEvent,
        ...(output.jsonMode ? {} : { log: (line: string) => output.info(line) }),
      });
      const handle = service.handle;
      for (const line of service.prints) output.print(line);
      for (const notice of service.notices) output.info(notice);
      const shown = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
      onEvent('bridge.listening', {
        host: settings.host,
        port: handle.port,
        mediaUrl: `ws://${shown}:${handle.port}${settings.mediaPath}`,
        asteriskUrl: `ws://${shown}:${handle.port}${settings.asteriskPath}`,
        ...(handle.audioSocketPort !== undefined ? { audioSocket: `${settings.audioSocket!.host}:${handle.audioSocketPort}` } : {}),
        healthUrl: `http://${shown}:${handle.port}/api/health`,
        upstream: handle.upstream.kind,
        ...(handle.upstream.kind === 'aoai'
          ? { endpointHost: handle.upstream.endpointHost, deployment: handle.upstream.deployment, protocol: handle.upstream.protocol }
          : {}),
        maxCalls: settings.maxCalls,
        ...(settings.ari ? { ari: { app: settings.ari.app, media: settings.ari.media, url: settings.ari.url.base } } : {}),
        mediaTokenRequired: Boolean(settings.mediaToken),
      });
      // First SIGTERM/SIGINT: drain (refuse new calls, let active ones end, up to --drain-timeout);
      // a second signal ends the drain at once. Then close what is left with 1001 and exit 0.
      const stopDrain = new AbortController();
      const signal = await new Promise<string>((resolve) => {
        let first: string | undefined;
        const off = ctx.io.onSignal((s) => {
          if (first === undefined) {
            first = s;
            return resolve(s);
          }
          off();
          stopDrain.abort();
        });
        stopDrain.signal.addEventListener('abort', off);
      });
      const drainMs = settings.drainTimeoutS * 1000;
      if (handle.registry.calls.size > 0 && drainMs > 0) {
        output.info(`${signal}: draining: ${handle.registry.calls.size} active calls may run for up to ${settings.drainTimeoutS} s (send the signal again to stop now)`);
        const left = await handle.drain(drainMs, {
          stop: stopDrain.signal,
          progress: (active, remainingMs) => {
            onEvent('bridge.draining', { active, remainingS: Math.ceil(remainingMs / 1000) });
          },
        });
        if (left > 0) output.info(`${left} calls still active: closing them with 1001`);
      } else output.info(`${signal}: stopping (closing calls with 1001)`);
      stopDrain.abort();
      await Promise.race([service.close(), new Promise((r) => setTimeout(r, SHUTDOWN_BUDGET_MS).unref())]);
      onEvent('bridge.stopped', { signal, ...handle.stats() });
    });
}
