/**
 * The ACS media streaming leg: Call Automation's bidirectional media WebSocket.
 *
 * Inbound JSON text frames (`AudioMetadata`, `AudioData`, `DtmfData`; see acs-frames.ts for the
 * format and its source); outbound `AudioData` frames built by concatenation and `StopAudio` on
 * barge-in. PCM16 at 16 or 24 kHz; the format comes from the first `AudioMetadata`.
 */
import type WebSocket from 'ws';
import { ACS_STOP_AUDIO_FRAME, acsAudioFrameAround, acsAudioFrameBytes, parseAcsFrame } from '../acs-frames.js';
import type { CallCore, MediaLeg } from '../call-core.js';
import { fastAcsAudio } from '../fast-path.js';
import type { Base64Bytes } from '../payload.js';
import { sendText } from '../ws-text.js';
import { WsLegBase } from './ws-leg.js';

/** Limits of the ACS leg. */
export interface AcsLegOptions {
  /** Cap on bytes queued toward the caller's socket before model audio is dropped (bytes). */
  maxQueuedBytes: number;
  /** Text frames larger than this are counted as malformed and ignored (bytes). */
  maxFrameBytes: number;
}

/** One ACS media WebSocket, adapted to the call core. */
export class AcsLeg extends WsLegBase implements MediaLeg {
  constructor(ws: WebSocket, core: CallCore, private readonly o: AcsLegOptions) {
    super(ws, core);
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
  }

  play(b64: string): boolean {
    if (!this.canPlay()) return false;
    sendText(this.ws, acsAudioFrameBytes(b64));
    return true;
  }

  playBytes(p: Base64Bytes): boolean {
    if (!this.canPlay()) return false;
    sendText(this.ws, acsAudioFrameAround(p));
    return true;
  }

  /** The socket is open and not too far behind (model audio is dropped, not queued without end). */
  private canPlay(): boolean {
    return this.ws.readyState === 1 && this.ws.bufferedAmount <= this.o.maxQueuedBytes;
  }

  stopPlayback(): void {
    if (this.ws.readyState === 1) this.ws.send(ACS_STOP_AUDIO_FRAME);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    const core = this.core;
    if (isBinary) return core.malformed('binary frame');
    if (data.length > this.o.maxFrameBytes) return core.malformed(`frame of ${data.length} bytes over the limit`);
    // The hot message first: an AudioData frame in the exact shape ACS sends is read from its
    // bytes (no string of the message or of its payload, no JSON.parse) and passed on in them.
    const fast = fastAcsAudio(data);
    if (fast) return core.callerAudioBytes(fast);
    const f = parseAcsFrame(data.toString());
    switch (f.kind) {
      case 'audio':
        return core.callerAudio(f.data);
      case 'metadata':
        return core.start({ codec: 'pcm16', sampleRate: f.sampleRate });
      case 'dtmf':
        return core.dtmf(f.digit);
      case 'unsupported':
        core.event('call.unsupported', { reason: f.reason });
        return this.hangUp(1003, f.reason);
      case 'ignored':
        return;
      case 'malformed':
        return core.malformed(f.reason);
    }
  }
}
