import { describe, expect, it } from 'vitest';
import { ACS_STOP_AUDIO_FRAME, acsAudioFrame, base64ByteLength, isBase64, parseAcsFrame } from '../../src/bridge/acs-frames.js';

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
    expect(JSON.parse(acsAudioFrame('AAEC'))).toEqual({ kind: 'AudioData', audioData: { data: 'AAEC' } });
    expect(JSON.parse(ACS_STOP_AUDIO_FRAME)).toEqual({ kind: 'StopAudio', stopAudio: {} });
  });

  it('measures decoded length without decoding, and checks base64', () => {
    for (const n of [0, 1, 2, 3, 640, 961]) expect(base64ByteLength(Buffer.alloc(n, 7).toString('base64'))).toBe(n);
    expect(isBase64('AAEC')).toBe(true);
    expect(isBase64('AAE')).toBe(false);
    expect(isBase64('AA-_')).toBe(false);
  });
});
