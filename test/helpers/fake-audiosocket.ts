/**
 * A fake of Asterisk's AudioSocket side (Asterisk 22 `res_audiosocket.c`, `chan_audiosocket.c`,
 * verified on 22.10.1): connects over TCP, sends the 16-byte UUID message, then audio frames of
 * one kind (0x10 slin 8 kHz from the `AudioSocket()` app, 0x12 / 0x13 for `Dial(AudioSocket/…/c(slin16|slin24))`),
 * and records what the bridge sends with arrival times. Like Asterisk it treats any kind from
 * the app other than hang-up (0x00) or audio (0x10–0x18) as fatal: it hangs up (closes) and
 * records the offending kind. When the call ends it just closes the socket (no 0x00).
 */
import { connect, type Socket } from 'node:net';

export interface ReceivedFrame {
  kind: number;
  payload: Buffer;
  /** performance.now() at arrival (ms). */
  at: number;
}

export interface FakeAudioSocket {
  socket: Socket;
  received: ReceivedFrame[];
  /** A kind Asterisk would have hung up on, if the bridge sent one. */
  fatalKind: number | undefined;
  /** True once the bridge sent 0x00 (hang-up). */
  hungUp: boolean;
  sendAudio(kind: number, pcm: Buffer): void;
  sendDtmf(digit: string): void;
  sendRaw(bytes: Buffer): void;
  close(): void;
  closed: Promise<void>;
}

/** One message: kind, big-endian length, payload. */
export function frame(kind: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(3);
  h[0] = kind;
  h.writeUInt16BE(payload.length, 1);
  return Buffer.concat([h, payload]);
}

/** Connect to the bridge's AudioSocket listener and send the UUID. */
export function dialAudioSocket(port: number, uuid = '4a1c6f3e-9d2b-4c8e-8f00-112233445566'): Promise<FakeAudioSocket> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const fake: FakeAudioSocket = {
    socket,
    received: [],
    fatalKind: undefined,
    hungUp: false,
    sendAudio: (kind, pcm) => socket.write(frame(kind, pcm)),
    sendDtmf: (digit) => socket.write(frame(0x03, Buffer.from(digit, 'latin1'))),
    sendRaw: (bytes) => socket.write(bytes),
    close: () => socket.end(),
    closed: new Promise((resolve) => socket.on('close', () => resolve())),
  };
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 3) {
      const n = buf.readUInt16BE(1);
      if (buf.length < 3 + n) break;
      const kind = buf[0]!;
      const payload = Buffer.from(buf.subarray(3, 3 + n));
      buf = buf.subarray(3 + n);
      if (kind === 0x00) fake.hungUp = true;
      else if (kind >= 0x10 && kind <= 0x18 && n > 0) fake.received.push({ kind, payload, at: performance.now() });
      else {
        fake.fatalKind = kind; // "Received AudioSocket message other than hangup or audio"
        socket.destroy();
      }
    }
  });
  socket.on('error', () => {});
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(frame(0x01, Buffer.from(uuid.replace(/-/g, ''), 'hex')));
      resolve(fake);
    });
  });
}
