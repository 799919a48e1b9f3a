import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runToCompletion, startChild } from '../../src/tunnel/supervise.js';
import { alive } from '../helpers/process.js';


async function script(body: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-supervise-'));
  const file = path.join(dir, 'child.mjs');
  await writeFile(file, body);
  return file;
}

const env = { PATH: process.env.PATH };

describe('startChild', () => {
  it('delivers stdout and stderr lines, then the exit code', async () => {
    const file = await script("process.stdout.write('one\\ntwo\\n'); process.stderr.write('err line\\n'); process.exit(3);");
    const lines: string[] = [];
    const child = startChild(process.execPath, [file], { env, onLine: (l, s) => lines.push(`${s}:${l}`) });
    expect(await child.exited).toEqual({ exitCode: 3, signal: undefined });
    expect(lines.sort()).toEqual(['stderr:err line', 'stdout:one', 'stdout:two']);
  });

  it('passes only the given environment (credentials via env, nothing inherited)', async () => {
    const file = await script('process.stdout.write(JSON.stringify({t: process.env.NGROK_AUTHTOKEN, home: process.env.VOICECTL_SUPERVISE_UNSET ?? null}) + "\\n");');
    process.env.VOICECTL_SUPERVISE_UNSET = 'leak';
    const lines: string[] = [];
    const child = startChild(process.execPath, [file], { env: { ...env, NGROK_AUTHTOKEN: 'tok-123' }, onLine: (l) => lines.push(l) });
    await child.exited;
    delete process.env.VOICECTL_SUPERVISE_UNSET;
    expect(JSON.parse(lines[0]!)).toEqual({ t: 'tok-123', home: null });
  });

  it('stop(): SIGTERM ends a well-behaved child', async () => {
    const file = await script("process.on('SIGTERM', () => process.exit(0)); console.log('up'); setInterval(() => {}, 1000);");
    let up!: () => void;
    const started = new Promise<void>((r) => (up = r));
    const child = startChild(process.execPath, [file], { env, onLine: () => up() });
    await started;
    expect(await child.stop()).toEqual({ exitCode: 0, signal: undefined });
    expect(alive(child.pid!)).toBe(false);
  });

  it('stop(): a child that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const file = await script("process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);");
    let up!: () => void;
    const started = new Promise<void>((r) => (up = r));
    const child = startChild(process.execPath, [file], { env, onLine: () => up() });
    await started;
    const exit = await child.stop(150);
    expect(exit.signal).toBe('SIGKILL');
    expect(alive(child.pid!)).toBe(false);
    expect(await child.stop()).toEqual(exit); // idempotent
  });

  it('a missing executable resolves exited with an error instead of throwing', async () => {
    const child = startChild('/nonexistent/voicectl-tool', [], { env, onLine: () => {} });
    const exit = await child.exited;
    expect(exit.exitCode).toBeUndefined();
    expect(exit.error).toMatch(/ENOENT/);
  });
});

describe('runToCompletion', () => {
  it('captures output and the exit code', async () => {
    const file = await script("console.log('{\"status\":\"Logged in\"}'); console.error('note'); process.exit(1);");
    expect(await runToCompletion(process.execPath, [file], env)).toEqual({ exitCode: 1, stdout: '{"status":"Logged in"}', stderr: 'note' });
  });
});
