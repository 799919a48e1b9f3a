/**
 * `voicectl doctor`: the whole setup checked in one command. Thin: flags to
 * options, the run in src/doctor, the checklist or the JSON document out.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../cli/context.js';
import { positiveInt } from './parsers.js';
import { DOCTOR_GROUPS, OFFLINE_GROUPS, type DoctorGroup } from '../doctor/types.js';

interface DoctorFlags {
  only?: DoctorGroup[];
  offline?: boolean;
  timeout: number;
  aoaiProtocol: 'ga' | 'preview';
  json?: boolean;
}

const HELP = `
Groups (each runs when its settings are set; named in --only, missing settings fail):
  env       the env file exists and is not readable by others; every set variable has
            a valid shape (connection string, endpoints, CALLBACK_URI_HOST, deployment, voice)
  tools     cloudflared, devtunnel, ngrok, az, asterisk on PATH, with versions (informative)
  acs       the connection string's key is accepted: creates a test user and deletes it;
            with AZURE_SUBSCRIPTION_ID (and an Azure sign-in) also the Event Grid IncomingCall
            route: exists, Succeeded, points at CALLBACK_URI_HOST (voicectl acs route-calls)
  aoai      a Realtime session opens with AZURE_OPENAI_ENDPOINT, _DEPLOYMENT and the key
            (or Entra ID), the session.update is accepted, the socket is closed at once
  public    CALLBACK_URI_HOST answers /api/health over https, and wss://…/ws/media
            upgrades and stays open (the ws-probe logic)
  asterisk  ARI: TCP, auth, events socket and app registration (ASTERISK_*)
  twilio    the Twilio credentials fetch the account; TWILIO_PHONE_NUMBER's voice URL is
            the public host's /twilio/voice; wss://…/ws/twilio is reachable (403 unsigned)

Output: a checklist (✓ pass, ✗ fail with its fix, – skipped); --json prints
{"ok", "checks":[{"group","name","status":"pass|fail|skip","ms","message","hint"}]}.
The summary says ready only when an acs, aoai, public or asterisk check passed; with none of
their settings it says nothing is configured yet and names the first command (voicectl scaffold env).
No secret is ever printed.

Examples:
  $ voicectl doctor
  $ voicectl doctor --offline                 # no network: env and tools only
  $ voicectl doctor --only aoai,public --json # CI smoke check
  $ voicectl --env-file .env.staging doctor

Exit: 0 nothing failed, 1 a check failed, 2 usage error.`;

/** commander argParser for `--only env,aoai`. */
export function parseGroups(value: string): DoctorGroup[] {
  const groups = value.split(',').map((g) => g.trim()).filter((g) => g !== '');
  const unknown = groups.filter((g) => !(DOCTOR_GROUPS as readonly string[]).includes(g));
  if (groups.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`${unknown.length ? `unknown group ${unknown.map((g) => `"${g}"`).join(', ')}` : 'no group given'}; groups are ${DOCTOR_GROUPS.join(', ')}.`);
  }
  return [...new Set(groups as DoctorGroup[])];
}

/** `voicectl doctor`. */
export function doctorCommand(ctx: CommandContext): Command {
  return new Command('doctor')
    .description('check the whole setup in one command: env, tools, ACS, Azure OpenAI Realtime, the public URL, Asterisk, Twilio')
    .addOption(new Option('--only <groups>', `run only these groups, comma-separated (${DOCTOR_GROUPS.join(', ')})`).argParser(parseGroups))
    .option('--offline', 'run only the checks that need no network (env, tools)')
    .addOption(new Option('--timeout <ms>', 'bound of each check, in ms').default(10_000).argParser(positiveInt('--timeout', 'ms')))
    .addOption(new Option('--aoai-protocol <protocol>', 'Realtime protocol for the aoai check, as the bridge uses it').choices(['ga', 'preview']).default('ga'))
    .option('--json', 'one JSON document on stdout')
    .addHelpText('after', HELP)
    .action(async (flags: DoctorFlags) => {
      const [{ runDoctor }, { renderChecklist }, { CheckFailedError, UsageError }, { caFromEnv }] = await Promise.all([
        import('../doctor/run.js'),
        import('../doctor/render.js'),
        import('../core/errors.js'),
        import('../core/tls.js'),
      ]);
      const online = (flags.only ?? []).filter((g) => !OFFLINE_GROUPS.includes(g));
      if (flags.offline && online.length > 0) {
        throw new UsageError(`--offline runs only env and tools, but --only names ${online.join(', ')}.`, {
          code: 'VOICECTL_USAGE',
          hint: 'Drop --offline, or drop the network groups from --only.',
        });
      }
      const out = ctx.output({ json: flags.json });
      const config = await ctx.config();
      const ca = caFromEnv(ctx.io.env);
      const abort = new AbortController();
      const offSignal = ctx.io.onSignal(() => abort.abort());
      const spinner = await out.spinner('Checking the setup…');
      let report;
      try {
        report = await runDoctor({
          config,
          cwd: ctx.io.cwd,
          env: ctx.io.env,
          ...(flags.only ? { only: flags.only } : {}),
          offline: flags.offline === true,
          timeoutMs: flags.timeout,
          aoaiProtocol: flags.aoaiProtocol,
          ...(ca ? { ca } : {}),
          signal: abort.signal,
          onCheck: (c, done) => spinner.text(`Checking the setup… ${done} done (${c.group} ${c.name})`),
        });
      } finally {
        spinner.stop();
        offSignal();
      }
      if (out.jsonMode) out.json(report);
      else {
        out.print(`voicectl doctor${config.envFile ? ` (${config.envFile})` : ''}`);
        for (const line of renderChecklist(report, out.color)) out.print(line);
      }
      if (!report.ok) {
        const failed = report.checks.filter((c) => c.status === 'fail').length;
        throw new CheckFailedError(`${failed} check(s) failed`, { code: 'VOICECTL_DOCTOR_FAILED', reported: true });
      }
    });
}
