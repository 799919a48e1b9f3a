/**
 * The bridge's hot text messages (an `input_audio_buffer.append` toward the model, an ACS
 * `AudioData` toward the caller) built as bytes and sent as text. Given a string, `ws` encodes it
 * to a new Buffer and, on a client socket, masks it in place and writes header and payload with
 * `writev`; given a Buffer it masks straight into one buffer after the header: one `write`.
 * Building the Buffer from its parts skips the intermediate string. Measured on loopback, 1.3 KB
 * messages: about 1.7 µs less CPU per message sent (of 8–10 µs, mostly the syscall), and about
 * 0.4 µs less to build than a template string encoded afterwards.
 */
import type WebSocket from 'ws';

/**
 * `head`, then `body`, then `tail`, as one new Buffer.
 * @param body ASCII only (a base64 payload): written as Latin-1, a plain copy, which equals UTF-8
 *   only for ASCII.
 */
export function asciiMessage(head: Buffer, body: string, tail: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + body.length + tail.length);
  head.copy(out, 0);
  out.write(body, head.length, 'latin1');
  tail.copy(out, head.length + body.length);
  return out;
}

/** Send UTF-8 bytes (a whole JSON text) as a WebSocket text message. */
export function sendText(ws: WebSocket, bytes: Buffer): void {
  ws.send(bytes, { binary: false });
}
