/**
 * Keeps PCM16 sample alignment across WebSocket messages: a message of odd length leaves
 * its last byte behind, and that byte becomes the first byte of the next message's output.
 * So a relay that splits a sample across two messages still yields the right samples, and
 * the file never holds half a sample.
 */

/** Carries the odd byte of one stream from message to message. */
export class SampleAligner {
  private carry: number | undefined;

  /**
   * The whole 16-bit samples available after `chunk` (bytes, even length; may be empty).
   * The returned buffer may share memory with `chunk`.
   */
  push(chunk: Uint8Array): Buffer {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (input.length === 0) return input;
    if (this.carry === undefined) {
      if (input.length % 2 === 0) return input;
      this.carry = input[input.length - 1];
      return input.subarray(0, input.length - 1);
    }
    const total = input.length + 1;
    const even = total - (total % 2);
    const out = Buffer.allocUnsafe(even);
    out[0] = this.carry;
    input.copy(out, 1, 0, even - 1);
    this.carry = total % 2 === 1 ? input[input.length - 1] : undefined;
    return out;
  }

  /** Bytes held back (0 or 1): at the end of a stream, this byte is dropped. */
  get pending(): number {
    return this.carry === undefined ? 0 : 1;
  }
}
