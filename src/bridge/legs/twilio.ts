/**
 * The Twilio Media Streams leg: the bidirectional stream a `<Connect><Stream>` opens.
 *
 * Messages (JSON text; source: Twilio "Media Streams — WebSocket Messages"): inbound `connected`,
 * `start` {streamSid, callSid, accountSid, tracks, mediaFormat {encoding "audio/x-mulaw",
 * sampleRate 8000, channels 1}, customParameters}, `media` {track, chunk, timestamp, payload},
 * `dtmf` {digit}, `mark` {name}, `stop`; outbound `media` {payload}, `mark` and `clear`.
 *
 * μ-law passes through to a Realtime session configured for μ-law. The stream is refused unless
 * `start` carries the short-lived per-call token the signed webhook put in a `<Parameter>` for
 * the `callSid` it announces, so a signed upgrade cannot be replayed for another call.
 * Playback is tracked with marks: one after a chunk of model audio once at least
 * {@link MARK_EVERY_MS} of audio has gone out since the last, echoed by Twilio when played. A
 * `clear` (barge-in) echoes every pending mark at once; those prove nothing and are ignored.
 * Between echoes the play position advances in real time from the last echo (or from when
 * audio reached an empty buffer), capped at what was sent.
 */
import type WebSocket from 'ws';
import { base64ByteLength } from '../base64.js';
import type { CallCore, MediaLeg } from '../call-core.js';
import { frameAround, payloadByteLength, type Base64Bytes } from '../payload.js';
import { asciiMessage, sendText } from '../ws-text.js';
import { fastTwilioMedia, parseTwilioMessage } from './twilio-messages.js';
import { MARK_EVERY_MS, WsLegBase } from './ws-leg.js';

/** What the leg needs from the Twilio webhook side (see src/twilio/webhook.ts). */
export interface TwilioStreamAuth {
  /** Check `start.customParameters` / `start.callSid` against the stream token the webhook issued. */
  verifyStart(customParameters: unknown, callSid: unknown): { ok: true } | { ok: false; reason: string };
}

/** Options of {@link TwilioLeg}. */
export interface TwilioLegOptions {
  auth: TwilioStreamAuth;
  /** Cap on bytes queued toward Twilio's socket before model audio is dropped (bytes). */
  maxQueuedBytes: number;
}

type Json = Record<string, unknown>;
const MEDIA_TAIL = Buffer.from('"}}');
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One Media Streams WebSocket, adapted to the call core. */
export class TwilioLeg extends WsLegBase implements MediaLeg {
  private streamSid: string | undefined;
  /** `{"event":"media","streamSid":"MZ…","media":{"payload":"` — built once per call. */
  private mediaPrefix = Buffer.alloc(0);
  private markSeq = 0;
  /** Mark number → μ-law bytes sent up to and including it. */
  private readonly markBytes = new Map<number, number>();
  /** Marks up to this number were pending at the last `clear`: their echo proves nothing. */
  private clearedThrough = 0;
  private sentBytes = 0;
  /** μ-law bytes sent since the last mark. */
  private unmarkedBytes = 0;
  /** μ-law bytes Twilio has confirmed as played (8 bytes per ms). */
  playedBytes = 0;
  /** `anchorBytes` had played at `anchorAt` (ms since the epoch): the last echo, or an empty buffer refilled. */
  private anchorBytes = 0;
  private anchorAt = 0;

  constructor(ws: WebSocket, core: CallCore, private readonly o: TwilioLegOptions) {
    super(ws, core);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return core.malformed('binary frame');
      // The hot message first: a media message in Twilio's compact shape is read from its bytes.
      const payload = fastTwilioMedia(data as Buffer);
      if (payload !== undefined) return core.callerAudioBytes(payload);
      this.onMessage((data as Buffer).toString());
    });
  }

  play(b64: string): boolean {
    if (!this.canPlay()) return false;
    sendText(this.ws, asciiMessage(this.mediaPrefix, b64, MEDIA_TAIL));
    this.sent(base64ByteLength(b64));
    return true;
  }

  playBytes(p: Base64Bytes): boolean {
    if (!this.canPlay()) return false;
    const bytes = payloadByteLength(p);
    sendText(this.ws, frameAround(p, this.mediaPrefix, MEDIA_TAIL));
    this.sent(bytes);
    return true;
  }

  /** The stream has started, its socket is open and not too far behind. */
  private canPlay(): boolean {
    return this.ws.readyState === 1 && this.streamSid !== undefined && this.ws.bufferedAmount <= this.o.maxQueuedBytes;
  }

  /** `bytes` of μ-law went out: the play position's anchor, and a mark once per {@link MARK_EVERY_MS}. */
  private sent(bytes: number): void {
    const now = Date.now();
    if (this.position(now) >= this.sentBytes) {
      // Twilio's buffer had run dry: this chunk starts playing now
      this.anchorBytes = this.sentBytes;
      this.anchorAt = now;
    }
    this.sentBytes += bytes;
    this.unmarkedBytes += bytes;
    if (this.unmarkedBytes < MARK_EVERY_MS * 8) return;
    this.unmarkedBytes = 0;
    const n = ++this.markSeq;
    this.markBytes.set(n, this.sentBytes);
    this.ws.send(`{"event":"mark","streamSid":"${this.streamSid}","mark":{"name":"v${n}"}}`);
  }

  /** ms of model audio Twilio has played: the last echoed mark plus real time since, capped at what was sent (μ-law: 8 bytes per ms). */
  playedMs(): number {
    return this.position(Date.now()) / 8;
  }

  /** μ-law bytes played by `now` (ms since the epoch). */
  private position(now: number): number {
    return Math.min(this.sentBytes, this.anchorBytes + (now - this.anchorAt) * 8);
  }

  stopPlayback(): void {
    if (this.ws.readyState !== 1 || !this.streamSid) return;
    const now = Date.now();
    this.playedBytes = Math.max(this.playedBytes, Math.floor(this.position(now)));
    this.anchorBytes = this.playedBytes;
    this.anchorAt = now;
    this.clearedThrough = this.markSeq;
    this.markBytes.clear();
    this.unmarkedBytes = 0;
    this.sentBytes = this.playedBytes;
    this.ws.send(`{"event":"clear","streamSid":"${this.streamSid}"}`);
  }

  private onMessage(text: string): void {
    const core = this.core;
    const v = parseTwilioMessage(text);
    if (v.kind === 'audio') return core.callerAudio(v.payload);
    if (v.kind === 'malformed') return core.malformed(v.reason);
    if (v.kind === 'ignored') return; // only the caller's side
    const m = v.message;
    switch (m.event) {
      case 'start':
        return this.onStart(m);
      case 'mark': {
        const name = str(((m.mark ?? {}) as Json).name) ?? '';
        const n = /^v(\d+)$/.test(name) ? Number(name.slice(1)) : 0;
        if (n <= this.clearedThrough) return; // echoed by a clear: not played
        const bytes = this.markBytes.get(n);
        if (bytes !== undefined) {
          this.playedBytes = bytes;
          this.anchorBytes = bytes;
          this.anchorAt = Date.now();
          for (const k of this.markBytes.keys()) if (k <= n) this.markBytes.delete(k);
        }
        return;
      }
      case 'dtmf': {
        const digit = str(((m.dtmf ?? {}) as Json).digit);
        return digit ? core.dtmf(digit) : core.malformed('dtmf without digit');
      }
      case 'stop':
        return this.hangUp(1000, 'stream stopped');
      case 'connected':
        return;
      default:
        return core.malformed(`unknown event ${String(m.event).slice(0, 40)}`);
    }
  }

  private onStart(m: Json): void {
    const core = this.core;
    if (core.started) return;
    const start = (m.start ?? {}) as Json;
    const streamSid = str(start.streamSid) ?? str(m.streamSid);
    const callSid = str(start.callSid);
    core.identify({ callSid, streamSid, accountSid: str(start.accountSid) });
    const verdict = this.o.auth.verifyStart(start.customParameters, callSid);
    if (!verdict.ok) {
      core.event('twilio.stream.refused', { reason: verdict.reason });
      return core.close(1008, `stream refused: ${verdict.reason}`);
    }
    if (!streamSid || !/^[A-Za-z0-9]+$/.test(streamSid)) return core.close(1008, 'start without a streamSid');
    this.streamSid = streamSid;
    this.mediaPrefix = Buffer.from(`{"event":"media","streamSid":"${streamSid}","media":{"payload":"`);
    const f = (start.mediaFormat ?? {}) as Json;
    core.announce({ transport: 'media-streams', encoding: f.encoding });
    if (f.encoding !== 'audio/x-mulaw' || Number(f.sampleRate) !== 8000) {
      const reason = `Media Streams format ${String(f.encoding)} at ${String(f.sampleRate)} Hz is not supported (audio/x-mulaw 8000 expected)`;
      core.event('call.unsupported', { reason });
      return core.close(1003, reason);
    }
    core.start({ codec: 'g711_ulaw', sampleRate: 8000 });
  }
}
