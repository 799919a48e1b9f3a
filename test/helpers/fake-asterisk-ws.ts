/**
 * A fake of Asterisk's chan_websocket side, built from Asterisk 22 `chan_websocket.c` and what
 * was verified against 22.10.1 (see the bridge's legs/asterisk-*.ts for the facts):
 * - dials the bridge like `websocket_client.conf` does: HTTP Basic credentials, subprotocol
 *   `media`, no other headers; an answer with any `Sec-WebSocket-Extensions` fails the handshake;
 * - sends `MEDIA_START` in the plain-text or JSON control format, then binary 20 ms frames;
 * - plays what it receives like the driver: each binary message is cut into whole
 *   `optimal_frame_size` frames (a shorter message is dropped, a remainder cut, both counted),
 *   queued and taken off one frame per ptime tick; `MEDIA_XOFF` at 900 queued frames, `MEDIA_XON`
 *   below 800, a message arriving with ≥ 1000 queued is dropped whole; messages over 65 535
 *   bytes hang the call up (close 1009);
 * - honours `FLUSH_MEDIA`, `MARK_MEDIA` (→ `MEDIA_MARK_PROCESSED` when played out), `HANGUP`
 *   (close 1000) and drops text commands over 128 bytes;
 * - sends `DTMF_END` on request.
 */
import WebSocket from 'ws';

/** Options of {@link dialBridgeAsAsterisk}. */
export interface FakeAsteriskOptions {
  /** ws://127.0.0.1:<port>/ws/asterisk */
  url: string;
  /** websocket_client.conf username/password (both set → Basic). */
  username?: string;
  password?: string;
  control: 'plain-text' | 'json';
  /** Channel format named in MEDIA_START (default slin16). */
  format?: string;
  /** Bytes per 20 ms frame (default from the format). */
  optimalFrameSize?: number;
  channelId?: string;
  channelVariables?: Record<string, string>;
  /** Playout tick (ms, default 20), announced as MEDIA_START ptime. Tests may shorten it to play faster than real time. */
  ptimeMs?: number;
  /** Queue levels of MEDIA_XOFF / MEDIA_XON (frames; Asterisk's are 900 / 800). */
  xoffAt?: number;
  xonBelow?: number;
}

/** A connected fake channel. */
export interface FakeAsteriskChannel {
  ws: WebSocket;
  /** Frames played out to the caller, in order. */
  played: Buffer[];
  /** Frames waiting in the playout queue. */
  queued(): number;
  /** Control messages received (text), in order. */
  commands: string[];
  /** Events this fake sent (text), in order. */
  sentEvents: string[];
  /** Binary messages that were not a whole number of frames (Asterisk drops the remainder). */
  partialMessages: number;
  /** Messages dropped because the queue was full. */
  droppedMessages: number;
  /** Send one binary audio frame (caller audio). */
  sendAudio(frame: Buffer): void;
  sendDtmf(digit: string): void;
  /** Close like a caller hang-up (1000). */
  hangUp(): void;
  closed: Promise<{ code: number; reason: string }>;
}

const FRAME_BYTES: Record<string, number> = { slin: 320, slin16: 640, slin24: 960, ulaw: 160, alaw: 160, g722: 160 };

/** Dial the bridge as Asterisk would. Rejects with the ws error on a refused upgrade. */
export function dialBridgeAsAsterisk(o: FakeAsteriskOptions): Promise<FakeAsteriskChannel> {
  const headers: Record<string, string> = {};
  if (o.username !== undefined && o.password !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`;
  }
  const ws = new WebSocket(o.url, 'media', { headers, perMessageDeflate: false });
  return attachFakeAsterisk(ws, o);
}

/**
 * Run the Asterisk side on an already created socket (also used by the ARI fake for
 * `connection_type=server` channels, where the bridge dials Asterisk).
 */
export function attachFakeAsterisk(ws: WebSocket, o: Omit<FakeAsteriskOptions, 'url'>, alreadyOpen = false): Promise<FakeAsteriskChannel> {
  const format = o.format ?? 'slin16';
  const frameBytes = o.optimalFrameSize ?? FRAME_BYTES[format] ?? 640;
  const channelId = o.channelId ?? '1796393704.249';
  const queue: Array<Buffer | { mark: string }> = [];
  let frames = 0;
  let xoff = false;
  const chan: FakeAsteriskChannel = {
    ws,
    played: [],
    queued: () => frames,
    commands: [],
    sentEvents: [],
    partialMessages: 0,
    droppedMessages: 0,
    sendAudio: (frame) => ws.readyState === 1 && ws.send(frame, { binary: true }),
    sendDtmf: (digit) => event('DTMF_END', { digit }),
    hangUp: () => ws.close(1000),
    closed: new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
  function event(name: string, fields: Record<string, unknown> = {}, bare?: string): void {
    const text =
      o.control === 'json'
        ? JSON.stringify({ event: name, channel_id: channelId, ...(bare !== undefined ? { correlation_id: bare } : {}), ...fields })
        : [name, ...(bare !== undefined ? [bare] : []), ...Object.entries(fields).map(([k, v]) => `${k}:${String(v)}`)].join(' ');
    chan.sentEvents.push(text);
    if (ws.readyState === 1) ws.send(text);
  }
  function onBinary(msg: Buffer): void {
    if (msg.length > 65535) return ws.close(1009, 'message too big');
    if (frames >= 1000) {
      chan.droppedMessages += 1;
      return;
    }
    if (msg.length % frameBytes !== 0) chan.partialMessages += 1;
    for (let at = 0; at + frameBytes <= msg.length; at += frameBytes) {
      queue.push(Buffer.from(msg.subarray(at, at + frameBytes)));
      frames += 1;
    }
    if (!xoff && frames >= (o.xoffAt ?? 900)) {
      xoff = true;
      event('MEDIA_XOFF');
    }
  }
  function onCommand(text: string): void {
    if (Buffer.byteLength(text) > 128) return; // Asterisk logs a warning and drops it
    chan.commands.push(text);
    let name: string;
    let id: string | undefined;
    if (text.trim().startsWith('{')) {
      const j = JSON.parse(text) as { command: string; correlation_id?: string };
      name = j.command;
      id = j.correlation_id;
    } else [name = '', id] = text.trim().split(/\s+/);
    if (name === 'FLUSH_MEDIA') {
      queue.length = 0;
      frames = 0;
    } else if (name === 'MARK_MEDIA') queue.push({ mark: id ?? '' });
    else if (name === 'HANGUP') ws.close(1000);
  }
  const tick = setInterval(() => {
    while (queue.length > 0 && !Buffer.isBuffer(queue[0])) event('MEDIA_MARK_PROCESSED', {}, (queue.shift() as { mark: string }).mark);
    const f = queue.shift();
    if (f && Buffer.isBuffer(f)) {
      frames -= 1;
      chan.played.push(f);
    }
    if (xoff && frames < (o.xonBelow ?? 800)) {
      xoff = false;
      event('MEDIA_XON');
    }
  }, o.ptimeMs ?? 20);
  ws.on('close', () => clearInterval(tick));
  ws.on('message', (data, isBinary) => (isBinary ? onBinary(data as Buffer) : onCommand(data.toString())));
  const start = (): void => {
    if (ws.extensions !== '') {
      ws.terminate(); // res_http_websocket fails the handshake on any Sec-WebSocket-Extensions
      return;
    }
    const vars = { MEDIA_WEBSOCKET_CONNECTION_ID: 'voicectl', MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE: String(frameBytes), ...o.channelVariables };
    if (o.control === 'json') {
      const text = JSON.stringify({
        event: 'MEDIA_START', connection_id: 'voicectl', channel: 'WebSocket/voicectl/0x7fc504041ee0', channel_id: channelId,
        format, optimal_frame_size: frameBytes, ptime: o.ptimeMs ?? 20, channel_variables: vars,
      });
      chan.sentEvents.push(text);
      ws.send(text);
    } else {
      event('MEDIA_START', { connection_id: 'voicectl', channel: 'WebSocket/voicectl/0x7fc50800c560', channel_id: channelId, format, optimal_frame_size: frameBytes, ptime: o.ptimeMs ?? 20 });
    }
  };
  return new Promise((resolve, reject) => {
    if (alreadyOpen) {
      start();
      return resolve(chan);
    }
    ws.once('error', reject);
    ws.once('upgrade', (res) => {
      if (res.headers['sec-websocket-extensions']) ws.terminate();
    });
    ws.once('open', () => {
      ws.on('error', () => {});
      start();
      resolve(chan);
    });
  });
}
