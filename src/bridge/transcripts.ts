/**
 * `--transcripts <dir>`: one JSON Lines file per call with its final transcript lines, as the
 * `transcript` events carry them (`{"time","callId","role","text","itemId"?,"truncated"?}`).
 *
 * Files are `<dir>/<UTC start stamp>-<callId>.jsonl` (the stamp keeps call ids, which restart
 * with the process, from colliding), created with mode 0600 and appended to in order (one write
 * chain per call, never blocking the media path). Nothing else is written in the directory. The
 * directory is created (mode 0700) when missing.
 */
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';

/** Where transcripts go. */
export interface TranscriptWriter {
  /** Absolute path of the directory. */
  dir: string;
  /** Append one line for `callId` (the file is created on its first line). */
  write(callId: string, line: Record<string, unknown>): void;
  /** The call ended: close its file once its lines are written. */
  end(callId: string): void;
  /** Flush and close every file. */
  close(): Promise<void>;
}

/**
 * The bridge's event sink with `--transcripts`: `transcript` events are also appended to their
 * call's file, `call.ended` closes it, write failures become `transcripts.error` events.
 * @throws what {@link openTranscripts} throws.
 */
export async function transcriptSink(
  dir: string | undefined,
  onEvent: (type: string, data: Record<string, unknown>) => void,
): Promise<{ emit: (type: string, data: Record<string, unknown>) => void; close(): Promise<void> }> {
  if (dir === undefined) return { emit: onEvent, close: async () => undefined };
  const writer = await openTranscripts(dir, (message) => onEvent('transcripts.error', { message }));
  return {
    emit(type, data) {
      if (typeof data.callId === 'string') {
        if (type === 'transcript') {
          const { callId, time, ...line } = data;
          writer.write(callId as string, { time, callId, ...line });
        } else if (type === 'call.ended') writer.end(data.callId);
      }
      onEvent(type, data);
    },
    close: () => writer.close(),
  };
}

interface CallFile {
  chain: Promise<FileHandle | undefined>;
}

/** `20261204T161500Z`. */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Open (create) the transcripts directory.
 * @param onError a write failed (disk full, permissions): reported once per call, the call goes on.
 * @throws UserError `VOICECTL_TRANSCRIPTS_DIR` when `dir` exists and is not a directory, or cannot be created.
 */
export async function openTranscripts(dir: string, onError: (message: string) => void): Promise<TranscriptWriter> {
  const abs = path.resolve(dir);
  try {
    await mkdir(abs, { recursive: true, mode: 0o700 });
    if (!(await stat(abs)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (err) {
    throw new UserError(`Cannot use ${abs} for transcripts: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      code: 'VOICECTL_TRANSCRIPTS_DIR',
      hint: 'Pass --transcripts a directory the bridge can create and write (it holds one .jsonl file per call).',
      cause: err,
    });
  }
  const files = new Map<string, CallFile>();
  const fail = (callId: string, err: unknown): undefined => {
    onError(`transcript of ${callId} not written: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return undefined;
  };
  return {
    dir: abs,
    write(callId, line) {
      let f = files.get(callId);
      if (!f) {
        const name = path.join(abs, `${stamp(new Date())}-${callId.replace(/[^A-Za-z0-9_-]/g, '_')}.jsonl`);
        f = { chain: open(name, 'a', 0o600).catch((err: unknown) => fail(callId, err)) };
        files.set(callId, f);
      }
      const text = `${JSON.stringify(line)}\n`;
      f.chain = f.chain.then(async (h) => {
        if (!h) return undefined;
        try {
          await h.appendFile(text);
          return h;
        } catch (err) {
          await h.close().catch(() => undefined);
          return fail(callId, err);
        }
      });
    },
    end(callId) {
      const f = files.get(callId);
      if (!f) return;
      files.delete(callId);
      void f.chain.then((h) => h?.close()).catch(() => undefined);
    },
    async close() {
      const all = [...files.values()];
      files.clear();
      await Promise.all(all.map((f) => f.chain.then((h) => h?.close()).catch(() => undefined)));
    },
  };
}
