import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { runVoicectl, startCli, type RunHandle } from '../helpers/run-cli.js';

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error('condition not reached');
}

const events = (h: RunHandle, type: string) => h.stdout.events().filter((e) => e.type === type);

/** Send a WebSocket upgrade with this exact request target (no URL normalisation); returns the raw response. */
function rawUpgrade(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => resolve(text));
    s.write(
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}

let root: string;
let out: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'catch-refuse-'));
  out = path.join(root, 'rec');
  await mkdir(out);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function startCatch(): Promise<{ h: RunHandle; port: number }> {
  const h = startCli(['catch', '--listen', '0', '--out', out, '--json']);
  await until(() => h.stdout.text.includes('catch.listening'));
  return { h, port: events(h, 'catch.listening')[0]!.port as number };
}

describe('voicectl catch refuses what it must not record', () => {
  it('refuses traversal and other paths at the upgrade, writing nothing anywhere', async () => {
    const { h, port } = await startCatch();
    const id = randomUUID();
    const cases: Array<[string, number]> = [
      ['/left/../../etc/passwd', 400],
      ['/left/%2e%2e/%2e%2e/etc/passwd', 400],
      ['/left/..%2f..%2f..%2fetc%2fpasswd', 400],
      ['/right/%2E%2E%2Frec%2Fx', 400],
      [`/mix/${id}/../../../x`, 400],
      [`/left/${id}%00`, 400],
      ['/left/not-a-uuid', 400],
      ['/../rec/left', 404],
      [`/%2e%2e/left/${id}`, 404],
      [`/center/${id}`, 404],
      ['/', 404],
    ];
    for (const [target, status] of cases) {
      const res = await rawUpgrade(port, target);
      expect(res.split('\r\n')[0], target).toBe(`HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Not Found'}`);
      expect(res).not.toMatch(/101 Switching/);
    }
    h.signal('SIGINT');
    expect(await h.done).toBe(0);
    expect(await readdir(root)).toEqual(['rec']);
    expect(await readdir(out)).toEqual([]);
    const refused = events(h, 'stream.refused');
    expect(refused.map((e) => e.status)).toEqual(cases.map((c) => c[1]));
    expect(refused[0]).toMatchObject({ path: '"/left/../../etc/passwd"', reason: "the id after /left/ must be one UUID (the call's AID)" });
    expect(events(h, 'stream.started')).toEqual([]);
    expect(events(h, 'catch.stopped')[0]).toMatchObject({ streams: 0, files: [], bytes: 0 });
  });

  it('a plain HTTP request or a bad handshake on a good path creates no file', async () => {
    const { h, port } = await startCatch();
    const id = randomUUID();
    const res = await fetch(`http://127.0.0.1:${port}/left/${id}`);
    expect(res.status).toBe(426);
    const bad = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let text = '';
      s.on('data', (d) => (text += d.toString()));
      s.on('close', () => resolve(text));
      s.write(`GET /left/${id} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`); // no key/version
    });
    expect(bad.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    h.signal('SIGINT');
    expect(await h.done).toBe(0);
    expect(await readdir(out)).toEqual([]);
  });

  it('an existing file that is not its WAV is left untouched; the relay is closed with 1011', async () => {
    const { h, port } = await startCatch();
    const id = randomUUID();
    const file = path.join(out, `${id}-left.wav`);
    await writeFile(file, 'someone else’s file, not a voicectl recording');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/left/${id}`);
    const bye = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.once('open', () => ws.send(Buffer.alloc(320)));
    expect(await bye).toBe(1011);
    await until(() => events(h, 'stream.ended').length === 1);
    h.signal('SIGINT');
    expect(await h.done).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('someone else’s file, not a voicectl recording');
    expect(events(h, 'stream.failed')[0]).toMatchObject({
      id,
      leg: 'left',
      code: 'VOICECTL_CATCH_FILE_CONFLICT',
      message: `Cannot append to ${file}: it is not a PCM16 mono WAV file written by voicectl catch`,
    });
    expect(events(h, 'stream.ended')[0]).toMatchObject({ bytes: 0, droppedBytes: 320, closeCode: 1011 });
    // the file it refused to touch is not reported as recorded
    expect(events(h, 'catch.stopped')[0]).toMatchObject({ streams: 1, files: [], bytes: 0 });
  });

  it('closes a relay that sends a message above maxPayload (1009)', async () => {
    const { h, port } = await startCatch();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/mix/${randomUUID()}`);
    const bye = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.once('open', () => ws.send(Buffer.alloc((1 << 20) + 2)));
    expect(await bye).toBe(1009);
    await until(() => events(h, 'stream.ended').length === 1);
    h.signal('SIGINT');
    expect(await h.done).toBe(0);
  });
});

describe('voicectl catch option and start-up errors', () => {
  it.each([
    [['--listen', 'abc'], "option '--listen <port>' argument 'abc' is invalid. expected a TCP port number 0-65535, e.g. --listen 3031."],
    [['--listen', '70000'], "option '--listen <port>' argument '70000' is invalid. expected a TCP port number 0-65535, e.g. --listen 3031."],
    [['--rate', '44.1'], "option '--rate <hz>' argument '44.1' is invalid. expected a sample rate in Hz between 1000 and 192000, e.g. --rate 8000 or --rate 16000."],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runVoicectl(['catch', ...args, '--json']);
    expect(r.code).toBe(2);
    expect(r.json()).toEqual({ ok: false, error: { code: 'VOICECTL_USAGE', message, hint: 'Run `voicectl catch --help` for the options.' } });
  });

  it('an --out that is a file is a usage error; a missing --out is created', async () => {
    const notDir = path.join(root, 'file.txt');
    await writeFile(notDir, 'x');
    const r = await runVoicectl(['catch', '--listen', '0', '--out', notDir, '--json']);
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ ok: false, error: { code: 'VOICECTL_CATCH_OUT_DIR', message: `Cannot record into ${notDir}: it is not a directory` } });

    const h = startCli(['catch', '--listen', '0', '--out', 'new/dir', '--json'], { cwd: root });
    await until(() => h.stdout.text.includes('catch.listening'));
    expect(events(h, 'catch.listening')[0]!.out).toBe(path.join(root, 'new/dir'));
    h.signal('SIGINT');
    expect(await h.done).toBe(0);
  });

  it('a port in use fails with exit 1 and a hint', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runVoicectl(['catch', '--listen', String(port), '--out', out, '--json']);
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({
        ok: false,
        error: { code: 'VOICECTL_CATCH_LISTEN_FAILED', message: `Cannot listen on 127.0.0.1:${port}: EADDRINUSE` },
      });
      expect((r.json() as { error: { hint: string } }).error.hint).toContain('pick another --listen port');
    } finally {
      blocker.close();
    }
  });
});
