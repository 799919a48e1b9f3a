// bench/bridge-load-paths: the caller side of each path bench/bridge-load.mjs measures, and the
// fake model's answer to the floor's unparsed messages. One entry per path:
// - how a simulated caller connects (to the bridge's route, or to the floor, which forwards the
//   same wire messages unparsed to the fake model and back);
// - how it sends one 20 ms frame (the exact message the real caller side sends);
// - where the audio payload sits in what comes back.
//
// Passthrough paths (24 kHz PCM16, G.711) carry (call uint32, seq uint32, send time float64 ms)
// in the first 16 bytes of each frame: they come back bit-exact. Resampled paths (16 kHz) change
// every sample, so every 5th frame is a loud marker frame (all samples 20000), the rest silence,
// and a marker's arrival (a rising edge of loud audio) is matched to its send time.
import { connect } from 'node:net';
import WebSocket from 'ws';

export const MEDIA_TOKEN = 'bench-media-token';

/** Every path, in the order of the matrix. `rate`: the caller's sample rate (Hz); `marker`: resampled. */
export const PATHS = {
  acs24: { label: 'ACS PCM16 24 kHz', kind: 'acs', rate: 24000, frameBytes: 960, marker: false },
  acs16: { label: 'ACS PCM16 16 kHz', kind: 'acs', rate: 16000, frameBytes: 640, marker: true },
  'ast-slin24': { label: 'Asterisk chan_websocket slin24', kind: 'asterisk', format: 'slin24', rate: 24000, frameBytes: 960, marker: false },
  'ast-ulaw': { label: 'Asterisk chan_websocket ulaw', kind: 'asterisk', format: 'ulaw', rate: 8000, frameBytes: 160, marker: false },
  'ast-slin16': { label: 'Asterisk chan_websocket slin16', kind: 'asterisk', format: 'slin16', rate: 16000, frameBytes: 640, marker: true },
  audiosocket16: { label: 'AudioSocket slin16', kind: 'audiosocket', rate: 16000, frameBytes: 640, marker: true },
  twilio: { label: 'Twilio Media Streams μ-law', kind: 'twilio', rate: 8000, frameBytes: 160, marker: false },
};

/** Default call counts per path (moderate: the machine has 2 cores shared with other work). */
export const DEFAULT_CALLS = { acs24: [100, 200, 400], acs16: [100, 200], 'ast-slin24': [200], 'ast-ulaw': [200], 'ast-slin16': [200], audiosocket16: [200], twilio: [200] };

const MARKER_SAMPLE = 20000;

/** A marker frame (every sample 20000) or silence, fresh each time (the socket may hold it). */
export function markerFrame(bytes, loud) {
  const b = Buffer.alloc(bytes);
  if (loud) for (let i = 0; i + 1 < bytes; i += 2) b.writeInt16LE(MARKER_SAMPLE, i);
  return b;
}

/** True when PCM16 audio holds a loud sample (a marker). */
export function isLoud(pcm) {
  for (let k = 0; k + 1 < pcm.length; k += 8) if (pcm.readInt16LE(k) > MARKER_SAMPLE / 2) return true;
  return false;
}

/** (call, seq, sentAt) from the first 16 bytes. */
export const readHead = (b) => ({ call: b.readUInt32LE(0), seq: b.readUInt32LE(4), sentAt: b.readDoubleLE(8) });

/** A frame of the passthrough pattern: a tone (PCM16) or byte ramp (μ-law) after the 16-byte header. */
export function patternFrame(p) {
  const b = Buffer.alloc(p.frameBytes);
  if (p.rate === 8000) for (let i = 16; i < b.length; i++) b[i] = (i * 37) & 0xff;
  else for (let i = 16; i + 1 < b.length; i += 2) b.writeInt16LE(Math.round(8000 * Math.sin(i / 7)), i);
  return b;
}


/**
 * The audio after `key` (bytes) in a JSON text message, decoded; only its first 18 bytes (the
 * 16-byte head) with `headOnly`. Read from the bytes, not a string of the whole message: the
 * load generator shares a core with the fake model and its own cost is not what is measured.
 */
function audioAfter(data, key, headOnly) {
  const i = data.indexOf(key);
  if (i < 0) return undefined;
  const s = i + key.length;
  const end = headOnly ? s + 24 : data.indexOf(34, s);
  return end < 0 ? undefined : Buffer.from(data.toString('latin1', s, end), 'base64');
}

const ACS_DATA_KEY = Buffer.from('"data":"');
const TWILIO_PAYLOAD_KEY = Buffer.from('"payload":"');
const TWILIO_MARK = Buffer.from('{"event":"mark"');

/**
 * base64 of a frame, as bytes. Frames repeat their content after the 16-byte head (the
 * passthrough pattern) or whole (markers, silence), so the repeating part is encoded once and
 * kept (two entries: loud and silent markers alternate); only the first 18 bytes (6 base64
 * groups, the head) are encoded per frame where the rest is a whole number of groups.
 */
const b64Cache = [];
function frameBase64(frame) {
  const split = (frame.length - 18) % 3 === 0 ? 18 : 0;
  const rest = frame.subarray(split);
  let hit = b64Cache.find((e) => e.src.equals(rest));
  if (!hit) {
    hit = { src: Buffer.from(rest), b64: Buffer.from(rest.toString('base64'), 'latin1') };
    b64Cache.unshift(hit);
    b64Cache.length = Math.min(b64Cache.length, 2);
  }
  return split ? [Buffer.from(frame.toString('base64', 0, 18), 'latin1'), hit.b64] : [hit.b64];
}

const ACS_HEAD = Buffer.from('{"kind":"AudioData","audioData":{"timestamp":"');
const ACS_MID = Buffer.from('","participantRawID":"8:acs:bench","data":"');
const ACS_TAIL = Buffer.from('","silent":false}}');

/** An ACS AudioData message for one frame, as the bytes ACS sends (built without a string of the whole). */
const acsMessage = (frame) => Buffer.concat([ACS_HEAD, Buffer.from(isoNow(), 'latin1'), ACS_MID, ...frameBase64(frame), ACS_TAIL]);

/** An ISO 8601 timestamp for ACS frames, made at most once a millisecond (the generator sends thousands a second). */
let isoAt = 0;
let iso = '';
function isoNow() {
  const now = Date.now();
  if (now !== isoAt) {
    isoAt = now;
    iso = new Date(now).toISOString();
  }
  return iso;
}

/** Split an AudioSocket TCP stream into audio payloads (kind 0x10–0x18); other kinds are skipped. */
function audioSocketSplitter(onAudio) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let at = 0;
    while (buf.length - at >= 3) {
      const n = buf.readUInt16BE(at + 1);
      if (buf.length - at < 3 + n) break;
      if (buf[at] >= 0x10 && buf[at] <= 0x18) onAudio(buf.subarray(at + 3, at + 3 + n));
      at += 3 + n;
    }
    buf = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
  };
}

const asMessage = (kind, payload) => {
  const out = Buffer.allocUnsafe(3 + payload.length);
  out[0] = kind;
  out.writeUInt16BE(payload.length, 1);
  payload.copy(out, 3);
  return out;
};

/**
 * Open one simulated caller of `path` against the bridge or the floor.
 * @param o {{ path, target: 'bridge'|'floor', call, ports: {ws, tcp}, onAudio(buf: Buffer) }}
 * @returns Promise<{ send(frame: Buffer), close() }> once the media stream has started.
 */
export function openCaller(o) {
  const p = PATHS[o.path];
  const bridge = o.target === 'bridge';
  if (p.kind === 'audiosocket') {
    return new Promise((resolve, reject) => {
      const sock = connect(o.ports.tcp, '127.0.0.1');
      sock.setNoDelay(true);
      sock.on('error', reject);
      sock.on('data', audioSocketSplitter(o.onAudio));
      sock.on('connect', () => {
        const uuid = Buffer.alloc(16);
        uuid.writeUInt32BE(o.call, 12);
        sock.write(asMessage(0x01, uuid));
        resolve({ send: (frame) => sock.write(asMessage(0x12, frame)), close: () => sock.destroy() });
      });
    });
  }
  let url;
  let protocols;
  const headers = {};
  if (p.kind === 'acs') {
    url = bridge ? `ws://127.0.0.1:${o.ports.ws}/ws/media` : `ws://127.0.0.1:${o.ports.ws}/`;
    headers['x-ms-call-connection-id'] = `bench-${o.call}`;
    headers.authorization = `Bearer ${MEDIA_TOKEN}`;
  } else if (p.kind === 'asterisk') {
    url = bridge ? `ws://127.0.0.1:${o.ports.ws}/ws/asterisk` : `ws://127.0.0.1:${o.ports.ws}/`;
    protocols = 'media';
    headers.authorization = `Basic ${Buffer.from(`voicectl:${MEDIA_TOKEN}`).toString('base64')}`;
  } else {
    url = bridge ? `ws://127.0.0.1:${o.ports.ws}/ws/twilio` : `ws://127.0.0.1:${o.ports.ws}/`;
  }
  const ws = new WebSocket(url, protocols, { perMessageDeflate: false, headers });
  const streamSid = `MZ${String(o.call).padStart(32, '0')}`;
  let chunk = 0;
  ws.on('message', (data, isBinary) => {
    if (p.kind === 'asterisk') {
      if (isBinary) o.onAudio(data);
      return;
    }
    if (p.kind === 'twilio' && data.subarray(0, TWILIO_MARK.length).equals(TWILIO_MARK)) {
      ws.send(data, { binary: false }); // Twilio echoes each mark once the audio before it has played
      return;
    }
    const audio = audioAfter(data, p.kind === 'acs' ? ACS_DATA_KEY : TWILIO_PAYLOAD_KEY, !p.marker);
    if (audio !== undefined) o.onAudio(audio);
  });
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => {
      let send;
      if (p.kind === 'acs') {
        ws.send(JSON.stringify({ kind: 'AudioMetadata', audioMetadata: { subscriptionId: 'bench', encoding: 'PCM', sampleRate: p.rate, channels: 1, length: p.frameBytes } }));
        send = (frame) => ws.send(acsMessage(frame), { binary: false });
      } else if (p.kind === 'asterisk') {
        ws.send(`MEDIA_START connection_id:voicectl channel:WebSocket/voicectl/0x7fc5${o.call} channel_id:1796393704.${o.call} format:${p.format} optimal_frame_size:${p.frameBytes} ptime:20`);
        send = (frame) => ws.send(frame, { binary: true });
      } else {
        ws.send('{"event":"connected","protocol":"Call","version":"1.0.0"}');
        const start = {
          event: 'start', sequenceNumber: '1', streamSid,
          start: { streamSid, callSid: `CA${String(o.call).padStart(32, '0')}`, accountSid: `AC${'0'.repeat(32)}`, tracks: ['inbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters: {} },
        };
        ws.send(JSON.stringify(start));
        send = (frame) => {
          chunk += 1;
          ws.send(`{"event":"media","streamSid":"${streamSid}","media":{"track":"inbound","chunk":"${chunk}","timestamp":"${chunk * 20}","payload":"${frame.toString('base64')}"}}`);
        };
      }
      resolve({ send: (frame) => ws.readyState === 1 && send(frame), close: () => ws.close() });
    });
  });
}

const ACS_AUDIO_PREFIX = Buffer.from('{"kind":"AudioData"');
const ECHO_HEAD = Buffer.from('{"kind":"AudioData","audioData":{"data":"');
const ECHO_TAIL = Buffer.from('"}}');

/**
 * The fake model's answer to an ACS AudioData message the floor forwarded unparsed, from its
 * bytes: `{"kind":"AudioData","audioData":{"data":…}}` as the bridge sends it, or undefined when
 * the message is not one (then {@link floorAnswer} on the parsed text).
 */
export function floorAcsEcho(data) {
  if (!data.subarray(0, ACS_AUDIO_PREFIX.length).equals(ACS_AUDIO_PREFIX)) return undefined;
  const at = data.indexOf(ACS_DATA_KEY);
  const end = at < 0 ? -1 : data.indexOf(34, at + ACS_DATA_KEY.length);
  return end < 0 ? undefined : Buffer.concat([ECHO_HEAD, data.subarray(at + ACS_DATA_KEY.length, end), ECHO_TAIL]);
}

const TWILIO_MEDIA_PREFIX = Buffer.from('{"event":"media"');
const TWILIO_SID_KEY = Buffer.from('"streamSid":"');

/**
 * The fake model's answer to a Twilio media message the floor forwarded unparsed, from its
 * bytes: the media back as the bridge sends it, and a mark after every 5th (the bridge marks
 * every 100 ms of audio); undefined when the message is not one (then {@link floorAnswer}).
 */
export function floorTwilioEcho(data, state) {
  if (!data.subarray(0, TWILIO_MEDIA_PREFIX.length).equals(TWILIO_MEDIA_PREFIX)) return undefined;
  const sidAt = data.indexOf(TWILIO_SID_KEY);
  const sidEnd = sidAt < 0 ? -1 : data.indexOf(34, sidAt + TWILIO_SID_KEY.length);
  const at = data.indexOf(TWILIO_PAYLOAD_KEY);
  const end = at < 0 ? -1 : data.indexOf(34, at + TWILIO_PAYLOAD_KEY.length);
  if (sidEnd < 0 || end < 0) return undefined;
  const sid = data.subarray(sidAt + TWILIO_SID_KEY.length, sidEnd);
  const media = Buffer.concat([Buffer.from('{"event":"media","streamSid":"'), sid, Buffer.from('","media":{"payload":"'), data.subarray(at + TWILIO_PAYLOAD_KEY.length, end), Buffer.from('"}}')]);
  state.media = (state.media ?? 0) + 1;
  if (state.media % 5 !== 0) return [media];
  return [media, Buffer.from(`{"event":"mark","streamSid":"${sid.toString('latin1')}","mark":{"name":"v${state.media / 5}"}}`)];
}

/**
 * The fake model's answer to a text message the floor forwarded unparsed (a caller's wire
 * message): the same audio back in the caller-side shape the bridge would send, or undefined.
 * Binary messages (Asterisk, AudioSocket) are echoed as they are by the caller of this function.
 */
export function floorAnswer(ev, state) {
  if (ev.kind === 'AudioData') return [JSON.stringify({ kind: 'AudioData', audioData: { data: ev.audioData.data } })];
  if (ev.event === 'media') {
    // the bridge sends a mark after every 100 ms of audio (5 frames of 20 ms): so does the floor's model
    state.media = (state.media ?? 0) + 1;
    const media = `{"event":"media","streamSid":"${ev.streamSid}","media":{"payload":"${ev.media.payload}"}}`;
    if (state.media % 5 !== 0) return [media];
    return [media, `{"event":"mark","streamSid":"${ev.streamSid}","mark":{"name":"v${state.media / 5}"}}`];
  }
  return undefined;
}
