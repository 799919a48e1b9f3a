/**
 * `voicectl ari hangup <channelId>`.
 */
import { Command, Option } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { addConnectionOptions, connectAri, type AriConnectionFlags } from './connection.js';

interface HangupFlags extends AriConnectionFlags {
  reason?: string;
}

/** `voicectl ari hangup`. */
export function ariHangupCommand(ctx: CommandContext): Command {
  const cmd = new Command('hangup').description('hang up a channel (DELETE /ari/channels/<id>)').argument('<channelId>', 'channel id, as listed by `voicectl ari channels`');
  addConnectionOptions(cmd)
    .addOption(new Option('--reason <reason>', 'hangup reason').choices(['normal', 'busy', 'congestion', 'no_answer', 'timeout', 'rejected', 'unallocated', 'normal_unspecified', 'number_incomplete', 'codec_mismatch', 'interworking', 'failure', 'answered_elsewhere']))
    .addHelpText('after', '\nExample:\n  $ voicectl ari hangup 1795310925.0')
    .action(async (channelId: string, flags: HangupFlags) => {
      const out = ctx.output({ json: flags.json });
      const { client } = await connectAri(ctx, flags);
      await client.hangup(channelId, flags.reason);
      if (out.jsonMode) out.json({ ok: true, channelId, hungUp: true });
      else out.print(`Hung up ${channelId}`);
    });
  return cmd;
}
