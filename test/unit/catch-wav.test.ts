import { describe, expect, it } from 'vitest';
import { SampleAligner } from '../../src/catch/align.js';
import { WAV_HEADER_BYTES, isPcm16Mono, parseWavHeader, pcm16Seconds, wavHeader } from '../../src/catch/wav.js';

describe('wavHeader', () => {
  it('writes the canonical 44-byte PCM16 mono header', () => {
    const h = wavHeader(8000, 1600);
    expect(h.length).toBe(WAV_HEADER_BYTES);
    expect(h.toString('hex')).toBe(
      [
        '52494646', // RIFF
        '64060000', // 36 + 1600 = 1636
        '57415645', // WAVE
        '666d7420', // "fmt "
        '10000000', // 16
        '0100', // PCM
        '0100', // mono
        '401f0000', // 8000 Hz
        '803e0000', // 16000 bytes/s
        '0200', // block align
        '1000', // 16 bits
        '64617461', // data
        '40060000', // 1600
      ].join(''),
    );
  });

  it('round-trips through parseWavHeader', () => {
    expect(parseWavHeader(wavHeader(16000, 320))).toEqual({
      riffSize: 356,
      audioFormat: 1,
      channels: 1,
      sampleRate: 16000,
      byteRate: 32000,
      blockAlign: 2,
      bitsPerSample: 16,
      dataBytes: 320,
    });
    expect(isPcm16Mono(parseWavHeader(wavHeader(8000, 0))!)).toBe(true);
  });

  it('refuses sizes that are not whole samples or too large', () => {
    expect(() => wavHeader(8000, 3)).toThrow('WAV data size 3 is not a whole number of samples');
    expect(() => wavHeader(8000, -2)).toThrow('WAV data size out of range: -2');
    expect(() => wavHeader(8000, 2 ** 32)).toThrow('WAV data size out of range: 4294967296');
  });

  it('parseWavHeader rejects what is not a canonical header', () => {
    expect(parseWavHeader(Buffer.alloc(10))).toBeUndefined();
    expect(parseWavHeader(Buffer.from('not a wav file at all, definitely not one!!!'))).toBeUndefined();
    const ext = wavHeader(8000, 0);
    ext.writeUInt32LE(18, 16); // extended fmt chunk
    expect(parseWavHeader(ext)).toBeUndefined();
    const stereo = wavHeader(8000, 0, 2);
    expect(isPcm16Mono(parseWavHeader(stereo)!)).toBe(false);
  });

  it('pcm16Seconds converts bytes to seconds', () => {
    expect(pcm16Seconds(16000, 8000)).toBe(1);
    expect(pcm16Seconds(320, 8000)).toBe(0.02);
  });
});

describe('SampleAligner', () => {
  const join = (chunks: Buffer[]): number[] => [...Buffer.concat(chunks)];

  it('passes even chunks through unchanged', () => {
    const a = new SampleAligner();
    expect([...a.push(Buffer.from([1, 2, 3, 4]))]).toEqual([1, 2, 3, 4]);
    expect(a.pending).toBe(0);
  });

  it('carries the odd byte into the next message', () => {
    const a = new SampleAligner();
    const out = [a.push(Buffer.from([1, 2, 3])), a.push(Buffer.from([4, 5])), a.push(Buffer.from([6]))];
    expect(out.map((b) => b.length)).toEqual([2, 2, 2]);
    expect(join(out)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.pending).toBe(0);
  });

  it('keeps any split of a byte stream in the original order', () => {
    const bytes = Array.from({ length: 101 }, (_, i) => i);
    const sizes = [1, 1, 3, 0, 7, 2, 5, 1, 81];
    const a = new SampleAligner();
    const out: Buffer[] = [];
    let off = 0;
    for (const n of sizes) {
      const b = a.push(Buffer.from(bytes.slice(off, off + n)));
      expect(b.length % 2).toBe(0);
      out.push(b);
      off += n;
    }
    expect(join(out)).toEqual(bytes.slice(0, 100));
    expect(a.pending).toBe(1);
  });
});
