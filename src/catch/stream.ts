/**
 * One relay connection (one leg of one call): binary messages are raw PCM16 little-endian
 * mono samples (ast-streamer's frames, t-kawata/ast-streamer README), appended in order to
 * the leg's WAV file; text messages are ignored and counted.
 */
import type { WebSocket } from 'ws';
import { isVoicectlError } from '../core/errors.js';
import { SampleAligner } from './align.js';
import type { FileLease } from './files.js';
import type { CatchTarget } from './path.js';
import { pcm16Seconds } from './wav.js';
import type { WavWriter } from './wav-writer.js';

/** Pause reading from the socket while more than this many bytes wait for the disk. */
const HIGH_WATER_BYTES = 1 << 20;

/** Emitted once the file is open. */
export interface StreamStartedEvent {
  type: 'stream.started';
  id: string;
  leg: CatchTarget['leg'];
  /** Absolute path of the WAV file. */
  file: string;
  /** `address:port` of the relay. */
  remote: string;
  /** True when the file already existed and this stream appends to it. */
  appending: boolean;
  /** Audio bytes in the file before this stream. */
  previousBytes: number;
  /** True when a header left stale by a crash was fixed on open. */
  repaired: boolean;
}

/** Emitted when the connection has closed and its audio is on disk. */
export interface StreamEndedEvent {
  type: 'stream.ended';
  id: string;
  leg: CatchTarget['leg'];
  file: string;
  /** Audio bytes this connection wrote. */
  bytes: number;
  /** `bytes` as seconds at the sample rate. */
  durationSeconds: number;
  /** Audio bytes in the whole file now. */
  fileBytes: number;
  /** Binary messages received. */
  messages: number;
  /** Text messages received and ignored. */
  textMessages: number;
  /** Bytes not written: a trailing half sample, or audio that arrived after a write error. */
  droppedBytes: number;
  /** WebSocket close code (1005 when the peer sent none, 1006 when the connection dropped). */
  closeCode: number;
}

/** Emitted when the file cannot be opened or written; the connection is closed with 1011. */
export interface StreamFailedEvent {
  type: 'stream.failed';
  id: string;
  leg: CatchTarget['leg'];
  file: string;
  code: string;
  message: string;
  hint?: string;
}

/** Events of one stream. */
export type StreamEvent = StreamStartedEvent | StreamEndedEvent | StreamFailedEvent;

/**
 * Run one connection to completion.
 * @param lease the leg's file, from {@link RecordingFiles.acquire}; released here.
 * @returns resolves after the socket closed, every byte was written and the lease released.
 */
export function runStream(
  ws: WebSocket,
  target: CatchTarget,
  file: string,
  remote: string,
  lease: FileLease,
  sampleRate: number,
  emit: (event: StreamEvent) => void,
): Promise<void> {
  const aligner = new SampleAligner();
  const backlog: Buffer[] = [];
  let writer: WavWriter | undefined;
  let failed = false;
  let bytes = 0;
  let dropped = 0;
  let messages = 0;
  let textMessages = 0;
  let last: Promise<void> = Promise.resolve();
  const base = { id: target.id, leg: target.leg, file };

  const fail = (err: unknown): void => {
    if (failed) return;
    failed = true;
    const e = isVoicectlError(err) ? err : { code: 'VOICECTL_CATCH_WRITE_FAILED', message: String(err), hint: undefined };
    emit({ type: 'stream.failed', ...base, code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) });
    ws.close(1011, 'voicectl catch cannot write this leg');
  };

  const write = (samples: Buffer): void => {
    if (failed || samples.length === 0) {
      dropped += samples.length;
      return;
    }
    if (!writer) {
      backlog.push(samples); // until the file is open
      return;
    }
    const w = writer;
    last = w.append(samples).then(
      () => {
        bytes += samples.length;
        if (ws.isPaused && w.pendingBytes < HIGH_WATER_BYTES / 2) ws.resume();
      },
      (err: unknown) => {
        dropped += samples.length;
        fail(err);
      },
    );
    if (w.pendingBytes > HIGH_WATER_BYTES && !ws.isPaused) ws.pause();
  };

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      textMessages += 1;
      return;
    }
    messages += 1;
    write(aligner.push(data));
  });
  ws.on('error', () => {}); // a protocol error closes the socket; 'close' reports it

  lease.writer.then(
    (w) => {
      writer = w;
      emit({
        type: 'stream.started',
        ...base,
        remote,
        appending: !w.info.created,
        previousBytes: w.info.previousBytes,
        repaired: w.info.repaired,
      });
      for (const chunk of backlog.splice(0)) write(chunk);
    },
    (err: unknown) => {
      for (const chunk of backlog.splice(0)) dropped += chunk.length;
      fail(err);
    },
  );

  return new Promise<void>((resolve) => {
    ws.once('close', (closeCode: number) => {
      // wait for the open (so the backlog is flushed or dropped), then for the last append
      void lease.writer
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => last)
        .then(() => {
          dropped += aligner.pending;
          const fileBytes = writer?.dataBytes ?? 0;
          lease.release();
          emit({
            type: 'stream.ended',
            ...base,
            bytes,
            durationSeconds: Math.round(pcm16Seconds(bytes, sampleRate) * 1000) / 1000,
            fileBytes,
            messages,
            textMessages,
            droppedBytes: dropped,
            closeCode,
          });
          resolve();
        });
    });
  });
}
