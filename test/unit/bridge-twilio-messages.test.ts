// The Twilio leg's fast reader of media messages against its full parser: whenever the fast
// reader returns a payload, the full parser's verdict is that same caller audio.
import { describe, expect, it } from 'vitest';
import { fastTwilioMedia, parseTwilioMessage } from '../../src/bridge/legs/twilio-messages.js';
import { payloadString } from '../../src/bridge/payload.js';
import { mutate, prng } from '../helpers/json-fuzz.js';

const SID = 'MZ18ad3ab5a668481ce02b83e7395059f0';
const ulaw = (bytes: number, seed: number): string => Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 37 + seed * 11) & 0xff)).toString('base64');
const P = ulaw(160, 1); // 20 ms at 8 kHz: 216 chars, '+' and '/' included

/** A media message as Twilio sends it (Twilio's documented example, compact). */
const twilioMedia = (payload: string, track = 'inbound'): string =>
  `{"event":"media","sequenceNumber":"3","media":{"track":"${track}","chunk":"1","timestamp":"5","payload":"${payload}"},"streamSid":"${SID}"}`;

/** The fast reader's payload as a string, or undefined. */
function fastPayload(text: string): string | undefined {
  const f = fastTwilioMedia(Buffer.from(text));
  return f && payloadString(f);
}

/** Contract: a fast payload is exactly the full parser's audio verdict. Returns true when fast took it. */
function check(text: string): boolean {
  const fast = fastPayload(text);
  if (fast === undefined) return false;
  const slow = parseTwilioMessage(Buffer.from(text).toString());
  if (slow.kind !== 'audio') throw new Error(`fast accepted what slow calls ${slow.kind}: ${JSON.stringify(text.slice(0, 200))}`);
  expect(fast).toBe(slow.payload);
  return true;
}

describe('fastTwilioMedia takes real media messages', () => {
  it.each([
    ['Twilio’s shape', twilioMedia(P), P],
    ['streamSid first, no sequenceNumber', `{"event":"media","streamSid":"${SID}","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"${P}"}}`, P],
    ['no track (one-track streams)', `{"event":"media","media":{"payload":"${P}","chunk":"2"},"streamSid":"${SID}"}`, P],
    ['media before event, numbers as integers', `{"media":{"timestamp":40,"payload":"${P}"},"event":"media","sequenceNumber":7}`, P],
    ['JSON.stringify of the object', JSON.stringify({ event: 'media', sequenceNumber: '3', media: { track: 'inbound', chunk: '1', timestamp: '5', payload: P }, streamSid: SID }), P],
    ['an odd byte count (μ-law has no sample pairs)', twilioMedia('AAAA'.repeat(3) + 'AA=='), 'AAAA'.repeat(3) + 'AA=='],
  ])('%s', (_name, text, payload) => {
    expect(fastPayload(text)).toBe(payload);
    expect(check(text)).toBe(true);
  });
});

describe('fastTwilioMedia leaves everything else to the full parser, whose verdict stands', () => {
  const base = twilioMedia('AQIDBA==');
  it.each([
    ['the outbound track', twilioMedia('AQIDBA==', 'outbound'), 'ignored'],
    ['track null', base.replace('"track":"inbound"', '"track":null'), 'ignored'],
    ['empty payload', twilioMedia(''), 'audio'],
    ['non-base64 payload', twilioMedia('AA-A'), 'malformed'],
    ['payload null', base.replace('"AQIDBA=="', 'null'), 'malformed'],
    ['no payload', `{"event":"media","media":{"track":"inbound"}}`, 'malformed'],
    ['no media', `{"event":"media","streamSid":"${SID}"}`, 'malformed'],
    ['\\u0041 in payload', twilioMedia('\\u0041QIDBA=='), 'audio'],
    ['\\/ in payload', twilioMedia('AQ\\/DBA=='), 'audio'],
    ['é in payload', twilioMedia('AQéDBA=='), 'malformed'],
    ['é in streamSid', base.replace(SID, 'MZé'), 'audio'],
    ['an escaped quote in streamSid hiding a media object', base.replace(SID, '\\",\\"media\\":{\\"payload\\":\\"BQYHCA==\\"}'), 'audio'],
    ['duplicate payload (JSON.parse keeps the last)', base.replace('"payload":', '"payload":"BQYHCA==","payload":'), 'audio'],
    ['duplicate media', base.replace('"streamSid"', '"media":{"payload":"BQYHCA=="},"streamSid"'), 'audio'],
    ['duplicate event, the last not media', `${base.slice(0, -1)},"event":"mark"}`, 'event'],
    ['duplicate track, the last outbound', base.replace('"chunk"', '"track":"outbound","chunk"'), 'ignored'],
    ['a mark', `{"event":"mark","streamSid":"${SID}","mark":{"name":"v3"}}`, 'event'],
    ['event in another case', base.replace('"event":"media"', '"event":"Media"'), 'event'],
    ['a nested object in media', base.replace('"chunk":"1"', '"chunk":{"n":1}'), 'audio'],
    ['whitespace after a colon', base.replace('"payload":', '"payload": '), 'audio'],
    ['pretty-printed', JSON.stringify(JSON.parse(base), null, 2), 'audio'],
    ['trailing garbage', `${base}x`, 'malformed'],
    ['trailing whitespace', `${base}\n`, 'audio'],
    ['a raw control character in chunk', base.replace('"chunk":"1"', '"chunk":"1\u0001"'), 'malformed'],
    ['sequenceNumber -1', base.replace('"sequenceNumber":"3"', '"sequenceNumber":-1'), 'audio'],
    ['truncated', base.slice(0, -1), 'malformed'],
    ['an array', `[${base}]`, 'malformed'],
  ])('%s', (_name, text, slowKind) => {
    expect(fastTwilioMedia(Buffer.from(text))).toBeUndefined();
    expect(parseTwilioMessage(text).kind).toBe(slowKind);
  });
});

describe('deterministic fuzz: mutated media messages never get a different verdict on the fast path', () => {
  it('4000 mutations', () => {
    const r = prng(0x7171);
    const seeds = [twilioMedia('AAAAAAAA'), twilioMedia('AB+/AA=='), `{"event":"media","media":{"payload":"AQIDBA=="}}`, twilioMedia(ulaw(12, 3))];
    const extra = ['"track":"outbound",', '"payload":"BQYHCA==",', ',"media":{}', '"event":"mark",', 'inbound'];
    let fast = 0;
    let slowAudio = 0;
    for (let i = 0; i < 4000; i++) {
      const text = mutate(seeds[i % seeds.length]!, r, extra);
      if (check(text)) fast += 1;
      if (parseTwilioMessage(Buffer.from(text).toString()).kind === 'audio') slowAudio += 1;
    }
    // Both kinds of outcome occur, so the fuzz exercises the accept and the fall-back paths.
    expect(fast).toBeGreaterThan(200);
    expect(slowAudio).toBeGreaterThan(fast);
  });
});
