/**
 * The action of `voicectl tunnel up` (loaded lazily by `up.ts`): start the tunnel, report
 * it, update the env file, probe the public WebSocket, then stay in the foreground until
 * Ctrl-C / SIGTERM (exit 130 / 0) or the tool dies (exit 1 with its last error lines).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { CommandContext } from '../../cli/context.js';
import type { Config } from '../../config/load.js';
import type { Output } from '../../cli/output.js';
import { CancelledError, UserError } from '../../core/errors.js';
import { registerSecret } from '../../core/redact.js';
import type { RunningTunnel, TunnelExit } from '../../tunnel/up.js';
import type { LineInfo, ProviderName } from '../../tunnel/types.js';
import type { TunnelUpCliOptions } from './up.js';

/** Run `voicectl tunnel up` with parsed options. Resolves on a clean stop (SIGTERM). */
export async function runTunnelUp(ctx: CommandContext, opts: TunnelUpCliOptions): Promise<void> {
  const output = ctx.output({ json: opts.json });
  const [config, { startTunnel }, { setEnvFileValues }] = await Promise.all([
    loadConfigUnlessCreating(ctx, opts),
    import('../../tunnel/up.js'),
    import('../../config/env-file.js'),
  ]);

  // The child's environment: ours, plus an authtoken kept in .env (never on its argv).
  const childEnv: Record<string, string | undefined> = { ...ctx.io.env };
  const authtoken = config?.get('NGROK_AUTHTOKEN');
  if (authtoken) {
    registerSecret(authtoken);
    childEnv.NGROK_AUTHTOKEN = authtoken;
  }

  let received: 'SIGINT' | 'SIGTERM' | undefined;
  const abort = new AbortController();
  let onStop: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (onStop = resolve));
  const removeSignal = ctx.io.onSignal((sig) => {
    received ??= sig;
    abort.abort();
    onStop();
  });

  let tunnel: RunningTunnel | undefined;
  try {
    try {
      tunnel = await startTunnel({
        provider: opts.provider ?? (opts.tunnelId ? 'devtunnel' : undefined),
        port: opts.port,
        tunnelId: opts.tunnelId,
        probePath: opts.probePath,
        env: childEnv,
        readyTimeoutMs: opts.timeout * 1000,
        cloudflaredProtocol: opts.cloudflaredProtocol,
        signal: abort.signal,
        onStatus: (text) => output.info(text),
        onLine: (line, provider) => passThrough(output, provider, line),
        onWarning: (failure, provider) => {
          output.event('tunnel.warning', { provider, code: failure.code, message: failure.message, hint: failure.hint });
          output.warn(failure.message);
          output.info(`hint: ${failure.hint}`);
        },
      });
    } catch (err) {
      if (err instanceof CancelledError && received === 'SIGTERM') return;
      throw err;
    }
    const { provider, publicUrl, wssUrl, callbackUriHost } = tunnel;
    output.event('tunnel.ready', { provider, publicUrl, wssUrl, callbackUriHost });
    if (!output.jsonMode) printReady(output, tunnel);

    if (opts.writeEnv !== undefined) {
      const file = path.resolve(ctx.io.cwd, opts.writeEnv === true ? (ctx.globals().envFile ?? '.env') : opts.writeEnv);
      const edit = await setEnvFileValues(file, { CALLBACK_URI_HOST: callbackUriHost });
      output.event('tunnel.env', { path: edit.path, created: edit.created, key: 'CALLBACK_URI_HOST', value: callbackUriHost });
      output.info(`${edit.created ? 'Created' : 'Updated'} ${edit.path}: CALLBACK_URI_HOST=${callbackUriHost}`);
    }

    if (opts.probe && !received) await probeStep(output, opts, tunnel, abort.signal, config?.get('VOICECTL_MEDIA_TOKEN'));

    if (opts.routeCalls && !received) {
      const { routeCallsStep } = await import('./route-step.js');
      await routeCallsStep(ctx, output, config, callbackUriHost, abort.signal);
    }

    if (!received) {
      output.info(`Tunnel up. Press Ctrl-C to stop ${provider}.`);
      const ended = await Promise.race([stopRequested.then(() => undefined), tunnel.exited]);
      if (ended) throw exitedError(provider, ended);
    }
    output.info(`Stopping ${provider}…`);
    const exit = await tunnel.stop();
    output.event('tunnel.stopped', { provider, signal: received, exitCode: exit.exitCode ?? null, childSignal: exit.signal ?? null });
    output.info(`${provider} stopped.`);
    if (received === 'SIGINT') throw new CancelledError(`Interrupted: the ${provider} tunnel was stopped.`);
  } catch (err) {
    if (tunnel) await tunnel.stop();
    throw err;
  } finally {
    removeSignal();
  }
}

/**
 * The configuration, except when `--env-file` names a file that does not exist yet and
 * `--write-env` is about to create it (then there is nothing to read: undefined).
 */
async function loadConfigUnlessCreating(ctx: CommandContext, opts: TunnelUpCliOptions): Promise<Config | undefined> {
  const envFile = ctx.globals().envFile;
  if (opts.writeEnv === true && envFile) {
    const exists = await access(path.resolve(ctx.io.cwd, envFile)).then(
      () => true,
      () => false,
    );
    if (!exists) return undefined;
  }
  return ctx.config();
}

/** The tool's warnings and errors go to stderr; everything else only with --verbose. */
function passThrough(output: Output, provider: ProviderName, line: LineInfo): void {
  if (line.level === 'info') output.debug(`[${provider}] ${line.text}`);
  else output.info(`${output.errColor.dim(`[${provider}]`)} ${line.text}`);
}

function printReady(output: Output, t: RunningTunnel): void {
  const c = output.color;
  output.print(`${c.green('✓')} Tunnel ready (${t.provider})`);
  output.print(`  Public URL          ${c.bold(t.publicUrl)}`);
  output.print(`  Media WebSocket     ${t.wssUrl}`);
  output.print(`  CALLBACK_URI_HOST   ${t.callbackUriHost}`);
}

/**
 * Probe the public media WebSocket when the bridge listens. A configured VOICECTL_MEDIA_TOKEN is
 * sent as `Authorization: Bearer` (the bridge accepts it like `?token=`; never printed).
 */
async function probeStep(output: Output, opts: TunnelUpCliOptions, t: RunningTunnel, signal: AbortSignal, mediaToken?: string): Promise<void> {
  const { isListening } = await import('../../tunnel/local-port.js');
  if (!(await isListening(opts.port))) {
    const hint = `Start the bridge first: voicectl bridge --listen ${opts.port}, then probe with voicectl ws-probe ${t.wssUrl}`;
    output.event('tunnel.probe', { skipped: true, reason: 'nothing-listening', port: opts.port, hint });
    output.warn(`Nothing listens on 127.0.0.1:${opts.port}, so the public WebSocket was not probed.`);
    output.info(`hint: ${hint}`);
    return;
  }
  const [{ probeWebSocket }, { probeUntilSettled }] = await Promise.all([
    import('../../probe/index.js'),
    import('../../tunnel/probe-retry.js'),
  ]);
  const target = opts.probeUrl ?? t.wssUrl;
  output.info(`Probing ${target} …`);
  let report;
  let attempts;
  try {
    ({ report, attempts } = await probeUntilSettled(() => probeWebSocket(target, {
          holdMs: Math.round(opts.probeHold * 1000),
          signal,
          ...(mediaToken ? { headers: { Authorization: `Bearer ${mediaToken}` } } : {}),
        }), {
      signal,
      onRetry: (attempt, verdict, delayMs) =>
        output.info(`probe ${verdict}: a new tunnel can take a few seconds to be reachable; probing again in ${delayMs / 1000} s (attempt ${attempt})…`),
    }));
  } catch (err) {
    if (err instanceof CancelledError) return;
    throw err;
  }
  output.event('tunnel.probe', {
    attempts,
    target: report.target,
    verdict: report.verdict,
    ok: report.ok,
    message: report.message,
    ...(report.hint ? { hint: report.hint } : {}),
  });
  if (report.ok) {
    output.info(`${output.errColor.green('✓')} probe ok: ${report.message}`);
  } else {
    output.warn(`probe ${report.verdict}: ${report.message}`);
    if (report.hint) output.info(`hint: ${report.hint}`);
  }
}

function exitedError(provider: ProviderName, e: TunnelExit): UserError {
  const how = e.signal ? `was killed by ${e.signal}` : `exited with code ${e.exitCode ?? 'unknown'}`;
  const tail = e.lastLines.length > 0 ? `:\n  ${e.lastLines.join('\n  ')}` : '.';
  return new UserError(`${provider} ${how}; the tunnel is down${tail}`, {
    code: 'VOICECTL_TUNNEL_EXITED',
    hint: e.failure?.hint ?? `Run voicectl tunnel up again (add --verbose to see all of ${provider}'s output).`,
  });
}
