#!/usr/bin/env node
// bench/fast-path: cost per message of the bridge's two hot messages, full parser vs the
// zero-parse fast path, in the same run, at 20 ms frame sizes (24 kHz: 960 bytes of PCM16 =
// 1280 base64 chars; 16 kHz: 640 bytes = 856 chars).
// Both paths start from the message's bytes as ws hands them over:
// - caller -> model: an ACS AudioData frame; slow = toString + parseAcsFrame, fast = fastAcsAudio
//   on the bytes.
// - model -> caller: a GA response.output_audio.delta; slow = toString + JSON.parse +
//   normalizeServerEvent + the base64 PCM16 check the upstream does before forwarding; fast =
//   fastModelAudioDelta on the bytes (which includes that check).
// - the outgoing texts: the byte builders the bridge sends (head, payload, tail copied into one
//   Buffer) vs JSON.stringify of the same object encoded to UTF-8.
// - the base64 check: a Latin-1 string of the payload + isBase64 vs isBase64Bytes on the bytes.
// - read and pass on: the payload as a string built into a new message vs the message built
//   around the payload inside the received one (appendAudioAround, acsAudioFrameAround).
// - the floor: isBase64 on the payload alone, which both paths run (a regex over every char).
// Time is this process's CPU time (process.cpuUsage), so waiting for a core on a shared
// machine is not counted. Slow and fast alternate in short rounds; the figures are the medians
// of the rounds (ns/message) and the median of the per-round-pair ratios (robust to drift).
// Usage: npm run build && node bench/fast-path.mjs [messagesPerRound=20000] [rounds=31]
import os from 'node:os';
import { acsAudioFrameAround, acsAudioFrameBytes, parseAcsFrame } from '../dist/bridge/acs-frames.js';
import { base64ByteLength, isBase64, isBase64Bytes } from '../dist/bridge/base64.js';
import { payloadString } from '../dist/bridge/payload.js';
import { appendAudioAround, appendAudioBytes, normalizeServerEvent } from '../dist/bridge/realtime-protocol.js';
import { fastAcsAudio, fastModelAudioDelta } from '../dist/bridge/fast-path.js';

const perRound = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 31);
console.log(`$ node ${process.argv.slice(1).map((a) => a.replace(process.cwd() + '/', '')).join(' ')}`);
const load = os.loadavg()[0].toFixed(1);
console.log(`node ${process.version}, ${os.cpus().length} CPUs (load ${load}), ${perRound} messages per round, ${rounds} rounds, CPU ns/message (median)`);

/** 32 distinct payloads of `bytes` bytes of pseudo-random PCM (so '+' and '/' occur). */
function payloads(bytes) {
  let seed = bytes;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  return Array.from({ length: 32 }, () => Buffer.from(Array.from({ length: bytes }, rnd)).toString('base64'));
}

const acsText = (b64, n) =>
  `{"kind":"AudioData","audioData":{"timestamp":"2026-12-04T15:20:00.${String(n % 1000).padStart(3, '0')}Z","participantRawID":"8:acs:11111111-2222-3333-4444-555555555555_00000022-aaaa-bbbb-cccc-0123456789ab","data":"${b64}","silent":false}}`;
const deltaText = (b64, n) =>
  `{"type":"response.output_audio.delta","event_id":"event_CQ3k${n}","response_id":"resp_CQ3k0","item_id":"item_CQ3jz","output_index":0,"content_index":0,"delta":"${b64}"}`;

const slowAcs = (b) => {
  const f = parseAcsFrame(b.toString());
  return f.kind === 'audio' ? f.data.length : -1;
};
const fastAcs = (b) => {
  const f = fastAcsAudio(b);
  return f !== undefined ? f.end - f.start : -1;
};
const slowDelta = (b) => {
  let doc;
  try {
    doc = JSON.parse(b.toString());
  } catch {
    return -1;
  }
  const ev = normalizeServerEvent(doc);
  if (ev.type !== 'audio' || !isBase64(ev.delta) || base64ByteLength(ev.delta) % 2 !== 0) return -1;
  return ev.delta.length + (ev.contentIndex ?? 0);
};
const fastDelta = (b) => {
  const ev = fastModelAudioDelta(b);
  return ev !== undefined ? ev.end - ev.start + (ev.contentIndex ?? 0) : -1;
};
// Read and pass on, as the bridge does: the payload as a string built into a new message (the
// route before), against the message built around the payload in the received bytes. Each call
// first restores its input (the in-place build rewrites it): the same copy on both sides.
const restoring = (fn) => (m) => {
  m.msg.set(m.orig);
  return fn(m.msg);
};
const appendViaString = restoring((b) => appendAudioBytes(payloadString(fastAcsAudio(b))).length);
const appendInPlace = restoring((b) => appendAudioAround(fastAcsAudio(b)).length);
const acsOutViaString = restoring((b) => acsAudioFrameBytes(payloadString(fastModelAudioDelta(b))).length);
const acsOutInPlace = restoring((b) => acsAudioFrameAround(fastModelAudioDelta(b)).length);
const checkString = (b) => {
  const s = b.toString('latin1', 1, b.length - 1);
  return isBase64(s) && base64ByteLength(s) % 2 === 0 ? 1 : -1;
};
const checkBytes = (b) => (isBase64Bytes(b, 1, b.length - 1) ? 1 : -1);
const concatAppend = (b64) => appendAudioBytes(b64).length;
const stringifyAppend = (b64) => Buffer.from(JSON.stringify({ type: 'input_audio_buffer.append', audio: b64 })).length;
const concatAcs = (b64) => acsAudioFrameBytes(b64).length;
const stringifyAcs = (b64) => Buffer.from(JSON.stringify({ kind: 'AudioData', audioData: { data: b64 } })).length;
const base64Check = (b64) => (isBase64(b64) && base64ByteLength(b64) % 2 === 0 ? b64.length : -1);
const nothing = (b64) => b64.length;

/** ns per call of fn over inputs, one round. The sum keeps the work from being optimised away. */
function round(fn, inputs) {
  let sink = 0;
  const t0 = process.cpuUsage();
  for (let i = 0; i < perRound; i++) sink += fn(inputs[i & 31]);
  const t = process.cpuUsage(t0);
  const ns = ((t.user + t.system) * 1000) / perRound;
  if (sink <= 0) throw new Error('a benchmark input took the wrong path');
  return ns;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

/** Alternate slow and fast, after a warm-up round each; returns the [slow, fast, slow/fast] medians. */
function compare(slow, fast, inputs) {
  round(slow, inputs);
  round(fast, inputs);
  const s = [];
  const f = [];
  const ratio = [];
  for (let r = 0; r < rounds; r++) {
    s.push(round(slow, inputs));
    f.push(round(fast, inputs));
    ratio.push(s[r] / Math.max(f[r], 1e-3));
  }
  return [median(s), median(f), median(ratio)];
}

const rows = [];
for (const [label, bytes] of [
  ['24 kHz 20 ms (960 B, 1280 chars)', 960],
  ['16 kHz 20 ms (640 B, 856 chars)', 640],
]) {
  const b64s = payloads(bytes);
  // The bytes, as ws hands them over.
  const acs = b64s.map((b, n) => Buffer.from(acsText(b, n)));
  const deltas = b64s.map((b, n) => Buffer.from(deltaText(b, n)));
  // A benchmark of a fast path that falls back would measure nothing: check each input first.
  for (let i = 0; i < 32; i++) {
    if (fastAcs(acs[i]) !== slowAcs(acs[i]) || fastDelta(deltas[i]) !== slowDelta(deltas[i]) || slowAcs(acs[i]) < 0) {
      throw new Error('fast and slow paths disagree on a benchmark input');
    }
  }
  rows.push([`ACS AudioData in, ${label}`, 'toString+parseAcsFrame', 'fastAcsAudio', ...compare(slowAcs, fastAcs, acs)]);
  rows.push([`model delta in, ${label}`, 'toString+JSON.parse', 'fastModelAudioDelta', ...compare(slowDelta, fastDelta, deltas)]);
  rows.push([`payload check alone, ${label}`, 'isBase64', '(loop only)', ...compare(base64Check, nothing, b64s)]);
  const quoted = b64s.map((b) => Buffer.from(`"${b}"`));
  rows.push([`payload check from bytes, ${label}`, 'toString+isBase64', 'isBase64Bytes', ...compare(checkString, checkBytes, quoted)]);
  const own = (bufs) => bufs.map((b) => ({ msg: Buffer.from(b), orig: b }));
  rows.push([`ACS in -> append out, ${label}`, 'string+appendAudioBytes', 'appendAudioAround', ...compare(appendViaString, appendInPlace, own(acs))]);
  rows.push([`delta in -> ACS out, ${label}`, 'string+acsAudioFrameBytes', 'acsAudioFrameAround', ...compare(acsOutViaString, acsOutInPlace, own(deltas))]);
  rows.push([`append out, ${label}`, 'JSON.stringify', 'appendAudioBytes', ...compare(stringifyAppend, concatAppend, b64s)]);
  rows.push([`ACS AudioData out, ${label}`, 'JSON.stringify', 'acsAudioFrameBytes', ...compare(stringifyAcs, concatAcs, b64s)]);
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`${pad('message', 60)}${pad('slow', 28)}${pad('ns', 8)}${pad('fast', 22)}${pad('ns', 8)}speed-up`);
for (const [what, slowName, fastName, s, f, ratio] of rows) {
  console.log(`${pad(what, 60)}${pad(slowName, 28)}${pad(s.toFixed(0), 8)}${pad(fastName, 22)}${pad(f.toFixed(0), 8)}${ratio.toFixed(2)}x`);
}
