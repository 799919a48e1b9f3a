/**
 * Sending the bridge's hot text messages (an `input_audio_buffer.append` toward the model, an
 * ACS `AudioData` toward the caller) as bytes. Given a string, `ws` encodes it to a new Buffer
 * and, on a client socket, masks it in place and writes header and payload with `writev`;
 * given a Buffer it masks straight into one buffer after the header: one `write`. Measured on
 * loopback, 1.3 KB messages: about 1.7 µs less CPU per message (of 8–10 µs, mostly the syscall).
 */
import type WebSocket from 'ws';

/**
 * Send `text` as a WebSocket text message, encoded byte for byte.
 * @param text ASCII only (JSON built by the bridge around base64 payloads): Latin-1 encoding,
 *   used because it is a plain copy, equals UTF-8 only for ASCII.
 */
export function sendAsciiText(ws: WebSocket, text: string): void {
  ws.send(Buffer.from(text, 'latin1'), { binary: false });
}
