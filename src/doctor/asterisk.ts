/**
 * The `asterisk` group: `voicectl ari check` without the dialplan step (TCP, ARI auth via
 * `GET /ari/asterisk/info`, the events WebSocket for the Stasis app, the app's
 * registration), with the connection from `ASTERISK_*` only: the doctor never prompts.
 */
import { runAriCheck } from '../ari/check.js';
import { parseAriUrl, urlFromHostPort } from '../ari/url.js';
import { isVoicectlError } from '../core/errors.js';
import { fail, pass, type Outcome } from './types.js';

/** Options of {@link checkAsterisk}. */
export interface AsteriskCheckOptions {
  /** `ASTERISK_HOST` (default 127.0.0.1). */
  host?: string;
  /** `ASTERISK_ARI_PORT` (default 8088). */
  port?: string;
  user: string;
  password: string;
  /** `ASTERISK_APP_NAME` (default `voicectl`). */
  app?: string;
  /** Bound of each step, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Run the ARI check and fold its report into one outcome. */
export async function checkAsterisk(o: AsteriskCheckOptions): Promise<Outcome> {
  let url;
  try {
    url = parseAriUrl(urlFromHostPort(o.host, o.port));
  } catch (err) {
    if (!isVoicectlError(err)) throw err;
    return fail(err.message, err.hint);
  }
  const report = await runAriCheck({
    url,
    user: o.user,
    password: o.password,
    app: o.app ?? 'voicectl',
    timeoutMs: o.timeoutMs,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (!report.ok) return fail(`${url.base}: ${report.message}`, report.hint);
  const notes = report.warnings.length > 0 ? ` (note: ${report.warnings[0]!.split(':')[0]})` : '';
  return pass(`${url.base}: ${report.message}${notes}`);
}
