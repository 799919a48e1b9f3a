/**
 * A WAV file that is valid whenever it is read: audio is written at its place after the
 * 44-byte header, then the header's RIFF and data sizes are rewritten, for every append.
 * Order matters: data first, header second, so a reader (or a crash) in between sees a
 * header that claims at most what is on disk — a valid file missing only the last chunk.
 *
 * Appends on one writer run strictly one after another, in call order, so several
 * connections may share a writer; appends that queue up while the disk is busy are written
 * as one batch (one data write, one header rewrite). Reopening an existing file appends to it; a header left
 * stale by a crash is repaired from the file size first.
 */
import { constants as fsc } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { UserError } from '../core/errors.js';
import { WAV_HEADER_BYTES, WAV_MAX_DATA_BYTES, isPcm16Mono, parseWavHeader, wavHeader } from './wav.js';

/** Options for {@link WavWriter.open}. */
export interface WavWriterOptions {
  /** Sample rate in Hz written to (or required of) the header. */
  sampleRate: number;
  /** Also append every chunk, as is, to this `.raw` file. */
  rawPath?: string;
  /** File mode for new files (default 0o640: call audio is personal data). */
  mode?: number;
}

/** What {@link WavWriter.open} found on disk. */
export interface WavOpenInfo {
  /** True when the file was created now (false: appending to an existing recording). */
  created: boolean;
  /** Audio bytes already in the file before this open. */
  previousBytes: number;
  /** True when a stale header (or a torn odd byte) left by a crash was fixed. */
  repaired: boolean;
}

// O_NOFOLLOW: never write through a symlink planted in the output directory.
const OPEN_FLAGS = fsc.O_RDWR | fsc.O_CREAT | (fsc.O_NOFOLLOW ?? 0);
const RAW_FLAGS = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_APPEND | (fsc.O_NOFOLLOW ?? 0);

/** Appends PCM16 mono audio to one WAV file, keeping its header correct. */
export class WavWriter {
  readonly path: string;
  readonly sampleRate: number;
  readonly info: WavOpenInfo;
  private readonly fh: FileHandle;
  private readonly raw: FileHandle | undefined;
  private bytes: number;
  /** Appends waiting for the disk, in arrival order. */
  private pending: Array<{ chunk: Uint8Array; resolve: () => void; reject: (err: unknown) => void }> = [];
  /** True while {@link drain} runs; cleared by drain itself in the same tick it finds nothing left. */
  private busy = false;
  private idle: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private failure: unknown;
  /** The header, updated in place (bytes 4 and 40) before each rewrite. */
  private readonly header: Buffer;

  private constructor(path: string, sampleRate: number, fh: FileHandle, raw: FileHandle | undefined, info: WavOpenInfo) {
    this.path = path;
    this.sampleRate = sampleRate;
    this.fh = fh;
    this.raw = raw;
    this.info = info;
    this.bytes = info.previousBytes;
    this.header = wavHeader(sampleRate, this.bytes);
  }

  /**
   * Open (or create) `path` for appending.
   * @throws UserError `VOICECTL_CATCH_FILE_CONFLICT` when the file exists but is not a PCM16
   *   mono WAV at `sampleRate` (it is left untouched); `VOICECTL_CATCH_WRITE_FAILED` when it
   *   cannot be opened (permissions, a symlink, a directory, disk full).
   */
  static async open(path: string, options: WavWriterOptions): Promise<WavWriter> {
    const mode = options.mode ?? 0o640;
    let fh: FileHandle;
    try {
      fh = await open(path, OPEN_FLAGS, mode);
    } catch (err) {
      throw writeFailed(path, err);
    }
    let raw: FileHandle | undefined;
    try {
      const info = await prepare(fh, path, options.sampleRate);
      if (options.rawPath) {
        try {
          raw = await open(options.rawPath, RAW_FLAGS, mode);
        } catch (err) {
          throw writeFailed(options.rawPath, err);
        }
      }
      return new WavWriter(path, options.sampleRate, fh, raw, info);
    } catch (err) {
      await fh.close().catch(() => {});
      throw err;
    }
  }

  /** Audio bytes in the file (after all appends so far have completed). */
  get dataBytes(): number {
    return this.bytes;
  }

  /** Bytes handed to {@link append} and not yet on disk. */
  get pendingBytes(): number {
    return this.queued;
  }

  /**
   * Append `chunk` (a whole number of 16-bit samples) after everything appended before it.
   * Appends that queue up while the disk is busy are written together: one data write and
   * one header rewrite per batch, so a busy server does fewer, larger writes.
   * @throws RangeError for an odd-length chunk (callers keep sample alignment);
   *   UserError `VOICECTL_CATCH_FILE_FULL` past the 4 GiB RIFF limit;
   *   UserError `VOICECTL_CATCH_WRITE_FAILED` on an I/O error (later appends fail the same way).
   */
  append(chunk: Uint8Array): Promise<void> {
    if (chunk.length % 2 !== 0) return Promise.reject(new RangeError('PCM16 chunk of odd length'));
    if (this.closed) return Promise.reject(new UserError(`${this.path} is already closed`, { code: 'VOICECTL_CATCH_CLOSED' }));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (chunk.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ chunk, resolve, reject });
      this.queued += chunk.length;
      if (!this.busy) {
        this.busy = true;
        this.idle = this.drain();
      }
    });
  }

  /** Finish pending appends, flush to disk, and close. Idempotent. Never rejects. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      while (this.busy) await this.idle;
      try {
        if (this.failure === undefined) await this.fh.datasync();
      } catch {
        // the data is written; a failed flush is not worth losing the close over
      } finally {
        await this.fh.close().catch(() => {});
        await this.raw?.close().catch(() => {});
      }
    })();
    return this.closing;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.pending.length === 0) {
        this.busy = false;
        return;
      }
      const batch = this.pending.splice(0);
      const total = batch.reduce((n, p) => n + p.chunk.length, 0);
      try {
        if (this.failure !== undefined) throw this.failure;
        if (this.bytes + total > WAV_MAX_DATA_BYTES) {
          throw new UserError(`${this.path} reached the 4 GiB WAV size limit`, {
            code: 'VOICECTL_CATCH_FILE_FULL',
            hint: 'Move the file away; the next connection for this call starts a new one.',
          });
        }
        const data = batch.length === 1 ? batch[0]!.chunk : Buffer.concat(batch.map((p) => p.chunk));
        try {
          await writeAll(this.fh, data, WAV_HEADER_BYTES + this.bytes);
          this.bytes += total;
          this.header.writeUInt32LE(36 + this.bytes, 4);
          this.header.writeUInt32LE(this.bytes, 40);
          await writeAll(this.fh, this.header, 0);
          if (this.raw) await writeAll(this.raw, data, null);
        } catch (err) {
          throw writeFailed(this.path, err);
        }
        this.queued -= total;
        for (const p of batch) p.resolve();
      } catch (err) {
        this.failure ??= err;
        this.queued -= total;
        for (const p of batch) p.reject(err);
      }
    }
  }
}

/** Check or create the header; repair sizes a crash left behind. */
async function prepare(fh: FileHandle, path: string, sampleRate: number): Promise<WavOpenInfo> {
  const st = await fh.stat();
  if (!st.isFile()) throw conflict(path, 'it is not a regular file');
  if (st.size === 0) {
    await writeAll(fh, wavHeader(sampleRate, 0), 0);
    return { created: true, previousBytes: 0, repaired: false };
  }
  const head = Buffer.alloc(WAV_HEADER_BYTES);
  const { bytesRead } = await fh.read(head, 0, WAV_HEADER_BYTES, 0);
  const h = bytesRead === WAV_HEADER_BYTES ? parseWavHeader(head) : undefined;
  if (!h || !isPcm16Mono(h)) throw conflict(path, 'it is not a PCM16 mono WAV file written by voicectl catch');
  if (h.sampleRate !== sampleRate) {
    throw conflict(path, `it was recorded at ${h.sampleRate} Hz and --rate is ${sampleRate} Hz`);
  }
  let data = st.size - WAV_HEADER_BYTES;
  let repaired = false;
  if (data % 2 !== 0) {
    data -= 1; // a torn write: drop the half sample so the samples stay aligned
    await fh.truncate(WAV_HEADER_BYTES + data);
    repaired = true;
  }
  if (data > WAV_MAX_DATA_BYTES) throw conflict(path, 'it is at the 4 GiB WAV size limit');
  if (data !== h.dataBytes || h.riffSize !== 36 + data) {
    await writeAll(fh, wavHeader(sampleRate, data), 0);
    repaired = true;
  }
  return { created: false, previousBytes: data, repaired };
}

async function writeAll(fh: FileHandle, buf: Uint8Array, position: number | null): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, position === null ? null : position + off);
    off += bytesWritten;
  }
}

function conflict(path: string, why: string): UserError {
  return new UserError(`Cannot append to ${path}: ${why}`, {
    code: 'VOICECTL_CATCH_FILE_CONFLICT',
    hint: 'Move the existing file away, or use another --out directory (or the --rate it was recorded with).',
  });
}

function writeFailed(path: string, err: unknown): UserError {
  if (err instanceof UserError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ELOOP' ? 'it is a symbolic link (catch never writes through links)' : code === 'EISDIR' ? 'it is a directory' : ((err as Error)?.message ?? String(err));
  return new UserError(`Cannot write ${path}: ${why}`, {
    code: 'VOICECTL_CATCH_WRITE_FAILED',
    hint: 'Check that the --out directory is writable and has free space.',
    cause: err,
  });
}
