/**
 * Microsoft dev tunnels (`devtunnel` CLI): the login check, the set-up of a persistent
 * tunnel (port + anonymous access), the `host` argv and the parser of its output.
 *
 * Sources: MicrosoftDocs/azure-dev-docs `articles/dev-tunnels/cli-commands.md` (commands),
 * dotnet/aspire `src/Aspire.Hosting.DevTunnels` (`--json --nologo`, `user show --json`
 * → `{status:"Logged in",…}`, exit 1 = already exists, 2 = not found), azure-dev-docs
 * `get-started.md` (the older one-line "Hosting port N at …" form).
 */
import { UsageError, UserError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { cleanLine, httpsUrls, originOf } from './text.js';
import type { LineInfo, LineLevel, TunnelFailure } from './types.js';

/** Runs one short `devtunnel` command (argv without the executable) to completion. Injected. */
export type RunTool = (args: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

/** argv of the login check. */
export const DEVTUNNEL_USER_SHOW = ['user', 'show', '--json', '--nologo'];

/** The command that logs in (device code, works over SSH). */
export const DEVTUNNEL_LOGIN_COMMAND = 'devtunnel user login -d';

/**
 * Read `devtunnel user show` output: JSON `{status:"Logged in", provider, username}`, or the
 * text form ("Logged in as … using …" / "Not logged in").
 */
export function parseUserShow(stdout: string): { loggedIn: boolean; username?: string } {
  const text = cleanLine(stdout).trim();
  try {
    const doc = JSON.parse(text) as { status?: unknown; username?: unknown };
    const loggedIn = typeof doc.status === 'string' && doc.status.toLowerCase() === 'logged in';
    return loggedIn && typeof doc.username === 'string' ? { loggedIn, username: doc.username } : { loggedIn };
  } catch {
    const m = /^Logged in as (\S+)/im.exec(text);
    return m ? { loggedIn: true, username: m[1]! } : { loggedIn: false };
  }
}

/**
 * argv of `devtunnel host`: a temporary anonymous tunnel for the port, or an existing tunnel
 * by id (its ports and access were set up by {@link prepareDevtunnel}).
 */
export function devtunnelHostArgs(o: { port: number; tunnelId?: string }): string[] {
  if (o.tunnelId) return ['host', o.tunnelId];
  return ['host', '-p', String(o.port), '--allow-anonymous', '--protocol', 'http'];
}

/** The set-up commands for an existing tunnel: the port, then anonymous access to it. */
export function devtunnelSetupArgs(tunnelId: string, port: number): string[][] {
  return [
    ['port', 'create', tunnelId, '--port-number', String(port), '--protocol', 'http', '--json', '--nologo'],
    ['access', 'create', tunnelId, '--anonymous', '--port-number', String(port), '--json', '--nologo'],
  ];
}

/**
 * Check the login, and with a tunnel id make sure the port exists and anonymous access is
 * granted (exit 1 from devtunnel means "already exists", which is fine).
 * @returns the logged-in user name, when devtunnel tells it.
 * @throws UsageError `VOICECTL_TUNNEL_LOGIN_REQUIRED` (exit 2) when logged out;
 *   UsageError `VOICECTL_TUNNEL_NOT_FOUND` (exit 2) when the tunnel id does not exist;
 *   UserError `VOICECTL_TUNNEL_SETUP_FAILED` when a set-up command fails otherwise.
 */
export async function prepareDevtunnel(run: RunTool, o: { port: number; tunnelId?: string }): Promise<{ username?: string }> {
  const show = await run(DEVTUNNEL_USER_SHOW);
  const user = show.exitCode === 0 ? parseUserShow(show.stdout) : { loggedIn: false };
  if (!user.loggedIn) {
    throw loginRequired(show.exitCode === 0 ? undefined : `\`devtunnel user show\` exited with code ${show.exitCode}: ${lastLines(`${show.stderr}\n${show.stdout}`) || 'no output'}`);
  }
  if (o.tunnelId) {
    for (const args of devtunnelSetupArgs(o.tunnelId, o.port)) {
      const r = await run(args);
      if (r.exitCode === 0 || r.exitCode === 1) continue;
      const detail = lastLines(`${r.stderr}\n${r.stdout}`);
      if (r.exitCode === 2) {
        throw new UsageError(`devtunnel has no tunnel "${o.tunnelId}"${detail ? `: ${detail}` : '.'}`, {
          code: 'VOICECTL_TUNNEL_NOT_FOUND',
          hint: `Create it with \`devtunnel create ${o.tunnelId} --allow-anonymous\`, check \`devtunnel list\`, or leave out --tunnel-id for a temporary tunnel.`,
        });
      }
      throw new UserError(`\`devtunnel ${args.slice(0, 2).join(' ')}\` failed (exit ${r.exitCode})${detail ? `: ${detail}` : '.'}`, {
        code: 'VOICECTL_TUNNEL_SETUP_FAILED',
        hint: `Run \`devtunnel ${args.join(' ')}\` yourself to see the full error.`,
      });
    }
  }
  return user.username ? { username: user.username } : {};
}

function loginRequired(detail?: string): UsageError {
  return new UsageError(detail ? `devtunnel is not logged in (${detail}).` : 'devtunnel is not logged in.', {
    code: 'VOICECTL_TUNNEL_LOGIN_REQUIRED',
    hint: `Log in once with \`${DEVTUNNEL_LOGIN_COMMAND}\` (device code; -g for GitHub), then run voicectl tunnel up again.`,
  });
}

function lastLines(text: string, n = 3): string {
  return redact(
    text
      .split('\n')
      .map(cleanLine)
      .filter((l) => l.trim() !== '')
      .slice(-n)
      .join(' / '),
  );
}

/** devtunnel failures recognised in `host` output. */
export const DEVTUNNEL_FAILURES: ReadonlyArray<{ test: RegExp; failure: TunnelFailure }> = [
  {
    test: /not logged in|login required|please log ?in|Unauthorized tunnel (?:creation|host) access/i,
    failure: {
      code: 'VOICECTL_TUNNEL_LOGIN_REQUIRED',
      message: 'devtunnel is not logged in (or the login expired).',
      hint: `Log in with \`${DEVTUNNEL_LOGIN_COMMAND}\`, then run voicectl tunnel up again.`,
      fatal: true,
      exitCode: 2,
    },
  },
  {
    test: /tunnel (?:\S+ )?not found/i,
    failure: {
      code: 'VOICECTL_TUNNEL_NOT_FOUND',
      message: 'devtunnel cannot find that tunnel.',
      hint: 'Check the id with `devtunnel list`, or leave out --tunnel-id for a temporary tunnel.',
      fatal: true,
      exitCode: 2,
    },
  },
];

/**
 * A parser for the output of `devtunnel host` for `port`. Tolerant of:
 * - ANSI colours;
 * - the current form: `Connect via browser: <url>[, <url>]` then `Ready to accept connections for tunnel: <id>`
 *   (ready on the latter);
 * - two comma-separated URLs (`https://id.region.devtunnels.ms:8000, https://id-8000.region.devtunnels.ms`):
 *   the `-<port>.` one is taken;
 * - the older one-line `Hosting port 8000 at <url>, <url> and inspect it at <url>` (ready at once).
 * `-inspect` URLs are never taken.
 */
export function createDevtunnelLineParser(port: number): (raw: string) => LineInfo {
  return (raw) => {
    const text = cleanLine(raw);
    const info: LineInfo = { text, level: levelOf(text) };
    const connect = /Connect via browser:\s*(.*)$/i.exec(text);
    const oneLine = /Hosting port:? \d+ at (.*)$/i.exec(text);
    const urlText = connect?.[1] ?? oneLine?.[1]?.split(/\s+and inspect/i)[0];
    if (urlText !== undefined) {
      const url = pickPortUrl(httpsUrls(urlText), port);
      if (url) info.url = url;
      if (url && oneLine) info.ready = true;
    }
    if (/Ready to accept connections/i.test(text)) info.ready = true;
    const failure = DEVTUNNEL_FAILURES.find((f) => f.test.test(text));
    if (failure) info.failure = failure.failure;
    return info;
  };
}

/** Of several URLs, the `-<port>.` form (port in the host name), else the first; never an inspect URL. */
export function pickPortUrl(urls: string[], port: number): string | undefined {
  const usable = urls.filter((u) => !/-inspect\./i.test(u)).map((u) => originOf(u)).filter((u): u is string => !!u);
  return usable.find((u) => new URL(u).hostname.includes(`-${port}.`)) ?? usable[0];
}

function levelOf(text: string): LineLevel {
  if (/\b(error|failed|failure|unauthorized|forbidden|not found)\b/i.test(text)) return 'error';
  if (/\b(warning|closed|retrying)\b/i.test(text)) return 'warn';
  return 'info';
}
