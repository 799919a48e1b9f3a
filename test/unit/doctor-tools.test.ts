/**
 * The doctor's `tools` group (src/doctor/tools.ts): version parsing on the tools' real
 * outputs, and checkTool against stand-in executables on a temp PATH, including proof
 * that the version command never sees the caller's secrets.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TOOLS, checkTool, parseVersion } from '../../src/doctor/tools.js';

describe('parseVersion', () => {
  it.each([
    ['cloudflared', 'cloudflared version 2025.8.0 (built 2025-08-12-1050 UTC)\n', '2025.8.0'],
    ['devtunnel', 'Tunnel CLI version: 1.0.1435+d1a4a8f2e3\n', '1.0.1435+d1a4a8f2e3'],
    ['ngrok', 'ngrok version 3.24.0-msix\n', '3.24.0-msix'],
    ['az', '{\n  "azure-cli": "2.77.0",\n  "azure-cli-core": "2.77.0",\n  "extensions": {}\n}\n', '2.77.0'],
    ['asterisk', 'Asterisk 22.5.2\n', '22.5.2'],
  ])('%s: %j → %s', (tool, stdout, version) => {
    expect(parseVersion(tool, stdout)).toBe(version);
  });

  it('reads azure-cli from az JSON even when another version comes first', () => {
    expect(parseVersion('az', '{"azure-cli-core": "2.76.1", "azure-cli": "2.77.0", "extensions": {"ssh": "2.0.6"}}')).toBe('2.77.0');
  });

  it('falls back to the generic pattern when az prints no JSON', () => {
    expect(parseVersion('az', 'azure-cli                         2.77.0\ncore 2.77.0\n')).toBe('2.77.0');
  });

  it('finds a version printed on stderr', () => {
    expect(parseVersion('asterisk', '', 'Asterisk 20.11.0\n')).toBe('20.11.0');
  });

  it.each([
    ['', ''],
    ['command not found', ''],
    ['Usage: ngrok [command] [flags]', 'unknown flag: --version'],
  ])('is undefined for output without a version (%j)', (stdout, stderr) => {
    expect(parseVersion('ngrok', stdout, stderr)).toBeUndefined();
  });
});

const spec = (name: string) => {
  const found = TOOLS.find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
};

describe.skipIf(process.platform === 'win32')('checkTool with stand-in executables', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  /** A temp dir with `name` as an executable `#!/bin/sh` script running `body`. */
  async function binDir(scripts: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-doctor-tools-'));
    dirs.push(dir);
    for (const [name, body] of Object.entries(scripts)) {
      const file = path.join(dir, name);
      await writeFile(file, `#!/bin/sh\n${body}\n`);
      await chmod(file, 0o755);
    }
    return dir;
  }

  it('passes a tool that prints its version, with the version and its path', async () => {
    const dir = await binDir({ cloudflared: 'echo "cloudflared version 2025.8.0 (built 2025-08-12-1050 UTC)"' });
    const o = await checkTool(spec('cloudflared'), { PATH: dir }, 5000);
    expect(o).toEqual({ status: 'pass', message: `2025.8.0 (${path.join(dir, 'cloudflared')})` });
  });

  it('passes the version command its own arguments', async () => {
    // ngrok is asked with `ngrok version`, az with `az version --output json`.
    const dir = await binDir({
      ngrok: '[ "$1" = version ] && echo "ngrok version 3.24.0-msix" || exit 2',
      az: '[ "$*" = "version --output json" ] && echo \'{"azure-cli": "2.77.0", "extensions": {}}\' || exit 2',
    });
    expect((await checkTool(spec('ngrok'), { PATH: dir }, 5000)).message).toBe(`3.24.0-msix (${path.join(dir, 'ngrok')})`);
    expect((await checkTool(spec('az'), { PATH: dir }, 5000)).message).toBe(`2.77.0 (${path.join(dir, 'az')})`);
  });

  it('skips a tool that is not on PATH, with how to install it', async () => {
    const dir = await binDir({});
    const o = await checkTool(spec('devtunnel'), { PATH: dir }, 5000);
    expect(o.status).toBe('skip');
    expect(o.message).toBe('not on PATH (dev tunnel for voicectl tunnel up)');
    expect(o.hint).toContain('aka.ms/DevTunnelCliInstall');
  });

  it('skips a file on PATH that is not executable', async () => {
    const dir = await binDir({});
    await writeFile(path.join(dir, 'asterisk'), '#!/bin/sh\necho "Asterisk 22.5.2"\n');
    await chmod(path.join(dir, 'asterisk'), 0o644);
    const o = await checkTool(spec('asterisk'), { PATH: dir }, 5000);
    expect(o.status).toBe('skip');
    expect(o.message).toContain('not on PATH');
  });

  it('skips a tool whose version command exits 3 without output, naming the exit code', async () => {
    const dir = await binDir({ asterisk: 'exit 3' });
    const o = await checkTool(spec('asterisk'), { PATH: dir }, 5000);
    expect(o.status).toBe('skip');
    expect(o.message).toBe(`${path.join(dir, 'asterisk')} found, but \`asterisk -V\` failed (exit 3)`);
    expect(o.hint).toBe('Run `asterisk -V` to see why.');
  });

  it('passes a tool that prints its version but exits non-zero', async () => {
    const dir = await binDir({ asterisk: 'echo "Asterisk 22.5.2" >&2; exit 1' });
    const o = await checkTool(spec('asterisk'), { PATH: dir }, 5000);
    expect(o).toEqual({ status: 'pass', message: `22.5.2 (${path.join(dir, 'asterisk')})` });
  });

  it('passes with "version unknown" when the tool exits 0 without a version', async () => {
    const dir = await binDir({ cloudflared: 'echo "hello"' });
    expect((await checkTool(spec('cloudflared'), { PATH: dir }, 5000)).message).toBe(`version unknown (${path.join(dir, 'cloudflared')})`);
  });

  it('does not hand the caller\'s secrets to the child', async () => {
    const dir = await binDir({});
    const seen = path.join(dir, 'seen-key');
    // If the key leaked, the "version" would be 1.0.0-sk-secret-123; the file records it too.
    await writeFile(
      path.join(dir, 'cloudflared'),
      `#!/bin/sh\nprintf '%s' "$AZURE_OPENAI_API_KEY" > '${seen}'\necho "cloudflared version 1.0.0-$AZURE_OPENAI_API_KEY"\n`,
    );
    await chmod(path.join(dir, 'cloudflared'), 0o755);
    const o = await checkTool(spec('cloudflared'), { PATH: dir, HOME: dir, AZURE_OPENAI_API_KEY: 'sk-secret-123' }, 5000);
    expect(o.status).toBe('pass');
    expect(o.message).toBe(`1.0.0 (${path.join(dir, 'cloudflared')})`);
    expect(o.message).not.toContain('sk-secret-123');
    expect(await readFile(seen, 'utf8')).toBe('');
  });

  it('passes PATH and HOME through to the child', async () => {
    const dir = await binDir({ cloudflared: 'echo "cloudflared version 2.0.0-$HOME"' });
    const o = await checkTool(spec('cloudflared'), { PATH: dir, HOME: 'homemarker' }, 5000);
    expect(o.message).toBe(`2.0.0-homemarker (${path.join(dir, 'cloudflared')})`);
  });
});
