/**
 * `voicectl ari originate <endpoint>`: place a call into a Stasis app or a dialplan position.
 */
import { Command, Option } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { addConnectionOptions, connectAri, type AriConnectionFlags } from './connection.js';
import { positiveInt } from '../parsers.js';

interface OriginateFlags extends AriConnectionFlags {
  app?: string;
  appArgs?: string;
  context?: string;
  exten?: string;
  priority?: number;
  callerId?: string;
  timeout?: number;
}

const HELP = `
Give either --app (the answered channel enters Stasis(<app>) with --app-args) or
--context and --exten (the answered channel continues in the dialplan there).

Examples:
  $ voicectl ari originate PJSIP/alice --app voicectl --app-args outbound,lab
  $ voicectl ari originate Local/100@voicectl-inbound --context default --exten 200
  $ voicectl ari originate PJSIP/alice --app voicectl --caller-id '"voicectl" <100>' --timeout 20 --json`;

/** `voicectl ari originate`. */
export function ariOriginateCommand(ctx: CommandContext): Command {
  const cmd = new Command('originate')
    .description('originate a call (POST /ari/channels) into a Stasis app or a dialplan extension')
    .argument('<endpoint>', 'dial string, e.g. PJSIP/alice or Local/100@voicectl-inbound');
  addConnectionOptions(cmd)
    .addOption(new Option('--app <name>', 'Stasis app for the answered channel').conflicts(['context', 'exten']))
    .addOption(new Option('--app-args <a,b>', 'comma-separated args, delivered as StasisStart.args'))
    .addOption(new Option('--context <context>', 'dialplan context for the answered channel'))
    .addOption(new Option('--exten <exten>', 'dialplan extension for the answered channel'))
    .addOption(new Option('--priority <n>', 'dialplan priority').argParser(positiveInt('--priority')))
    .addOption(new Option('--caller-id <id>', 'caller id, e.g. \'"voicectl" <100>\''))
    .addOption(new Option('--timeout <seconds>', 'seconds to wait for an answer (Asterisk default 30)').argParser(positiveInt('--timeout')))
    .addHelpText('after', HELP)
    .action(async (endpoint: string, flags: OriginateFlags) => {
      const { UsageError } = await import('../../core/errors.js');
      const usage = (message: string): Error =>
        new UsageError(message, { code: 'VOICECTL_USAGE', hint: 'Run `voicectl ari originate --help` for the options.' });
      if (!/^[^/\s]+\/\S+$/.test(endpoint)) throw usage(`<endpoint> must be a dial string like PJSIP/alice, got "${endpoint}"`);
      if (flags.app === undefined && (flags.context === undefined || flags.exten === undefined)) {
        throw usage('Give --app <name>, or both --context and --exten.');
      }
      if (flags.app === undefined && flags.appArgs !== undefined) throw usage('--app-args needs --app.');
      if (flags.app !== undefined && flags.priority !== undefined) throw usage('--priority goes with --context/--exten, not --app.');
      const out = ctx.output({ json: flags.json });
      const { client } = await connectAri(ctx, flags);
      const channel = await client.originate({
        endpoint,
        app: flags.app,
        appArgs: flags.appArgs?.split(',').map((a) => a.trim()),
        context: flags.context,
        extension: flags.exten,
        priority: flags.app === undefined ? (flags.priority ?? 1) : undefined,
        callerId: flags.callerId,
        timeout: flags.timeout,
      });
      if (out.jsonMode) {
        // the same summary as `ari channels --json`, so scripts read one shape
        const { channelSummary } = await import('../../ari/channels.js');
        out.json({ ok: true, channel: channelSummary(channel, Date.now()) });
        return;
      }
      out.print(`Originated ${channel.name} (id ${channel.id}), state ${channel.state}`);
      out.info(`Hang up with: voicectl ari hangup ${channel.id}`);
    });
  return cmd;
}
