import { describe, expect, it } from 'vitest';
import { ACS_STOP_AUDIO_FRAME, acsAudioFrameBytes, parseAcsFrame } from '../../src/bridge/acs-frames.js';
import { base64ByteLength, isBase64 } from '../../src/bridge/base64.js';

const audio = (data: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ kind: 'AudioData', audioData: { timestamp: '2026-01-01T00:00:00Z', participantRawID: '8:acs:x', data, silent: false, ...extra } });

describe('parseAcsFrame', () => {
  it('parses AudioMetadata (camelCase, as ACS sends it)', () => {
    const f = parseAcsFrame(
      JSON.stringify({ kind: 'AudioMetadata', audioMetadata: { subscriptionId: 's1', encoding: 'PCM', sampleRate: 24000, channels: 1, length: 960 } }),
    );
    expect(f).toEqual({ kind: 'metadata', sampleRate: 24000, channels: 1, subscriptionId: 's1' });
  });

  it('parses AudioData, keeping the base64 string as is and the participantRawID', () => {
    expect(parseAcsFrame(audio('AAAAAA==', { silent: true }))).toEqual({ kind: 'audio', data: 'AAAAAA==', silent: true, participantRawId: '8:acs:x' });
  });

  it('accepts PascalCase (what .NET emitters write) and DtmfData', () => {
    expect(parseAcsFrame('{"Kind":"AudioData","AudioData":{"Data":"AAAAAA=="}}')).toEqual({ kind: 'audio', data: 'AAAAAA==', silent: false });
    expect(parseAcsFrame('{"kind":"DtmfData","dtmfData":{"data":"3"}}')).toEqual({ kind: 'dtmf', digit: '3' });
    expect(parseAcsFrame('{"kind":"TranscriptionData","transcriptionData":{}}')).toEqual({ kind: 'ignored', type: 'TranscriptionData' });
  });

  it.each([
    ['{not json', 'not JSON'],
    ['[1,2]', 'not a JSON object'],
    ['"AudioData"', 'not a JSON object'],
    ['{"audioData":{}}', 'no kind'],
    ['{"kind":"Video","video":{}}', 'unknown kind Video'],
    ['{"kind":"AudioData"}', 'AudioData without audioData'],
    [audio(undefined), 'AudioData without data'],
    [audio(''), 'AudioData without data'],
    [audio(42), 'AudioData without data'],
    [audio('not base64!'), 'AudioData data is not base64'],
    [audio('AAA'), 'AudioData data is not base64'],
    [audio('AA=='), 'AudioData has an odd byte count (not PCM16)'],
    ['{"kind":"DtmfData","dtmfData":{}}', 'DtmfData without data'],
  ])('%s is malformed: %s', (text, reason) => {
    expect(parseAcsFrame(text)).toEqual({ kind: 'malformed', reason });
  });

  it.each([
    [{ sampleRate: 8000 }, 'unsupported sampleRate 8000 (16000 or 24000)'],
    [{ sampleRate: 16000, channels: 2 }, 'unsupported channels 2 (mono only)'],
    [{ sampleRate: 16000, encoding: 'OPUS' }, 'unsupported encoding OPUS (PCM only)'],
  ])('AudioMetadata %o is unsupported', (meta, reason) => {
    expect(parseAcsFrame(JSON.stringify({ kind: 'AudioMetadata', audioMetadata: meta }))).toEqual({ kind: 'unsupported', reason });
  });
});

describe('outbound frames and base64 helpers', () => {
  it('builds AudioData and StopAudio in the camelCase shape ACS accepts', () => {
    expect(JSON.parse(acsAudioFrameBytes('AAEC').toString())).toEqual({ kind: 'AudioData', audioData: { data: 'AAEC' } });
    expect(JSON.parse(ACS_STOP_AUDIO_FRAME)).toEqual({ kind: 'StopAudio', stopAudio: {} });
  });

  it('measures decoded length without decoding, and checks base64', () => {
    for (const n of [0, 1, 2, 3, 640, 961]) expect(base64ByteLength(Buffer.alloc(n, 7).toString('base64'))).toBe(n);
    expect(isBase64('AAEC')).toBe(true);
    expect(isBase64('AAE')).toBe(false);
    expect(isBase64('AA-_')).toBe(false);
  });

  it('isBase64 agrees with /^[A-Za-z0-9+/]*={0,2}$/ (and a length multiple of 4) on random and adversarial strings', () => {
    const regex = (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    // What Node's base64 decoder skips, stops at or reads as something else: padding in the
    // middle, base64url, whitespace, quotes and escapes, controls, Latin-1, and UTF-16 units
    // whose low byte is a base64 letter (U+0141 → 0x41 'A').
    const ODD = ['=', '-', '_', ' ', '\n', '\t', '.', '"', '\\', '\u0000', '\u007f', '\u0080', '\u00c1', '\u00ff', '\u0100', '\u0141', '\u2028', '\ud83d', '%'];
    let seed = 7;
    const rnd = (k: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % k;
    let valid = 0;
    for (let t = 0; t < 200_000; t++) {
      const n = rnd(4) === 0 ? rnd(13) : 4 * rnd(6);
      const clean = rnd(2) === 0;
      let s = '';
      for (let i = 0; i < n; i++) s += clean && rnd(10) > 0 ? ALPHABET[rnd(64)] : rnd(3) === 0 ? ALPHABET[rnd(64)] : ODD[rnd(ODD.length)];
      if (rnd(3) === 0 && n >= 2) s = s.slice(0, n - 1 - rnd(2)).padEnd(n, '=');
      const expected = regex(s);
      if (expected) valid++;
      if (isBase64(s) !== expected) expect({ s, isBase64: isBase64(s) }).toEqual({ s, isBase64: expected });
    }
    expect(valid).toBeGreaterThan(20_000); // the corpus holds valid strings too, not only refusals
    // Real frame sizes, and a payload longer than the scratch (the regular expression's turn).
    for (const bytes of [960, 640, 160, 64_000]) {
      const b64 = Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 37) & 0xff)).toString('base64');
      expect(isBase64(b64)).toBe(true);
      expect(isBase64(`${b64.slice(0, 100)}\u0141${b64.slice(101)}`)).toBe(false);
      expect(isBase64(`${b64.slice(0, 100)}-${b64.slice(101)}`)).toBe(false);
    }
  });
});
