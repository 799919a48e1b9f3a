/**
 * Shared pieces of the `voicectl ari` verbs: the connection flags, and turning flags +
 * environment + env file (+ a prompt on a TTY) into an ARI client.
 *
 * Only commander and types are imported statically; config, prompt and the ARI client
 * load inside {@link connectAri}, when an action runs.
 */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../../cli/context.js';
import type { AriClient } from '../../ari/client.js';
import type { AriUrl } from '../../ari/url.js';

/** The flags every ARI verb shares. */
export interface AriConnectionFlags {
  url?: string;
  user?: string;
  json?: boolean;
}

/** Add `--url`, `--user` and `--json` to a verb. */
export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--url <url>', 'Asterisk HTTP server, with the http.conf prefix as a path if set (default http://$ASTERISK_HOST:$ASTERISK_ARI_PORT, else http://127.0.0.1:8088)'),
    )
    .addOption(new Option('--user <name>', 'ARI user, a section of ari.conf (default $ASTERISK_ARI_USERNAME)'))
    .option('--json', 'print JSON on stdout instead of text');
}

/** A resolved connection. */
export interface AriConnection {
  client: AriClient;
  url: AriUrl;
  user: string;
  password: string;
}

/**
 * Resolve URL, user and password (flag > env > env file > default; the password only from
 * ASTERISK_ARI_PASSWORD or a masked prompt on a TTY) and build the client.
 * @throws UsageError (exit 2) for a bad URL, or a missing user/password where no prompt is allowed.
 */
export async function connectAri(ctx: CommandContext, flags: AriConnectionFlags, timeoutMs?: number): Promise<AriConnection> {
  const [{ resolveSetting }, { promptValue }, { registerSecret }, { parseAriUrl, urlFromHostPort }, { AriClient: Client }] =
    await Promise.all([
      import('../../config/load.js'),
      import('../../cli/prompt.js'),
      import('../../core/redact.js'),
      import('../../ari/url.js'),
      import('../../ari/client.js'),
    ]);
  const config = await ctx.config();
  const noInput = ctx.globals().noInput;
  const rawUrl = flags.url ?? urlFromHostPort(config.get('ASTERISK_HOST'), config.get('ASTERISK_ARI_PORT'));
  const url = parseAriUrl(rawUrl);
  const user =
    resolveSetting(config, flags.user, 'ASTERISK_ARI_USERNAME')?.value ??
    (await promptValue(ctx.io, { message: 'ARI user', flag: '--user', envVar: 'ASTERISK_ARI_USERNAME', what: 'ARI user' }, { noInput }));
  const password =
    config.get('ASTERISK_ARI_PASSWORD') ??
    (await promptValue(
      ctx.io,
      // `what` avoids "password:" in the message: the redaction helper would mask the word after it.
      { message: `ARI password for ${user}`, envVar: 'ASTERISK_ARI_PASSWORD', what: `password for ARI user ${user}`, secret: true },
      { noInput },
    ));
  registerSecret(password);
  return { client: new Client({ url, user, password, timeoutMs }), url, user, password };
}

/** The Stasis app: `--app` > ASTERISK_APP_NAME > `voicectl`. */
export async function resolveApp(ctx: CommandContext, flag: string | undefined): Promise<string> {
  const { resolveSetting } = await import('../../config/load.js');
  return resolveSetting(await ctx.config(), flag, 'ASTERISK_APP_NAME', 'voicectl')!.value;
}
