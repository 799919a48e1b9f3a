/**
 * The `tools` group (informative only): which of cloudflared, devtunnel, ngrok, az and
 * asterisk are on PATH, and their versions. A tool that is missing is a skip, never a
 * failure; so is one whose version command fails.
 *
 * Version commands (each tool's own `--help`): `cloudflared --version` →
 * "cloudflared version 2025.8.0 (built …)", `devtunnel --version` → "Tunnel CLI version:
 * 1.0.1435+…", `ngrok version` → "ngrok version 3.24.0", `az version -o json` →
 * `{"azure-cli": "2.77.0", …}`, `asterisk -V` → "Asterisk 22.5.2".
 * The children get a minimal environment (PATH, HOME and the like): no secret of the
 * caller's environment reaches them.
 */
import { INSTALL_COMMANDS, findExecutable } from '../tunnel/detect.js';
import { pass, skip, type Outcome } from './types.js';

/** A tool voicectl can use, how to ask its version, and how to install it. */
interface ToolSpec {
  name: string;
  args: string[];
  /** What voicectl uses it for. */
  role: string;
  install: string;
}

/** The tools, in report order. */
export const TOOLS: readonly ToolSpec[] = [
  { name: 'cloudflared', args: ['--version'], role: 'quick tunnel for voicectl tunnel up', install: INSTALL_COMMANDS.cloudflared },
  { name: 'devtunnel', args: ['--version'], role: 'dev tunnel for voicectl tunnel up', install: INSTALL_COMMANDS.devtunnel },
  { name: 'ngrok', args: ['version'], role: 'ngrok tunnel for voicectl tunnel up', install: INSTALL_COMMANDS.ngrok },
  { name: 'az', args: ['version', '--output', 'json'], role: 'Azure CLI: Entra ID sign-in for acs and Azure OpenAI', install: 'az: https://learn.microsoft.com/cli/azure/install-azure-cli' },
  { name: 'asterisk', args: ['-V'], role: 'local Asterisk for ari and catch', install: 'asterisk: your distribution\'s package (e.g. `apt install asterisk`) or a source build' },
];

/** Variables a version command may need; nothing else of the caller's environment is passed on. */
const CHILD_ENV = ['PATH', 'Path', 'PATHEXT', 'HOME', 'USERPROFILE', 'SystemRoot', 'TEMP', 'TMP', 'TMPDIR', 'LANG', 'LC_ALL'];

/**
 * The version in a tool's version output: `azure-cli` of az's JSON, else the first
 * `d.d[.d…][+-suffix]` token. Undefined when there is none.
 */
export function parseVersion(tool: string, stdout: string, stderr = ''): string | undefined {
  if (tool === 'az') {
    try {
      const v = (JSON.parse(stdout) as Record<string, unknown>)['azure-cli'];
      if (typeof v === 'string') return v;
    } catch {
      /* fall through to the generic pattern */
    }
  }
  return /\b\d+\.\d+(?:\.\d+)*(?:[+-][0-9A-Za-z.+-]+)?/.exec(`${stdout}\n${stderr}`)?.[0];
}

/**
 * Look up one tool.
 * @param env the caller's environment: only PATH and the variables in {@link CHILD_ENV} are used.
 * @param timeoutMs bound of the version command, ms.
 */
export async function checkTool(spec: ToolSpec, env: Record<string, string | undefined>, timeoutMs: number): Promise<Outcome> {
  const file = await findExecutable(spec.name, env);
  if (!file) return skip(`not on PATH (${spec.role})`, `Install it if you need it: ${spec.install}.`);
  // execa is loaded only when there is a tool to run (an offline run without tools stays light)
  const { runToCompletion } = await import('../tunnel/supervise.js');
  const childEnv = Object.fromEntries(CHILD_ENV.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
  const r = await runToCompletion(file, spec.args, childEnv, timeoutMs);
  const version = parseVersion(spec.name, r.stdout, r.stderr);
  if (r.exitCode !== 0 && !version) {
    return skip(`${file} found, but \`${spec.name} ${spec.args.join(' ')}\` failed (exit ${r.exitCode})`, `Run \`${spec.name} ${spec.args.join(' ')}\` to see why.`);
  }
  return pass(`${version ?? 'version unknown'} (${file})`);
}
