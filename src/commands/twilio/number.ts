/** `voicectl twilio number list` and `voicectl twilio number configure`. */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';

const CREDENTIALS_HELP = `
Credentials (environment or .env): TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN, or with
TWILIO_API_KEY and TWILIO_API_SECRET (the same names \`voicectl token twilio\` reads).`;

/** Factory for `twilio number list`. */
export function twilioNumberListCommand(ctx: CommandContext): Command {
  return new Command('list')
    .description('List the account\'s phone numbers and where each sends its calls')
    .option('--json', 'print [{"sid","phoneNumber","friendlyName","voiceUrl","voiceMethod","voiceApplicationSid","trunkSid","accountSid"}]')
    .addHelpText('after', `\nExample:\n  $ voicectl twilio number list --json\n${CREDENTIALS_HELP}`)
    .action(async (opts: { json?: boolean }) => {
      const config = await ctx.config();
      const [{ twilioRestFromSettings }, { listNumbers }] = await Promise.all([import('../../twilio/rest.js'), import('../../twilio/numbers.js')]);
      const numbers = await listNumbers(twilioRestFromSettings((n) => config.get(n)));
      const out = ctx.output({ json: opts.json });
      if (out.jsonMode) return out.json(numbers);
      if (numbers.length === 0) return out.info('This account has no phone numbers (buy one in the Twilio Console > Phone Numbers).');
      for (const n of numbers) {
        const target = n.trunkSid ? `SIP trunk ${n.trunkSid}` : n.voiceApplicationSid ? `TwiML App ${n.voiceApplicationSid}` : `${n.voiceMethod} ${n.voiceUrl || '(no voice URL)'}`;
        out.print(`${n.phoneNumber}  ${n.sid}  ${target}`);
      }
    });
}

interface ConfigureOptions {
  url?: string;
  json?: boolean;
}

/** Factory for `twilio number configure`. */
export function twilioNumberConfigureCommand(ctx: CommandContext): Command {
  return new Command('configure')
    .description('Point a number\'s incoming calls at the bridge: set its voice URL (POST) to https://<public host>/twilio/voice')
    .argument('<number>', 'the number in E.164 (+14155550100) or its SID (PN…)')
    .option('--url <https-url>', 'voice webhook URL (default: TWILIO_PUBLIC_HOST, else CALLBACK_URI_HOST, + /twilio/voice)')
    .option('--json', 'print {"sid","phoneNumber","voiceUrl","voiceMethod","previousVoiceUrl","clearedVoiceApplication","warnings"}')
    .addHelpText(
      'after',
      `
Examples:
  $ voicectl twilio number configure +14155550100
  $ voicectl twilio number configure PN0123… --url https://bridge.example.com/twilio/voice --json

The bridge answers that webhook when it runs with TWILIO_AUTH_TOKEN set. A TwiML App set on the
number is cleared (it would take precedence over the voice URL).
${CREDENTIALS_HELP}`,
    )
    .action(async (number: string, opts: ConfigureOptions) => {
      const config = await ctx.config();
      const [{ twilioRestFromSettings }, numbers, { configuredPublicHost, voiceWebhookUrl }] = await Promise.all([
        import('../../twilio/rest.js'),
        import('../../twilio/numbers.js'),
        import('../../twilio/public-host.js'),
      ]);
      const ref = numbers.parseNumberRef(number);
      let url: string;
      if (opts.url !== undefined) url = numbers.checkVoiceUrl(opts.url);
      else {
        const host = configuredPublicHost({ twilioPublicHost: config.get('TWILIO_PUBLIC_HOST'), callbackUriHost: config.get('CALLBACK_URI_HOST') });
        if (!host) {
          const { missingValueError } = await import('../../config/load.js');
          throw missingValueError('--url', 'CALLBACK_URI_HOST', 'public URL of the bridge (or set TWILIO_PUBLIC_HOST)');
        }
        url = voiceWebhookUrl(host.host);
      }
      const r = await numbers.configureNumber(twilioRestFromSettings((n) => config.get(n)), ref, url);
      const out = ctx.output({ json: opts.json });
      for (const w of r.warnings) out.warn(w);
      if (out.jsonMode) {
        const { sid, phoneNumber, voiceUrl, voiceMethod } = r.number;
        return out.json({ sid, phoneNumber, voiceUrl, voiceMethod, previousVoiceUrl: r.previousVoiceUrl, clearedVoiceApplication: r.clearedVoiceApplication, warnings: r.warnings });
      }
      out.print(`${r.number.phoneNumber}: voice URL set to ${r.number.voiceMethod} ${r.number.voiceUrl}`);
      if (r.previousVoiceUrl && r.previousVoiceUrl !== r.number.voiceUrl) out.info(`  (was ${r.previousVoiceUrl})`);
      if (r.clearedVoiceApplication) out.info('  cleared the TwiML App that took precedence over the voice URL');
    });
}
