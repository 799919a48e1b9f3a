/** `voicectl token twilio`: an offline Twilio Voice access token (browser / mobile phone). */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';

interface TwilioOptions {
  identity: string;
  appSid: string;
  ttl?: string;
  incoming: boolean;
  json?: boolean;
}

const EXAMPLES = `
Environment (or .env): TWILIO_ACCOUNT_SID (AC…), TWILIO_API_KEY (SK…), TWILIO_API_SECRET.

Examples:
  $ TOKEN=$(voicectl token twilio --identity alice --app-sid AP…)
  $ voicectl token twilio --identity alice --app-sid AP… --ttl 600 --no-incoming --json

Signed locally with the API key secret (HS256); nothing is sent to Twilio.
Without --json, stdout holds only the token.`;

/** Factory for `token twilio`. */
export function tokenTwilioCommand(ctx: CommandContext): Command {
  return new Command('twilio')
    .description('Mint a Twilio Voice access token offline (VoiceGrant: outgoing TwiML App, incoming calls)')
    .requiredOption('--identity <id>', 'client identity the token is for (incoming calls ring client:<id>)')
    .requiredOption('--app-sid <AP…>', 'TwiML App SID used for outgoing calls')
    .option('--ttl <seconds>', 'lifetime in seconds, 1 to 86400', '3600')
    .option('--no-incoming', 'do not allow incoming calls to this identity')
    .option('--json', 'print {"token","identity","expiresAt","ttlSeconds","incoming","appSid"} as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: TwilioOptions) => {
      const { missingValueError } = await import('../../config/load.js');
      const config = await ctx.config();
      const need = (name: 'TWILIO_ACCOUNT_SID' | 'TWILIO_API_KEY' | 'TWILIO_API_SECRET', what: string): string => {
        const v = config.get(name);
        if (v === undefined) throw missingValueError(undefined, name, what);
        return v;
      };
      const accountSid = need('TWILIO_ACCOUNT_SID', 'Twilio account SID');
      const apiKey = need('TWILIO_API_KEY', 'Twilio API key SID');
      // Not "… secret:" in the message: the redaction helper would mask the word after it.
      const apiSecret = need('TWILIO_API_SECRET', 'secret of the Twilio API key');
      const { createVoiceToken, parseTtl } = await import('../../twilio/voice-token.js');
      const t = createVoiceToken({
        accountSid,
        apiKey,
        apiSecret,
        identity: opts.identity,
        appSid: opts.appSid,
        ttlSeconds: parseTtl(opts.ttl),
        incoming: opts.incoming,
      });
      const out = ctx.output({ json: opts.json });
      if (out.jsonMode) out.json(t);
      else out.raw(`${t.token}\n`);
    });
}
