/**
 * Resolve `voicectl bridge` settings from flags and configuration (flag > env > env file >
 * default) into {@link BridgeOptions} fields, plus the notices the command prints.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/load.js';
import { missingValueError, resolveSetting } from '../config/load.js';
import { UsageError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { isLoopbackHost } from '../probe/url.js';
import type { RealtimeProtocol } from './realtime-protocol.js';
import { DEFAULT_DRAIN_TIMEOUT_S } from './defaults.js';
import type { BridgeOptions } from './server.js';
import type { UpstreamSettings } from './upstream-config.js';
import { DEFAULT_AUDIOSOCKET_PORT, resolveStasisSettings, type StasisSettings } from '../ari/stasis-settings.js';
import type { AriMediaMode } from '../ari/stasis-call.js';

/** The parsed flags of `voicectl bridge`. */
export interface BridgeFlags {
  listen: number;
  host: string;
  /** `--transcripts <dir>`: one JSON Lines transcript file per call. */
  transcripts?: string;
  mediaPath: string;
  /** Path of the Asterisk chan_websocket leg. */
  asteriskPath: string;
  /** AudioSocket TCP port; undefined: no AudioSocket listener. */
  audiosocketListen?: number;
  /** AudioSocket listen address. */
  audiosocketHost: string;
  upstream?: 'aoai' | 'echo';
  aoaiProtocol: RealtimeProtocol;
  maxCalls: number;
  mediaToken?: string;
  /** `--drain-timeout` (seconds); else `VOICECTL_DRAIN_TIMEOUT`, else 30. */
  drainTimeout?: number;
  /** `--ari`: run the Stasis app (ASTERISK_* settings). */
  ari?: boolean;
  /** `--ari-media`: how the Stasis app's externalMedia channels carry audio (default websocket). */
  ariMedia?: AriMediaMode;
}

/** Resolved settings: the listening part of {@link BridgeOptions}, plus start-up notices. */
export interface BridgeSettings
  extends Pick<BridgeOptions, 'port' | 'host' | 'mediaPath' | 'asteriskPath' | 'audioSocket' | 'maxCalls' | 'mediaToken' | 'upstream' | 'transcriptsDir'> {
  /** On SIGTERM, how long active calls may run on (seconds). */
  drainTimeoutS: number;
  /** Notices for stderr (echo mode, open media socket, …). */
  notices: string[];
  /** The Stasis app (`--ari`). */
  ari?: StasisSettings;
}

/**
 * Resolve the settings.
 * @param cwd resolves a relative `AOAI_INSTRUCTIONS_FILE`.
 * @throws UsageError (exit 2) for `--upstream aoai` without endpoint or deployment
 *   (`VOICECTL_MISSING_VALUE`), or an unreadable instructions file (`VOICECTL_AOAI_INSTRUCTIONS`).
 */
export async function resolveBridgeSettings(config: Config, flags: BridgeFlags, cwd: string): Promise<BridgeSettings> {
  const notices: string[] = [];
  const mediaToken = resolveSetting(config, flags.mediaToken, 'VOICECTL_MEDIA_TOKEN')?.value;
  registerSecret(mediaToken);
  if (!mediaToken) {
    notices.push(
      `The media sockets ${flags.mediaPath} and ${flags.asteriskPath} are open to anyone who finds their URL: set VOICECTL_MEDIA_TOKEN (or --media-token), add it to the ACS transport URL as the token query parameter and to websocket_client.conf as the password.`,
    );
  }
  const endpoint = config.get('AZURE_OPENAI_ENDPOINT');
  const kind = flags.upstream ?? (endpoint ? 'aoai' : 'echo');
  let upstream: UpstreamSettings;
  if (kind === 'echo') {
    upstream = { kind: 'echo' };
    notices.push(
      flags.upstream === 'echo'
        ? 'Echo mode (--upstream echo): callers hear their own audio back.'
        : 'Echo mode: no AZURE_OPENAI_ENDPOINT is configured, so callers hear their own audio back. Set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT to relay calls to Azure OpenAI Realtime.',
    );
  } else {
    if (!endpoint) throw missingValueError(undefined, 'AZURE_OPENAI_ENDPOINT', 'Azure OpenAI endpoint for --upstream aoai');
    const deployment = config.get('AZURE_OPENAI_DEPLOYMENT');
    if (!deployment) throw missingValueError(undefined, 'AZURE_OPENAI_DEPLOYMENT', 'Realtime deployment name for --upstream aoai');
    const apiKey = config.get('AZURE_OPENAI_API_KEY');
    registerSecret(apiKey);
    if (!apiKey) notices.push('No AZURE_OPENAI_API_KEY: authenticating to Azure OpenAI with Entra ID (DefaultAzureCredential).');
    upstream = {
      kind: 'aoai',
      endpoint,
      deployment,
      protocol: flags.aoaiProtocol,
      ...(apiKey ? { apiKey } : {}),
      session: await sessionSettings(config, cwd),
    };
  }
  const out: BridgeSettings = {
    port: flags.listen, host: flags.host, mediaPath: flags.mediaPath, asteriskPath: flags.asteriskPath, maxCalls: flags.maxCalls, upstream,
    drainTimeoutS: drainTimeout(config, flags.drainTimeout), notices,
    ...(flags.transcripts !== undefined ? { transcriptsDir: path.resolve(cwd, flags.transcripts) } : {}),
  };
  if (flags.ariMedia !== undefined && !flags.ari) {
    throw new UsageError('--ari-media only applies with --ari.', { code: 'VOICECTL_USAGE', hint: 'Add --ari to run the Stasis app, or drop --ari-media.' });
  }
  if (flags.ari) out.ari = resolveStasisSettings(config, flags.ariMedia ?? 'websocket');
  let audiosocketListen = flags.audiosocketListen;
  if (out.ari?.media === 'audiosocket' && audiosocketListen === undefined) {
    audiosocketListen = DEFAULT_AUDIOSOCKET_PORT;
    notices.push(`--ari-media audiosocket: AudioSocket listener on ${flags.audiosocketHost}:${DEFAULT_AUDIOSOCKET_PORT} (pass --audiosocket-listen to choose the port).`);
  }
  if (audiosocketListen !== undefined) {
    out.audioSocket = { port: audiosocketListen, host: flags.audiosocketHost };
    if (!isLoopbackHost(flags.audiosocketHost)) {
      notices.push(`AudioSocket on ${flags.audiosocketHost}:${audiosocketListen} has no authentication: make sure only Asterisk can reach it (firewall, private network).`);
    }
  }
  if (mediaToken) out.mediaToken = mediaToken;
  return out;
}

/**
 * The Realtime session settings from configuration: `AOAI_VOICE`, and `AOAI_INSTRUCTIONS`
 * or else the contents of `AOAI_INSTRUCTIONS_FILE` (relative to `cwd`).
 * @throws UsageError `VOICECTL_AOAI_INSTRUCTIONS` when that file cannot be read.
 */
export async function sessionSettings(config: Pick<Config, 'get'>, cwd: string): Promise<{ voice?: string; instructions?: string }> {
  const voice = config.get('AOAI_VOICE');
  let instructions = config.get('AOAI_INSTRUCTIONS');
  const file = config.get('AOAI_INSTRUCTIONS_FILE');
  if (instructions === undefined && file) {
    const full = path.resolve(cwd, file);
    try {
      instructions = (await readFile(full, 'utf8')).trim();
    } catch (err) {
      throw new UsageError(`Cannot read AOAI_INSTRUCTIONS_FILE ${full}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
        code: 'VOICECTL_AOAI_INSTRUCTIONS',
        hint: 'Fix the AOAI_INSTRUCTIONS_FILE path (relative paths start at the working directory), or set AOAI_INSTRUCTIONS.',
      });
    }
  }
  return { ...(voice ? { voice } : {}), ...(instructions ? { instructions } : {}) };
}

/**
 * The drain timeout in seconds: `--drain-timeout`, else `VOICECTL_DRAIN_TIMEOUT`, else 30.
 * @throws UsageError `VOICECTL_DRAIN_TIMEOUT` when the variable is not a whole number of seconds.
 */
function drainTimeout(config: Pick<Config, 'get'>, flag: number | undefined): number {
  if (flag !== undefined) return flag;
  const v = config.get('VOICECTL_DRAIN_TIMEOUT');
  if (v === undefined || v === '') return DEFAULT_DRAIN_TIMEOUT_S;
  if (!/^\d+$/.test(v.trim())) {
    throw new UsageError(`VOICECTL_DRAIN_TIMEOUT is not a whole number of seconds: ${JSON.stringify(v.slice(0, 20))}`, {
      code: 'VOICECTL_DRAIN_TIMEOUT',
      hint: 'Set VOICECTL_DRAIN_TIMEOUT to seconds, e.g. 30 (0 closes calls at once on SIGTERM).',
    });
  }
  return Number(v.trim());
}
