/**
 * A fake of Twilio's side of a call: it POSTs the incoming-call webhook signed with the account's
 * auth token (as Twilio does), reads the TwiML `<Connect><Stream>` it gets back, opens the Media
 * Streams WebSocket with a signed upgrade to the exact `wss://` URL, and then behaves like a
 * Media Streams session (Twilio "Media Streams — WebSocket Messages"):
 * - `connected`, then `start` with `streamSid`, `callSid`, `accountSid`, `tracks`, `mediaFormat`
 *   (audio/x-mulaw, 8000, 1) and the `<Parameter>`s of the TwiML as `customParameters`;
 * - `media` messages of 20 ms μ-law (160 bytes) with `chunk` and `timestamp` increasing;
 * - plays what it receives at real time (8 bytes per ms); a `mark` is echoed when the audio sent
 *   before it has played; `clear` drops the buffered audio and echoes every pending mark at once.
 */
import WebSocket from 'ws';
import { openSignedStream, postSignedWebhook } from './twilio-signer.js';

export interface FakeTwilioCall {
  ws: WebSocket;
  twiml: string;
  streamUrl: string;
  parameters: Record<string, string>;
  callSid: string;
  streamSid: string;
  /** μ-law bytes played to the caller so far. */
  played(): Buffer;
  /** Bytes waiting in the playout buffer. */
  buffered(): number;
  /** Every message the bridge sent, parsed. */
  received: Array<Record<string, any>>;
  /** Marks echoed back to the bridge, with whether a clear caused the echo. */
  echoedMarks: Array<{ name: string; byClear: boolean }>;
  sendStart(overrides?: { callSid?: string; customParameters?: Record<string, string>; encoding?: string }): void;
  /** Send 20 ms μ-law frames (160 bytes each), one per `paceMs` (0: all at once). */
  sendAudio(frames: Buffer[], paceMs?: number): Promise<void>;
  sendDtmf(digit: string): void;
  sendStop(): void;
  closed: Promise<{ code: number; reason: string }>;
}

/** Attributes of the `<Stream>` and its `<Parameter>`s. */
export function parseStreamTwiml(twiml: string): { url: string; parameters: Record<string, string> } {
  const url = /<Stream[^>]*\burl="([^"]+)"/.exec(twiml)?.[1] ?? '';
  const parameters: Record<string, string> = {};
  for (const m of twiml.matchAll(/<Parameter name="([^"]*)" value="([^"]*)"\s*\/>/g)) parameters[m[1]!] = m[2]!.replace(/&amp;/g, '&');
  return { url: url.replace(/&amp;/g, '&'), parameters };
}

/**
 * Place a fake incoming call: signed webhook, then the signed Media Streams upgrade.
 * @throws when the webhook is not answered with TwiML, or the upgrade is refused.
 */
export async function callBridgeAsTwilio(o: {
  port: number;
  publicHost: string;
  authToken: string;
  callSid?: string;
  playTickMs?: number;
}): Promise<FakeTwilioCall> {
  const callSid = o.callSid ?? `CA${'0123456789abcdef'.repeat(2)}`;
  const streamSid = `MZ${'fedcba9876543210'.repeat(2)}`;
  const answer = await postSignedWebhook({
    port: o.port,
    publicUrl: `https://${o.publicHost}/twilio/voice`,
    authToken: o.authToken,
    params: { CallSid: callSid, AccountSid: 'AC'.padEnd(34, '1'), From: '+15551230000', To: '+15559870000', CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' },
  });
  if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${answer.body}`);
  const { url: streamUrl, parameters } = parseStreamTwiml(answer.body);
  const ws = openSignedStream({ port: o.port, wssUrl: streamUrl, authToken: o.authToken });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    ws.once('error', reject);
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const queue: Array<Buffer | { mark: string }> = [];
  const playedChunks: Buffer[] = [];
  let bufferedBytes = 0;
  let seq = 1;
  let chunk = 0;
  const t0 = Date.now();
  const call: FakeTwilioCall = {
    ws, twiml: answer.body, streamUrl, parameters, callSid, streamSid, received: [], echoedMarks: [],
    played: () => Buffer.concat(playedChunks),
    buffered: () => bufferedBytes,
    sendStart(ov = {}) {
      send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
      send({
        event: 'start', sequenceNumber: String(seq++), streamSid,
        start: {
          streamSid, accountSid: 'AC'.padEnd(34, '1'), callSid: ov.callSid ?? callSid, tracks: ['inbound'],
          customParameters: ov.customParameters ?? parameters,
          mediaFormat: { encoding: ov.encoding ?? 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
    },
    async sendAudio(frames, paceMs = 20) {
      for (const f of frames) {
        chunk += 1;
        send({ event: 'media', sequenceNumber: String(seq++), streamSid, media: { track: 'inbound', chunk: String(chunk), timestamp: String(Date.now() - t0), payload: f.toString('base64') } });
        if (paceMs > 0) await new Promise((r) => setTimeout(r, paceMs));
      }
    },
    sendDtmf: (digit) => send({ event: 'dtmf', streamSid, sequenceNumber: String(seq++), dtmf: { track: 'inbound_track', digit } }),
    sendStop: () => send({ event: 'stop', sequenceNumber: String(seq++), streamSid, stop: { accountSid: 'AC'.padEnd(34, '1'), callSid } }),
    closed,
  };
  function send(m: Record<string, unknown>): void {
    if (ws.readyState === 1) ws.send(JSON.stringify(m));
  }
  function echoMark(name: string, byClear: boolean): void {
    call.echoedMarks.push({ name, byClear });
    send({ event: 'mark', sequenceNumber: String(seq++), streamSid, mark: { name } });
  }
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Record<string, any>;
    call.received.push(m);
    if (m.streamSid !== streamSid) return;
    if (m.event === 'media') {
      const b = Buffer.from(m.media.payload as string, 'base64');
      queue.push(b);
      bufferedBytes += b.length;
    } else if (m.event === 'mark') queue.push({ mark: m.mark.name as string });
    else if (m.event === 'clear') {
      for (const item of queue.splice(0)) if (!Buffer.isBuffer(item)) echoMark(item.mark, true);
      bufferedBytes = 0;
    }
  });
  // Real-time playout: 8 bytes of μ-law per ms.
  const tickMs = o.playTickMs ?? 20;
  const player = setInterval(() => {
    let budget = 8 * tickMs;
    while (queue.length > 0) {
      const head = queue[0]!;
      if (!Buffer.isBuffer(head)) {
        queue.shift();
        echoMark(head.mark, false);
        continue;
      }
      if (budget === 0) break;
      const n = Math.min(budget, head.length);
      playedChunks.push(head.subarray(0, n));
      bufferedBytes -= n;
      budget -= n;
      if (n === head.length) queue.shift();
      else queue[0] = head.subarray(n);
    }
  }, tickMs);
  ws.on('close', () => clearInterval(player));
  return call;
}
