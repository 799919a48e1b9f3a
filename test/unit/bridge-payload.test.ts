// A payload passed on in the bytes it arrived in: the base64 check on bytes (WebAssembly SIMD)
// against the regular expression it stands for, and messages built around a payload in place.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { MODULES, compileWat } from '../../scripts/build-wasm.mjs';
import { base64BytesLength, isBase64Bytes } from '../../src/bridge/base64.js';
import { frameAround, payloadByteLength, payloadString, type Base64Bytes } from '../../src/bridge/payload.js';

const regex = (s: string): boolean => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The check on `s`'s Latin-1 bytes, placed at an offset inside a larger buffer with quotes around. */
function checkAt(s: string, offset = 3): boolean {
  const buf = Buffer.from(`${'x'.repeat(offset)}"${s}"yy`, 'latin1');
  return isBase64Bytes(buf, offset + 1, offset + 1 + s.length);
}

describe('isBase64Bytes', () => {
  it('src/bridge/base64-check-wasm.ts is what base64-check.wat compiles to (run npm run build:wasm after editing the .wat)', async () => {
    const m = (MODULES as { ts: string }[]).find((x) => x.ts.endsWith('base64-check-wasm.ts'))!;
    const committed = await readFile(new URL(`../../${m.ts}`, import.meta.url), 'utf8');
    expect(await compileWat(m)).toBe(committed);
  });

  it('refuses every byte outside the alphabet, in every lane of a vector and in the tail', () => {
    const ok = new Set(Array.from(ALPHABET, (c) => c.charCodeAt(0)));
    // 40 characters: two whole 16-byte vectors and a tail of 8 (the = padding aside).
    for (const at of [0, 1, 7, 15, 16, 17, 31, 32, 39]) {
      for (let b = 0; b < 256; b++) {
        const chars = Array.from({ length: 40 }, (_, i) => ALPHABET[(i * 7) % 64]!);
        chars[at] = String.fromCharCode(b);
        const s = chars.join('');
        const padding = b === 61 && at === 39; // '=' as the last character is padding
        expect([at, b, checkAt(s)]).toEqual([at, b, ok.has(b) || padding]);
      }
    }
  });

  it('agrees with /^[A-Za-z0-9+/]*={0,2}$/ (and a length multiple of 4) on random and adversarial bytes', () => {
    const ODD = ['=', '-', '_', ' ', '\n', '.', '"', '\\', '\u0000', '\u007f', '\u0080', '\u00c1', '\u00ff', '@', '[', '`', '{', ':', ',', '*'];
    let seed = 11;
    const rnd = (k: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % k;
    let valid = 0;
    for (let t = 0; t < 100_000; t++) {
      const n = rnd(4) === 0 ? rnd(70) : 4 * rnd(20);
      const clean = rnd(2) === 0;
      let s = '';
      for (let i = 0; i < n; i++) s += clean && rnd(40) > 0 ? ALPHABET[rnd(64)] : rnd(3) === 0 ? ALPHABET[rnd(64)] : ODD[rnd(ODD.length)];
      if (rnd(3) === 0 && n >= 2) s = s.slice(0, n - 1 - rnd(2)).padEnd(n, '=');
      const expected = regex(s);
      if (expected) valid++;
      const got = checkAt(s, rnd(20));
      if (got !== expected) expect({ s, got }).toEqual({ s, got: expected });
    }
    expect(valid).toBeGreaterThan(10_000); // the corpus holds valid payloads too, not only refusals
  });

  it('takes real frame sizes, and payloads over its 64 KB memory by the string route', () => {
    for (const bytes of [960, 640, 160, 48_000, 64_000, 300_000]) {
      const b64 = Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 37) & 0xff)).toString('base64');
      expect(checkAt(b64)).toBe(true);
      expect(checkAt(`${b64.slice(0, b64.length - 9)}-${b64.slice(b64.length - 8)}`)).toBe(false);
      expect(checkAt(`${b64.slice(0, 100)}\u00c1${b64.slice(101)}`)).toBe(false);
      expect(base64BytesLength(Buffer.from(b64), 0, b64.length)).toBe(bytes);
    }
  });

  it('a check leaves nothing behind for the next: a short valid payload after a long invalid one', () => {
    expect(checkAt(`${'A'.repeat(60)}*${'A'.repeat(3)}`)).toBe(false);
    expect(checkAt('AQID')).toBe(true);
    expect(checkAt('')).toBe(true); // empty is base64 (callers refuse it themselves)
  });
});

/** True when `view` lies inside `msg`'s bytes (the same memory, not a copy). */
function within(view: Buffer, msg: Buffer): boolean {
  return view.buffer === msg.buffer && view.byteOffset >= msg.byteOffset && view.byteOffset + view.length <= msg.byteOffset + msg.length;
}

/** A payload inside a message: `before` + quote + b64 + quote + `after`. */
function inMessage(before: string, b64: string, after: string): Base64Bytes {
  const msg = Buffer.from(`${before}"${b64}"${after}`);
  return { msg, start: before.length + 1, end: before.length + 1 + b64.length };
}

describe('frameAround', () => {
  const HEAD = Buffer.from('{"kind":"AudioData","audioData":{"data":"');
  const TAIL = Buffer.from('"}}');
  const B64 = Buffer.from(Array.from({ length: 960 }, (_, i) => (i * 131) & 0xff)).toString('base64');
  const want = `${HEAD}${B64}${TAIL}`;

  it('builds in place when the message has room on both sides: a view of the received bytes, nothing moved', () => {
    const p = inMessage(`{"type":"response.output_audio.delta","event_id":"event_1","response_id":"resp_1","delta":`, B64, ',"item_id":"item_1"}');
    expect(payloadString(p)).toBe(B64);
    expect(payloadByteLength(p)).toBe(960);
    const out = frameAround(p, HEAD, TAIL);
    expect(out.toString()).toBe(want);
    expect(within(out, p.msg)).toBe(true);
    expect(out.byteOffset - p.msg.byteOffset).toBe(p.start - HEAD.length);
  });

  it('moves the payload when one side is short (the delta last: two bytes after it, three needed)', () => {
    const p = inMessage('{"type":"response.output_audio.delta","event_id":"event_1","item_id":"item_1","delta":', B64, '}');
    const out = frameAround(p, HEAD, TAIL);
    expect(out.toString()).toBe(want);
    expect(within(out, p.msg)).toBe(true);
    expect(out.byteOffset + out.length).toBe(p.msg.byteOffset + p.msg.length); // moved by one byte, to the end
  });

  it('moves it the other way when the head has no room (the payload first)', () => {
    const p = inMessage('{"delta":', B64, ',"type":"response.output_audio.delta","response_id":"resp_1","item_id":"item_1"}');
    const out = frameAround(p, HEAD, TAIL);
    expect(out.toString()).toBe(want);
    expect(within(out, p.msg)).toBe(true);
    expect(out.byteOffset).toBe(p.msg.byteOffset);
  });

  it('builds a new Buffer when the message is shorter than the one to build, leaving the received bytes as they were', () => {
    const p = inMessage('{"d":', B64, '}');
    const before = Buffer.from(p.msg);
    const out = frameAround(p, HEAD, TAIL);
    expect(out.toString()).toBe(want);
    expect(within(out, p.msg)).toBe(false);
    expect(p.msg.equals(before)).toBe(true);
  });

  it('writes only inside the message: bytes of the chunk it is a view of stay as they were', () => {
    const chunk = Buffer.from(`PREFIX${'{"d":"AQID","pad":"........................................"}'}SUFFIX`);
    const msg = chunk.subarray(6, chunk.length - 6);
    const start = msg.indexOf('AQID');
    const out = frameAround({ msg, start, end: start + 4 }, HEAD, TAIL);
    expect(out.toString()).toBe(`${HEAD}AQID${TAIL}`);
    expect(chunk.subarray(0, 6).toString()).toBe('PREFIX');
    expect(chunk.subarray(chunk.length - 6).toString()).toBe('SUFFIX');
  });
});
