/**
 * `voicectl ari watch`: hold a Stasis app registered and print its events until Ctrl-C.
 */
import { Command, Option } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import { addConnectionOptions, connectAri, resolveApp, type AriConnectionFlags } from './connection.js';

interface WatchFlags extends AriConnectionFlags {
  app?: string;
  subscribeAll?: boolean;
}

const HELP = `
While it runs, the app is registered (\`ari show apps\` lists it), so calls that reach
Stasis(<app>) in the dialplan show up here as StasisStart with their args. Channels that
enter the app stay there until hung up: voicectl does not answer or move them.

Output: one line per event; with --json, NDJSON events:
  {"type":"ari.watching",...}  {"type":"ari.event","event":{...ARI event...}}  {"type":"ari.stopped","events":N}
Ctrl-C (SIGINT) or SIGTERM closes the socket and exits 0.

Examples:
  $ voicectl ari watch --app voicectl
  $ voicectl ari watch --json | jq -c 'select(.event.type=="StasisStart") | .event.args'`;

/** `voicectl ari watch`. */
export function ariWatchCommand(ctx: CommandContext): Command {
  const cmd = new Command('watch').description('register a Stasis app and print its events until Ctrl-C (NDJSON with --json)');
  addConnectionOptions(cmd)
    .addOption(new Option('--app <name>', 'Stasis app to hold (default $ASTERISK_APP_NAME, else voicectl)'))
    .addOption(new Option('--subscribe-all', 'receive every event of the system, not only the app\'s'))
    .addHelpText('after', HELP)
    .action(async (flags: WatchFlags) => {
      const { openEvents } = await import('../../ari/events.js');
      const { describeEvent } = await import('../../ari/channels.js');
      const { AriError } = await import('../../ari/verdicts.js');
      const out = ctx.output({ json: flags.json });
      const app = await resolveApp(ctx, flags.app);
      const { client, url } = await connectAri(ctx, flags);
      const socket = await openEvents(client, { app, subscribeAll: flags.subscribeAll });
      let count = 0;
      out.event('ari.watching', { app, url: url.base, user: client.user });
      if (!out.jsonMode) out.info(`Watching app "${app}" on ${url.base}; Ctrl-C to stop.`);
      socket.onEvent((event) => {
        count += 1;
        if (out.jsonMode) out.event('ari.event', { event });
        else out.print(`${(event.timestamp ?? new Date().toISOString()).slice(11, 23)}  ${describeEvent(event)}`);
      });
      const outcome = await new Promise<{ signal?: string; closedCode?: number; reason?: string }>((resolve) => {
        const offSignal = ctx.io.onSignal((signal) => {
          offSignal();
          resolve({ signal });
        });
        socket.onClose((code, reason) => {
          offSignal();
          resolve({ closedCode: code, reason });
        });
      });
      await socket.close();
      out.event('ari.stopped', { app, events: count, ...(outcome.signal ? { signal: outcome.signal } : { closeCode: outcome.closedCode }) });
      if (outcome.signal === undefined) {
        throw new AriError('events_failed', `Asterisk closed the events socket (code ${outcome.closedCode}${outcome.reason ? `: ${outcome.reason}` : ''}) after ${count} events`, {
          hint: 'Asterisk restarted or res_ari reloaded: run `voicectl ari check` and start watch again.',
        });
      }
      if (!out.jsonMode) out.info(`Stopped after ${count} events; app "${app}" released.`);
    });
  return cmd;
}
