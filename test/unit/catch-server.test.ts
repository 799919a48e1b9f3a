import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { listenFailed, startCatchServer, type CatchEvent } from '../../src/catch/server.js';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'catch-server-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

/** A relay that completes the handshake, sends one binary frame, then never answers a ping. */
function silentRelay(port: number, target: string, payload: Buffer): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.once('data', (d) => {
      if (!d.toString().startsWith('HTTP/1.1 101')) return reject(new Error(d.toString()));
      // one masked binary frame (client frames must be masked; mask 0 keeps the bytes)
      s.write(Buffer.concat([Buffer.from([0x82, 0x80 | payload.length, 0, 0, 0, 0]), payload]));
      resolve(s);
    });
    s.write(
      `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}

describe('startCatchServer heartbeat', () => {
  it('drops a relay that stops answering pings, keeps one that answers, and keeps the audio', async () => {
    const seen: CatchEvent[] = [];
    const server = await startCatchServer({ port: 0, outDir: out, sampleRate: 8000, pingIntervalMs: 100, onEvent: (e) => seen.push(e) });
    const dead = randomUUID();
    const live = randomUUID();
    const good = new WebSocket(`ws://127.0.0.1:${server.port}/mix/${live}`);
    await new Promise((r) => good.once('open', r));
    const silent = await silentRelay(server.port, `/left/${dead}`, Buffer.from([1, 2, 3, 4]));
    for (let i = 0; i < 1000 && !seen.some((e) => e.type === 'stream.ended'); i++) await new Promise((r) => setTimeout(r, 5));
    const ended = seen.filter((e) => e.type === 'stream.ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ id: dead, leg: 'left', bytes: 4, closeCode: 1006 });
    expect(good.readyState).toBe(WebSocket.OPEN);
    const summary = await server.close();
    expect(summary).toEqual({
      streams: 2,
      files: [path.join(out, `${dead}-left.wav`), path.join(out, `${live}-mix.wav`)].sort(),
      bytes: 4,
    });
    const disk = await readFile(path.join(out, `${dead}-left.wav`));
    expect(disk.readUInt32LE(40)).toBe(4);
    expect([...disk.subarray(44)]).toEqual([1, 2, 3, 4]);
    silent.destroy();
  });
});

describe('listenFailed: one hint per cause', () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    ['EADDRINUSE', 'Another process listens on 127.0.0.1:3031'],
    ['EACCES', 'pick a --listen port of 1024 or above'],
    ['EADDRNOTAVAIL', 'No interface has the address 127.0.0.1'],
    ['ENOTFOUND', 'The --host name 127.0.0.1 does not resolve'],
    ['EAI_AGAIN', 'The --host name 127.0.0.1 does not resolve'],
    ['EINVAL', 'Check --host and --listen.'],
  ])('%s', (code, hint) => {
    const e = listenFailed('127.0.0.1', 3031, err(code));
    expect(e).toMatchObject({ code: 'VOICECTL_CATCH_LISTEN_FAILED', message: `Cannot listen on 127.0.0.1:3031: ${code}` });
    expect(e.hint).toContain(hint);
  });

  it('an address this machine does not have (TEST-NET 192.0.2.1) fails the start with EADDRNOTAVAIL', async () => {
    await expect(startCatchServer({ host: '192.0.2.1', port: 0, outDir: out, sampleRate: 8000 })).rejects.toMatchObject({
      code: 'VOICECTL_CATCH_LISTEN_FAILED',
      message: 'Cannot listen on 192.0.2.1:0: EADDRNOTAVAIL',
    });
  });
});
