/**
 * `voicectl ari check`: step-by-step ARI diagnostics with one verdict.
 */
import { Command, Option } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import type { AriCheckReport, CheckStep } from '../../ari/check.js';
import { addConnectionOptions, connectAri, resolveApp, type AriConnectionFlags } from './connection.js';
import { positiveInt } from '../parsers.js';

interface CheckFlags extends AriConnectionFlags {
  app?: string;
  media?: 'websocket' | 'audiosocket' | 'all';
  dialplan?: string;
  timeout: number;
}

const HELP = `
Steps (each timed; the first failure ends the check with one verdict):
  tcp       TCP connect to the HTTP server
            → connection_refused | dns_error | connect_timeout
  info      GET /ari/asterisk/info (Asterisk version, entity id)
            → ari_not_found | auth_failed | http_error
  modules   GET /ari/asterisk/modules: the chan_websocket path (chan_websocket,
            res_websocket_client, res_http_websocket; Asterisk 20.16+/21.11+/22.6+, JSON
            control 20.18+/22.8+) and the AudioSocket path (res_audiosocket with
            chan_audiosocket or app_audiosocket; Asterisk 18+, slin16 20.17+/21.12+/22.7+).
            A path that is not ready is a warning with the fix (module load …), unless
            asked for with --media
            → modules_missing
  events    open the events WebSocket /ari/events?app=APP
            → events_failed
  app       GET /ari/applications/APP while that socket is open
            → app_not_registered
  dialplan  (with --dialplan) originate Local/<exten>@<context> into APP, wait for the
            StasisStart from the dialplan's Stasis(APP), then hang up
            → dialplan_not_routed | write_denied

The password comes from ASTERISK_ARI_PASSWORD (environment or env file) or a masked prompt
on a terminal; never from a flag. While the check runs, its events socket holds APP: use
a test app name (--app voicectl-check) if a production app is connected.

Examples:
  $ ASTERISK_ARI_PASSWORD=... voicectl ari check --url http://pbx:8088 --user voicectl
  $ voicectl ari check --app voicectl --dialplan 100@voicectl-inbound --json
  $ voicectl ari check --media websocket      # fail unless chan_websocket is usable

Exit: 0 verdict ok, 1 another verdict, 2 usage or configuration error.`;

/** `voicectl ari check`. */
export function ariCheckCommand(ctx: CommandContext): Command {
  const cmd = new Command('check').description('check ARI step by step: TCP, auth, events socket, app registration, dialplan routing');
  addConnectionOptions(cmd)
    .addOption(new Option('--app <name>', 'Stasis app to register (default $ASTERISK_APP_NAME, else voicectl)'))
    .addOption(new Option('--dialplan <exten@context>', 'also prove this extension reaches Stasis(<app>), e.g. 100@voicectl-inbound'))
    .addOption(new Option('--media <path>', 'fail (not only warn) when this media path is not usable: websocket (chan_websocket), audiosocket or all').choices(['websocket', 'audiosocket', 'all']))
    .addOption(new Option('--timeout <ms>', 'timeout of each step in ms').default(5000).argParser(positiveInt('--timeout')))
    .addHelpText('after', HELP)
    .action(async (flags: CheckFlags) => {
      const { parseDialplanTarget, runAriCheck } = await import('../../ari/check.js');
      const { CheckFailedError } = await import('../../core/errors.js');
      const out = ctx.output({ json: flags.json });
      const dialplan = flags.dialplan === undefined ? undefined : parseDialplanTarget(flags.dialplan);
      const app = await resolveApp(ctx, flags.app);
      const conn = await connectAri(ctx, flags, flags.timeout);
      if (!out.jsonMode) out.print(`ARI check ${conn.url.base} (user ${conn.user}, app ${app})`);
      const abort = new AbortController();
      const offSignal = ctx.io.onSignal(() => abort.abort());
      const report = await runAriCheck({
        url: conn.url,
        user: conn.user,
        password: conn.password,
        app,
        dialplan,
        ...(flags.media ? { media: flags.media === 'all' ? (['websocket', 'audiosocket'] as const).slice() : [flags.media] } : {}),
        timeoutMs: flags.timeout,
        onStep: (s) => out.print(stepLine(s, out.color)),
        signal: abort.signal,
      }).finally(offSignal);
      if (out.jsonMode) out.json(report);
      else {
        for (const w of report.warnings) out.warn(w);
        printVerdict(report, out);
      }
      if (!report.ok) throw new CheckFailedError(report.message, { code: report.code, reported: true });
    });
  return cmd;
}

type Colors = { green(s: string): string; red(s: string): string; dim(s: string): string; bold(s: string): string };

function stepLine(s: CheckStep, c: Colors): string {
  const mark = s.ok ? c.green('ok  ') : c.red('FAIL');
  return `  ${mark} ${s.step.padEnd(8)} ${`${s.ms} ms`.padStart(8)}  ${s.detail}`;
}

function printVerdict(r: AriCheckReport, out: { print(t: string): void; color: Colors }): void {
  const c = out.color;
  if (r.ok) {
    out.print(`${c.bold('verdict:')} ${c.green('ok')}: ${r.message}`);
    if (!r.summary.dialplan) out.print(c.dim('  (add --dialplan <exten>@<context> to prove the dialplan reaches Stasis)'));
    return;
  }
  out.print(`${c.bold('verdict:')} ${c.red(r.verdict)} (${r.code})`);
  if (r.hint) out.print(`hint: ${r.hint}`);
}
