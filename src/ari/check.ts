/**
 * `voicectl ari check`: prove, step by step, that an Asterisk can run a voicectl Stasis app.
 *
 * Steps (each timed in ms; the first failure ends the check with one verdict):
 * 1. `tcp`      TCP connect to the HTTP server → connection_refused | dns_error | connect_timeout
 * 2. `info`     `GET /ari/asterisk/info` → ari_not_found | auth_failed | http_error
 *    `modules`  `GET /ari/asterisk/modules`: chan_websocket and AudioSocket paths (modules, minimum
 *               versions); a missing path is a warning unless asked for with `media` → modules_missing
 * 3. `events`   events WebSocket `/ari/events?app=<app>` → events_failed (auth_failed on 401)
 *    `app`      `GET /ari/applications/<app>` while that socket is open → app_not_registered
 * 4. `dialplan` (with a target) originate `Local/<exten>@<context>` into the app, wait for a
 *    StasisStart that came from the dialplan's `Stasis()` (the Local channel's second half,
 *    not the originated one), hang up → dialplan_not_routed | write_denied
 *
 * Facts: Asterisk 22.10.1 (see docs/ari.md): originating `Local/100@ctx` with
 * `app=<app>` yields two StasisStarts, `;1` (args = appArgs) and `;2` (args from the
 * dialplan); an app is listed only while an events socket holds it.
 */
import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import { CancelledError, UsageError } from '../core/errors.js';
import { AriClient } from './client.js';
import { openEvents, type AriEventSocket } from './events.js';
import { tcpProbe } from './tcp.js';
import type { AriEvent } from './types.js';
import type { AriUrl } from './url.js';
import { AriError, VERDICTS, type AriVerdict } from './verdicts.js';
import { mediaPathsStep, type MediaPathName, type MediaPathReport } from './modules.js';

/** A dialplan target `<exten>@<context>`. */
export interface DialplanTarget {
  exten: string;
  context: string;
}

/** Options of {@link runAriCheck}. */
export interface AriCheckOptions {
  url: AriUrl;
  user: string;
  password: string;
  /** Stasis app name. */
  app: string;
  /** Prove this extension reaches Stasis(<app>). */
  dialplan?: DialplanTarget;
  /** Media paths the user needs: a missing module or old version then fails the check. */
  media?: MediaPathName[];
  /** Timeout of each step in ms. */
  timeoutMs: number;
  fetch?: typeof fetch;
  /** TCP overrides for tests. */
  lookup?: net.LookupFunction;
  connect?: (options: net.NetConnectOpts) => net.Socket;
  /** Monotonic clock in ms (default `performance.now`). */
  now?: () => number;
  /** Called as each step ends (for progress display). */
  onStep?: (step: CheckStep) => void;
  /** Ctrl-C: stop at the next step boundary, or at once while waiting for the dialplan (its test call is hung up). */
  signal?: AbortSignal;
}

/** Step names, in order. */
export type CheckStepName = 'tcp' | 'info' | 'modules' | 'events' | 'app' | 'dialplan';

/** One finished step. */
export interface CheckStep {
  step: CheckStepName;
  ok: boolean;
  /** Duration in ms (integer). */
  ms: number;
  /** One line saying what was found. */
  detail: string;
}

/** The check's one result document (`--json`). */
export interface AriCheckReport {
  ok: boolean;
  verdict: AriVerdict;
  /** Error code of a failed verdict, e.g. `VOICECTL_ARI_AUTH_FAILED`. */
  code?: string;
  message: string;
  hint?: string;
  /** REST base without credentials, e.g. `http://127.0.0.1:8088/ari`. */
  url: string;
  user: string;
  app: string;
  steps: CheckStep[];
  /** Things worth knowing that did not fail the check. */
  warnings: string[];
  summary: {
    version?: string;
    entityId?: string;
    appRegistered: boolean;
    /** The chan_websocket and AudioSocket paths (absent when the modules could not be listed). */
    media?: MediaPathReport[];
    dialplan?: { target: string; proven: boolean; channel?: string; args?: string[] };
  };
}

/**
 * Parse `--dialplan <exten>@<context>`.
 * @throws UsageError (`VOICECTL_ARI_BAD_DIALPLAN`, exit 2) when either part is empty or has
 *   characters a dial string cannot carry (`/`, `@`, `,`, whitespace).
 */
export function parseDialplanTarget(value: string): DialplanTarget {
  const m = /^([^@/,\s]+)@([^@/,\s]+)$/.exec(value.trim());
  if (!m) {
    throw new UsageError(`--dialplan must be <exten>@<context>, got "${value}"`, {
      code: 'VOICECTL_ARI_BAD_DIALPLAN',
      hint: 'For example --dialplan 100@voicectl-inbound (the extension and context your calls enter).',
    });
  }
  return { exten: m[1]!, context: m[2]! };
}

/**
 * Run the check. Never throws for a failed step: the verdict says what failed.
 * @throws CancelledError when `signal` aborts (after closing the events socket and hanging up any test call).
 */
export async function runAriCheck(o: AriCheckOptions): Promise<AriCheckReport> {
  const now = o.now ?? (() => performance.now());
  const client = new AriClient({ url: o.url, user: o.user, password: o.password, fetch: o.fetch, timeoutMs: o.timeoutMs });
  const report: AriCheckReport = {
    ok: false,
    verdict: 'ok',
    message: '',
    url: o.url.base,
    user: o.user,
    app: o.app,
    steps: [],
    warnings: [],
    summary: { appRegistered: false },
  };
  if (o.dialplan) report.summary.dialplan = { target: `${o.dialplan.exten}@${o.dialplan.context}`, proven: false };

  let current: CheckStepName = 'tcp';
  let started = now();
  const pass = (detail: string): void => {
    const s: CheckStep = { step: current, ok: true, ms: Math.round(now() - started), detail };
    report.steps.push(s);
    o.onStep?.(s);
  };
  const begin = (name: CheckStepName): void => {
    if (o.signal?.aborted) throw new CancelledError('Interrupted; ari check stopped');
    current = name;
    started = now();
  };

  let events: AriEventSocket | undefined;
  try {
    const remote = await tcpProbe({ host: o.url.host, port: o.url.port, timeoutMs: o.timeoutMs, lookup: o.lookup, connect: o.connect });
    pass(`${remote} accepts TCP connections`);

    begin('info');
    const info = await client.info().catch((err: unknown) => {
      // TCP already connected: silence here means something that is not an HTTP server answers
      if (err instanceof AriError && err.verdict === 'connect_timeout') {
        throw new AriError('http_error', `${o.url.host}:${o.url.port} accepts TCP but sent no HTTP answer within ${o.timeoutMs} ms: is this the Asterisk HTTP server?`);
      }
      throw err;
    });
    const version = info.system?.version;
    const entityId = info.system?.entity_id;
    if (!version) throw new AriError('http_error', `${o.url.prefix}/ari/asterisk/info answered without system.version: is this Asterisk?`);
    report.summary.version = version;
    report.summary.entityId = entityId;
    pass(`Asterisk ${version}${entityId ? `, entity ${entityId}` : ''}`);

    begin('modules');
    const media = mediaPathsStep(await client.modules().catch((err: unknown) => err as Error), version, o.media);
    report.warnings.push(...media.warnings);
    if (media.paths) report.summary.media = media.paths;
    if (media.failure) throw new AriError('modules_missing', media.failure.message, { hint: media.failure.hint });
    pass(media.detail);

    begin('events');
    // Asterisk lists an app while a socket holds it, and may keep a closed one listed as
    // inactive for a while; either way, say so rather than silently taking it over.
    const before = await client.raw('GET', `/applications/${encodeURIComponent(o.app)}`);
    if (before.status === 200) {
      report.warnings.push(
        `App "${o.app}" was already listed before voicectl connected: another client may hold it (its events come to voicectl while the check runs) or it closed recently. Use --app with a test name to leave a live app alone.`,
      );
    }
    events = await openEvents(client, { app: o.app, timeoutMs: o.timeoutMs });
    pass(`events WebSocket open for app "${o.app}"`);

    begin('app');
    const app = await client.application(o.app).catch((err: unknown) => {
      if (err instanceof AriError && err.verdict === 'app_not_registered') {
        throw new AriError('app_not_registered', `Asterisk does not list app "${o.app}" although its events socket is open (GET /applications/${o.app}: 404)`);
      }
      throw err;
    });
    report.summary.appRegistered = true;
    pass(`app "${app.name}" registered`);

    if (o.dialplan) {
      begin('dialplan');
      const proof = await proveDialplan(client, events, o.app, o.dialplan, o.timeoutMs, o.signal);
      report.summary.dialplan = { target: `${o.dialplan.exten}@${o.dialplan.context}`, proven: true, channel: proof.channel, args: proof.args };
      pass(`${proof.channel} reached Stasis(${o.app}) with args [${proof.args.join(', ')}]`);
    }

    report.ok = true;
    report.verdict = 'ok';
    report.message = summaryLine(report);
  } catch (err) {
    if (err instanceof CancelledError) throw err;
    const failure = asAriError(err);
    const s: CheckStep = { step: current, ok: false, ms: Math.round(now() - started), detail: failure.message };
    report.steps.push(s);
    o.onStep?.(s);
    report.ok = false;
    report.verdict = failure.verdict;
    report.code = failure.code;
    report.message = failure.message;
    report.hint = failure.hint;
  } finally {
    await events?.close();
  }
  return report;
}

function summaryLine(r: AriCheckReport): string {
  const parts = [`Asterisk ${r.summary.version}`, `app "${r.app}" registered`];
  if (r.summary.dialplan?.proven) parts.push(`${r.summary.dialplan.target} routes to Stasis`);
  return parts.join('; ');
}

function asAriError(err: unknown): AriError {
  if (err instanceof AriError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AriError('http_error', message, { cause: err });
}

/**
 * Originate `Local/<exten>@<context>` into `app` and wait for the dialplan half's StasisStart.
 * @throws AriError write_denied (403), dialplan_not_routed (no StasisStart within `timeoutMs`).
 */
async function proveDialplan(
  client: AriClient,
  events: AriEventSocket,
  app: string,
  target: DialplanTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ channel: string; args: string[] }> {
  const tag = randomUUID().slice(0, 8);
  const channelId = `voicectl-check-${tag}-1`;
  const otherChannelId = `voicectl-check-${tag}-2`;
  const endpoint = `Local/${target.exten}@${target.context}`;
  const fromDialplan = (e: AriEvent): boolean =>
    e.type === 'StasisStart' &&
    e.channel !== undefined &&
    e.channel.id !== channelId &&
    (e.channel.id === otherChannelId || (e.channel.name.startsWith(`${endpoint}-`) && e.channel.name.endsWith(';2')));
  const waiting = events.waitFor(fromDialplan, timeoutMs);
  try {
    await client.originate({ endpoint, app, appArgs: ['voicectl-check', tag], channelId, otherChannelId, callerId: 'voicectl check' });
  } catch (err) {
    if (err instanceof AriError && (err.verdict === 'bad_request' || err.verdict === 'http_error')) {
      throw new AriError('dialplan_not_routed', `Originate ${endpoint} failed: ${err.message}`, {
        hint: routedHint(target.context, app),
      });
    }
    throw err;
  }
  const interrupted = new Promise<'aborted'>((resolve) => {
    if (signal?.aborted) resolve('aborted');
    signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const started = await Promise.race([waiting, interrupted]);
  await hangupQuietly(client, channelId);
  await hangupQuietly(client, otherChannelId);
  if (started === 'aborted') throw new CancelledError('Interrupted; the test call was hung up');
  if (!started || !started.channel) {
    throw new AriError(
      'dialplan_not_routed',
      `No StasisStart from the dialplan within ${timeoutMs} ms: ${target.exten}@${target.context} did not reach Stasis(${app})`,
      { hint: routedHint(target.context, app) },
    );
  }
  return { channel: started.channel.name, args: started.args ?? [] };
}

function routedHint(context: string, app: string): string {
  return VERDICTS.dialplan_not_routed.hint.replace('<context>', context).replace('<app>', app);
}

async function hangupQuietly(client: AriClient, id: string): Promise<void> {
  try {
    await client.hangup(id);
  } catch {
    // already gone: fine
  }
}
