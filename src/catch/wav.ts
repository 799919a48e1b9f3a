/**
 * The canonical 44-byte WAV header for PCM16 mono, built and parsed by hand.
 *
 * Layout (Microsoft RIFF/WAVE, "fmt " chunk of 16 bytes, WAVE_FORMAT_PCM = 1), all
 * integers little-endian:
 *
 * | offset | bytes | field                                   |
 * | ------ | ----- | --------------------------------------- |
 * | 0      | 4     | "RIFF"                                  |
 * | 4      | 4     | RIFF size = 36 + data size              |
 * | 8      | 4     | "WAVE"                                  |
 * | 12     | 4     | "fmt "                                  |
 * | 16     | 4     | fmt size = 16                           |
 * | 20     | 2     | audio format = 1 (PCM)                  |
 * | 22     | 2     | channels                                |
 * | 24     | 4     | sample rate (Hz)                        |
 * | 28     | 4     | byte rate = rate × channels × bits / 8  |
 * | 32     | 2     | block align = channels × bits / 8       |
 * | 34     | 2     | bits per sample = 16                    |
 * | 36     | 4     | "data"                                  |
 * | 40     | 4     | data size (bytes)                       |
 */

/** Size of the header in bytes; audio starts at this offset. */
export const WAV_HEADER_BYTES = 44;
/** Largest data size a 32-bit RIFF size field can describe (bytes). */
export const WAV_MAX_DATA_BYTES = 0xffff_ffff - 36;

/** The fields of a canonical PCM WAV header. */
export interface WavFormat {
  /** Samples per second (Hz). */
  sampleRate: number;
  /** Always 1 for voicectl catch. */
  channels: number;
  /** Always 16 for voicectl catch. */
  bitsPerSample: number;
}

/** A parsed header: the format plus the sizes it claims. */
export interface WavHeader extends WavFormat {
  /** RIFF chunk size (bytes) = 36 + dataBytes for a canonical file. */
  riffSize: number;
  /** 1 = PCM. */
  audioFormat: number;
  /** Bytes per second. */
  byteRate: number;
  /** Bytes per sample frame (all channels). */
  blockAlign: number;
  /** Data chunk size (bytes). */
  dataBytes: number;
}

/**
 * Build the 44-byte header for `dataBytes` of PCM16 mono audio at `sampleRate` Hz.
 * @throws RangeError when `dataBytes` is negative, odd or above {@link WAV_MAX_DATA_BYTES}.
 */
export function wavHeader(sampleRate: number, dataBytes: number, channels = 1, bitsPerSample = 16): Buffer {
  if (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes > WAV_MAX_DATA_BYTES) {
    throw new RangeError(`WAV data size out of range: ${dataBytes}`);
  }
  const blockAlign = (channels * bitsPerSample) / 8;
  if (dataBytes % blockAlign !== 0) throw new RangeError(`WAV data size ${dataBytes} is not a whole number of samples`);
  const b = Buffer.alloc(WAV_HEADER_BYTES);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * blockAlign, 28);
  b.writeUInt16LE(blockAlign, 32);
  b.writeUInt16LE(bitsPerSample, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(dataBytes, 40);
  return b;
}

/**
 * Parse a canonical 44-byte PCM header (the only layout voicectl writes and appends to).
 * @returns the header, or `undefined` when `buf` is not such a header (too short, not
 *   RIFF/WAVE, an extended fmt chunk, or the data chunk not at offset 36).
 */
export function parseWavHeader(buf: Uint8Array): WavHeader | undefined {
  if (buf.length < WAV_HEADER_BYTES) return undefined;
  const b = Buffer.from(buf.buffer, buf.byteOffset, WAV_HEADER_BYTES);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  if (b.toString('ascii', 12, 16) !== 'fmt ' || b.readUInt32LE(16) !== 16) return undefined;
  if (b.toString('ascii', 36, 40) !== 'data') return undefined;
  return {
    riffSize: b.readUInt32LE(4),
    audioFormat: b.readUInt16LE(20),
    channels: b.readUInt16LE(22),
    sampleRate: b.readUInt32LE(24),
    byteRate: b.readUInt32LE(28),
    blockAlign: b.readUInt16LE(32),
    bitsPerSample: b.readUInt16LE(34),
    dataBytes: b.readUInt32LE(40),
  };
}

/** True when `h` is PCM16 mono (what `catch` writes). */
export function isPcm16Mono(h: WavHeader): boolean {
  return h.audioFormat === 1 && h.channels === 1 && h.bitsPerSample === 16 && h.blockAlign === 2;
}

/** Duration in seconds of `bytes` of PCM16 mono at `sampleRate` Hz. */
export function pcm16Seconds(bytes: number, sampleRate: number): number {
  return bytes / (2 * sampleRate);
}
