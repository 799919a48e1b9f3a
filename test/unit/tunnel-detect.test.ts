import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { findExecutable, resolveProvider } from '../../src/tunnel/detect.js';

let binA: string;
let binB: string;
let empty: string;

async function tool(dir: string, name: string, mode = 0o755): Promise<void> {
  const file = path.join(dir, name);
  await writeFile(file, '#!/bin/sh\nexit 0\n');
  await chmod(file, mode);
}

beforeAll(async () => {
  binA = await mkdtemp(path.join(os.tmpdir(), 'voicectl-detect-a-'));
  binB = await mkdtemp(path.join(os.tmpdir(), 'voicectl-detect-b-'));
  empty = await mkdtemp(path.join(os.tmpdir(), 'voicectl-detect-e-'));
  await tool(binA, 'ngrok');
  await tool(binA, 'cloudflared', 0o644); // not executable: skipped
  await tool(binB, 'devtunnel');
});

describe('findExecutable', () => {
  it('finds an executable file on PATH, skips non-executable ones', async () => {
    const PATH = [binA, binB].join(path.delimiter);
    expect(await findExecutable('ngrok', { PATH })).toBe(path.join(binA, 'ngrok'));
    expect(await findExecutable('cloudflared', { PATH })).toBeUndefined();
    expect(await findExecutable('devtunnel', { PATH })).toBe(path.join(binB, 'devtunnel'));
  });
});

describe('resolveProvider', () => {
  it('without --provider: the first of cloudflared, devtunnel, ngrok found', async () => {
    expect(await resolveProvider(undefined, { PATH: [binA, binB].join(path.delimiter) })).toEqual({
      provider: 'devtunnel',
      executable: path.join(binB, 'devtunnel'),
    });
    expect((await resolveProvider(undefined, { PATH: binA })).provider).toBe('ngrok');
  });

  it('--provider that is not on PATH: exit 2 with its install command', async () => {
    const err = (await resolveProvider('cloudflared', { PATH: binA }).catch((e: unknown) => e)) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('VOICECTL_TUNNEL_TOOL_MISSING');
    expect(err.message).toBe('cloudflared is not on PATH.');
    expect(err.hint).toContain('brew install cloudflared');
  });

  it('none found: exit 2 naming the install command of each', async () => {
    const err = (await resolveProvider(undefined, { PATH: empty }).catch((e: unknown) => e)) as UsageError;
    expect(err.message).toBe('No tunnel tool found on PATH (looked for cloudflared, devtunnel, ngrok).');
    expect(err.hint).toContain('brew install cloudflared');
    expect(err.hint).toContain('https://aka.ms/DevTunnelCliInstall');
    expect(err.hint).toContain('brew install ngrok');
  });
});
