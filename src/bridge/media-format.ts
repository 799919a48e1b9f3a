/**
 * Audio formats of the caller legs, and the Realtime session format each one gets.
 *
 * A leg announces what it carries (ACS `AudioMetadata`, Asterisk `MEDIA_START` / the AudioSocket
 * kind, Twilio `start.mediaFormat`). The call core then configures the Realtime session:
 * - PCM16 at 24 kHz passes through as `audio/pcm` (GA) / `pcm16` (preview);
 * - 8 kHz μ-law / A-law passes through as `audio/pcmu` / `audio/pcma` (GA) or `g711_ulaw` /
 *   `g711_alaw` (preview): no transcoding, no resampling;
 * - PCM16 at 16 kHz or 8 kHz is resampled to 24 kHz toward the model and back toward the caller.
 *
 * Source: Azure OpenAI Realtime reference (session `audio.input.format` / `input_audio_format`),
 * OpenAI Realtime client-events reference ("Only a 24kHz sample rate is supported" for PCM).
 */

/** What a caller leg carries on the wire. */
export type LegFormat =
  | { codec: 'pcm16'; sampleRate: 8000 | 16000 | 24000 }
  | { codec: 'g711_ulaw' | 'g711_alaw'; sampleRate: 8000 };

/** The audio format a Realtime session is configured for (preview names; GA names via {@link gaFormat}). */
export type SessionAudio = 'pcm16' | 'g711_ulaw' | 'g711_alaw';

/** Sample rate of Realtime PCM16 audio in both directions (Hz). */
export const REALTIME_PCM_RATE = 24000;

/** The session format for a leg, and the caller-side PCM rate to resample from (undefined: passthrough). */
export function sessionAudioFor(leg: LegFormat): { audio: SessionAudio; resampleFrom?: 8000 | 16000 } {
  if (leg.codec !== 'pcm16') return { audio: leg.codec };
  if (leg.sampleRate === REALTIME_PCM_RATE) return { audio: 'pcm16' };
  return { audio: 'pcm16', resampleFrom: leg.sampleRate };
}

/** The GA `format` object of a session audio format. */
export function gaFormat(audio: SessionAudio): { type: string; rate?: number } {
  if (audio === 'g711_ulaw') return { type: 'audio/pcmu' };
  if (audio === 'g711_alaw') return { type: 'audio/pcma' };
  return { type: 'audio/pcm', rate: REALTIME_PCM_RATE };
}

/** Bytes of audio per millisecond in a session format (PCM16 24 kHz: 48; G.711: 8). */
export function sessionBytesPerMs(audio: SessionAudio): number {
  return audio === 'pcm16' ? (REALTIME_PCM_RATE * 2) / 1000 : 8;
}

/** Bytes of one sample frame of a leg format (PCM16: 2, G.711: 1). */
export function legSampleBytes(leg: LegFormat): 1 | 2 {
  return leg.codec === 'pcm16' ? 2 : 1;
}

/** Bytes per millisecond of a leg format (PCM16 16 kHz: 32; μ-law: 8). */
export function legBytesPerMs(leg: LegFormat): number {
  return (leg.sampleRate / 1000) * legSampleBytes(leg);
}

/** Short text for events and logs: `pcm16@16000`, `g711_ulaw@8000`. */
export function describeFormat(leg: LegFormat): string {
  return `${leg.codec}@${leg.sampleRate}`;
}
