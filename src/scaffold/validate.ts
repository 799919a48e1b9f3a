/**
 * Validation of every value `voicectl scaffold` writes, before anything is written.
 *
 * Each check returns `undefined` when the value is fine and a short reason otherwise
 * (pure, for prompts and tables); {@link check} turns a reason into the exit-2 error
 * naming the flag or variable. Formats: Asterisk's config parser (`;` starts a comment,
 * values are trimmed), extension patterns (`_` then X/Z/N, digits, `[...]` classes,
 * trailing `.` or `!`). ACS connection strings are checked by their own parser
 * (src/identity/connection-string.ts; see `validateEnvValues`).
 */
import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';

/** A check: `undefined` when valid, else the reason (no trailing period). */
export type Check = (value: string) => string | undefined;

/** Longest context / app / user name accepted (Asterisk's AST_MAX_CONTEXT is 80 bytes with the NUL). */
export const MAX_NAME_LENGTH = 79;

const NAME = /^[A-Za-z0-9_-]+$/;

/** App, context and ARI user names: `[A-Za-z0-9_-]+`, at most 79 characters. */
export const checkName: Check = (value) => {
  if (value === '') return 'must not be empty';
  if (!NAME.test(value)) return 'may contain only letters, digits, "_" and "-"';
  if (value.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
  return undefined;
};

/** An ARI user name: a name, and not `general` (that section holds the global settings). */
export const checkAriUser: Check = (value) => {
  const reason = checkName(value);
  if (reason) return reason;
  if (value.toLowerCase() === 'general') return 'cannot be "general" (that section holds the ARI settings)';
  return undefined;
};

/** A password Asterisk reads back as written: no newline, no `;` (comment), no surrounding spaces. */
export const checkPassword: Check = (value) => {
  if (value === '') return 'must not be empty';
  if (/[\r\n]/.test(value)) return 'must not contain a newline';
  if (value.includes(';')) return 'must not contain ";" (Asterisk reads the rest of the line as a comment)';
  if (value.trim() !== value) return 'must not start or end with a space (Asterisk trims it)';
  return undefined;
};

/** Characters a pattern may hold outside `[...]`: digits, `*`, `#`, `+`, X/Z/N wildcards, `-` (ignored). */
const PATTERN_CHAR = /[0-9*#+XZNxzn-]/;

/**
 * An extension: a literal (`100`, `s`, `+4930123`) or a pattern starting with `_`
 * (`_X.`, `_1NXXNXXXXXX`, `_[2-9]XX!`). `.` and `!` may only end a pattern.
 */
export const checkExtension: Check = (value) => {
  if (value === '') return 'must not be empty';
  if (!value.startsWith('_')) {
    return /^[A-Za-z0-9*#+-]+$/.test(value)
      ? undefined
      : 'must be a literal extension ([A-Za-z0-9*#+-]) or a pattern starting with "_"';
  }
  const body = value.slice(1);
  if (body === '') return 'pattern "_" matches nothing: add digits or X/Z/N, e.g. _X.';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '[') {
      const end = body.indexOf(']', i);
      if (end === -1) return `pattern has an unclosed "[" at position ${i + 2}`;
      const cls = body.slice(i + 1, end);
      if (!/^[0-9A-Za-z*#+-]+$/.test(cls))
        return `pattern class "[${cls}]" must list digits, letters or ranges like 2-9`;
      i = end;
    } else if (c === '.' || c === '!') {
      if (i !== body.length - 1) return `"${c}" may only end a pattern`;
    } else if (!PATTERN_CHAR.test(c)) {
      return `pattern character "${c}" is not valid (use digits, X, Z, N, [..], and a final . or !)`;
    }
  }
  return undefined;
};

/** Arguments passed to `Stasis(app,args)`: no newline, no `;`, no `)` that would end the call. */
export const checkAppArgs: Check = (value) => {
  if (/[\r\n]/.test(value)) return 'must not contain a newline';
  if (value.includes(';')) return 'must not contain ";"';
  let depth = 0;
  for (const c of value) {
    if (c === '(') depth++;
    if (c === ')' && --depth < 0) return 'has an unbalanced ")"';
  }
  return depth === 0 ? undefined : 'has an unbalanced "("';
};

/** An IP address for http.conf `bindaddr` (IPv4 or IPv6; Asterisk has no default). */
export const checkBindAddress: Check = (value) =>
  isIP(value) === 0 ? 'must be an IP address, e.g. 127.0.0.1 or 0.0.0.0' : undefined;

/** A TCP port, 1-65535, decimal. */
export const checkPort: Check = (value) => {
  if (!/^\d+$/.test(value)) return 'must be a number from 1 to 65535';
  const n = Number(value);
  return n >= 1 && n <= 65535 ? undefined : 'must be a number from 1 to 65535';
};

/** A host name or IP address (no scheme, no port, no path). */
export const checkHost: Check = (value) => {
  if (isIP(value) !== 0) return undefined;
  return /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(value)
    ? undefined
    : 'must be a host name or IP address (no scheme, port or path)';
};

/** A comma list of origins for ari.conf `allowed_origins` (`*` or `scheme://host[:port]`), may be empty. */
export const checkOrigins: Check = (value) => {
  if (value.trim() === '') return undefined;
  for (const part of value.split(',').map((p) => p.trim())) {
    if (part === '*') continue;
    const url = parseUrl(part);
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== part.replace(/\/$/, '')) {
      return `"${part}" is not an origin like http://127.0.0.1:8088 (or *)`;
    }
  }
  return undefined;
};

/** An origin with the given schemes and no path, query or fragment (a trailing `/` is allowed). */
export function checkOriginUrl(schemes: readonly string[]): Check {
  const shape = schemes.map((s) => `${s}://`).join(' or ');
  return (value) => {
    const url = parseUrl(value);
    if (!url || !schemes.includes(url.protocol.slice(0, -1))) return `must start with ${shape}`;
    if (url.hostname === '') return 'must name a host';
    if (url.username || url.password) return 'must not contain credentials';
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(value)) {
      return `must be a bare ${shape}host with no path`;
    }
    return undefined;
  };
}

/** A GUID such as an Azure subscription or ACS immutable resource id. */
export const checkGuid: Check = (value) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
    ? undefined
    : 'must be a GUID like 00000000-0000-0000-0000-000000000000';

/** A Twilio SID: the two-letter prefix then 32 hex digits. */
export function checkSid(prefix: string): Check {
  return (value) =>
    new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value) ? undefined : `must be ${prefix} followed by 32 hex digits`;
}

/**
 * Throw the exit-2 error for a failed check.
 * @param what the flag or variable, as the user gave it (e.g. `--context` or `CALLBACK_URI_HOST`).
 * @param shown whether the value may be repeated in the message (never for secrets).
 * @throws UsageError `VOICECTL_SCAFFOLD_INVALID` when `check` rejects `value`.
 */
export function check(what: string, value: string, fn: Check, options: { shown?: boolean; hint?: string } = {}): void {
  const reason = fn(value);
  if (reason === undefined) return;
  const quoted = options.shown === false ? '' : ` "${value.replace(/[\r\n]/g, '\\n')}"`;
  throw new UsageError(`${what}${quoted} ${reason}.`, {
    code: 'VOICECTL_SCAFFOLD_INVALID',
    hint: options.hint ?? `Fix ${what} and run again; nothing was written.`,
  });
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
