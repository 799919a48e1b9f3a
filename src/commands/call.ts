import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../cli/context.js';

/** Parsed options of `voicectl call`. */
export interface CallCommandOptions {
  /** `acs` (default) or `twilio`. */
  via: 'acs' | 'twilio';
  from?: string;
  bridgeUrl?: string;
  followUrl?: string;
  timeout: number;
  json?: boolean;
  /** Hidden: between Twilio call-status fetches, ms (tests). */
  pollMs?: number;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new InvalidArgumentError('give a number of seconds between 1 and 3600.');
  return n;
}

/**
 * `voicectl call <8:acs:…|+E.164> [--from] [--bridge-url] [--follow-url] [--timeout] [--json]`:
 * place a call through ACS with media streaming to the running bridge and report whether it
 * connected and media started.
 */
export function callCommand(ctx: CommandContext): Command {
  return new Command('call')
    .description('Place an ACS or Twilio call that streams its media to the running bridge, and report how it went')
    .argument('<target>', 'an ACS user id (8:acs:…) or a phone number in E.164 (+14255550123)')
    .addOption(new Option('--via <provider>', 'who places the call').choices(['acs', 'twilio']).default('acs'))
    .option('--from <+E.164>', 'caller id for phone targets: an ACS phone number of this resource (required for ACS phone targets); with --via twilio a number of the Twilio account (default TWILIO_PHONE_NUMBER)')
    .option('--bridge-url <https-origin>', 'public https origin of `voicectl bridge`, where ACS sends callbacks and media, or Twilio requests /twilio/voice (default: CALLBACK_URI_HOST; for Twilio TWILIO_PUBLIC_HOST first)')
    .option('--follow-url <url>', 'ACS only: where to read the call\'s events from the bridge (default: the bridge URL; http://127.0.0.1:8000 on the bridge\'s machine)')
    .addOption(new Option('--timeout <seconds>', 'how long to wait for the verdict').argParser(seconds).default(60))
    .option('--json', 'NDJSON events on stdout, ending with a call.verdict event')
    .addOption(new Option('--poll-ms <ms>', 'between Twilio call-status fetches (tests)').argParser((v) => Number(v)).hideHelp())
    .addHelpText(
      'after',
      `
Needs AZURE_COMMUNICATION_CONNECTION_STRING (the same as the bridge's) and a bridge started with
CALLBACK_URI_HOST set, e.g. \`voicectl bridge --listen 8000\` behind \`voicectl tunnel\`.

Examples:
  voicectl call 8:acs:1f2e…_0000-…            # ring your own browser identity, accept, talk
  voicectl call +14255550123 --from +18005550199
  voicectl call 8:acs:… --follow-url http://127.0.0.1:8000 --json
  voicectl call --via twilio +14155550123            # from TWILIO_PHONE_NUMBER

With --via twilio: needs TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and
TWILIO_API_SECRET), and a bridge with TWILIO_AUTH_TOKEN set: Twilio requests the bridge's
https://<host>/twilio/voice when the callee answers, and the bridge connects the call's media.
The call's status is followed until it ends or --timeout passes.

Exit codes: 0 connected and media started (Twilio: answered); 1 a step failed (the verdict says
which and why); 2 bad target, missing --from or missing configuration; 130 interrupted.`,
    )
    .action((target: string, opts: CallCommandOptions) => runCall(ctx, target, opts));
}

/** The action: parse the target, resolve the configuration, place and follow the call, print the verdict. */
async function runCall(ctx: CommandContext, target: string, opts: CallCommandOptions): Promise<void> {
  if (opts.via === 'twilio') return (await import('./call-twilio.js')).runTwilioCall(ctx, target, opts);
  const { reportVerdict } = await import('./call-verdict.js');
  const { missingValueError, resolveSetting } = await import('../config/load.js');
  const out = ctx.output({ json: opts.json === true });
  const { parseTarget } = await import('../calls/targets.js');
  const parsed = parseTarget(target, opts.from);
  const config = await ctx.config();
  const conn = resolveSetting(config, undefined, 'AZURE_COMMUNICATION_CONNECTION_STRING');
  if (!conn) throw missingValueError(undefined, 'AZURE_COMMUNICATION_CONNECTION_STRING', 'ACS connection string');
  const bridge = resolveSetting(config, opts.bridgeUrl, 'CALLBACK_URI_HOST');
  if (!bridge) throw missingValueError('--bridge-url', 'CALLBACK_URI_HOST', 'bridge URL');

  const { placeCall } = await import('../calls/place.js');
  const { tlsOptionsFromEnv } = await import('../calls/client.js');
  const abort = new AbortController();
  const off = ctx.io.onSignal(() => abort.abort());
  const spinner = await out.spinner(`Placing a call to ${target}…`);
  try {
    const result = await placeCall({
      connectionString: conn.value,
      target: parsed,
      bridgeUrl: bridge.value,
      ...(opts.followUrl ? { followUrl: opts.followUrl } : {}),
      ...(config.get('VOICECTL_MEDIA_TOKEN') ? { mediaToken: config.get('VOICECTL_MEDIA_TOKEN')! } : {}),
      timeoutMs: opts.timeout * 1000,
      clientOptions: tlsOptionsFromEnv(ctx.io.env),
      signal: abort.signal,
      onEvent: (e) => {
        const { type, ...data } = e;
        out.event(type, data);
        if (out.jsonMode) return;
        if (type === 'call.placed') {
          spinner.stop();
          out.print(`call connection id: ${String(data.callConnectionId ?? '?')}`);
          out.info('Following the call through the bridge…');
        } else {
          out.info(`  ${type}${data.diagnosis ? `: ${String(data.diagnosis)}` : ''}`);
        }
      },
    });
    spinner.stop();
    const v = result.verdict;
    out.event('call.verdict', { callbackId: result.callbackId, callConnectionId: result.callConnectionId, ...v });
    reportVerdict(out, v);
  } finally {
    spinner.stop();
    off();
  }
}
