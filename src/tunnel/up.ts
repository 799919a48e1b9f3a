/**
 * `tunnel up` domain logic: pick the tool, prepare it (devtunnel login and set-up,
 * cloudflared's empty config and pinned metrics address), start it, and wait until the
 * public URL is known and the tunnel is connected. Returns a handle on the running tunnel.
 * Never prints: lines and progress go to the injected callbacks.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CancelledError, UsageError, UserError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { cloudflaredArgs, parseCloudflaredLine, queryCloudflaredMetrics, type CloudflaredProtocol } from './cloudflared.js';
import { resolveProvider } from './detect.js';
import { createDevtunnelLineParser, devtunnelHostArgs, prepareDevtunnel } from './devtunnel.js';
import { freePort } from './local-port.js';
import { ngrokArgs, parseNgrokLine, queryNgrokAgent } from './ngrok.js';
import { runToCompletion, startChild, type ChildExit } from './supervise.js';
import { tunnelUrls } from './text.js';
import type { LineInfo, ProviderName, TunnelFailure, TunnelUrls } from './types.js';

/** Options of {@link startTunnel}. */
export interface TunnelUpOptions {
  /** `--provider`; undefined = first of cloudflared, devtunnel, ngrok on PATH. */
  provider?: ProviderName;
  /** Local port of the bridge. */
  port: number;
  /** devtunnel: an existing tunnel to host (port and anonymous access are ensured first). */
  tunnelId?: string;
  /** Media WebSocket path, for the reported `wssUrl` (e.g. `/ws/media`). */
  probePath: string;
  /** The child's whole environment (PATH to find the tool; credentials such as NGROK_AUTHTOKEN). */
  env: Record<string, string | undefined>;
  /** How long to wait for the URL and the connection, in ms. */
  readyTimeoutMs: number;
  /** cloudflared edge transport (`--protocol`). */
  cloudflaredProtocol?: CloudflaredProtocol;
  /** How often the metrics server / agent API are asked, in ms (default 500). */
  pollMs?: number;
  /** SIGTERM → SIGKILL grace when stopping, in ms (default 5000). */
  killGraceMs?: number;
  /** Injected fetch for the metrics server and agent API. */
  fetch?: typeof fetch;
  /** Every output line of the tool, parsed. */
  onLine?: (line: LineInfo, provider: ProviderName) => void;
  /** Progress notices ("Starting cloudflared…"). */
  onStatus?: (text: string) => void;
  /**
   * A recognised failure the tool retries past (cloudflared's failed QUIC dial), the first
   * time each code is seen while waiting for the tunnel, so its hint reaches the user at once
   * rather than only when `readyTimeoutMs` expires. The wait goes on (the tool may fall back).
   */
  onWarning?: (failure: TunnelFailure, provider: ProviderName) => void;
  /** Aborting (Ctrl-C before the tunnel is ready) stops the tool and rejects with CancelledError. */
  signal?: AbortSignal;
}

/** How the tool ended on its own after the tunnel was up. */
export interface TunnelExit extends ChildExit {
  /** The last error/warning lines (redacted), else the last lines. */
  lastLines: string[];
  /** The most telling failure recognised in the output, if any. */
  failure?: TunnelFailure;
}

/** A tunnel that is up. */
export interface RunningTunnel extends TunnelUrls {
  provider: ProviderName;
  /** Absolute path of the tool. */
  executable: string;
  /** The tool's process id. */
  pid: number | undefined;
  /** Resolves when the tool exits on its own (not through {@link stop}). */
  exited: Promise<TunnelExit>;
  /** Stop the tool (SIGTERM, SIGKILL after the grace period) and clean up temporary files. */
  stop(): Promise<ChildExit>;
}

interface Launch {
  args: string[];
  parse: (raw: string) => LineInfo;
  poll?: (state: { agentApi?: string }) => Promise<{ url?: string; ready?: boolean }>;
  /** Count the tunnel as ready this long after its URL appeared, even without a readiness signal. */
  readyGraceMs?: number;
  cleanup?: () => Promise<void>;
}

/**
 * Start the tunnel and wait for it to be ready.
 * @throws UsageError (exit 2): tool missing, devtunnel logged out / tunnel unknown, ngrok authtoken missing.
 * @throws UserError (exit 1): the tool exited or failed before the URL was ready (rate limit, …),
 *   or `readyTimeoutMs` passed (`VOICECTL_TUNNEL_TIMEOUT`, or the failure seen meanwhile, e.g. QUIC blocked).
 * @throws CancelledError when `signal` aborts first.
 */
export async function startTunnel(o: TunnelUpOptions): Promise<RunningTunnel> {
  const { provider, executable } = await resolveProvider(o.provider, o.env);
  const fetchFn = o.fetch ?? fetch;
  const launch = await prepareLaunch(provider, executable, o, fetchFn);
  o.onStatus?.(`Starting ${provider} (${executable}) for http://127.0.0.1:${o.port}…`);

  const recent: LineInfo[] = [];
  let fatal: TunnelFailure | undefined;
  let noted: TunnelFailure | undefined;
  let url: string | undefined;
  let urlSeenAt = 0;
  let ready = false;
  let settled = false;
  const warned = new Set<string>();
  const pollState: { agentApi?: string } = {};
  let wake: () => void = () => {};

  const child = startChild(executable, launch.args, {
    env: o.env,
    killGraceMs: o.killGraceMs,
    onLine: (raw) => {
      const info = launch.parse(raw);
      if (info.text.trim() === '') return;
      recent.push(info);
      if (recent.length > 40) recent.shift();
      if (info.url && !url) {
        url = info.url;
        urlSeenAt = Date.now();
      }
      if (info.ready) ready = true;
      if (info.agentApi) pollState.agentApi = info.agentApi;
      if (info.failure) {
        if (info.failure.fatal) fatal ??= info.failure;
        else noted = info.failure;
      }
      o.onLine?.(info, provider);
      if (info.failure && !info.failure.fatal && !settled && !warned.has(info.failure.code)) {
        warned.add(info.failure.code);
        o.onWarning?.(info.failure, provider);
      }
      wake();
    },
  });
  let exitedOnItsOwn: ChildExit | undefined;
  void child.exited.then((e) => {
    exitedOnItsOwn = e;
    wake();
  });
  const stop = async (): Promise<ChildExit> => {
    const e = await child.stop();
    await launch.cleanup?.();
    return e;
  };

  o.signal?.addEventListener('abort', () => wake(), { once: true });
  const deadline = Date.now() + o.readyTimeoutMs;
  const pollMs = o.pollMs ?? 500;
  let nextPoll = 0;
  try {
    for (;;) {
      if (o.signal?.aborted) throw new CancelledError('Interrupted before the tunnel was ready; the tunnel tool was stopped.');
      if (exitedOnItsOwn) throw exitError(provider, exitedOnItsOwn, recent, fatal ?? noted, false);
      if (fatal) {
        await Promise.race([child.exited, sleep(1000)]);
        throw exitError(provider, exitedOnItsOwn ?? { exitCode: undefined, signal: undefined }, recent, fatal, true);
      }
      if (url && !ready && launch.readyGraceMs !== undefined && Date.now() - urlSeenAt >= launch.readyGraceMs) ready = true;
      if (url && ready) break;
      if (Date.now() >= deadline) throw timeoutError(provider, o.readyTimeoutMs, url, noted, recent);
      if (launch.poll && Date.now() >= nextPoll) {
        nextPoll = Date.now() + pollMs;
        const p = await launch.poll(pollState);
        if (p.url && !url) {
          url = p.url;
          urlSeenAt = Date.now();
        }
        if (p.ready) ready = true;
        continue;
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          wake = () => {};
          resolve();
        };
        const timer = setTimeout(done, Math.max(10, Math.min(pollMs, deadline - Date.now())));
        wake = done;
      });
    }
  } catch (err) {
    settled = true;
    await stop();
    throw err;
  }

  // A failure noted while connecting (e.g. QUIC retries before a fallback) no longer explains a later exit.
  noted = undefined;
  settled = true;
  let stopping = false;
  const exited = child.exited.then(async (e): Promise<TunnelExit> => {
    if (!stopping) await launch.cleanup?.();
    return { ...e, lastLines: lastLines(recent), ...(fatal ?? noted ? { failure: fatal ?? noted } : {}) };
  });
  return {
    provider,
    executable,
    pid: child.pid,
    ...tunnelUrls(url, o.probePath),
    exited: new Promise((resolve) => void exited.then((e) => !stopping && resolve(e))),
    stop: () => {
      stopping = true;
      return stop();
    },
  };
}

async function prepareLaunch(provider: ProviderName, executable: string, o: TunnelUpOptions, fetchFn: typeof fetch): Promise<Launch> {
  if (provider === 'cloudflared') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-cloudflared-'));
    const configFile = path.join(dir, 'config.yml');
    await writeFile(configFile, '', { mode: 0o600 });
    const metricsAddr = `127.0.0.1:${await freePort()}`;
    return {
      args: cloudflaredArgs({ port: o.port, configFile, metricsAddr, protocol: o.cloudflaredProtocol }),
      parse: parseCloudflaredLine,
      poll: () => queryCloudflaredMetrics(metricsAddr, fetchFn),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (provider === 'devtunnel') {
    o.onStatus?.('Checking the devtunnel login…');
    await prepareDevtunnel((args) => runToCompletion(executable, args, o.env), { port: o.port, tunnelId: o.tunnelId });
    // Versions that print no "Ready to accept connections" line are taken as ready 3 s after the URL.
    return { args: devtunnelHostArgs({ port: o.port, tunnelId: o.tunnelId }), parse: createDevtunnelLineParser(o.port), readyGraceMs: 3000 };
  }
  return {
    args: ngrokArgs(o.port),
    parse: parseNgrokLine,
    poll: async (s) => {
      if (!s.agentApi) return {};
      const url = await queryNgrokAgent(s.agentApi, fetchFn);
      return url ? { url, ready: true } : {};
    },
  };
}

/**
 * The last error/warning lines of the tool (redacted), else its last lines; at most `n`.
 * A line repeated (a retry loop; timestamps aside) is kept once, with a `(×N)` count.
 */
export function lastLines(recent: readonly LineInfo[], n = 5): string[] {
  const loud = recent.filter((l) => l.level !== 'info');
  const out: Array<{ key: string; text: string; count: number }> = [];
  for (const l of loud.length > 0 ? loud : recent) {
    const text = l.text.trim();
    const key = text.replace(/^\d{4}-\d\d-\d\dT\S+\s+/, '');
    const seen = out.findIndex((o) => o.key === key);
    const count = seen === -1 ? 1 : out[seen]!.count + 1;
    if (seen !== -1) out.splice(seen, 1);
    out.push({ key, text, count });
  }
  return out.slice(-n).map((o) => redact(o.count > 1 ? `${o.text} (×${o.count})` : o.text));
}

function describeExit(e: ChildExit): string {
  if (e.error) return `could not run: ${e.error}`;
  if (e.signal) return `was killed by ${e.signal}`;
  return e.exitCode === undefined ? 'failed' : `exited with code ${e.exitCode}`;
}

function exitError(provider: ProviderName, e: ChildExit, recent: LineInfo[], failure: TunnelFailure | undefined, stillRunning: boolean): UserError | UsageError {
  const lines = lastLines(recent);
  const tail = lines.length > 0 ? `\n  ${lines.join('\n  ')}` : '';
  if (failure) {
    const Err = failure.exitCode === 2 ? UsageError : UserError;
    return new Err(`${failure.message}${tail}`, { code: failure.code, hint: failure.hint });
  }
  const what = stillRunning ? 'failed' : describeExit(e);
  return new UserError(`${provider} ${what} before the tunnel was ready.${tail}`, {
    code: 'VOICECTL_TUNNEL_EXITED',
    hint: `Run with --verbose to see all of ${provider}'s output, or try another --provider.`,
  });
}

function timeoutError(provider: ProviderName, ms: number, url: string | undefined, noted: TunnelFailure | undefined, recent: LineInfo[]): UserError {
  const lines = lastLines(recent);
  const tail = lines.length > 0 ? `\n  ${lines.join('\n  ')}` : '';
  if (noted) return new UserError(`${noted.message}${tail}`, { code: noted.code, hint: noted.hint });
  const waitedFor = url ? `a connection for ${url}` : 'a public URL';
  return new UserError(`${provider} gave no ${waitedFor} within ${Math.round(ms / 1000)} s.${tail}`, {
    code: 'VOICECTL_TUNNEL_TIMEOUT',
    hint: `Run with --verbose to see ${provider}'s output; raise --timeout on a slow network, or try another --provider.`,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
