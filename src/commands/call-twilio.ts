/** The `voicectl call --via twilio` action: flags and settings in, {@link placeTwilioCall} out. */
import type { CommandContext } from '../cli/context.js';
import type { CallCommandOptions } from './call.js';

/** Place and follow a Twilio call to `target` (E.164). */
export async function runTwilioCall(ctx: CommandContext, target: string, opts: CallCommandOptions): Promise<void> {
  const { UsageError } = await import('../core/errors.js');
  const { reportVerdict } = await import('./call-verdict.js');
  const { missingValueError } = await import('../config/load.js');
  if (opts.followUrl) {
    throw new UsageError('--follow-url is for ACS calls; a Twilio call is followed through the Twilio API.', { code: 'VOICECTL_USAGE', hint: 'Drop --follow-url, or use --via acs.' });
  }
  const e164 = /^\+[1-9]\d{6,14}$/;
  if (!e164.test(target)) {
    throw new UsageError(`With --via twilio the target must be a phone number in E.164 (+14155550123), got "${target}".`, { code: 'VOICECTL_CALL_TARGET', hint: 'Write the number with + and the country code.' });
  }
  const config = await ctx.config();
  const from = opts.from ?? config.get('TWILIO_PHONE_NUMBER');
  if (!from) throw missingValueError('--from', 'TWILIO_PHONE_NUMBER', 'Twilio caller id');
  if (!e164.test(from)) throw new UsageError(`--from must be a phone number in E.164 (+14155550100), got "${from}".`, { code: 'VOICECTL_CALL_TARGET', hint: 'Use a number of your Twilio account (voicectl twilio number list).' });
  const [{ configuredPublicHost, voiceWebhookUrl }, { twilioRestFromSettings }, { placeTwilioCall }] = await Promise.all([
    import('../twilio/public-host.js'),
    import('../twilio/rest.js'),
    import('../twilio/place.js'),
  ]);
  const host = configuredPublicHost(
    opts.bridgeUrl ? { twilioPublicHost: opts.bridgeUrl } : { twilioPublicHost: config.get('TWILIO_PUBLIC_HOST'), callbackUriHost: config.get('CALLBACK_URI_HOST') },
  );
  if (!host) throw missingValueError('--bridge-url', 'CALLBACK_URI_HOST', 'bridge URL (or set TWILIO_PUBLIC_HOST)');
  const { rest, credentials } = twilioRestFromSettings((n) => config.get(n));

  const out = ctx.output({ json: opts.json === true });
  const abort = new AbortController();
  const off = ctx.io.onSignal(() => abort.abort());
  const spinner = await out.spinner(`Calling ${target} from ${from} through Twilio…`);
  try {
    const { callSid, verdict: v } = await placeTwilioCall({
      rest,
      credentials,
      to: target,
      from,
      webhookUrl: voiceWebhookUrl(host.host),
      timeoutMs: opts.timeout * 1000,
      ...(opts.pollMs !== undefined && Number.isFinite(opts.pollMs) && opts.pollMs > 0 ? { pollMs: opts.pollMs } : {}),
      signal: abort.signal,
      onEvent: (type, data) => {
        out.event(type, { source: 'twilio', ...data });
        if (out.jsonMode) return;
        if (type === 'call.placed') {
          spinner.stop();
          out.print(`call sid: ${String(data.callSid)}`);
          out.info(`Twilio requests ${String(data.webhookUrl)} when the callee answers; following the call…`);
        } else out.info(`  ${String(data.status)}`);
      },
    });
    spinner.stop();
    out.event('call.verdict', { source: 'twilio', callSid, ...v });
    reportVerdict(out, v);
  } finally {
    spinner.stop();
    off();
  }
}
