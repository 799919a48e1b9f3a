/**
 * The built CLI (`npm run build` first) as a real process: SIGTERM finalises open files and
 * exits 0; after SIGKILL mid-call the WAV on disk is still valid, and a new run appends to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/voicectl.js');

interface Proc {
  child: ChildProcess;
  port: number;
  lines: Array<Record<string, unknown>>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function spawnCatch(out: string): Promise<Proc> {
  const child = spawn(process.execPath, [bin, 'catch', '--listen', '0', '--out', out, '--json'], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (line.type === 'catch.listening') resolve(line.port as number);
      }
    });
    void exit.then(() => reject(new Error('voicectl catch exited before listening')));
  });
  return { child, port, lines, exit };
}

async function openLeg(port: number, p: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${p}`);
  ws.on('error', () => {});
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return ws;
}

const send = (ws: WebSocket, b: Buffer): Promise<void> => new Promise((res, rej) => ws.send(b, (e) => (e ? rej(e) : res())));

async function fileOfSize(file: string, size: number): Promise<Buffer> {
  for (let i = 0; i < 2000; i++) {
    const b = await readFile(file).catch(() => Buffer.alloc(0));
    if (b.length === size && b.readUInt32LE(40) === size - 44) return b;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${file} never reached ${size} bytes`);
}

const pcm = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff));

let out: string;
beforeEach(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'catch-e2e-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('built CLI: voicectl catch', () => {
  it('SIGTERM with a relay connected finalises the file and exits 0', async () => {
    const p = await spawnCatch(out);
    const id = randomUUID();
    const ws = await openLeg(p.port, `/mix/${id}`);
    const bye = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    await send(ws, pcm(320, 1));
    await send(ws, pcm(320, 2));
    await fileOfSize(path.join(out, `${id}-mix.wav`), 44 + 640);
    p.child.kill('SIGTERM');
    expect(await p.exit).toEqual({ code: 0, signal: null });
    expect(await bye).toBe(1001);
    const disk = await readFile(path.join(out, `${id}-mix.wav`));
    expect(disk.readUInt32LE(4)).toBe(36 + 640);
    expect(disk.readUInt32LE(40)).toBe(640);
    expect(disk.subarray(44).equals(Buffer.concat([pcm(320, 1), pcm(320, 2)]))).toBe(true);
    expect(p.lines.map((l) => l.type)).toEqual(['catch.listening', 'stream.started', 'stream.ended', 'catch.stopped']);
    expect(p.lines[2]).toMatchObject({ bytes: 640, durationSeconds: 0.04, closeCode: 1001 });
  });

  it('after SIGKILL mid-call the WAV is valid; a new run appends to it', async () => {
    const id = randomUUID();
    const file = path.join(out, `${id}-left.wav`);
    const p1 = await spawnCatch(out);
    const ws1 = await openLeg(p1.port, `/left/${id}`);
    await send(ws1, pcm(1000, 3));
    await fileOfSize(file, 44 + 1000);
    p1.child.kill('SIGKILL'); // a crash: no close, no finalising
    expect((await p1.exit).signal).toBe('SIGKILL');
    const crashed = await readFile(file);
    expect(crashed.toString('ascii', 0, 4)).toBe('RIFF');
    expect(crashed.readUInt32LE(4)).toBe(36 + 1000);
    expect(crashed.readUInt32LE(40)).toBe(1000);

    const p2 = await spawnCatch(out);
    const ws2 = await openLeg(p2.port, `/left/${id}`);
    await send(ws2, pcm(200, 4));
    await fileOfSize(file, 44 + 1200);
    p2.child.kill('SIGINT');
    expect(await p2.exit).toEqual({ code: 0, signal: null });
    const disk = await readFile(file);
    expect(disk.readUInt32LE(40)).toBe(1200);
    expect(disk.subarray(44).equals(Buffer.concat([pcm(1000, 3), pcm(200, 4)]))).toBe(true);
    expect(p2.lines.find((l) => l.type === 'stream.started')).toMatchObject({ appending: true, previousBytes: 1000 });
  });
});
