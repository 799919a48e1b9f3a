/**
 * Finding the tunnel tool to drive: the one asked for with `--provider`, else the first of
 * cloudflared, devtunnel, ngrok found on PATH.
 */
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { PROVIDERS, type ProviderName } from './types.js';

/** How to install each tool (one line per platform). */
export const INSTALL_COMMANDS: Record<ProviderName, string> = {
  cloudflared:
    'cloudflared: `brew install cloudflared` (macOS), `winget install --id Cloudflare.cloudflared` (Windows), the .deb/.rpm from https://github.com/cloudflare/cloudflared/releases/latest (Linux)',
  devtunnel:
    'devtunnel: `curl -sL https://aka.ms/DevTunnelCliInstall | bash` (Linux, macOS), `winget install Microsoft.devtunnel` (Windows)',
  ngrok: 'ngrok: `brew install ngrok` (macOS), `snap install ngrok` (Linux), `winget install ngrok -s msstore` (Windows); then set NGROK_AUTHTOKEN',
};

/**
 * The absolute path of an executable named `name` on the PATH of `env`, or undefined.
 * On Windows the PATHEXT extensions are tried too.
 */
export async function findExecutable(name: string, env: Record<string, string | undefined>): Promise<string | undefined> {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter((d) => d !== '');
  const exts = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase())] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, `${name}${ext}`);
      try {
        if (!(await stat(candidate)).isFile()) continue;
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}

/** The chosen tool and its path. */
export interface ResolvedProvider {
  provider: ProviderName;
  executable: string;
}

/**
 * Resolve the provider to use.
 * @param requested `--provider`, or undefined to take the first found on PATH.
 * @throws UsageError `VOICECTL_TUNNEL_TOOL_MISSING` (exit 2), naming the install command(s).
 */
export async function resolveProvider(
  requested: ProviderName | undefined,
  env: Record<string, string | undefined>,
): Promise<ResolvedProvider> {
  const candidates = requested ? [requested] : [...PROVIDERS];
  for (const provider of candidates) {
    const executable = await findExecutable(provider, env);
    if (executable) return { provider, executable };
  }
  if (requested) {
    throw new UsageError(`${requested} is not on PATH.`, {
      code: 'VOICECTL_TUNNEL_TOOL_MISSING',
      hint: `Install it: ${INSTALL_COMMANDS[requested]}. Or pick another with --provider.`,
    });
  }
  throw new UsageError('No tunnel tool found on PATH (looked for cloudflared, devtunnel, ngrok).', {
    code: 'VOICECTL_TUNNEL_TOOL_MISSING',
    hint: `Install one of them: ${PROVIDERS.map((p) => INSTALL_COMMANDS[p]).join('; ')}.`,
  });
}
