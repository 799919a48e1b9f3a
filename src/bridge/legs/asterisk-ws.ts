/**
 * The Asterisk chan_websocket leg: binary messages are raw audio in the channel's format, text
 * messages are control (see asterisk-control.ts for both formats and their source).
 *
 * What Asterisk requires of the bridge (Asterisk 22 `chan_websocket.c`, verified on 22.10.1):
 * - audio toward the caller in whole frames of `optimal_frame_size`: a message shorter than a
 *   frame is dropped and a partial frame's remainder is cut, so the leg carries partial frames
 *   over to the next message;
 * - each message at most 65 535 bytes with its header and never fragmented (the call hangs
 *   up otherwise): messages here are at most {@link MAX_MESSAGE_BYTES};
 * - Asterisk re-times what it receives (one frame per ptime), so audio is sent as it comes,
 *   but its queue holds at most about 1000 frames: on `MEDIA_XOFF` the leg stops sending and
 *   queues (bounded, drops counted) until `MEDIA_XON`;
 * - barge-in is `FLUSH_MEDIA`, which empties Asterisk's queue at once;
 * - what the caller has heard (for barge-in truncation): a `MARK_MEDIA` follows a batch of
 *   frames once at least {@link MARK_EVERY_MS} of audio has gone out since the last one, and
 *   Asterisk answers `MEDIA_MARK_PROCESSED` when its playout reaches it. The play
 *   position is the last processed mark (or the moment the queue was last empty) plus one ms
 *   per ms since, capped at what was sent; marks pending at a `FLUSH_MEDIA` prove nothing.
 *   `MARK_MEDIA` exists since Asterisk 22.8, like the `channel_id` of `MEDIA_START`: without that
 *   field no marks are sent and the position is the queue estimate alone;
 * - there is no hang-up event: Asterisk closes the WebSocket.
 */
import type WebSocket from 'ws';
import type { CallCore, MediaLeg } from '../call-core.js';
import { ASTERISK_FORMATS, asteriskCommand, asteriskFormat, parseAsteriskEvent, type ControlFormat } from './asterisk-control.js';
import { MARK_EVERY_MS, WsLegBase } from './ws-leg.js';

/** Largest binary message sent to Asterisk (bytes): under its 65 535-byte frame limit with room for the header. */
export const MAX_MESSAGE_BYTES = 64_000;

/** Options of {@link AsteriskWsLeg}. */
export interface AsteriskWsLegOptions {
  /** Audio held in the bridge while Asterisk's queue is full, before model audio is dropped (ms of audio, default 120 000). */
  maxHeldMs?: number;
  /**
   * Most audio the bridge lets wait in Asterisk's playout queue (ms, default 10 000). Asterisk drops
   * whole messages once 1000 frames (20 s) are queued and raises MEDIA_XOFF only at 900, after a
   * burst has already been sent: the bridge keeps its own estimate of that queue below this.
   */
  maxAheadMs?: number;
  /** How the socket was opened, for the `call.started` event. */
  transport?: 'websocket' | 'websocket-server';
}

/** No carried-over audio (shared; never written). */
const NO_BYTES = Buffer.alloc(0);

/** How long Asterisk gets to close after HANGUP before the bridge closes the socket itself (ms). */
const HANGUP_GRACE_MS = 2000;

/** One chan_websocket connection, adapted to the call core. */
export class AsteriskWsLeg extends WsLegBase implements MediaLeg {
  private control: ControlFormat = 'plain-text';
  private frameBytes = 0;
  private ptime = 20;
  /** Model audio not yet a whole frame (carried to the next message). */
  private partial: Buffer = NO_BYTES;
  /** Whole frames held in the bridge (Asterisk's queue full or over the ahead budget). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private xoff = false;
  /** Estimate of Asterisk's playout queue: frames sent since `drainStart`, played one per ptime. */
  private sentFrames = 0;
  private drainStart = 0;
  /** Frames handed to Asterisk since the call started, less those FLUSH_MEDIA dropped. */
  private totalFrames = 0;
  /** Play position anchor: `anchorFrames` had played at `anchorAt` (a processed mark, or an idle queue). */
  private anchorFrames = 0;
  private anchorAt = 0;
  private markSeq = 0;
  /** Asterisk takes MARK_MEDIA (22.8+: its MEDIA_START carries a channel_id). */
  private marks = false;
  /** Frames sent since the last mark. */
  private unmarkedFrames = 0;
  /** Marks up to this number were pending at the last FLUSH_MEDIA. */
  private flushedThrough = 0;
  /** Mark number → {@link totalFrames} when it was queued. */
  private readonly markFrames = new Map<number, number>();
  private releaseTimer: NodeJS.Timeout | undefined;

  constructor(ws: WebSocket, core: CallCore, private readonly o: AsteriskWsLegOptions = {}) {
    super(ws, core);
    ws.on('message', (data, isBinary) => {
      if (isBinary) core.callerAudio((data as Buffer).toString('base64'));
      else this.onControl((data as Buffer).toString());
    });
    ws.on('close', () => clearTimeout(this.releaseTimer));
  }

  play(b64: string): boolean {
    if (this.ws.readyState !== 1 || this.frameBytes === 0) return false;
    const bytes = Buffer.from(b64, 'base64');
    const all = this.partial.length > 0 ? Buffer.concat([this.partial, bytes]) : bytes;
    const whole = all.length - (all.length % this.frameBytes);
    this.partial = whole === all.length ? NO_BYTES : Buffer.from(all.subarray(whole));
    if (whole === 0) return true;
    const out = all.subarray(0, whole);
    if (this.xoff || this.held.length > 0 || this.queuedAhead(Date.now()) + whole / this.frameBytes > this.maxAheadFrames()) return this.hold(out);
    this.sendFrames(out);
    return true;
  }

  /** ms of model audio Asterisk has played: the last processed mark plus real time since, capped at what was sent. */
  playedMs(): number {
    return this.position(Date.now());
  }

  private position(now: number): number {
    return Math.min(this.totalFrames * this.ptime, this.anchorFrames * this.ptime + (now - this.anchorAt));
  }

  stopPlayback(): void {
    const now = Date.now();
    this.anchorFrames = Math.min(this.totalFrames, this.position(now) / this.ptime);
    this.anchorAt = now;
    this.totalFrames = this.anchorFrames;
    this.flushedThrough = this.markSeq;
    this.markFrames.clear();
    this.unmarkedFrames = 0;
    this.partial = NO_BYTES;
    this.held = [];
    this.heldBytes = 0;
    this.sentFrames = 0;
    this.command('FLUSH_MEDIA');
  }

  override hangUp(code: number, reason: string): void {
    if (this.ws.readyState !== 1) return;
    // HANGUP ends the channel with a normal clearing cause and Asterisk closes the socket; the
    // reason reaches the call's events through the core. Close ourselves if Asterisk does not.
    this.command('HANGUP');
    setTimeout(() => super.hangUp(code, reason), this.frameBytes > 0 ? HANGUP_GRACE_MS : 0).unref();
  }

  /** Frames Asterisk still has queued, by the bridge's estimate. */
  private queuedAhead(now: number): number {
    const played = Math.floor((now - this.drainStart) / this.ptime);
    return Math.max(0, this.sentFrames - played);
  }

  private maxAheadFrames(): number {
    // Asterisk counts its limit in frames (XOFF at 900, drops at 1000): stay at half of that.
    return Math.max(1, Math.min(500, Math.floor((this.o.maxAheadMs ?? 10_000) / this.ptime)));
  }

  private sendFrames(out: Buffer): void {
    const now = Date.now();
    if (this.queuedAhead(now) === 0) {
      this.sentFrames = 0;
      this.drainStart = now;
    }
    this.sentFrames += out.length / this.frameBytes;
    if (this.position(now) >= this.totalFrames * this.ptime) {
      // Asterisk's queue ran dry: these frames start playing now
      this.anchorFrames = this.totalFrames;
      this.anchorAt = now;
    }
    this.totalFrames += out.length / this.frameBytes;
    for (let at = 0; at < out.length; ) {
      const n = Math.min(out.length - at, MAX_MESSAGE_BYTES - (MAX_MESSAGE_BYTES % this.frameBytes));
      this.ws.send(out.subarray(at, at + n), { binary: true });
      at += n;
    }
    if (!this.marks) return;
    this.unmarkedFrames += out.length / this.frameBytes;
    if (this.unmarkedFrames * this.ptime < MARK_EVERY_MS) return;
    this.unmarkedFrames = 0;
    const mark = ++this.markSeq;
    this.markFrames.set(mark, this.totalFrames);
    if (this.markFrames.size > 1024) this.markFrames.delete(this.markFrames.keys().next().value!);
    this.command('MARK_MEDIA', `v${mark}`);
  }

  private hold(out: Buffer): boolean {
    const maxHeld = ((this.o.maxHeldMs ?? 120_000) / this.ptime) * this.frameBytes;
    if (this.heldBytes + out.length > maxHeld) return false;
    this.held.push(Buffer.from(out));
    this.heldBytes += out.length;
    this.scheduleRelease();
    return true;
  }

  /** Send held frames as far as the ahead budget allows; come back when more will fit. */
  private release(): void {
    this.releaseTimer = undefined;
    if (this.xoff || this.ws.readyState !== 1) return;
    const room = this.maxAheadFrames() - this.queuedAhead(Date.now());
    let frames = 0;
    const batch: Buffer[] = [];
    while (this.held.length > 0 && frames + this.held[0]!.length / this.frameBytes <= room) {
      const b = this.held.shift()!;
      frames += b.length / this.frameBytes;
      this.heldBytes -= b.length;
      batch.push(b);
    }
    if (this.held.length > 0 && batch.length === 0 && room > 0) {
      // a held chunk larger than the room: split it
      const head = this.held[0]!;
      const n = room * this.frameBytes;
      batch.push(head.subarray(0, n));
      this.held[0] = head.subarray(n);
      this.heldBytes -= n;
    }
    if (batch.length > 0) this.sendFrames(Buffer.concat(batch));
    this.scheduleRelease();
  }

  private scheduleRelease(): void {
    if (this.held.length === 0 || this.releaseTimer || this.xoff) return;
    // a quarter of the budget drains in this time: release in a few larger messages, not per frame
    this.releaseTimer = setTimeout(() => this.release(), Math.max(this.ptime, (this.maxAheadFrames() * this.ptime) / 4));
    this.releaseTimer.unref();
  }

  private command(name: string, id?: string): void {
    if (this.ws.readyState === 1 && this.frameBytes > 0) this.ws.send(asteriskCommand(this.control, name, id));
  }

  private onControl(text: string): void {
    const ev = parseAsteriskEvent(text);
    const core = this.core;
    switch (ev.event) {
      case 'MEDIA_START': {
        if (core.started) return;
        this.control = ev.control;
        this.ptime = ev.ptime;
        this.marks = ev.channelId !== undefined;
        const format = asteriskFormat(ev.format);
        core.identify({
          channelId: ev.channelId,
          channel: ev.channel,
          connectionId: ev.connectionId,
          ...(ev.channelVariables ? pickCallVariables(ev.channelVariables) : {}),
        });
        this.frameBytes = ev.optimalFrameSize;
        core.announce({ transport: this.o.transport ?? 'websocket', format: ev.format, control: ev.control });
        if (!format) {
          const reason = `format ${ev.format} is not supported: use c(${ASTERISK_FORMATS.join('|')})`;
          core.event('call.unsupported', { reason });
          return core.close(1003, reason);
        }
        core.start(format);
        return;
      }
      case 'MEDIA_MARK_PROCESSED': {
        const n = /^v\d+$/.test(ev.correlationId ?? '') ? Number(ev.correlationId!.slice(1)) : 0;
        const frames = n > this.flushedThrough ? this.markFrames.get(n) : undefined;
        if (frames === undefined) return;
        this.anchorFrames = frames;
        this.anchorAt = Date.now();
        for (const k of this.markFrames.keys()) if (k <= n) this.markFrames.delete(k);
        return;
      }
      case 'MEDIA_XOFF':
        this.xoff = true;
        return;
      case 'MEDIA_XON':
        this.xoff = false;
        this.release();
        return;
      case 'DTMF_END':
        return core.dtmf(ev.digit);
      case 'ERROR':
        return core.event('asterisk.error', { message: ev.text });
      case 'malformed':
        return core.malformed(ev.reason);
      default:
    }
  }
}

/**
 * The channel variables worth an event field: the ones the scaffolded dialplan sets
 * (`__VOICECTL_*`, caller id and the caller's channel), without the `__` inheritance prefix.
 */
function pickCallVariables(vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    const name = k.replace(/^_{1,2}/, '');
    if (name.startsWith('VOICECTL_')) out[name.slice(9).toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = v;
  }
  return out;
}
