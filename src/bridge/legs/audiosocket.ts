/**
 * The AudioSocket leg: one TCP connection from Asterisk (`AudioSocket()` app, `Dial(AudioSocket/…)`
 * or an ARI externalMedia channel with `encapsulation=audiosocket`). Framing in audiosocket-frames.ts.
 *
 * Asterisk does not re-time AudioSocket audio (it writes each frame the moment it arrives), so the
 * bridge paces its output itself: one 20 ms frame per 20 ms tick, silence when the model is quiet
 * (the `AudioSocket()` app hangs up after 2 s without frames). Model audio waits in the leg's own
 * playout queue; barge-in empties it, and the leg knows exactly how much the caller has heard.
 * Output frames use the kind (sample rate) of the caller's audio.
 */
import type { Socket } from 'node:net';
import type { CallCore, MediaLeg } from '../call-core.js';
import { KIND, audioKind, audioSocketFormat, audioSocketMessage, isAudioKind, uuidText, AudioSocketReader } from './audiosocket-frames.js';

/** Frame duration the leg paces at (ms). */
export const FRAME_MS = 20;

/** Ticks a short queue waits for more audio before it is played as it is (padded with silence). */
const PREBUFFER_TICKS = 3;

/** Most frames one pacing tick writes when the timer ran late (100 ms of audio). */
const MAX_BURST = 5;

/** Options of {@link AudioSocketLeg}. */
export interface AudioSocketLegOptions {
  /** Model audio queued toward the caller before more is dropped (ms of audio, default 120 000). */
  maxQueuedMs?: number;
  /** Bytes the socket may have unsent before frames are dropped (default 64 KiB). */
  maxWritableBytes?: number;
}

/** One AudioSocket connection, adapted to the call core; paced by {@link tick}. */
export class AudioSocketLeg implements MediaLeg {
  private readonly reader = new AudioSocketReader();
  private kind = 0;
  private frameBytes = 0;
  private queue: Buffer[] = [];
  private queueOffset = 0;
  private queuedBytes = 0;
  private silence: Buffer | undefined;
  private t0 = 0;
  private framesSent = 0;
  /** Playback waits for the jitter buffer to fill (see nextFrame). */
  private waiting = true;
  private waitedTicks = 0;
  private closed = false;
  /** Audio of the model actually written toward the caller (bytes, excluding silence). */
  playedBytes = 0;

  constructor(
    private readonly socket: Socket,
    private readonly core: CallCore,
    private readonly o: AudioSocketLegOptions = {},
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined); // 'close' follows with hadError
    socket.on('close', (hadError) => {
      this.closed = true;
      core.end(hadError ? 1006 : 1000, hadError ? 'connection reset' : '');
    });
  }

  /** True while the leg wants pacing ticks (format known, socket open). */
  get pacing(): boolean {
    return this.frameBytes > 0 && !this.closed;
  }

  play(b64: string): boolean {
    if (this.closed || this.frameBytes === 0) return false;
    const bytes = Buffer.from(b64, 'base64');
    const max = ((this.o.maxQueuedMs ?? 120_000) / FRAME_MS) * this.frameBytes;
    if (this.queuedBytes + bytes.length > max) return false;
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    return true;
  }

  /** ms of model audio written toward the caller (exact: the leg paces its own output). */
  playedMs(): number {
    return this.frameBytes > 0 ? (this.playedBytes * FRAME_MS) / this.frameBytes : 0;
  }

  stopPlayback(): void {
    this.queue = [];
    this.queueOffset = 0;
    this.queuedBytes = 0;
    this.waiting = true;
    this.waitedTicks = 0;
  }

  hangUp(_code: number, _reason: string): void {
    if (this.closed) return;
    this.socket.end(audioSocketMessage(KIND.hangup));
  }

  terminate(): void {
    this.socket.destroy();
  }

  /**
   * Write the frames due by `now` (ms): model audio from the queue, else silence. A late timer
   * (a busy event loop) is caught up in bursts of at most {@link MAX_BURST} frames per tick, so
   * the output keeps real time on average; after a stall of more than a second the clock skips
   * ahead (the caller hears a gap) instead of bursting seconds of audio, which Asterisk's read
   * queue would discard.
   */
  tick(now: number): void {
    if (!this.pacing) return;
    let due = Math.floor((now - this.t0) / FRAME_MS) + 1 - this.framesSent;
    if (due > 1000 / FRAME_MS) {
      this.framesSent += due - 1;
      due = 1;
    }
    for (let n = Math.min(due, MAX_BURST); n > 0; n -= 1) {
      this.framesSent += 1;
      if (this.socket.writableLength > (this.o.maxWritableBytes ?? 64 * 1024)) continue;
      this.socket.write(audioSocketMessage(this.kind, this.nextFrame()));
    }
  }

  /**
   * The next 20 ms to write. A small jitter buffer: after the queue ran short (start of an
   * answer, or model audio arriving just after a tick), playback waits for two frames of audio or
   * for {@link PREBUFFER_TICKS} ticks, so a stream that arrives in time plays without the 20 ms
   * holes and phase jumps that padding every short frame would cut into it.
   */
  private nextFrame(): Buffer {
    if (this.queuedBytes < this.frameBytes) this.waiting = true;
    if (this.waiting) {
      if (this.queuedBytes < 2 * this.frameBytes && (this.queuedBytes === 0 || ++this.waitedTicks < PREBUFFER_TICKS)) {
        return (this.silence ??= Buffer.alloc(this.frameBytes));
      }
      this.waiting = false;
      this.waitedTicks = 0;
    }
    const frame = Buffer.alloc(this.frameBytes); // a short tail is padded with silence
    let filled = 0;
    while (filled < this.frameBytes && this.queue.length > 0) {
      const head = this.queue[0]!;
      const n = Math.min(head.length - this.queueOffset, this.frameBytes - filled);
      head.copy(frame, filled, this.queueOffset, this.queueOffset + n);
      filled += n;
      this.queueOffset += n;
      if (this.queueOffset === head.length) {
        this.queue.shift();
        this.queueOffset = 0;
      }
    }
    this.queuedBytes -= filled;
    this.playedBytes += filled;
    return frame;
  }

  private onData(chunk: Buffer): void {
    for (const { kind, payload } of this.reader.push(chunk)) {
      if (isAudioKind(kind)) this.onAudio(kind, payload);
      else if (kind === KIND.uuid) this.onUuid(payload);
      else if (kind === KIND.dtmf) this.core.dtmf(payload.toString('latin1'));
      else if (kind === KIND.hangup) this.socket.end();
      else if (kind === KIND.error) {
        this.core.event('asterisk.error', { message: `AudioSocket error${payload.length ? ` code ${payload[0]}` : ''}` });
        this.socket.end();
      } else this.core.malformed(`AudioSocket kind 0x${kind.toString(16)}`);
    }
  }

  private onUuid(payload: Buffer): void {
    if (payload.length !== 16) return this.core.malformed(`UUID of ${payload.length} bytes`);
    this.core.identify({ uuid: uuidText(payload) });
    this.core.announce({ transport: 'audiosocket' });
  }

  private onAudio(kind: number, payload: Buffer): void {
    if (this.kind === 0) {
      const format = audioSocketFormat(kind);
      this.core.announce({ transport: 'audiosocket' });
      if (!format) {
        const reason = `AudioSocket kind 0x${kind.toString(16)} is not carried: use slin (8 kHz), slin16 or slin24`;
        this.core.event('call.unsupported', { reason });
        this.kind = -1;
        return this.hangUp(1003, reason);
      }
      this.kind = audioKind(format.sampleRate);
      this.frameBytes = (format.sampleRate / 1000) * FRAME_MS * 2;
      this.t0 = Date.now();
      this.core.start(format);
    }
    if (kind !== this.kind) return this.core.malformed(`AudioSocket kind changed to 0x${kind.toString(16)}`);
    this.core.callerAudio(payload.toString('base64'));
  }
}
