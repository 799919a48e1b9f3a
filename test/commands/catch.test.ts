import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startCli, type RunHandle } from '../helpers/run-cli.js';
import { wavFields as wav } from '../helpers/wav.js';

function expectWav(buf: Buffer, rate: number, samples: Buffer): void {
  expect(wav(buf)).toEqual({
    riff: 'RIFF', riffSize: 36 + samples.length, wave: 'WAVE', fmt: 'fmt ', fmtSize: 16, format: 1,
    channels: 1, rate, byteRate: rate * 2, blockAlign: 2, bits: 16, data: 'data', dataSize: samples.length,
  });
  expect(buf.length).toBe(44 + samples.length);
  expect(buf.subarray(44).equals(samples)).toBe(true);
}

/** 20 ms of a distinct PCM16 pattern at 8 kHz (320 bytes). */
const frame = (seed: number, bytes = 320): Buffer => {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i + 1 < bytes; i += 2) b.writeInt16LE(((i * 31 + seed * 977) % 65536) - 32768, i);
  return b;
};

async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not reached');
}

const events = (h: RunHandle, type?: string) => h.stdout.events().filter((e) => type === undefined || e.type === type);

async function startCatch(out: string, extra: string[] = []): Promise<{ h: RunHandle; port: number }> {
  const h = startCli(['catch', '--listen', '0', '--out', out, '--json', ...extra]);
  await until(() => h.stdout.text.includes('catch.listening'));
  return { h, port: events(h, 'catch.listening')[0]!.port as number };
}

async function connect(port: number, p: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${p}`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return ws;
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

async function sendAll(ws: WebSocket, chunks: Array<Buffer | string>): Promise<void> {
  for (const c of chunks) await new Promise<void>((res, rej) => ws.send(c, (e) => (e ? rej(e) : res())));
}

let out: string;
beforeEach(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'catch-cmd-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('voicectl catch (in-process, real WebSocket clients)', () => {
  it('records three legs of two concurrent calls into six WAV files with the samples sent', async () => {
    const { h, port } = await startCatch(out);
    const calls = [randomUUID(), randomUUID()];
    const sent = new Map<string, Buffer>();
    await Promise.all(
      calls.flatMap((id, c) =>
        (['left', 'right', 'mix'] as const).map(async (leg, l) => {
          const frames = Array.from({ length: 10 }, (_, i) => frame(c * 100 + l * 10 + i));
          sent.set(`${id}-${leg}`, Buffer.concat(frames));
          const ws = await connect(port, `/${leg}/${id}`);
          const bye = closed(ws);
          await sendAll(ws, frames);
          ws.close(1000);
          await bye;
        }),
      ),
    );
    await until(() => events(h, 'stream.ended').length === 6);
    h.signal('SIGINT');
    expect(await h.done).toBe(0);

    for (const [name, samples] of sent) expectWav(await readFile(path.join(out, `${name}.wav`)), 8000, samples);
    const ended = events(h, 'stream.ended');
    expect(ended.map((e) => `${e.id as string}-${e.leg as string}`).sort()).toEqual([...sent.keys()].sort());
    for (const e of ended) {
      expect(e).toMatchObject({ bytes: 3200, durationSeconds: 0.2, fileBytes: 3200, messages: 10, textMessages: 0, droppedBytes: 0, closeCode: 1000 });
      expect(e.file).toBe(path.join(out, `${e.id as string}-${e.leg as string}.wav`));
    }
    expect(events(h, 'stream.started')).toHaveLength(6);
    expect(events(h, 'stream.started')[0]).toMatchObject({ appending: false, previousBytes: 0, repaired: false, version: 1 });
    expect(events(h, 'catch.listening')[0]).toMatchObject({ host: '127.0.0.1', rate: 8000, out, raw: false, url: `ws://127.0.0.1:${port}` });
    expect(events(h, 'catch.stopped')[0]).toMatchObject({ streams: 6, bytes: 6 * 3200 });
    expect((events(h, 'catch.stopped')[0]!.files as string[]).length).toBe(6);
    expect(events(h).map((e) => e.type)[0]).toBe('catch.listening');
  });

  it('keeps the header correct while the call streams and after a reconnection appends', async () => {
    const { h, port } = await startCatch(out, ['--rate', '16000', '--raw']);
    const id = randomUUID();
    const file = path.join(out, `${id}-left.wav`);
    const first = [frame(1, 640), frame(2, 640), frame(3, 640)];
    const ws = await connect(port, `/left/${id}`);
    await sendAll(ws, first);
    // read the file while the socket is still open
    await until(async () => (await readFile(file).catch(() => Buffer.alloc(0))).length === 44 + 1920);
    expectWav(await readFile(file), 16000, Buffer.concat(first));
    const bye = closed(ws);
    ws.close();
    await bye;
    await until(() => events(h, 'stream.ended').length === 1);

    const second = [frame(4, 640), frame(5, 640)];
    const ws2 = await connect(port, `/left/${id.toUpperCase()}`);
    const bye2 = closed(ws2);
    await sendAll(ws2, second);
    ws2.close();
    await bye2;
    await until(() => events(h, 'stream.ended').length === 2);
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);

    const all = Buffer.concat([...first, ...second]);
    expectWav(await readFile(file), 16000, all);
    expect((await readFile(path.join(out, `${id}-left.raw`))).equals(all)).toBe(true);
    expect(events(h, 'stream.started')[1]).toMatchObject({ id, leg: 'left', appending: true, previousBytes: 1920 });
    expect(events(h, 'stream.ended')[1]).toMatchObject({ bytes: 1280, durationSeconds: 0.04, fileBytes: 3200 });
  });

  it('carries odd bytes to keep samples aligned and ignores text messages, counting them', async () => {
    const { h, port } = await startCatch(out);
    const id = randomUUID();
    const ws = await connect(port, `/mix/${id}`);
    const bye = closed(ws);
    const bytes = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await sendAll(ws, [bytes.subarray(0, 3), bytes.subarray(3, 4), 'hello', bytes.subarray(4, 9), '{"event":"x"}']);
    ws.close();
    await bye;
    await until(() => events(h, 'stream.ended').length === 1);
    h.signal('SIGINT');
    expect(await h.done).toBe(0);
    expectWav(await readFile(path.join(out, `${id}-mix.wav`)), 8000, bytes.subarray(0, 8));
    expect(events(h, 'stream.ended')[0]).toMatchObject({ bytes: 8, messages: 3, textMessages: 2, droppedBytes: 1 });
  });

  it('SIGTERM with relays still connected: closes them with 1001, finalises every file, exit 0', async () => {
    const { h, port } = await startCatch(out);
    const id = randomUUID();
    const left = await connect(port, `/left/${id}`);
    const right = await connect(port, `/right/${id}`);
    const byes = [closed(left), closed(right)];
    await sendAll(left, [frame(7)]);
    await sendAll(right, [frame(8), frame(9)]);
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
    expect((await Promise.all(byes)).map((b) => b.code)).toEqual([1001, 1001]);
    expectWav(await readFile(path.join(out, `${id}-left.wav`)), 8000, frame(7));
    expectWav(await readFile(path.join(out, `${id}-right.wav`)), 8000, Buffer.concat([frame(8), frame(9)]));
    expect(events(h, 'stream.ended').map((e) => e.closeCode)).toEqual([1001, 1001]);
    expect(h.signalHandlers()).toBe(0);
  });

  it('two connections open at once for the same leg share the file: every byte lands, each in its order', async () => {
    const { h, port } = await startCatch(out);
    const id = randomUUID();
    const a = Array.from({ length: 20 }, (_, i) => frame(i, 64));
    const b = Array.from({ length: 20 }, (_, i) => frame(100 + i, 64));
    const [wa, wb] = await Promise.all([connect(port, `/left/${id}`), connect(port, `/left/${id}`)]);
    const byes = [closed(wa), closed(wb)];
    await Promise.all([sendAll(wa, a), sendAll(wb, b)]);
    wa.close();
    wb.close();
    await Promise.all(byes);
    await until(() => events(h, 'stream.ended').length === 2);
    h.signal('SIGINT');
    expect(await h.done).toBe(0);
    const disk = await readFile(path.join(out, `${id}-left.wav`));
    expect(wav(disk).dataSize).toBe(2 * 20 * 64);
    expect(disk.length).toBe(44 + 2 * 20 * 64);
    const got = Array.from({ length: 40 }, (_, i) => disk.subarray(44 + i * 64, 44 + (i + 1) * 64));
    const from = (src: Buffer[]) => got.filter((g) => src.some((x) => x.equals(g)));
    expect(from(a)).toEqual(a);
    expect(from(b)).toEqual(b);
    expect(events(h, 'stream.started').map((e) => e.appending)).toEqual([false, false]);
  });

  it('a second signal stops waiting for a relay that ignores the close: exit 130, file still valid', async () => {
    const { h, port } = await startCatch(out);
    const id = randomUUID();
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise<void>((resolve) => {
      s.once('data', () => resolve());
      s.write(
        `GET /right/${id} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    s.write(Buffer.from([0x82, 0x84, 0, 0, 0, 0, 9, 8, 7, 6])); // one masked binary frame, 4 bytes
    const file = path.join(out, `${id}-right.wav`);
    await until(async () => (await readFile(file).catch(() => Buffer.alloc(0))).length === 48);
    h.signal('SIGINT'); // the relay never answers the close handshake
    h.signal('SIGINT');
    expect(await h.done).toBe(130);
    expect(JSON.parse(h.stdout.text.trim().split('\n').at(-1)!)).toMatchObject({ ok: false, error: { code: 'VOICECTL_INTERRUPTED' } });
    expectWav(await readFile(file), 8000, Buffer.from([9, 8, 7, 6]));
    s.destroy();
  });

  it('human mode: log lines on stderr, nothing on stdout', async () => {
    const h = startCli(['catch', '--listen', '0', '--out', out]);
    await until(() => /Listening on ws:\/\/127\.0\.0\.1:\d+/.test(h.stderr.text));
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(h.stderr.text)![1]);
    const id = randomUUID();
    const ws = await connect(port, `/right/${id}`);
    const bye = closed(ws);
    await sendAll(ws, [frame(1), 'text']);
    ws.close();
    await bye;
    await until(() => h.stderr.text.includes('ended'));
    h.signal('SIGINT');
    expect(await h.done).toBe(0);
    expect(h.stdout.text).toBe('');
    expect(h.stderr.text).toContain(`right ${id} started from 127.0.0.1:`);
    expect(h.stderr.text).toContain(`(new file)`);
    expect(h.stderr.text).toContain(
      `right ${id} ended: 320 bytes, 0.020 s (file now 320 bytes), close code 1005; 1 text message(s) ignored`,
    );
    expect(h.stderr.text).toContain('Stopped: 1 stream(s), 1 file(s), 320 audio bytes.');
  });
});
