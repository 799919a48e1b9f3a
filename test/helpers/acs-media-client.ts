/**
 * A fake ACS media streaming client: connects to the bridge's media WebSocket the way ACS
 * does (upgrade headers `x-ms-call-connection-id` / `x-ms-call-correlation-id`), sends
 * `AudioMetadata` then `AudioData` frames in ACS's camelCase shape, and records what the
 * bridge sends back. Like ACS it plays the audio it receives in real time (from arrival, one ms
 * per ms, queued behind what is still playing) and `StopAudio` drops what has not played yet:
 * {@link AcsPlayback} is that caller's true play position. Plus PCM helpers for tones and pitch checks.
 */
import WebSocket from 'ws';

type Json = Record<string, any>;

/** What the fake caller has heard of the bridge's audio. */
export interface AcsPlayback {
  /** ms heard since connect (audio dropped by StopAudio not counted) at performance.now() `now`. */
  heardMs(now?: number): number;
  /** {@link heardMs} at the arrival of each StopAudio, in order. */
  atStop: number[];
  /** True when nothing is left to play. */
  idle(now?: number): boolean;
}

export interface AcsClient {
  ws: WebSocket;
  /** The caller's real-time playback of what the bridge sent. */
  playback: AcsPlayback;
  /** Every frame the bridge sent, parsed, in order. */
  received: Json[];
  /** The base64 payloads of the AudioData frames received, in order. */
  audio(): string[];
  /** How many StopAudio frames arrived. */
  stopAudios(): number;
  sendMetadata(sampleRate: 16000 | 24000): void;
  sendAudio(b64: string, silent?: boolean): void;
  sendRaw(data: string | Buffer, binary?: boolean): void;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/**
 * Connect like ACS. Rejects with the ws error (e.g. `Unexpected server response: 401`) when
 * the upgrade is refused.
 */
export function connectAcs(url: string, headers: Record<string, string> = {}): Promise<AcsClient> {
  const ws = new WebSocket(url, {
    headers: { 'x-ms-call-connection-id': 'conn-1', 'x-ms-call-correlation-id': 'corr-1', ...headers },
  });
  const received: Json[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  // Real-time playout: `total` ms received (less what StopAudio dropped), ending at `end` (performance.now()).
  let bytesPerMs = 48;
  let total = 0;
  let end = 0;
  const heardMs = (now = performance.now()): number => total - Math.max(0, end - now);
  const playback: AcsPlayback = { heardMs, atStop: [], idle: (now = performance.now()) => end <= now };
  ws.on('message', (data) => {
    const f = JSON.parse(data.toString()) as Json;
    received.push(f);
    const now = performance.now();
    if (f.kind === 'AudioData') {
      const ms = Buffer.from(f.audioData.data as string, 'base64').length / bytesPerMs;
      total += ms;
      end = Math.max(end, now) + ms;
    } else if (f.kind === 'StopAudio') {
      total = heardMs(now);
      end = now;
      playback.atStop.push(total);
    }
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.on('error', () => {});
      resolve({
        ws,
        playback,
        received,
        audio: () => received.filter((f) => f.kind === 'AudioData').map((f) => f.audioData.data as string),
        stopAudios: () => received.filter((f) => f.kind === 'StopAudio').length,
        sendMetadata(sampleRate) {
          bytesPerMs = (sampleRate / 1000) * 2;
          ws.send(
            JSON.stringify({
              kind: 'AudioMetadata',
              audioMetadata: { subscriptionId: 'sub-1', encoding: 'PCM', sampleRate, channels: 1, length: sampleRate / 25 },
            }),
          );
        },
        sendAudio(b64, silent = false) {
          ws.send(
            JSON.stringify({
              kind: 'AudioData',
              audioData: { timestamp: new Date().toISOString(), participantRawID: '8:acs:caller', data: b64, silent },
            }),
          );
        },
        sendRaw(data, binary = false) {
          ws.send(data, { binary });
        },
        closed,
        close: () => ws.close(1000),
      });
    });
  });
}

/** Poll `predicate` every 5 ms until true (a throw counts as false); throws `what` after `timeoutMs` (default 5000). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  const check = (): boolean => {
    try {
      return predicate();
    } catch {
      return false;
    }
  };
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A sine tone as 20 ms frames of base64 PCM16 LE (phase continuous across frames). */
export function toneFrames(rate: number, hz: number, frames: number, amplitude = 0.5): string[] {
  const n = rate / 50;
  const out: string[] = [];
  for (let f = 0; f < frames; f++) {
    const b = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * (f * n + i)) / rate)), i * 2);
    out.push(b.toString('base64'));
  }
  return out;
}

/** Frames of distinct pseudo-random PCM (a counter in the first samples), for bit-exact order checks. */
export function numberedFrames(rate: number, frames: number): string[] {
  const n = rate / 50;
  const out: string[] = [];
  for (let f = 0; f < frames; f++) {
    const b = Buffer.alloc(n * 2);
    let x = (f + 1) * 2654435761;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      b.writeInt16LE((x >>> 16) - 32768, i * 2);
    }
    b.writeUInt16LE(f, 0);
    out.push(b.toString('base64'));
  }
  return out;
}

/** Concatenate base64 PCM16 chunks into samples. */
export function samplesOf(chunks: string[]): Int16Array {
  const buf = Buffer.concat(chunks.map((c) => Buffer.from(c, 'base64')));
  const out = new Int16Array(buf.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2);
  return out;
}

/** Goertzel power of `hz` in `samples` at `rate`, normalised by the signal energy (0..~0.5). */
export function toneShare(samples: Int16Array, rate: number, hz: number): number {
  const w = (2 * Math.PI * hz) / rate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const x of samples) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x * x;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return energy === 0 ? 0 : power / (energy * samples.length);
}

/** Zero crossings per second (≈ 2 × the frequency of a pure tone). */
export function zeroCrossingRate(samples: Int16Array, rate: number): number {
  let z = 0;
  for (let i = 1; i < samples.length; i++) if ((samples[i - 1]! < 0) !== (samples[i]! < 0)) z++;
  return (z * rate) / samples.length;
}

/** A bridge started in-process on 127.0.0.1:0 with its events recorded. */
export interface TestBridge {
  handle: import('../../src/bridge/server.js').BridgeHandle;
  events: Array<{ type: string; data: Record<string, any> }>;
  /** ws://127.0.0.1:<port>/ws/media */
  mediaUrl: string;
  /** http://127.0.0.1:<port> */
  httpUrl: string;
  /** Events of one type, data only. */
  of(type: string): Array<Record<string, any>>;
}

/** Start the bridge for a test (echo upstream unless given); close it with `t.handle.close()`. */
export async function startTestBridge(
  overrides: Partial<import('../../src/bridge/server.js').BridgeOptions> = {},
): Promise<TestBridge> {
  const { startBridge } = await import('../../src/bridge/server.js');
  const events: TestBridge['events'] = [];
  const handle = await startBridge({
    port: 0,
    host: '127.0.0.1',
    mediaPath: '/ws/media',
    maxCalls: 10,
    upstream: { kind: 'echo' },
    onEvent: (type, data) => events.push({ type, data }),
    ...overrides,
  });
  return {
    handle,
    events,
    mediaUrl: `ws://127.0.0.1:${handle.port}/ws/media`,
    httpUrl: `http://127.0.0.1:${handle.port}`,
    of: (type) => events.filter((e) => e.type === type).map((e) => e.data),
  };
}
