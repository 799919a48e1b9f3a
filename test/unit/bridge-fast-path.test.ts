import { describe, expect, it } from 'vitest';
import { acsAudioFrameAround, acsAudioFrameBytes, parseAcsFrame } from '../../src/bridge/acs-frames.js';
import { base64ByteLength, isBase64 } from '../../src/bridge/base64.js';
import { fastAcsAudio, fastModelAudioDelta, type FastAcsAudio, type FastAudioDelta } from '../../src/bridge/fast-path.js';
import { payloadString } from '../../src/bridge/payload.js';
import { normalizeServerEvent } from '../../src/bridge/realtime-protocol.js';
import { mutate, prng } from '../helpers/json-fuzz.js';

/** base64 of `bytes` bytes of pseudo-random PCM (so '+' and '/' occur, as in real speech). */
function pcmB64(bytes: number, seed = 1): string {
  const r = prng(seed);
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = Math.floor(r() * 256);
  return b.toString('base64');
}

const B64_24K = pcmB64(960); // 20 ms at 24 kHz: 1280 chars
const B64_16K = pcmB64(640, 2); // 20 ms at 16 kHz: 856 chars, ends in '=='
const TS = '2026-12-04T15:20:00.020Z';
const PID = '8:acs:11111111-2222-3333-4444-555555555555_00000022-aaaa-bbbb-cccc-0123456789ab';

/** An AudioData frame exactly as ACS emits it: kind, audioData{timestamp, participantRawID, data, silent}. */
const acsFrame = (data: string, silent = false): string =>
  `{"kind":"AudioData","audioData":{"timestamp":"${TS}","participantRawID":"${PID}","data":"${data}","silent":${silent}}}`;

/** A GA delta as the service emits it (type first, then event_id, ids, indexes, delta). */
const gaDelta = (delta: string, type = 'response.output_audio.delta'): string =>
  `{"type":"${type}","event_id":"event_CQ3k1","response_id":"resp_CQ3k0","item_id":"item_CQ3jz","output_index":0,"content_index":0,"delta":"${delta}"}`;

/** A fast reader's result in the full parser's shape: the payload as a string (undefined stays undefined). */
function acsOf(f: FastAcsAudio | undefined): { data: string; silent: boolean } | undefined {
  return f && { data: payloadString(f), silent: f.silent };
}
function deltaOf(f: FastAudioDelta | undefined): object | undefined {
  if (f === undefined) return undefined;
  const { msg: _msg, start: _start, end: _end, ...ids } = f;
  return { delta: payloadString(f), ...ids };
}

/** Contract for ACS: a fast value is exactly the slow parser's audio verdict. Returns true when fast took it. */
function checkAcs(text: string): boolean {
  const fast = fastAcsAudio(Buffer.from(text));
  if (fast === undefined) return false;
  const slow = parseAcsFrame(text);
  if (slow.kind !== 'audio') throw new Error(`fast accepted what slow calls ${slow.kind}: ${JSON.stringify(text.slice(0, 200))}`);
  expect(acsOf(fast)).toStrictEqual({ data: slow.data, silent: slow.silent });
  return true;
}

/** The bridge's slow path for a model message: JSON.parse, normalise, then the base64 PCM16 check before forwarding. */
function slowModel(text: string): { verdict: 'not JSON' | 'other' | 'invalid delta' } | { verdict: 'audio'; fields: object } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { verdict: 'not JSON' };
  }
  const ev = normalizeServerEvent(doc);
  if (ev.type !== 'audio') return { verdict: 'other' };
  if (!isBase64(ev.delta) || base64ByteLength(ev.delta) % 2 !== 0) return { verdict: 'invalid delta' };
  const { type: _type, ...fields } = ev;
  return { verdict: 'audio', fields };
}

/** Contract for the model: a fast value is exactly the slow path's audio event (minus its type), and forwardable. */
function checkModel(text: string): boolean {
  const fast = fastModelAudioDelta(Buffer.from(text));
  if (fast === undefined) return false;
  const slow = slowModel(text);
  if (slow.verdict !== 'audio') throw new Error(`fast accepted what slow calls ${slow.verdict}: ${JSON.stringify(text.slice(0, 200))}`);
  expect(deltaOf(fast)).toStrictEqual(slow.fields);
  expect(fast.end).toBeGreaterThan(fast.start);
  return true;
}

describe('fastAcsAudio takes real ACS frames', () => {
  it.each([
    ['24 kHz, 20 ms (960 bytes)', acsFrame(B64_24K), B64_24K, false],
    ['16 kHz, 20 ms (640 bytes, padded)', acsFrame(B64_16K), B64_16K, false],
    ['a silent frame', acsFrame('A'.repeat(1280), true), 'A'.repeat(1280), true],
    ['no timestamp/participant (outbound shape)', `{"kind":"AudioData","audioData":{"data":"${B64_16K}"}}`, B64_16K, false],
    ['participantRawID null', `{"kind":"AudioData","audioData":{"timestamp":"${TS}","participantRawID":null,"data":"AQIDBA==","silent":true}}`, 'AQIDBA==', true],
    ['JSON.stringify of the ACS object', JSON.stringify({ kind: 'AudioData', audioData: { timestamp: TS, participantRawID: '8:acs:caller', data: B64_24K, silent: false } }), B64_24K, false],
    ['1 MiB of audio', acsFrame(pcmB64(3 * 2 ** 18)), pcmB64(3 * 2 ** 18), false],
  ])('%s', (_name, text, data, silent) => {
    expect(acsOf(fastAcsAudio(Buffer.from(text)))).toStrictEqual({ data, silent });
    expect(checkAcs(text)).toBe(true);
  });
});

describe('fastAcsAudio leaves everything else to parseAcsFrame, whose verdict stands', () => {
  const base = `{"kind":"AudioData","audioData":{"timestamp":"${TS}","participantRawID":"8:acs:x","data":"AQIDBA==","silent":false}}`;
  it.each([
    ['fields reordered (data first)', '{"kind":"AudioData","audioData":{"data":"AQIDBA==","timestamp":"t","silent":true}}', 'audio'],
    ['kind after audioData', '{"audioData":{"data":"AQIDBA=="},"kind":"AudioData"}', 'audio'],
    ['an extra field in audioData', '{"kind":"AudioData","audioData":{"data":"AQIDBA==","silent":false,"x":1}}', 'audio'],
    ['an extra top-level field', '{"kind":"AudioData","audioData":{"data":"AQIDBA=="},"stopAudio":{}}', 'audio'],
    ['PascalCase', '{"Kind":"AudioData","AudioData":{"Data":"AQIDBA==","Silent":true}}', 'audio'],
    ['kind in another case', '{"kind":"audioData","audioData":{"data":"AQIDBA=="}}', 'audio'],
    ['participantRawId (lower-case d)', '{"kind":"AudioData","audioData":{"participantRawId":"x","data":"AQIDBA=="}}', 'audio'],
    ['missing data', `{"kind":"AudioData","audioData":{"timestamp":"${TS}","silent":false}}`, 'malformed'],
    ['empty data', '{"kind":"AudioData","audioData":{"data":""}}', 'malformed'],
    ['data null', '{"kind":"AudioData","audioData":{"data":null}}', 'malformed'],
    ['data a number', '{"kind":"AudioData","audioData":{"data":1234}}', 'malformed'],
    ['non-base64 data', base.replace('AQIDBA==', 'AA-A'), 'malformed'],
    ['base64url data', base.replace('AQIDBA==', 'AA_A'), 'malformed'],
    ['data length not a multiple of 4', base.replace('AQIDBA==', 'AQIDBA=A'), 'malformed'],
    ['odd byte count', base.replace('AQIDBA==', 'AA=='), 'malformed'],
    ['\\u0041 in data (JSON.parse decodes it)', base.replace('AQIDBA==', '\\u0041QIDBA=='), 'audio'],
    ['\\/ in data', base.replace('AQIDBA==', 'AQ\\/DBA=='), 'audio'],
    ['\\" in data', base.replace('AQIDBA==', 'AA\\"A'), 'malformed'],
    ['an escaped quote in timestamp hiding a "data" key', base.replace(TS, '\\",\\"data\\":\\"BQYHCA=='), 'audio'],
    ['duplicate data key (JSON.parse keeps the last)', '{"kind":"AudioData","audioData":{"data":"AQIDBA==","data":"BQYHCA=="}}', 'audio'],
    ['duplicate audioData', '{"kind":"AudioData","audioData":{"data":"AQIDBA=="},"audioData":{"data":"BQYHCA=="}}', 'audio'],
    ['duplicate timestamp', `{"kind":"AudioData","audioData":{"timestamp":"a","timestamp":"b","data":"AQIDBA=="}}`, 'audio'],
    ['a nested object as timestamp', '{"kind":"AudioData","audioData":{"timestamp":{"data":"BQYHCA=="},"data":"AQIDBA=="}}', 'audio'],
    ['silent as a string', base.replace('"silent":false', '"silent":"true"'), 'audio'],
    ['silent null', base.replace('"silent":false', '"silent":null'), 'audio'],
    ['timestamp as a number', base.replace(`"${TS}"`, '1e999'), 'audio'],
    ['a raw control character in participantRawID', base.replace('8:acs:x', '8:acs:\u0001'), 'malformed'],
    ['U+2028 and é in participantRawID (bytes outside ASCII)', base.replace('8:acs:x', '8:acs:\u2028é'), 'audio'],
    ['é in data (two UTF-8 bytes)', base.replace('AQIDBA==', 'AQé\u00e9BA=='), 'malformed'],
    ['U+0141 in data (its low byte is "A")', base.replace('AQIDBA==', 'AQ\u0141DBA=='), 'malformed'],
    ['a raw newline in timestamp', base.replace(TS, 'a\nb'), 'malformed'],
    ['trailing garbage', `${base}x`, 'malformed'],
    ['a trailing brace', `${base}}`, 'malformed'],
    ['trailing whitespace', `${base}\n`, 'audio'],
    ['leading whitespace', ` ${base}`, 'audio'],
    ['a leading BOM', `\ufeff${base}`, 'malformed'],
    ['whitespace after a colon', base.replace('"data":', '"data": '), 'audio'],
    ['pretty-printed', JSON.stringify(JSON.parse(base), null, 2), 'audio'],
    ['truncated before the end', base.slice(0, -1), 'malformed'],
    ['truncated inside data', base.slice(0, base.indexOf('AQIDBA==') + 2), 'malformed'],
    ['audioData an array', '{"kind":"AudioData","audioData":["AQIDBA=="]}', 'malformed'],
    ['AudioMetadata', '{"kind":"AudioMetadata","audioMetadata":{"subscriptionId":"s","encoding":"PCM","sampleRate":16000,"channels":1,"length":640}}', 'metadata'],
    ['DtmfData', '{"kind":"DtmfData","dtmfData":{"data":"3"}}', 'dtmf'],
  ])('%s', (_name, text, slowKind) => {
    expect(fastAcsAudio(Buffer.from(text))).toBeUndefined();
    expect(parseAcsFrame(text).kind).toBe(slowKind);
  });

  it.each([
    ['a "data" key inside a plain string', `{"kind":"AudioData","audioData":{"timestamp":"data:BQYHCA==","participantRawID":"data","data":"AQIDBA=="}}`, 'AQIDBA=='],
  ])('agrees with the slow path: %s', (_name, text, data) => {
    expect(acsOf(fastAcsAudio(Buffer.from(text)))).toStrictEqual({ data, silent: false });
    expect(checkAcs(text)).toBe(true);
  });
});

describe('the fast paths end to end', () => {
  it('a delta read on the fast path becomes an ACS frame the ACS fast path reads back unchanged', () => {
    const ev = fastModelAudioDelta(Buffer.from(gaDelta(B64_24K)));
    expect(payloadString(ev!)).toBe(B64_24K);
    expect(acsOf(fastAcsAudio(acsAudioFrameBytes(payloadString(ev!))))).toStrictEqual({ data: B64_24K, silent: false });
  });

  it('the same frame built inside the delta is byte for byte the one built from the string', () => {
    const ev = fastModelAudioDelta(Buffer.from(gaDelta(B64_24K)));
    const inPlace = acsAudioFrameAround(ev!);
    const { msg } = ev!;
    expect(inPlace.buffer === msg.buffer && inPlace.byteOffset >= msg.byteOffset).toBe(true); // a view of the delta's bytes
    expect(inPlace.equals(acsAudioFrameBytes(B64_24K))).toBe(true);
    expect(acsOf(fastAcsAudio(inPlace))).toStrictEqual({ data: B64_24K, silent: false });
  });
});

describe('fastModelAudioDelta takes real Realtime deltas', () => {
  const all = { delta: B64_24K, responseId: 'resp_CQ3k0', itemId: 'item_CQ3jz', outputIndex: 0, contentIndex: 0 };
  it.each([
    ['GA, as the service emits it', gaDelta(B64_24K), all],
    ['preview', gaDelta(B64_24K, 'response.audio.delta'), all],
    [
      'event_id first (the test fake and JSON.stringify of a spread)',
      JSON.stringify({ event_id: 'evt_1', type: 'response.output_audio.delta', response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 2, delta: B64_16K }),
      { delta: B64_16K, responseId: 'resp_1', itemId: 'item_1', outputIndex: 0, contentIndex: 2 },
    ],
    ['delta first, big indexes', `{"delta":"AQIDBA==","content_index":123456789012345,"type":"response.audio.delta"}`, { delta: 'AQIDBA==', contentIndex: 123456789012345 }],
    ['type and delta only', '{"type":"response.output_audio.delta","delta":"AQIDBA=="}', { delta: 'AQIDBA==' }],
    ['unknown flat fields are skipped', '{"type":"response.output_audio.delta","obfuscation":"x","n":7,"__proto__":"p","delta":"AQIDBA=="}', { delta: 'AQIDBA==' }],
  ])('%s', (_name, text, fields) => {
    expect(deltaOf(fastModelAudioDelta(Buffer.from(text)))).toStrictEqual(fields);
    expect(checkModel(text)).toBe(true);
  });
});

describe('fastModelAudioDelta leaves everything else to the full parser, whose verdict stands', () => {
  const base = gaDelta('AQIDBA==');
  it.each([
    ['content_index 1e999', base.replace('"content_index":0', '"content_index":1e999'), 'audio'],
    ['content_index -0', base.replace('"content_index":0', '"content_index":-0'), 'audio'],
    ['content_index -1', base.replace('"content_index":0', '"content_index":-1'), 'audio'],
    ['content_index 1.5', base.replace('"content_index":0', '"content_index":1.5'), 'audio'],
    ['content_index 0.0', base.replace('"content_index":0', '"content_index":0.0'), 'audio'],
    ['content_index 16 digits (past safe integers)', base.replace('"content_index":0', '"content_index":9007199254740993'), 'audio'],
    ['content_index 01', base.replace('"content_index":0', '"content_index":01'), 'not JSON'],
    ['content_index as a string', base.replace('"content_index":0', '"content_index":"0"'), 'audio'],
    ['response_id as a number', base.replace('"resp_CQ3k0"', '7'), 'audio'],
    ['response_id null', base.replace('"resp_CQ3k0"', 'null'), 'audio'],
    ['an unknown field true', base.replace('"event_id":"event_CQ3k1"', '"x":true'), 'audio'],
    ['an unknown nested object holding a delta', base.replace('"event_id":"event_CQ3k1"', '"x":{"delta":"BQYHCA=="}'), 'audio'],
    ['an unknown array', base.replace('"event_id":"event_CQ3k1"', '"x":[1]'), 'audio'],
    ['duplicate delta (JSON.parse keeps the last)', base.replace('}', ',"delta":"BQYHCA=="}'), 'audio'],
    ['duplicate type, the last not audio', base.replace('}', ',"type":"response.done"}'), 'other'],
    ['duplicate item_id', base.replace('}', ',"item_id":"item_2"}'), 'audio'],
    ['a text delta', base.replace('response.output_audio.delta', 'response.output_text.delta'), 'other'],
    ['an escaped type', base.replace('response.output_audio.delta', 'response.output_audio.delt\\u0061'), 'audio'],
    ['an escaped key', base.replace('"delta"', '"d\\u0065lta"'), 'audio'],
    ['\\u0041 in delta', base.replace('"AQIDBA=="', '"\\u0041QIDBA=="'), 'audio'],
    ['\\/ in delta', base.replace('"AQIDBA=="', '"AQ\\/DBA=="'), 'audio'],
    ['\\u002B in delta (how .NET escapes +)', base.replace('"AQIDBA=="', '"AQ\\u002BDBA=="'), 'audio'],
    ['an escaped quote in event_id hiding a delta', base.replace('event_CQ3k1', '\\",\\"delta\\":\\"BQYHCA=='), 'audio'],
    ['non-base64 delta', base.replace('"AQIDBA=="', '"AA-A"'), 'invalid delta'],
    ['odd byte count', base.replace('"AQIDBA=="', '"AA=="'), 'invalid delta'],
    ['empty delta', base.replace('"AQIDBA=="', '""'), 'audio'],
    ['delta null', base.replace('"AQIDBA=="', 'null'), 'other'],
    ['no delta', '{"type":"response.output_audio.delta","response_id":"r"}', 'other'],
    ['no type', '{"response_id":"r","delta":"AQIDBA=="}', 'other'],
    ['a raw control character in event_id', base.replace('event_CQ3k1', 'event\u0007'), 'not JSON'],
    ['é in event_id (bytes outside ASCII)', base.replace('event_CQ3k1', 'évent'), 'audio'],
    ['é in item_id', base.replace('item_CQ3jz', 'itém'), 'audio'],
    ['é in delta', base.replace('"AQIDBA=="', '"AQIéBA=="'), 'invalid delta'],
    ['trailing garbage', `${base}x`, 'not JSON'],
    ['a second object', `${base}{}`, 'not JSON'],
    ['trailing whitespace', `${base} `, 'audio'],
    ['leading whitespace', `\n${base}`, 'audio'],
    ['a leading BOM', `\ufeff${base}`, 'not JSON'],
    ['a space after a comma', base.replace(',"delta"', ', "delta"'), 'audio'],
    ['pretty-printed', JSON.stringify(JSON.parse(base), null, 1), 'audio'],
    ['truncated', base.slice(0, -1), 'not JSON'],
    ['truncated inside delta', base.slice(0, -4), 'not JSON'],
    ['a trailing comma', base.replace('}', ',}'), 'not JSON'],
    ['an array', `[${base}]`, 'other'],
  ])('%s', (_name, text, slowVerdict) => {
    expect(fastModelAudioDelta(Buffer.from(text))).toBeUndefined();
    expect(slowModel(text).verdict).toBe(slowVerdict);
  });

  it('normalises -0 as 0 and drops out-of-range indexes on the slow path', () => {
    const ev = normalizeServerEvent(JSON.parse(base.replace('"content_index":0', '"content_index":-0').replace('"output_index":0', '"output_index":1e999')));
    expect(ev).toStrictEqual({ type: 'audio', delta: 'AQIDBA==', responseId: 'resp_CQ3k0', itemId: 'item_CQ3jz', contentIndex: 0 });
    expect(Object.is((ev as { contentIndex?: number }).contentIndex, 0)).toBe(true);
  });
});

describe('deterministic fuzz: mutated frames never get a different verdict on the fast path', () => {
  it('ACS AudioData: 4000 mutations', () => {
    const r = prng(0xacdc);
    const seeds = [acsFrame('AAAAAAAA'), acsFrame('AB+/AA==', true), '{"kind":"AudioData","audioData":{"data":"AQIDBA=="}}', acsFrame(pcmB64(12, 3))];
    let fast = 0;
    let slowAudio = 0;
    for (let i = 0; i < 4000; i++) {
      const text = mutate(seeds[i % seeds.length]!, r);
      if (checkAcs(text)) fast += 1;
      if (parseAcsFrame(text).kind === 'audio') slowAudio += 1;
    }
    // Both kinds of outcome occur, so the fuzz exercises the accept and the fall-back paths.
    expect(fast).toBeGreaterThan(200);
    expect(slowAudio).toBeGreaterThan(fast);
  });

  it('Realtime deltas: 4000 mutations', () => {
    const r = prng(0xbeef);
    const seeds = [gaDelta('AAAAAAAA'), gaDelta('AB+/AA==', 'response.audio.delta'), '{"type":"response.output_audio.delta","delta":"AQIDBA=="}', gaDelta(pcmB64(12, 4))];
    let fast = 0;
    let slowAudio = 0;
    for (let i = 0; i < 4000; i++) {
      const text = mutate(seeds[i % seeds.length]!, r);
      if (checkModel(text)) fast += 1;
      if (slowModel(text).verdict === 'audio') slowAudio += 1;
    }
    expect(fast).toBeGreaterThan(200);
    expect(slowAudio).toBeGreaterThan(fast);
  });
});
