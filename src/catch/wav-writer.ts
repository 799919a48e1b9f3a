/**
 * A WAV file that is valid whenever it is read: audio is written at its place after the
 * 44-byte header, then the header's RIFF and data sizes are rewritten, for every append.
 * Order matters: data first, header second, so a reader (or a crash) in between sees a
 * header that claims at most what is on disk — a valid file missing only the last chunk.
 *
 * Operations on one writer run strictly one after another (a promise queue), so several
 * connections may share a writer. Reopening an existing file appends to it; a header left
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
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private failure: unknown;

  private constructor(path: string, sampleRate: number, fh: FileHandle, raw: FileHandle | undefined, info: WavOpenInfo) {
    this.path = path;
    this.sampleRate = sampleRate;
    this.fh = fh;
    this.raw = raw;
    this.info = info;
    this.bytes = info.previousBytes;
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
   * Append `chunk` (a whole number of 16-bit samples) after everything queued before it.
   * @throws RangeError for an odd-length chunk (callers keep sample alignment);
   *   UserError `VOICECTL_CATCH_FILE_FULL` past the 4 GiB RIFF limit;
   *   UserError `VOICECTL_CATCH_WRITE_FAILED` on an I/O error (later appends fail the same way).
   */
  append(chunk: Uint8Array): Promise<void> {
    if (chunk.length % 2 !== 0) return Promise.reject(new RangeError('PCM16 chunk of odd length'));
    if (this.closed) return Promise.reject(new UserError(`${this.path} is already closed`, { code: 'VOICECTL_CATCH_CLOSED' }));
    if (chunk.length === 0) return Promise.resolve();
    this.queued += chunk.length;
    const done = this.enqueue(async () => {
      if (this.bytes + chunk.length > WAV_MAX_DATA_BYTES) {
        throw new UserError(`${this.path} reached the 4 GiB WAV size limit`, {
          code: 'VOICECTL_CATCH_FILE_FULL',
          hint: 'Move the file away; the next connection for this call starts a new one.',
        });
      }
      try {
        await writeAll(this.fh, chunk, WAV_HEADER_BYTES + this.bytes);
        this.bytes += chunk.length;
        await writeAll(this.fh, wavHeader(this.sampleRate, this.bytes), 0);
        if (this.raw) await writeAll(this.raw, chunk, null);
      } catch (err) {
        throw writeFailed(this.path, err);
      }
    });
    return done.finally(() => {
      this.queued -= chunk.length;
    });
  }

  /** Finish pending appends, write the final header, and close. Idempotent. */
  close(): Promise<void> {
    if (this.closed) return this.queue;
    this.closed = true;
    const done = this.enqueue(async () => {
      try {
        if (this.failure === undefined) await this.fh.datasync();
      } finally {
        await this.fh.close().catch(() => {});
        await this.raw?.close().catch(() => {});
      }
    }, true);
    return done.catch(() => {});
  }

  private enqueue(op: () => Promise<void>, always = false): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.failure !== undefined && !always) throw this.failure;
      try {
        await op();
      } catch (err) {
        this.failure ??= err;
        throw err;
      }
    };
    const p = this.queue.then(run);
    this.queue = p.catch(() => {});
    return p;
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
