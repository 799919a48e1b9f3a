/**
 * Trust for an injected environment. Node reads `NODE_EXTRA_CA_CERTS` only at process
 * start; a caller that runs voicectl in-process with its own environment (tests, an
 * embedding tool) gets the same trust through this helper.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/**
 * Node's root certificates plus the PEM file named by `env.NODE_EXTRA_CA_CERTS`.
 * @returns the list for a `ca` option, or `undefined` when the variable is unset or the
 *   file cannot be read (then Node's defaults apply, as Node itself does with a warning).
 */
export function caFromEnv(env: Readonly<Record<string, string | undefined>>): string[] | undefined {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return undefined;
  try {
    return [...rootCertificates, readFileSync(file, 'utf8')];
  } catch {
    return undefined;
  }
}
