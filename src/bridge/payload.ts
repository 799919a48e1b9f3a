/**
 * A base64 audio payload left where it arrived: bytes [start, end) of a WebSocket message the
 * bridge received. Once `ws` has emitted a message, its bytes are the bridge's alone (`ws` hands
 * over a Buffer it no longer reads, either a slice of the socket's read or a copy), so the
 * message the payload moves on in (an append toward the model, an ACS or Twilio media message
 * toward the caller) can be built around the payload inside the received message itself
 * ({@link frameAround}): no string of the payload, no new Buffer, no copy of it.
 *
 * A message built so and queued on a slow socket keeps the memory of the read it came in alive
 * (one socket read, at most 64 KB, usually the message itself), while the legs' and the
 * upstream's queue caps count the message's own bytes.
 */
import { base64BytesLength } from './base64.js';

/** A checked base64 payload at bytes [start, end) of the received message `msg`. */
export interface Base64Bytes {
  /** The whole received message (UTF-8 JSON text). */
  readonly msg: Buffer;
  /** Index of the payload's first byte (after the opening quote). */
  readonly start: number;
  /** Index just past its last byte (the closing quote's). */
  readonly end: number;
}

/** The payload as a string (Latin-1, a plain copy: base64 is ASCII). */
export function payloadString(p: Base64Bytes): string {
  return p.msg.toString('latin1', p.start, p.end);
}

/** The payload's decoded length (bytes), from its length and padding. */
export function payloadByteLength(p: Base64Bytes): number {
  return base64BytesLength(p.msg, p.start, p.end);
}

/**
 * The message `head` + payload + `tail` (a whole JSON text, since base64 needs no escaping),
 * built inside `p.msg` when it has room: head and tail written over the bytes around the
 * payload, the payload moved (a memmove) only when one side is short, and a view returned.
 * When the message is too short for the new one, a new Buffer is built (the payload copied, no
 * string). Either way `p` is used up: its message no longer holds what it did, so read
 * anything else from it (ids, the byte count) before.
 * @param head bytes before the payload, e.g. `{"type":"input_audio_buffer.append","audio":"`.
 * @param tail bytes after it, e.g. `"}`.
 */
export function frameAround(p: Base64Bytes, head: Uint8Array, tail: Uint8Array): Buffer {
  const { msg, start, end } = p;
  const total = head.length + (end - start) + tail.length;
  if (total > msg.length) {
    const out = Buffer.allocUnsafe(total);
    out.set(head, 0);
    msg.copy(out, head.length, start, end);
    out.set(tail, total - tail.length);
    return out;
  }
  // Where the new message starts: right before the payload if it fits there, else as close as fits.
  const at = Math.max(0, Math.min(start - head.length, msg.length - total));
  const payloadAt = at + head.length;
  if (payloadAt !== start) msg.copyWithin(payloadAt, start, end);
  msg.set(head, at);
  msg.set(tail, payloadAt + (end - start));
  return msg.subarray(at, at + total);
}
