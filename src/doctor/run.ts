/**
 * `runDoctor`: decide which groups run, run their checks concurrently, each bounded by
 * the per-check timeout, and return one report in a stable order (group order, then the
 * order within the group).
 *
 * Rules (issue 9):
 * - A group runs when its settings are present; otherwise it is reported as skipped, or
 *   as failed when it was named in `only`.
 * - `offline` runs only env and tools; the network groups are reported as skipped.
 * - A network check whose settings failed their shape check in `env` is skipped with a
 *   pointer there (so breaking one setting turns exactly one check red); when `env` is
 *   not being reported (`only`), the check fails with the shape's message instead.
 * - A check never throws: an unexpected error becomes a failure with its (redacted) message.
 */
import { setMaxListeners } from 'node:events';
import type { Config } from '../config/load.js';
import type { EnvVarName } from '../config/env.js';
import { CancelledError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { RealtimeProtocol } from '../bridge/realtime-protocol.js';
import { envChecks, setVariables, type NamedOutcome } from './env-checks.js';
import { TOOLS, checkTool } from './tools.js';
import { DOCTOR_GROUPS, fail, skip, type CheckResult, type DoctorGroup, type DoctorReport, type Outcome } from './types.js';

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  config: Config;
  /** Working directory (relative `AOAI_INSTRUCTIONS_FILE`). */
  cwd: string;
  /** The environment (PATH for the tools group, `NODE_EXTRA_CA_CERTS` already folded into `ca`). */
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

/** What starts a group, what it needs, and the variables whose shape it depends on. */
const GROUP_SETTINGS: Record<Exclude<DoctorGroup, 'env' | 'tools'>, { triggers: EnvVarName[]; required: EnvVarName[]; shapes: EnvVarName[] }> = {
  acs: {
    triggers: ['AZURE_COMMUNICATION_CONNECTION_STRING'],
    required: ['AZURE_COMMUNICATION_CONNECTION_STRING'],
    shapes: ['AZURE_COMMUNICATION_CONNECTION_STRING'],
  },
  aoai: {
    triggers: ['AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_DEPLOYMENT'],
    required: ['AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_DEPLOYMENT'],
    shapes: ['AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_DEPLOYMENT', 'AZURE_OPENAI_API_KEY', 'AOAI_VOICE', 'AOAI_INSTRUCTIONS_FILE'],
  },
  public: {
    triggers: ['CALLBACK_URI_HOST'],
    required: ['CALLBACK_URI_HOST'],
    shapes: ['CALLBACK_URI_HOST', 'VOICECTL_MEDIA_TOKEN'],
  },
  asterisk: {
    triggers: ['ASTERISK_HOST', 'ASTERISK_ARI_PORT', 'ASTERISK_ARI_USERNAME', 'ASTERISK_ARI_PASSWORD'],
    required: ['ASTERISK_ARI_USERNAME', 'ASTERISK_ARI_PASSWORD'],
    shapes: ['ASTERISK_HOST', 'ASTERISK_ARI_PORT', 'ASTERISK_ARI_USERNAME', 'ASTERISK_ARI_PASSWORD', 'ASTERISK_APP_NAME'],
  },
};

/** The name each network group's checks are reported under. */
const CHECK_NAMES = {
  acs: 'identity round trip',
  aoai: 'realtime session',
  health: 'health',
  media: 'media websocket',
  asterisk: 'ari',
} as const;

/** What a timed-out check of each group should look at. */
const TIMEOUT_HINTS: Record<DoctorGroup, string> = {
  env: 'Check that the env file and AOAI_INSTRUCTIONS_FILE are on a local disk.',
  tools: 'The tool hangs on its version command: run it by hand.',
  acs: 'Check the network path to the ACS endpoint (proxy, firewall), or raise --timeout.',
  aoai: 'Check the network path to Azure OpenAI (proxy, firewall), or raise --timeout.',
  public: 'The tunnel or the bridge behind it is not answering: check both, or raise --timeout.',
  asterisk: 'Check ASTERISK_HOST / ASTERISK_ARI_PORT and that the Asterisk HTTP server is up, or raise --timeout.',
};

/**
 * Run the doctor.
 * @returns the report; `ok` is false when any check failed.
 * @throws CancelledError when `signal` aborts.
 */
export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const selected = new Set<DoctorGroup>(o.only ?? DOCTOR_GROUPS);
  const named = new Set<DoctorGroup>(o.only ?? []);
  const results: Array<{ order: number; result: CheckResult }> = [];
  let done = 0;
  const record = (order: number, result: CheckResult): void => {
    results.push({ order, result });
    done += 1;
    o.onCheck?.(result, done);
  };
  const groupIndex = (g: DoctorGroup): number => DOCTOR_GROUPS.indexOf(g) * 1000;
  // One run-wide signal linked to the caller's, with room for a listener per check.
  const run = new AbortController();
  setMaxListeners(64, run.signal);
  const onCancel = (): void => run.abort();
  if (o.signal?.aborted) run.abort();
  o.signal?.addEventListener('abort', onCancel, { once: true });
  const cancelled = (): boolean => run.signal.aborted;

  /** Run one check under the timeout; never rejects except for the caller's Ctrl-C. */
  const timed = async (group: DoctorGroup, name: string, order: number, fn: (signal: AbortSignal) => Promise<Outcome>): Promise<Outcome> => {
    const start = performance.now();
    const abort = new AbortController();
    const onParent = (): void => abort.abort();
    run.signal.addEventListener('abort', onParent, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve(fail(`no result within ${timeoutMs} ms`, TIMEOUT_HINTS[group]));
      }, timeoutMs);
    });
    let outcome: Outcome;
    try {
      outcome = await Promise.race([
        fn(abort.signal).catch((err: unknown) => {
          if (err instanceof CancelledError && !cancelled()) return fail(`no result within ${timeoutMs} ms`, TIMEOUT_HINTS[group]);
          if (err instanceof CancelledError) throw err;
          return fail(`unexpected error: ${redact(String((err as Error)?.message ?? err).split('\n')[0]!)}`);
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
      run.signal.removeEventListener('abort', onParent);
    }
    if (cancelled()) throw new CancelledError('Interrupted; voicectl doctor stopped');
    const result: CheckResult = { group, name, status: outcome.status, ms: Math.round(performance.now() - start), message: outcome.message };
    if (outcome.hint !== undefined) result.hint = outcome.hint;
    record(order, result);
    return outcome;
  };
  const report = (group: DoctorGroup, name: string, order: number, outcome: Outcome): void => {
    const result: CheckResult = { group, name, status: outcome.status, ms: 0, message: outcome.message };
    if (outcome.hint !== undefined) result.hint = outcome.hint;
    record(order, result);
  };

  // The shape checks are always computed: network groups depend on them.
  const shapes: NamedOutcome[] = await envChecks(o.config, o.cwd);
  const shapeOf = new Map(shapes.map((s) => [s.name, s.outcome]));
  const jobs: Array<Promise<unknown>> = [];

  if (selected.has('env')) {
    const anything = o.config.envFile !== undefined || setVariables(o.config).length > 0;
    if (!anything) {
      const outcome = named.has('env')
        ? fail('nothing to check: no env file and no voicectl variable in the environment', 'Create one with `voicectl scaffold env`, or pass --env-file <path>.')
        : skip('nothing configured: no env file and no voicectl variable in the environment', 'Create one with `voicectl scaffold env`.');
      report('env', 'env file', groupIndex('env'), outcome);
    } else {
      shapes.forEach((s, i) => jobs.push(timed('env', s.name, groupIndex('env') + i, () => Promise.resolve(s.outcome))));
    }
  }

  if (selected.has('tools')) {
    TOOLS.forEach((spec, i) => jobs.push(timed('tools', spec.name, groupIndex('tools') + i, () => checkTool(spec, o.env, timeoutMs))));
  }

  const get = (name: EnvVarName): string | undefined => o.config.get(name);
  const gate = (group: Exclude<DoctorGroup, 'env' | 'tools'>): Outcome | undefined => {
    const s = GROUP_SETTINGS[group];
    // order: not configured (skip), a setting env already failed (skip, or its failure), then missing ones
    if (o.offline) return skip('not run: --offline');
    const present = s.triggers.some((n) => get(n) !== undefined);
    const missing = s.required.filter((n) => get(n) === undefined);
    if (!present && !named.has(group)) return skip(`not configured (set ${s.required.join(' and ')})`);
    const broken = s.shapes.filter((n) => shapeOf.get(n)?.status === 'fail');
    if (broken.length > 0) {
      if (selected.has('env')) return skip(`not run: fix ${broken.join(', ')} first (see env)`);
      const first = shapeOf.get(broken[0]!)!;
      return fail(first.message, first.hint);
    }
    if (missing.length > 0) {
      return fail(`missing ${missing.join(', ')}`, `Set ${missing.join(' and ')} in the environment or the env file (see \`voicectl scaffold env\`).`);
    }
    return undefined;
  };

  if (selected.has('acs')) {
    const order = groupIndex('acs');
    const blocked = gate('acs');
    if (blocked) report('acs', CHECK_NAMES.acs, order, blocked);
    else {
      jobs.push(
        timed('acs', CHECK_NAMES.acs, order, async () => {
          const { checkAcs } = await import('./acs.js');
          return checkAcs({ connectionString: get('AZURE_COMMUNICATION_CONNECTION_STRING')!, timeoutMs, ...(o.ca ? { ca: o.ca } : {}) });
        }),
      );
    }
  }

  if (selected.has('aoai')) {
    const order = groupIndex('aoai');
    const blocked = gate('aoai');
    if (blocked) report('aoai', CHECK_NAMES.aoai, order, blocked);
    else {
      jobs.push(
        timed('aoai', CHECK_NAMES.aoai, order, async (signal) => {
          const [{ checkAoai }, { sessionSettings }] = await Promise.all([import('./aoai.js'), import('../bridge/settings.js')]);
          const apiKey = get('AZURE_OPENAI_API_KEY');
          return checkAoai({
            endpoint: get('AZURE_OPENAI_ENDPOINT')!,
            deployment: get('AZURE_OPENAI_DEPLOYMENT')!,
            protocol: o.aoaiProtocol ?? 'ga',
            ...(apiKey ? { apiKey } : { getToken: o.getAoaiToken ?? (await defaultAoaiToken()) }),
            session: await sessionSettings(o.config, o.cwd),
            timeoutMs,
            ...(o.ca ? { ca: o.ca } : {}),
            signal,
          });
        }),
      );
    }
  }

  if (selected.has('public')) {
    const order = groupIndex('public');
    const blocked = gate('public');
    if (blocked) {
      report('public', CHECK_NAMES.health, order, blocked);
      report('public', CHECK_NAMES.media, order + 1, skip(blocked.status === 'fail' ? 'not run: see health' : blocked.message));
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
            ...(o.ca ? { ca: o.ca } : {}),
          };
          let health: Awaited<ReturnType<typeof checkHealth>> = { outcome: fail('not run'), answered: false };
          await timed('public', CHECK_NAMES.health, order, async (signal) => {
            health = await checkHealth(po, signal);
            return health.outcome;
          });
          await timed('public', CHECK_NAMES.media, order + 1, (signal) => checkMedia(po, health, signal));
        })(),
      );
    }
  }

  if (selected.has('asterisk')) {
    const order = groupIndex('asterisk');
    const blocked = gate('asterisk');
    if (blocked) report('asterisk', CHECK_NAMES.asterisk, order, blocked);
    else {
      jobs.push(
        timed('asterisk', CHECK_NAMES.asterisk, order, async (signal) => {
          const { checkAsterisk } = await import('./asterisk.js');
          const host = get('ASTERISK_HOST');
          const port = get('ASTERISK_ARI_PORT');
          const app = get('ASTERISK_APP_NAME');
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

  try {
    await Promise.all(jobs);
  } finally {
    o.signal?.removeEventListener('abort', onCancel);
  }
  if (cancelled()) throw new CancelledError('Interrupted; voicectl doctor stopped');
  const checks = results.sort((a, b) => a.order - b.order).map((r) => r.result);
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

/** DefaultAzureCredential for Azure OpenAI, imported only when a run needs it. */
async function defaultAoaiToken(): Promise<() => Promise<string>> {
  const [{ DefaultAzureCredential }, { COGNITIVE_SERVICES_SCOPE }] = await Promise.all([
    import('@azure/identity'),
    import('../bridge/upstream-config.js'),
  ]);
  const credential = new DefaultAzureCredential();
  return async () => {
    const token = await credential.getToken(COGNITIVE_SERVICES_SCOPE);
    if (!token) throw new Error('no Entra ID token (sign in with `az login`)');
    return token.token;
  };
}
