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
 * - there is no hang-up event: Asterisk closes the WebSocket.
 */
import type WebSocket from 'ws';
import type { CallCore, MediaLeg } from '../call-core.js';
import { ASTERISK_FORMATS, asteriskCommand, asteriskFormat, parseAsteriskEvent, type ControlFormat } from './asterisk-control.js';
import { WsLegBase } from './ws-leg.js';

/** Largest binary message sent to Asterisk (bytes): under its 65 535-byte frame limit with room for the header. */
export const MAX_MESSAGE_BYTES = 64_000;

/** Options of {@link AsteriskWsLeg}. */
export interface AsteriskWsLegOptions {
  /** Audio held while Asterisk has said MEDIA_XOFF, before model audio is dropped (bytes, default 30 s of the format). */
  maxHeldBytes?: number;
  /** How the socket was opened, for the `call.started` event. */
  transport?: 'websocket' | 'websocket-server';
}

/** One chan_websocket connection, adapted to the call core. */
export class AsteriskWsLeg extends WsLegBase implements MediaLeg {
  private control: ControlFormat = 'plain-text';
  private frameBytes = 0;
  /** Model audio not yet a whole frame (carried to the next message). */
  private partial: Buffer = Buffer.alloc(0);
  /** Whole frames held while Asterisk's queue is full (MEDIA_XOFF). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private xoff = false;
  private maxHeld = 0;

  constructor(ws: WebSocket, core: CallCore, private readonly o: AsteriskWsLegOptions = {}) {
    super(ws, core);
    ws.on('message', (data, isBinary) => {
      if (isBinary) core.callerAudio((data as Buffer).toString('base64'));
      else this.onControl((data as Buffer).toString());
    });
  }

  play(b64: string): boolean {
    if (this.ws.readyState !== 1 || this.frameBytes === 0) return false;
    const bytes = Buffer.from(b64, 'base64');
    const all = this.partial.length > 0 ? Buffer.concat([this.partial, bytes]) : bytes;
    const whole = all.length - (all.length % this.frameBytes);
    this.partial = whole === all.length ? Buffer.alloc(0) : Buffer.from(all.subarray(whole));
    if (whole === 0) return true;
    const out = all.subarray(0, whole);
    if (this.xoff) return this.hold(out);
    this.sendFrames(out);
    return true;
  }

  stopPlayback(): void {
    this.partial = Buffer.alloc(0);
    this.held = [];
    this.heldBytes = 0;
    this.command('FLUSH_MEDIA');
  }

  override hangUp(code: number, reason: string): void {
    // HANGUP ends the channel with a normal clearing cause; the close carries the reason to logs.
    this.command('HANGUP');
    super.hangUp(code, reason);
  }

  private sendFrames(out: Buffer): void {
    for (let at = 0; at < out.length; ) {
      const n = Math.min(out.length - at, MAX_MESSAGE_BYTES - (MAX_MESSAGE_BYTES % this.frameBytes));
      this.ws.send(out.subarray(at, at + n), { binary: true });
      at += n;
    }
  }

  private hold(out: Buffer): boolean {
    if (this.heldBytes + out.length > this.maxHeld) return false;
    this.held.push(Buffer.from(out));
    this.heldBytes += out.length;
    return true;
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
        const format = asteriskFormat(ev.format);
        core.identify({
          channelId: ev.channelId,
          channel: ev.channel,
          connectionId: ev.connectionId,
          ...(ev.channelVariables ? pickCallVariables(ev.channelVariables) : {}),
        });
        if (!format) {
          this.frameBytes = ev.optimalFrameSize; // lets HANGUP out
          core.announce({ transport: this.o.transport ?? 'websocket', format: ev.format });
          const reason = `format ${ev.format} is not supported: use c(${ASTERISK_FORMATS.join('|')})`;
          core.event('call.unsupported', { reason });
          return this.hangUp(1003, reason);
        }
        this.frameBytes = ev.optimalFrameSize;
        this.maxHeld = this.o.maxHeldBytes ?? Math.max(ev.optimalFrameSize, Math.round((30_000 / ev.ptime) * ev.optimalFrameSize));
        core.announce({ transport: this.o.transport ?? 'websocket', format: ev.format, control: ev.control });
        core.start(format);
        return;
      }
      case 'MEDIA_XOFF':
        this.xoff = true;
        return;
      case 'MEDIA_XON': {
        this.xoff = false;
        const held = this.held;
        this.held = [];
        this.heldBytes = 0;
        for (const b of held) this.sendFrames(b);
        return;
      }
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
