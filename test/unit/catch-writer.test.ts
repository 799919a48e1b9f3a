import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingFiles } from '../../src/catch/files.js';
import { wavHeader } from '../../src/catch/wav.js';
import { WavWriter } from '../../src/catch/wav-writer.js';
import { wavFields as header } from '../helpers/wav.js';

const pcm = (n: number, seed = 0): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'catch-writer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('WavWriter', () => {
  it('creates a valid empty WAV, then keeps the sizes right after every append', async () => {
    const file = path.join(dir, 'a.wav');
    const w = await WavWriter.open(file, { sampleRate: 8000 });
    expect(w.info).toEqual({ created: true, previousBytes: 0, repaired: false });
    let disk = await readFile(file);
    expect(disk.length).toBe(44);
    expect(header(disk)).toEqual({
      riff: 'RIFF', riffSize: 36, wave: 'WAVE', fmt: 'fmt ', fmtSize: 16, format: 1, channels: 1, rate: 8000,
      byteRate: 16000, blockAlign: 2, bits: 16, data: 'data', dataSize: 0,
    });
    const sent: Buffer[] = [];
    for (let i = 0; i < 3; i++) {
      const chunk = pcm(320, i);
      sent.push(chunk);
      await w.append(chunk);
      disk = await readFile(file); // read while still open
      expect(header(disk).dataSize).toBe(320 * (i + 1));
      expect(header(disk).riffSize).toBe(36 + 320 * (i + 1));
      expect(disk.subarray(44).equals(Buffer.concat(sent))).toBe(true);
    }
    expect(w.dataBytes).toBe(960);
    await w.close();
    await w.close(); // idempotent
  });

  it('serialises appends issued without waiting, in call order', async () => {
    const file = path.join(dir, 'b.wav');
    const w = await WavWriter.open(file, { sampleRate: 16000 });
    const chunks = Array.from({ length: 50 }, (_, i) => pcm(2 * (i + 1), i));
    await Promise.all(chunks.map((c) => w.append(c)));
    await w.close();
    const disk = await readFile(file);
    expect(header(disk).dataSize).toBe(disk.length - 44);
    expect(header(disk).rate).toBe(16000);
    expect(disk.subarray(44).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('appends to an existing recording and reports what was there', async () => {
    const file = path.join(dir, 'c.wav');
    const w1 = await WavWriter.open(file, { sampleRate: 8000 });
    await w1.append(pcm(100, 1));
    await w1.close();
    const w2 = await WavWriter.open(file, { sampleRate: 8000 });
    expect(w2.info).toEqual({ created: false, previousBytes: 100, repaired: false });
    await w2.append(pcm(60, 2));
    await w2.close();
    const disk = await readFile(file);
    expect(header(disk).dataSize).toBe(160);
    expect(disk.subarray(44).equals(Buffer.concat([pcm(100, 1), pcm(60, 2)]))).toBe(true);
  });

  it('repairs a header a crash left stale, and drops a torn half sample', async () => {
    const file = path.join(dir, 'd.wav');
    // a crash after writing 201 bytes of audio while the header still said 100
    await writeFile(file, Buffer.concat([wavHeader(8000, 100), pcm(201)]));
    const w = await WavWriter.open(file, { sampleRate: 8000 });
    expect(w.info).toEqual({ created: false, previousBytes: 200, repaired: true });
    let disk = await readFile(file);
    expect(disk.length).toBe(244);
    expect(header(disk).dataSize).toBe(200);
    await w.append(pcm(4, 9));
    await w.close();
    disk = await readFile(file);
    expect(header(disk).dataSize).toBe(204);
    expect(disk.subarray(44).equals(Buffer.concat([pcm(200), pcm(4, 9)]))).toBe(true);
  });

  it('refuses to append to a file that is not its kind of WAV, leaving it untouched', async () => {
    const notWav = path.join(dir, 'notes.wav');
    await writeFile(notWav, 'my precious notes, not audio, longer than forty-four bytes.');
    await expect(WavWriter.open(notWav, { sampleRate: 8000 })).rejects.toMatchObject({
      code: 'VOICECTL_CATCH_FILE_CONFLICT',
      message: `Cannot append to ${notWav}: it is not a PCM16 mono WAV file written by voicectl catch`,
    });
    expect(await readFile(notWav, 'utf8')).toBe('my precious notes, not audio, longer than forty-four bytes.');

    const other = path.join(dir, 'other.wav');
    await writeFile(other, wavHeader(16000, 0));
    await expect(WavWriter.open(other, { sampleRate: 8000 })).rejects.toMatchObject({
      code: 'VOICECTL_CATCH_FILE_CONFLICT',
      message: `Cannot append to ${other}: it was recorded at 16000 Hz and --rate is 8000 Hz`,
    });
  });

  it('never writes through a symbolic link', async () => {
    const victim = path.join(dir, 'victim.txt');
    await writeFile(victim, 'keep');
    const link = path.join(dir, 'link.wav');
    await symlink(victim, link);
    await expect(WavWriter.open(link, { sampleRate: 8000 })).rejects.toMatchObject({
      code: 'VOICECTL_CATCH_WRITE_FAILED',
      message: `Cannot write ${link}: it is a symbolic link (catch never writes through links)`,
    });
    expect(await readFile(victim, 'utf8')).toBe('keep');
  });

  it('rejects odd-length chunks and keeps raw copies when asked', async () => {
    const file = path.join(dir, 'e.wav');
    const raw = path.join(dir, 'e.raw');
    const w = await WavWriter.open(file, { sampleRate: 8000, rawPath: raw });
    await expect(w.append(pcm(3))).rejects.toThrow('PCM16 chunk of odd length');
    await w.append(pcm(8, 1));
    await w.append(pcm(4, 2));
    await w.close();
    expect((await readFile(raw)).equals(Buffer.concat([pcm(8, 1), pcm(4, 2)]))).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o640 & ~process.umask());
  });
});

describe('RecordingFiles', () => {
  it('shares one writer per file and reopens after the last release, appending', async () => {
    const files = new RecordingFiles(8000);
    const file = path.join(dir, 'x.wav');
    const a = files.acquire(file);
    const b = files.acquire(file);
    expect(a.writer).toBe(b.writer);
    const w = await a.writer;
    await Promise.all([w.append(pcm(10, 1)), w.append(pcm(10, 2))]);
    a.release();
    a.release(); // twice is harmless
    expect(files.openCount).toBe(1);
    b.release();
    expect(files.openCount).toBe(0);
    const c = files.acquire(file); // while the first writer may still be closing
    const w2 = await c.writer;
    expect(w2).not.toBe(w);
    expect(w2.info.previousBytes).toBe(20);
    await w2.append(pcm(6, 3));
    c.release();
    await files.closeAll();
    const disk = await readFile(file);
    expect(header(disk).dataSize).toBe(26);
    expect(disk.subarray(44).equals(Buffer.concat([pcm(10, 1), pcm(10, 2), pcm(6, 3)]))).toBe(true);
  });

  it('lets a later connection retry after an open failed', async () => {
    const files = new RecordingFiles(8000);
    const file = path.join(dir, 'bad.wav');
    await writeFile(file, 'not audio');
    const a = files.acquire(file);
    await expect(a.writer).rejects.toMatchObject({ code: 'VOICECTL_CATCH_FILE_CONFLICT' });
    a.release();
    await rm(file);
    const b = files.acquire(file);
    expect((await b.writer).info.created).toBe(true);
    b.release();
    await files.closeAll();
  });
});
