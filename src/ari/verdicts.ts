/**
 * The verdicts of `voicectl ari check` and the ARI error codes of the call-control
 * commands: one table, each with a stable error code and a hint naming the fix.
 *
 * Hints quote the Asterisk CLI commands that confirm each cause (all verified against
 * Asterisk 22.10.1: `http show status`, `module show like res_ari`, `ari show users`,
 * `ari show apps`, `dialplan show <context>`).
 */
import { UserError } from '../core/errors.js';

/** Every verdict `ari check` can reach, plus the call-control outcomes. */
export type AriVerdict =
  | 'ok'
  | 'connection_refused'
  | 'dns_error'
  | 'connect_timeout'
  | 'ari_not_found'
  | 'auth_failed'
  | 'http_error'
  | 'events_failed'
  | 'app_not_registered'
  | 'dialplan_not_routed'
  | 'modules_missing'
  | 'write_denied'
  | 'channel_not_found'
  | 'bad_request';

/** Stable error code and hint of one verdict. */
export interface VerdictInfo {
  /** `VOICECTL_ARI_<VERDICT>`. */
  code: string;
  /** What to do about it. */
  hint: string;
}

/** The verdict table. */
export const VERDICTS: Record<Exclude<AriVerdict, 'ok'>, VerdictInfo> = {
  connection_refused: {
    code: 'VOICECTL_ARI_CONNECTION_REFUSED',
    hint: 'Nothing listens there: set `enabled = yes` and `bindaddr` (and `bindport`) in http.conf, run `module reload http`, and confirm with `asterisk -rx "http show status"`.',
  },
  dns_error: {
    code: 'VOICECTL_ARI_DNS_ERROR',
    hint: 'The host name does not resolve: check ASTERISK_HOST / --url, or use the IP address.',
  },
  connect_timeout: {
    code: 'VOICECTL_ARI_CONNECT_TIMEOUT',
    hint: 'No answer from the host: a firewall may drop port 8088, or http.conf `bindaddr` is another interface (`asterisk -rx "http show status"`).',
  },
  ari_not_found: {
    code: 'VOICECTL_ARI_NOT_FOUND',
    hint: 'The HTTP server answers but serves no ARI there: load res_ari (`asterisk -rx "module show like res_ari"`), and if http.conf sets `prefix`, add it to the URL path (e.g. --url http://HOST:8088/asterisk).',
  },
  auth_failed: {
    code: 'VOICECTL_ARI_AUTH_FAILED',
    hint: 'User or password does not match ari.conf: compare with `asterisk -rx "ari show users"` and the user section (`password`, `password_format`), then `module reload res_ari.so`.',
  },
  http_error: {
    code: 'VOICECTL_ARI_HTTP_ERROR',
    hint: 'ARI answered with an unexpected status: check the Asterisk log (`asterisk -rx "core show version"`, /var/log/asterisk/messages) and that the URL points at Asterisk.',
  },
  events_failed: {
    code: 'VOICECTL_ARI_EVENTS_FAILED',
    hint: 'The events WebSocket was refused: load res_http_websocket and res_ari_events (`asterisk -rx "module show like websocket"`), and let WebSocket upgrades through any proxy in between.',
  },
  app_not_registered: {
    code: 'VOICECTL_ARI_APP_NOT_REGISTERED',
    hint: 'The events socket is open but Asterisk does not list the app: check `asterisk -rx "ari show apps"`, that res_ari_applications is loaded, and that no proxy sends REST and WebSocket to different servers.',
  },
  dialplan_not_routed: {
    code: 'VOICECTL_ARI_DIALPLAN_NOT_ROUTED',
    hint: 'The context or extension is missing, or it never reaches Stasis(<app>) with this app name: check `asterisk -rx "dialplan show <context>"`, then `dialplan reload`.',
  },
  modules_missing: {
    code: 'VOICECTL_ARI_MODULES_MISSING',
    hint: 'Load the missing modules (`asterisk -rx "module load chan_websocket.so"`, and `load =>` them in modules.conf to keep them), or upgrade Asterisk to a release that has them.',
  },
  write_denied: {
    code: 'VOICECTL_ARI_WRITE_DENIED',
    hint: 'This ARI user is read_only: set `read_only = no` for it in ari.conf (or use another user), then `module reload res_ari.so`.',
  },
  channel_not_found: {
    code: 'VOICECTL_ARI_CHANNEL_NOT_FOUND',
    hint: 'No such channel (it may have hung up already): list the live ones with `voicectl ari channels`.',
  },
  bad_request: {
    code: 'VOICECTL_ARI_BAD_REQUEST',
    hint: 'Asterisk rejected the request parameters: check the endpoint (e.g. PJSIP/alice or Local/100@context) and the other options against `voicectl ari <verb> --help`.',
  },
};

/** An ARI failure carrying its verdict (a UserError, exit 1). */
export class AriError extends UserError {
  readonly verdict: Exclude<AriVerdict, 'ok'>;
  /** HTTP status when the failure came from a response. */
  readonly status: number | undefined;
  constructor(verdict: Exclude<AriVerdict, 'ok'>, message: string, options: { status?: number; cause?: unknown; hint?: string } = {}) {
    const info = VERDICTS[verdict];
    super(message, { code: info.code, hint: options.hint ?? info.hint, cause: options.cause });
    this.verdict = verdict;
    this.status = options.status;
  }
}

/**
 * Map a socket-level error code (from `net`, `fetch` or `ws`) to a verdict:
 * ECONNREFUSED → connection_refused; ENOTFOUND / EAI_AGAIN / EAI_FAIL → dns_error;
 * ETIMEDOUT / EHOSTUNREACH / ENETUNREACH / timeouts → connect_timeout; anything else → undefined.
 */
export function verdictForSocketError(code: string | undefined): 'connection_refused' | 'dns_error' | 'connect_timeout' | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection_refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return 'dns_error';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'TimeoutError':
      return 'connect_timeout';
    default:
      return undefined;
  }
}
