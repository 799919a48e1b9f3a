/**
 * `voicectl ari channels`: list live channels.
 */
import { Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { addConnectionOptions, connectAri, type AriConnectionFlags } from './connection.js';

/** `voicectl ari channels`. */
export function ariChannelsCommand(ctx: CommandContext): Command {
  const cmd = new Command('channels').description('list live channels: id, name, state, caller, dialplan position, age');
  addConnectionOptions(cmd)
    .addHelpText('after', '\nExamples:\n  $ voicectl ari channels\n  $ voicectl ari channels --json | jq -r \'.channels[].id\'')
    .action(async (flags: AriConnectionFlags) => {
      const { channelRows, formatAge, renderTable } = await import('../../ari/channels.js');
      const out = ctx.output({ json: flags.json });
      const { client } = await connectAri(ctx, flags);
      const rows = channelRows(await client.channels(), Date.now());
      if (out.jsonMode) {
        out.json({ ok: true, count: rows.length, channels: rows });
        return;
      }
      if (rows.length === 0) {
        out.info('No live channels.');
        return;
      }
      out.print(
        renderTable(
          ['ID', 'NAME', 'STATE', 'CALLER', 'DIALPLAN', 'AGE'],
          rows.map((r) => [r.id, r.name, r.state, r.caller, r.dialplan, formatAge(r.ageSeconds)]),
        ),
      );
    });
  return cmd;
}
