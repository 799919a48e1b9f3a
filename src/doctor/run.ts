/**
 * `runDoctor`: decide which groups run, run their checks concurrently, each bounded by
 * the per-check timeout, and return one report in a stable order (group order, then the
 * order within the group).
 *
 * Rules:
 * - A group runs when its settings are present; otherwise it is reported as skipped, or
 *   as failed when it was named in `only` (see plan.ts).
 * - `offline` runs only env and tools; the network groups are reported as skipped.
 * - A network check whose settings failed their shape check in `env` is skipped with a
 *   pointer there (so breaking one setting turns exactly one check red); when `env` is
 *   not being reported (`only`), the check fails with the shape's message instead.
 * - A check never throws: an unexpected error becomes a failure with its (redacted) message.
 */
import type { RealtimeProtocol } from '../bridge/realtime-protocol.js';
import type { Config } from '../config/load.js';
import { CancelledError } from '../core/errors.js';
import { CheckRunner } from './check-runner.js';
import { envChecks, setVariables } from './env-checks.js';
import { gateGroup, type NetworkGroup } from './plan.js';
import { TOOLS, checkTool } from './tools.js';
import { DOCTOR_GROUPS, fail, skip, type CheckResult, type DoctorGroup, type DoctorReport, type Outcome } from './types.js';

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  config: Config;
  /** Working directory (relative `AOAI_INSTRUCTIONS_FILE`). */
  cwd: string;
  /** The environment (PATH for the tools group; `NODE_EXTRA_CA_CERTS` belongs in `ca`). */
  env: Readonly<Record<string, string | undefined>>;
  /** `--only`: run just these groups; their missing settings are failures. */
  only?: readonly DoctorGroup[];
  /** `--offline`: env and tools only. */
  offline?: boolean;
  /** Bound of each check, ms (default 10 000). */
  timeoutMs?: number;
  /** Realtime protocol of the aoai check (default `ga`, like the bridge). */
  aoaiProtocol?: RealtimeProtocol;
  /** Certificates to trust instead of Node's defaults (see `caFromEnv`). */
  ca?: string[];
  /** Entra ID token source for Azure OpenAI when no API key is set (default DefaultAzureCredential). */
  getAoaiToken?: () => Promise<string>;
  /** Hold of the public media socket, ms (default 1000). */
  mediaHoldMs?: number;
  /** Ctrl-C: the run rejects with CancelledError. */
  signal?: AbortSignal;
  /** Called as each check finishes (progress). */
  onCheck?: (result: CheckResult, done: number) => void;
}

/** Default bound of one check, ms. */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

/** The names the network groups' checks are reported under. */
const CHECK_NAMES = {
  acs: 'identity round trip',
  route: 'incoming-call route',
  aoai: 'realtime session',
  health: 'health',
  media: 'media websocket',
  asterisk: 'ari',
  twilioCredentials: 'credentials',
  twilioNumber: 'phone number',
  twilioMedia: 'media websocket',
} as const;

/** Report position of a group's first check. */
const groupOrder = (g: DoctorGroup): number => DOCTOR_GROUPS.indexOf(g) * 1000;

/**
 * Run the doctor.
 * @returns the report; `ok` is false when any check failed.
 * @throws CancelledError when `signal` aborts.
 */
export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const selected = new Set<DoctorGroup>(o.only ?? DOCTOR_GROUPS);
  const runner = new CheckRunner(timeoutMs, o.signal, o.onCheck);
  const get = o.config.get.bind(o.config);
  const jobs: Array<Promise<unknown>> = [];

  // The shape checks are always computed: network groups depend on them.
  const shapes = await envChecks(o.config, o.cwd);
  const shapeOf = new Map(shapes.map((s) => [s.name, s.outcome]));
  const gate = (group: NetworkGroup): Outcome | undefined =>
    gateGroup(group, {
      get,
      shape: (name) => shapeOf.get(name),
      offline: o.offline === true,
      named: o.only?.includes(group) === true,
      envReported: selected.has('env'),
    });

  if (selected.has('env')) {
    if (o.config.envFile !== undefined || setVariables(o.config).length > 0) {
      shapes.forEach((s, i) => runner.record('env', s.name, groupOrder('env') + i, s.outcome));
    } else {
      const what = 'no env file and no voicectl variable in the environment';
      runner.record(
        'env',
        'env file',
        groupOrder('env'),
        o.only?.includes('env')
          ? fail(`nothing to check: ${what}`, 'Create one with `voicectl scaffold env`, or pass --env-file <path>.')
          : skip(`nothing configured: ${what}`, 'Create one with `voicectl scaffold env`.'),
      );
    }
  }

  if (selected.has('tools')) {
    TOOLS.forEach((spec, i) => jobs.push(runner.timed('tools', spec.name, groupOrder('tools') + i, () => checkTool(spec, o.env, timeoutMs))));
  }

  const tls = o.ca ? { ca: o.ca } : {};

  if (selected.has('acs')) {
    const blocked = gate('acs');
    if (blocked) runner.record('acs', CHECK_NAMES.acs, groupOrder('acs'), blocked);
    else {
      jobs.push(
        runner.timed('acs', CHECK_NAMES.acs, groupOrder('acs'), async () => {
          const { checkAcs } = await import('./acs.js');
          return checkAcs({ connectionString: get('AZURE_COMMUNICATION_CONNECTION_STRING')!, timeoutMs, ...tls });
        }),
      );
      // With ARM settings: the Event Grid IncomingCall route (read-only ARM requests).
      if (get('AZURE_SUBSCRIPTION_ID') !== undefined) {
        jobs.push(
          runner.timed('acs', CHECK_NAMES.route, groupOrder('acs') + 1, async () => {
            const { checkRoute } = await import('./route.js');
            return checkRoute({ config: o.config, env: o.env });
          }),
        );
      }
    }
  }

  if (selected.has('aoai')) {
    const blocked = gate('aoai');
    if (blocked) runner.record('aoai', CHECK_NAMES.aoai, groupOrder('aoai'), blocked);
    else {
      jobs.push(
        runner.timed('aoai', CHECK_NAMES.aoai, groupOrder('aoai'), async (signal) => {
          const [{ checkAoai }, { sessionSettings }] = await Promise.all([import('./aoai.js'), import('../bridge/settings.js')]);
          const apiKey = get('AZURE_OPENAI_API_KEY');
          return checkAoai({
            endpoint: get('AZURE_OPENAI_ENDPOINT')!,
            deployment: get('AZURE_OPENAI_DEPLOYMENT')!,
            protocol: o.aoaiProtocol ?? 'ga',
            ...(apiKey ? { apiKey } : { getToken: o.getAoaiToken ?? (await defaultAoaiToken()) }),
            session: await sessionSettings(o.config, o.cwd),
            timeoutMs,
            ...tls,
            signal,
          });
        }),
      );
    }
  }

  if (selected.has('public')) {
    const order = groupOrder('public');
    const blocked = gate('public');
    if (blocked) {
      runner.record('public', CHECK_NAMES.health, order, blocked);
      runner.record('public', CHECK_NAMES.media, order + 1, skip(blocked.status === 'fail' ? 'not run: see health' : blocked.message));
    } else {
      jobs.push(
        (async () => {
          const { checkHealth, checkMedia } = await import('./public.js');
          const mediaToken = get('VOICECTL_MEDIA_TOKEN');
          const po = {
            callbackHost: get('CALLBACK_URI_HOST')!,
            timeoutMs,
            ...(mediaToken ? { mediaToken } : {}),
            ...(o.mediaHoldMs !== undefined ? { holdMs: o.mediaHoldMs } : {}),
            ...tls,
          };
          // the media probe uses what the health answer said (path, token), so it runs second
          let health: Awaited<ReturnType<typeof checkHealth>> = { outcome: fail('not run'), answered: false };
          await runner.timed('public', CHECK_NAMES.health, order, async (signal) => {
            health = await checkHealth(po, signal);
            return health.outcome;
          });
          await runner.timed('public', CHECK_NAMES.media, order + 1, (signal) => checkMedia(po, health, signal));
        })(),
      );
    }
  }

  if (selected.has('asterisk')) {
    const blocked = gate('asterisk');
    if (blocked) runner.record('asterisk', CHECK_NAMES.asterisk, groupOrder('asterisk'), blocked);
    else {
      jobs.push(
        runner.timed('asterisk', CHECK_NAMES.asterisk, groupOrder('asterisk'), async (signal) => {
          const { checkAsterisk } = await import('./asterisk.js');
          const [host, port, app] = [get('ASTERISK_HOST'), get('ASTERISK_ARI_PORT'), get('ASTERISK_APP_NAME')];
          return checkAsterisk({
            ...(host ? { host } : {}),
            ...(port ? { port } : {}),
            ...(app ? { app } : {}),
            user: get('ASTERISK_ARI_USERNAME')!,
            password: get('ASTERISK_ARI_PASSWORD')!,
            timeoutMs,
            signal,
          });
        }),
      );
    }
  }

  if (selected.has('twilio')) {
    const order = groupOrder('twilio');
    const blocked = gate('twilio');
    if (blocked) {
      runner.record('twilio', CHECK_NAMES.twilioCredentials, order, blocked);
      const then = skip(blocked.status === 'fail' ? 'not run: see credentials' : blocked.message);
      runner.record('twilio', CHECK_NAMES.twilioNumber, order + 1, then);
      runner.record('twilio', CHECK_NAMES.twilioMedia, order + 2, then);
    } else {
      jobs.push(
        (async () => {
          const { checkTwilioCredentials, checkTwilioNumber, checkTwilioStream } = await import('./twilio.js');
          const to = { get, timeoutMs, ...(o.mediaHoldMs !== undefined ? { holdMs: o.mediaHoldMs } : {}), ...tls };
          const media = runner.timed('twilio', CHECK_NAMES.twilioMedia, order + 2, (signal) => checkTwilioStream({ ...to, signal }));
          let credentials: Outcome = fail('not run');
          await runner.timed('twilio', CHECK_NAMES.twilioCredentials, order, async (signal) => (credentials = await checkTwilioCredentials({ ...to, signal })));
          if (credentials.status === 'pass') await runner.timed('twilio', CHECK_NAMES.twilioNumber, order + 1, (signal) => checkTwilioNumber({ ...to, signal }));
          else runner.record('twilio', CHECK_NAMES.twilioNumber, order + 1, skip('not run: see credentials'));
          await media;
        })(),
      );
    }
  }

  let checks: CheckResult[];
  try {
    await Promise.all(jobs);
  } finally {
    checks = runner.finish();
  }
  if (runner.cancelled) throw new CancelledError('Interrupted; voicectl doctor stopped');
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

/** DefaultAzureCredential for Azure OpenAI (the shared @azure/identity copy), loaded only when a run needs it. */
async function defaultAoaiToken(): Promise<() => Promise<string>> {
  const [{ defaultAzureCredential }, { COGNITIVE_SERVICES_SCOPE }] = await Promise.all([
    import('../identity/sdk.js'),
    import('../bridge/upstream-config.js'),
  ]);
  const credential = defaultAzureCredential();
  return async () => {
    const token = await credential.getToken(COGNITIVE_SERVICES_SCOPE);
    if (!token) throw new Error('no Entra ID token (sign in with `az login`)');
    return token.token;
  };
}
