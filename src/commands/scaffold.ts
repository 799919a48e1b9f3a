/**
 * `voicectl scaffold <env|ari|dialplan|all>`: write a commented `.env`, Asterisk ARI /
 * HTTP configuration and a Stasis dialplan from the packaged templates. The logic lives
 * in `src/scaffold/`, loaded only when the command runs.
 */
import { Argument, Command, Option } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { ScaffoldFlags, ScaffoldTarget } from '../scaffold/settings.js';

interface ScaffoldCliOptions extends ScaffoldFlags {
  dir?: string;
  force?: boolean;
  freepbx?: boolean;
  json?: boolean;
}

const HELP_AFTER = `
Targets:
  env       .env with every variable voicectl reads (mode 0600), and .env in .gitignore
  ari       ari.conf (ARI user) + http.conf (HTTP server); with --freepbx the FreePBX
            ari_general_custom.conf, ari_additional_custom.conf, http_custom.conf
  dialplan  extensions_custom.conf: a context that sends calls to Stasis(<app>)
  asterisk-media
            websocket_client.conf with a [voicectl] connection to the bridge (--bridge-url;
            the password is the bridge's VOICECTL_MEDIA_TOKEN, generated when unset), and in
            extensions_custom.conf a context (--media-context) that sends calls to the model
            with Dial(WebSocket/voicectl/c(slin16)f(json)), plus an extension "audiosocket"
            doing the same with AudioSocket(\${UUID()},--audiosocket-address); no Stasis app
  all       all of the above; the .env gets the same ARI user, password, port, app and media token

Existing files are never replaced unless --force, which first copies each to
<file>.bak-<UTC timestamp>. Values: flag > environment > env file > prompt (terminal
only) > default; defaults used are reported. Without --ari-password, a random
24-character password is generated (and set in .env when there is one in --dir).

Examples:
  voicectl scaffold all --dir ./asterisk
  voicectl scaffold env --set AOAI_VOICE=alloy --set CALLBACK_URI_HOST=https://x.trycloudflare.com
  sudo voicectl scaffold ari --dir /etc/asterisk --freepbx --crypt --force
  voicectl scaffold dialplan --context from-pstn-ai --exten _0X. --app-name voicectl --app-args inbound
  voicectl scaffold asterisk-media --bridge-url ws://10.0.0.5:8000/ws/asterisk --dir ./asterisk`;

/** The `scaffold` command. */
export function scaffoldCommand(ctx: CommandContext): Command {
  return new Command('scaffold')
    .description('write a commented .env, Asterisk ARI/HTTP config, a Stasis dialplan and the chan_websocket / AudioSocket config')
    .addArgument(new Argument('<target>', 'what to write').choices(['env', 'ari', 'dialplan', 'asterisk-media', 'all']))
    .option('--dir <path>', 'directory to write into', '.')
    .option('--force', 'replace existing files (each is first copied to <file>.bak-<UTC timestamp>)')
    .option('--json', 'print the list of files written as one JSON document')
    .addOption(
      new Option('--set <NAME=VALUE>', 'a .env value (repeatable), e.g. --set AOAI_VOICE=alloy').argParser(
        (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
      ),
    )
    .option('--ari-user <name>', 'ARI user, an ari.conf section (env ASTERISK_ARI_USERNAME; default voicectl)')
    .option(
      '--ari-password <password>',
      'ARI password (env ASTERISK_ARI_PASSWORD; default: a generated one). Prefer the env var: argv is visible to other users',
    )
    .option('--bind <address>', 'http.conf bindaddr (default 127.0.0.1; 0.0.0.0 for every interface)')
    .option('--port <port>', 'http.conf bindport (env ASTERISK_ARI_PORT; default 8088)')
    .option('--allowed-origins <list>', 'ari.conf allowed_origins, comma list of origins or * (default empty)')
    .option('--read-only', 'read_only = yes: the ARI user may only GET')
    .option('--crypt', 'store a SHA-512 crypt hash ($6$) with password_format = crypt')
    .option('--pretty', 'pretty = yes: indented ARI JSON')
    .option('--freepbx', 'write the FreePBX *_custom.conf split (FreePBX regenerates ari.conf and http.conf)')
    .option('--context <name>', 'dialplan context (default voicectl-inbound)')
    .option('--exten <pattern>', 'extension or pattern the context matches (default _X.)')
    .option('--app-name <name>', 'Stasis application name (env ASTERISK_APP_NAME; default voicectl)')
    .option('--bridge-url <url>', 'websocket_client.conf uri: the bridge\'s Asterisk path (default ws://127.0.0.1:8000/ws/asterisk)')
    .option('--media-context <name>', 'context of the chan_websocket / AudioSocket dialplan (default voicectl-media)')
    .option('--audiosocket-address <host:port>', 'where the AudioSocket extension sends calls: voicectl bridge --audiosocket-listen (default 127.0.0.1:9092)')
    .option('--app-args <args>', 'extra Stasis() arguments, e.g. inbound,${EXTEN} (they become StasisStart args)')
    .addHelpText('after', HELP_AFTER)
    .action(async (target: ScaffoldTarget, opts: ScaffoldCliOptions) => {
      const output = ctx.output({ json: opts.json });
      const [{ runScaffold }, { formatReport }, { canPrompt, promptValue }, { registerSecret }] = await Promise.all([
        import('../scaffold/scaffold.js'),
        import('../scaffold/report.js'),
        import('../cli/prompt.js'),
        import('../core/redact.js'),
      ]);
      registerSecret(opts.ariPassword);
      const config = await ctx.config();
      const noInput = ctx.globals().noInput === true;
      const ask =
        !opts.json && canPrompt(ctx.io, { noInput })
          ? (spec: import('../scaffold/settings.js').AskSpec) =>
              promptValue(ctx.io, { ...spec, what: spec.flag }, { noInput })
          : undefined;
      const report = await runScaffold({ target, flags: opts, cwd: ctx.io.cwd, lookup: (n) => config.get(n), ask });
      if (output.jsonMode) {
        output.json(report);
        return;
      }
      const { out, notes } = formatReport(report);
      for (const n of notes) output.info(n);
      for (const line of out) output.print(line);
    });
}
