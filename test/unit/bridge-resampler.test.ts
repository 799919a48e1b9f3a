import { describe, expect, it } from 'vitest';
import { createPcmResampler } from '../../src/bridge/resampler.js';
import { samplesOf, toneFrames, toneShare, zeroCrossingRate } from '../helpers/acs-media-client.js';

describe('createPcmResampler (libsamplerate, streaming)', () => {
  it('16k → 24k keeps a 1 kHz tone at 1 kHz and the stream length at the ratio', async () => {
    const rs = await createPcmResampler(16000, 24000);
    const out = toneFrames(16000, 1000, 50).map((f) => rs.process(f));
    rs.destroy();
    const s = samplesOf(out);
    expect(Math.abs(s.length - 24000)).toBeLessThan(200); // 1 s in, ~1 s out (filter delay aside)
    const steady = s.subarray(2400);
    expect(toneShare(steady, 24000, 1000)).toBeGreaterThan(0.45); // ≈0.5 for a pure tone
    expect(toneShare(steady, 24000, 1500)).toBeLessThan(0.01); // not at 16k/24k-shifted pitch
    expect(zeroCrossingRate(steady, 24000)).toBeCloseTo(2000, -1);
  });

  it('24k → 16k keeps a 440 Hz tone at 440 Hz and removes a 10 kHz tone (band-limited)', async () => {
    const rs = await createPcmResampler(24000, 16000);
    const s = samplesOf(toneFrames(24000, 440, 50).map((f) => rs.process(f))).subarray(1600);
    expect(toneShare(s, 16000, 440)).toBeGreaterThan(0.45);
    const rs2 = await createPcmResampler(24000, 16000);
    const alias = samplesOf(toneFrames(24000, 10000, 50).map((f) => rs2.process(f))).subarray(1600);
    let peak = 0;
    for (const x of alias) peak = Math.max(peak, Math.abs(x));
    expect(peak).toBeLessThan(200); // 10 kHz is above the 8 kHz Nyquist: filtered out, not folded to 6 kHz
    rs.destroy();
    rs2.destroy();
  });
});
