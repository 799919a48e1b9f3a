/**
 * WAV header fields read straight from the bytes, for tests of `voicectl catch`: kept apart
 * from `src/catch/wav.ts` on purpose, so a wrong header writer cannot be checked by its own
 * reader. Layout: the canonical 44-byte PCM header (RIFF, `fmt ` chunk of 16 bytes, `data`).
 */

/** The header fields of a 44-byte PCM WAV header; sizes in bytes, rate in Hz. */
export interface WavFields {
  riff: string;
  riffSize: number;
  wave: string;
  fmt: string;
  fmtSize: number;
  format: number;
  channels: number;
  rate: number;
  byteRate: number;
  blockAlign: number;
  bits: number;
  data: string;
  dataSize: number;
}

/** Read the header fields of `buf` (at least 44 bytes). */
export function wavFields(buf: Buffer): WavFields {
  return {
    riff: buf.toString('ascii', 0, 4),
    riffSize: buf.readUInt32LE(4),
    wave: buf.toString('ascii', 8, 12),
    fmt: buf.toString('ascii', 12, 16),
    fmtSize: buf.readUInt32LE(16),
    format: buf.readUInt16LE(20),
    channels: buf.readUInt16LE(22),
    rate: buf.readUInt32LE(24),
    byteRate: buf.readUInt32LE(28),
    blockAlign: buf.readUInt16LE(32),
    bits: buf.readUInt16LE(34),
    data: buf.toString('ascii', 36, 40),
    dataSize: buf.readUInt32LE(40),
  };
}
