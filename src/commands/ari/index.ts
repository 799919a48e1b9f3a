/**
 * `voicectl ari …`: Asterisk ARI diagnostics and call control. One file per verb.
 */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { ariChannelsCommand } from './channels.js';
import { ariCheckCommand } from './check.js';
import { ariHangupCommand } from './hangup.js';
import { ariOriginateCommand } from './originate.js';
import { ariWatchCommand } from './watch.js';

const HELP = `
Connection: --url (default http://$ASTERISK_HOST:$ASTERISK_ARI_PORT), --user
($ASTERISK_ARI_USERNAME), password from ASTERISK_ARI_PASSWORD (environment or env file) or a
prompt on a terminal; an http.conf prefix goes in the URL path (http://HOST:8088/asterisk).`;

/** `voicectl ari` and its verbs. */
export function ariCommand(ctx: CommandContext): Command {
  return new Command('ari')
    .description('Asterisk ARI: check the setup step by step, list/originate/hang up channels, watch events')
    .addCommand(ariCheckCommand(ctx))
    .addCommand(ariChannelsCommand(ctx))
    .addCommand(ariOriginateCommand(ctx))
    .addCommand(ariHangupCommand(ctx))
    .addCommand(ariWatchCommand(ctx))
    .addHelpText('after', HELP);
}
