/**
 * The bridge's base64 checks and byte counts (RFC 4648 section 4, standard alphabet), run on
 * every audio payload both ways: on strings ({@link isBase64}, {@link base64ByteLength}) and on
 * bytes, the payload as it lies in a received message with no string made ({@link
 * isBase64Bytes}, {@link base64BytesLength}). The bytes check is a small WebAssembly SIMD module
 * (./base64-check.wat, shipped as ./base64-check-wasm.ts) that checks the alphabet 16 bytes at a
 * time; one instance per process, used by one call at a time (the event loop is single-threaded).
 * Measured against making a Latin-1 string of the payload and calling `isBase64` on it (the
 * route it replaces): 140–160 ns against 290–350 ns for a 20 ms frame at 24 kHz (1280 bytes).
 */
import { BASE64_CHECK_WASM_BASE64 } from './base64-check-wasm.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Where {@link isBase64} lets Node's decoder count the bytes (decoded, never read). */
const SCRATCH = Buffer.allocUnsafe(24 * 1024);
/** Longest string checked through the decoder; longer ones (rare) take the regular expression. */
const SCRATCH_CHARS = (SCRATCH.length / 3) * 4;

/**
 * True when `s` is canonical-length standard base64: length a multiple of 4, only
 * `A–Z a–z 0–9 + /`, and at most two `=` at the end (exactly `/^[A-Za-z0-9+/]*={0,2}$/`).
 *
 * Runs on every audio frame, both ways, so it lets Node's C++ base64 decoder count the bytes
 * into a scratch buffer (about 0.2 µs for a 20 ms frame at 24 kHz, against 1.5–2.5 µs for the
 * regular expression): the decoder skips whatever is not base64, so a string with anything
 * else, or with `=` anywhere but the end, decodes to fewer bytes than its length promises. Three
 * things it would let through are ruled out first: UTF-16 units above 0x7f (the decoder reads a
 * unit by its low byte; `Buffer.byteLength` equals the length only for ASCII), and `-` and `_`
 * (base64url, which the decoder also accepts). A test pins it to the regular expression on
 * random and adversarial strings.
 */
export function isBase64(s: string): boolean {
  const n = s.length;
  if (n % 4 !== 0) return false;
  if (n > SCRATCH_CHARS) return BASE64.test(s);
  return (
    Buffer.byteLength(s, 'utf8') === n &&
    SCRATCH.write(s, 0, 'base64') === base64ByteLength(s) &&
    s.indexOf('-') < 0 &&
    s.indexOf('_') < 0
  );
}

/** Decoded byte length of a valid base64 string, without decoding it. */
export function base64ByteLength(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const pad = s.charCodeAt(n - 1) === 61 ? (s.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  return (n / 4) * 3 - pad;
}

/** The slice of the WebAssembly JS API used here (TypeScript's Node types do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

const EQUALS = 61;

let check: ((n: number) => number) | undefined;
let memory: Uint8Array = new Uint8Array(0);
/** Longest unpadded payload the module takes: its one 64 KB page less the 16 bytes after it. */
let capacity = 0;

function instantiate(): (n: number) => number {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(BASE64_CHECK_WASM_BASE64, 'base64')), {});
  memory = new Uint8Array((instance.exports.memory as { buffer: ArrayBuffer }).buffer);
  capacity = memory.length - 16;
  return instance.exports.check as (n: number) => number;
}

/**
 * True when bytes [start, end) of `buf` are what {@link isBase64} accepts as a string: length a
 * multiple of 4, only `A–Z a–z 0–9 + /`, and at most two `=` at the end (standard base64, RFC
 * 4648 section 4). The same verdict as `isBase64(buf.toString('latin1', start, end))` for any
 * bytes (a test pins the two on random and adversarial input); payloads over 64 KB take that
 * route. Never throws for 0 ≤ start ≤ end ≤ buf.length.
 */
export function isBase64Bytes(buf: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if ((n & 3) !== 0) return false;
  let m = n;
  if (m > 0 && buf[end - 1] === EQUALS) m -= buf[end - 2] === EQUALS ? 2 : 1;
  check ??= instantiate();
  if (m > capacity) return isBase64(Buffer.from(buf.buffer, buf.byteOffset, buf.length).toString('latin1', start, end));
  memory.set(buf.subarray(start, start + m));
  return check(m) === 1;
}

/**
 * Decoded length (bytes) of the valid base64 at [start, end) of `buf` (see
 * {@link isBase64Bytes}), from its length and padding, without decoding it.
 */
export function base64BytesLength(buf: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n === 0) return 0;
  const pad = buf[end - 1] === EQUALS ? (buf[end - 2] === EQUALS ? 2 : 1) : 0;
  return (n / 4) * 3 - pad;
}
