/**
 * The per-frame audio path of a call, what runs 50 times a second each way: caller audio to the
 * upstream, model audio to the leg, the resamplers between them, and the frame counters.
 * `CallCore` (call-core.ts) builds the rest of the call on it: format, upstream, events,
 * barge-in, end.
 *
 * Base64 passes through unchanged for 24 kHz PCM16 and G.711, and a payload the leg or the
 * upstream read from its bytes ({@link Base64Bytes}) is passed on inside the message it came in
 * when the other side can build its message there; one resampler pass for 8/16 kHz PCM16.
 */
import type { StreamResampler } from '../audio/resampler.js';
import { base64ByteLength } from './base64.js';
import type { CallConversation } from './call-conversation.js';
import { zeroCounters, type MediaLeg } from './call-types.js';
import type { LegFormat } from './media-format.js';
import { payloadByteLength, payloadString, type Base64Bytes } from './payload.js';
import type { Upstream } from './upstream.js';

/** The audio half of a call: fields set by `CallCore` as the call starts and ends. */
export abstract class CallAudio {
  protected leg: MediaLeg | undefined;
  protected readonly c = zeroCounters();
  protected format: LegFormat | undefined;
  protected toModel: StreamResampler | undefined;
  protected toCaller: StreamResampler | undefined;
  protected ended = false;
  /**
   * Created when the leg announces its format, not when it connects: a socket that never does
   * (ws-probe, `voicectl doctor`, a tunnel's health check) then costs no Realtime session.
   */
  protected upstream: Upstream | undefined;
  /** Truncation, replayed context, latency and transcripts: set with the format. */
  protected conversation: CallConversation | undefined;

  /** A message the leg could not use: counted (and reported by the core). */
  abstract malformed(reason: string): void;

  /** One frame of caller audio (base64, leg format). Ignored and counted before the format is known (`CallCore.start`). */
  callerAudio(b64: string): void {
    if (!this.countIn(base64ByteLength(b64))) return;
    if (this.toModel) {
      const out = this.toModel.processBase64(b64);
      if (out !== '') this.upstream!.send(out);
      return;
    }
    this.upstream!.send(b64);
  }

  /**
   * As {@link callerAudio}, for a payload still inside the message it arrived in: passed on in
   * place when no conversion is needed and the upstream can ({@link Upstream.sendBytes}); `p`
   * is used up.
   */
  callerAudioBytes(p: Base64Bytes): void {
    const up = this.upstream;
    if (this.toModel || !up?.sendBytes) return this.callerAudio(payloadString(p));
    if (this.countIn(payloadByteLength(p))) up.sendBytes(p);
  }

  /** Count one caller frame of `bytes` bytes in; false (counted as such) when it is not usable. */
  private countIn(bytes: number): boolean {
    if (this.format === undefined) {
      this.c.beforeMetadata += 1;
      return false;
    }
    if (this.format.codec === 'pcm16' && bytes % 2 !== 0) {
      this.malformed(`PCM16 frame of ${bytes} bytes (odd)`);
      return false;
    }
    this.c.framesIn += 1;
    this.c.bytesIn += bytes;
    return true;
  }

  protected fromModel(b64: string): void {
    if (this.ended || !this.leg) return;
    let out = b64;
    if (this.toCaller) {
      out = this.toCaller.processBase64(b64);
      if (out === '') return;
    }
    const bytes = base64ByteLength(out);
    this.countOut(bytes, this.leg.play(out));
  }

  /**
   * Model audio still inside the message it arrived in (`bytes` decoded, in the session format):
   * played in place when the leg can.
   */
  protected fromModelBytes(p: Base64Bytes, bytes: number): void {
    const leg = this.leg;
    if (this.toCaller || !leg?.playBytes) return this.fromModel(payloadString(p));
    if (this.ended) return;
    this.countOut(bytes, leg.playBytes(p));
  }

  private countOut(bytes: number, played: boolean): void {
    if (!played) {
      this.c.droppedOut += 1;
      return;
    }
    this.c.framesOut += 1;
    this.c.bytesOut += bytes;
    this.conversation?.sent(bytes);
  }
}
