/**
 * The one redaction helper. Everything voicectl prints that could carry a secret
 * (errors, logs, `--verbose`, NDJSON events, child-process output) goes through
 * {@link redact} first.
 *
 * It masks two things:
 * - secret-shaped patterns: `accesskey=…` in connection strings, `api-key` / `api_key=`
 *   and `token=` / `code=` / `sig=` query parameters, `password` fields, `Authorization`
 *   header values (`Bearer …`, `Basic …`), JWT-looking strings;
 * - exact secret values registered with {@link registerSecret} (for example the value
 *   of every env variable marked secret in the registry), wherever they appear.
 */

const MASK = '***';

/** Secret values seen in this process; masked verbatim wherever they appear. */
const knownSecrets = new Set<string>();

/**
 * Remember a secret value so later calls to {@link redact} mask it verbatim.
 * Values shorter than 4 characters are ignored (masking them would mangle ordinary text).
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 4) knownSecrets.add(value);
}

/** Forget every registered secret (tests). */
export function clearRegisteredSecrets(): void {
  knownSecrets.clear();
}

const PATTERNS: Array<[RegExp, string]> = [
  // Authorization header values: keep the scheme, mask the credentials
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${MASK}`],
  // connection strings: endpoint=https://x;accesskey=BASE64==
  [/(accesskey\s*=\s*)[^;\s"']+/gi, `$1${MASK}`],
  // URL query parameters and key=value pairs that carry secrets
  [/([?&;\s]|^)(api[-_]?key|token|code|sig|signature|secret|password|pwd|access_token|key)=([^&\s"';]+)/gi, `$1$2=${MASK}`],
  // JSON fields: "password": "…", "api-key": "…"
  [
    /("(?:api-key|x-api-key|password|secret|token|accessKey|apiKey|api_key|authtoken|authorization|connectionString)"\s*:\s*")(?!\*\*\*)([^"]+)/gi,
    `$1${MASK}`,
  ],
  // HTTP header lines (api-key: …, Authorization: <no scheme>) and YAML-ish `key: value` lines;
  // prose such as "Missing ARI password: set …" is not a key line and stays readable
  [
    /^(\s*(?:api-key|x-api-key|authorization|ocp-apim-subscription-key|password|secret|authtoken|api_key)\s*:\s*)(?!\*\*\*)(?!(?:Bearer|Basic)\b)(\S+)/gim,
    `$1${MASK}`,
  ],
  // JWTs (three base64url segments, first starting eyJ)
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g, MASK],
  // user:password@ in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, `$1${MASK}@`],
];

/**
 * Return `text` with every secret masked as `***`.
 * @param text any string: a message, a log line, a URL, serialised JSON.
 * @returns the same text, secrets replaced; never throws.
 */
export function redact(text: string): string {
  let out = String(text);
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/**
 * Redact every string inside a JSON-serialisable value (objects and arrays walked
 * recursively; keys whose name says secret are masked whole).
 */
export function redactDeep<T>(value: T): T {
  return walk(value) as T;
}

const SECRET_KEY = /^(api[-_]?key|password|secret|token|accesskey|authorization|authtoken|connectionstring)$/i;

function walk(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(walk);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && typeof v === 'string' ? MASK : walk(v);
    }
    return out;
  }
  return value;
}
