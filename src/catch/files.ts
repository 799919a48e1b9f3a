/**
 * One {@link WavWriter} per output file, shared by every connection for the same call and
 * leg (reference counted). A file is reopened only after its previous writer has closed,
 * so a reconnection always appends after everything the earlier connection wrote.
 */
import { WavWriter } from './wav-writer.js';

/** A held file: release it exactly once when the connection is done. */
export interface FileLease {
  /** Resolves with the writer, or rejects with the UserError from {@link WavWriter.open}. */
  writer: Promise<WavWriter>;
  /** Drop this hold; the file is finalised and closed when the last hold is dropped. */
  release(): void;
}

interface Entry {
  writer: Promise<WavWriter>;
  refs: number;
}

/** The open recordings of one `catch` server. */
export class RecordingFiles {
  private readonly open = new Map<string, Entry>();
  private readonly closing = new Map<string, Promise<void>>();
  private readonly sampleRate: number;

  /** `sampleRate` in Hz, for every file. */
  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
  }

  /** Hold `wavPath` (opening it if needed); also append to `rawPath` when given. */
  acquire(wavPath: string, rawPath?: string): FileLease {
    let entry = this.open.get(wavPath);
    if (!entry) {
      const before = this.closing.get(wavPath) ?? Promise.resolve();
      const writer = before.then(() => WavWriter.open(wavPath, { sampleRate: this.sampleRate, rawPath }));
      writer.catch(() => {}); // observed by the lease holder
      entry = { writer, refs: 0 };
      this.open.set(wavPath, entry);
    }
    entry.refs += 1;
    const held = entry;
    let released = false;
    return {
      writer: held.writer,
      release: () => {
        if (released) return;
        released = true;
        held.refs -= 1;
        if (held.refs > 0 || this.open.get(wavPath) !== held) return;
        this.open.delete(wavPath);
        const closed = held.writer.then(
          (w) => w.close(),
          () => {},
        );
        this.closing.set(wavPath, closed);
        void closed.then(() => {
          if (this.closing.get(wavPath) === closed) this.closing.delete(wavPath);
        });
      },
    };
  }

  /** Number of files currently held open. */
  get openCount(): number {
    return this.open.size;
  }

  /** Close every file still open and wait until all closes are done. */
  async closeAll(): Promise<void> {
    const pending = [...this.open.values()].map((e) => e.writer.then((w) => w.close(), () => {}));
    this.open.clear();
    await Promise.all([...pending, ...this.closing.values()]);
  }
}
