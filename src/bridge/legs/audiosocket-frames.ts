/**
 * AudioSocket framing: `kind:uint8 | length:uint16 big-endian | payload[length]`.
 *
 * Source: Asterisk 22 `include/asterisk/res_audiosocket.h` and `res/res_audiosocket.c`, checked
 * against a running 22.10.1. Kinds: 0x00 hang-up, 0x01 UUID (16 raw bytes, Asterisk's first
 * message), 0x03 DTMF (one ASCII byte), 0x10–0x18 signed linear 16-bit little-endian at 8, 12,
 * 16, 24, 32, 44.1, 48, 96, 192 kHz, 0xFF error. Asterisk hangs up on any kind from the app
 * other than hang-up or audio, so the bridge only ever sends those.
 */
import type { LegFormat } from '../media-format.js';

/** Message kinds. */
export const KIND = { hangup: 0x00, uuid: 0x01, dtmf: 0x03, slin8: 0x10, slin16: 0x12, slin24: 0x13, error: 0xff } as const;

/** The leg format of an audio kind, for the rates the bridge carries (8, 16 and 24 kHz), else undefined. */
export function audioSocketFormat(kind: number): LegFormat | undefined {
  if (kind === KIND.slin8) return { codec: 'pcm16', sampleRate: 8000 };
  if (kind === KIND.slin16) return { codec: 'pcm16', sampleRate: 16000 };
  if (kind === KIND.slin24) return { codec: 'pcm16', sampleRate: 24000 };
  return undefined;
}

/** The audio kind for a PCM16 sample rate the bridge carries. */
export function audioKind(sampleRate: number): number {
  return sampleRate === 8000 ? KIND.slin8 : sampleRate === 16000 ? KIND.slin16 : KIND.slin24;
}

/** True for the signed-linear audio kinds 0x10–0x18. */
export const isAudioKind = (kind: number): boolean => kind >= 0x10 && kind <= 0x18;

/** One message: a 3-byte header and the payload (copied into one buffer). */
export function audioSocketMessage(kind: number, payload?: Buffer): Buffer {
  const n = payload?.length ?? 0;
  if (n > 0xffff) throw new RangeError(`AudioSocket payload of ${n} bytes over 65535`);
  const out = Buffer.allocUnsafe(3 + n);
  out[0] = kind;
  out.writeUInt16BE(n, 1);
  if (payload) payload.copy(out, 3);
  return out;
}

/** The 16 raw bytes of a UUID message as the usual 8-4-4-4-12 text. */
export function uuidText(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Incremental parser of a TCP byte stream into messages. */
export class AudioSocketReader {
  private buf: Buffer = Buffer.alloc(0);

  /**
   * Feed received bytes; returns the whole messages they complete (payloads are views into
   * the received data, valid until the next call).
   */
  push(chunk: Buffer): Array<{ kind: number; payload: Buffer }> {
    let data = this.buf.length > 0 ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Array<{ kind: number; payload: Buffer }> = [];
    let at = 0;
    while (data.length - at >= 3) {
      const n = data.readUInt16BE(at + 1);
      if (data.length - at < 3 + n) break;
      out.push({ kind: data[at]!, payload: data.subarray(at + 3, at + 3 + n) });
      at += 3 + n;
    }
    data = data.subarray(at);
    this.buf = data.length > 0 ? Buffer.from(data) : Buffer.alloc(0);
    return out;
  }

  /** Bytes waiting for the rest of a message. */
  get pending(): number {
    return this.buf.length;
  }
}
