/**
 * Human log lines for the bridge's events (stderr without `--json`). One line per event,
 * or `undefined` for events that only exist in the NDJSON stream.
 */

type Data = Record<string, unknown>;
const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The leg's own ids for a `call.started` line. */
function legIds(d: Data): string {
  if (d.connectionId) return ` (ACS call connection ${String(d.connectionId)}, correlation ${String(d.correlationId ?? '?')})`;
  if (d.source === 'asterisk') {
    const id = d.channelId ?? d.uuid;
    return ` (Asterisk ${String(d.transport ?? '')}${id ? ` ${String(id)}` : ''}${d.format ? `, ${String(d.format)}` : ''})`;
  }
  if (d.callSid) return ` (Twilio call ${String(d.callSid)})`;
  return '';
}

/** The log line for one event. */
export function describeEvent(type: string, d: Data): string | undefined {
  const id = String(d.callId ?? '');
  switch (type) {
    case 'bridge.listening':
      return (
        `bridge listening on http://${String(d.host)}:${n(d.port)} — media WebSocket ${String(d.mediaUrl)}` +
        `${d.asteriskUrl ? `, Asterisk chan_websocket ${String(d.asteriskUrl)}` : ''}${d.audioSocket ? `, AudioSocket ${String(d.audioSocket)}` : ''}` +
        `, health ${String(d.healthUrl)}, upstream ${String(d.upstream)}`
      );
    case 'call.started':
      return `call ${id} started from ${String(d.remote ?? '?')}${legIds(d)}${d.active !== undefined ? `; ${n(d.active)} active` : ''}`;
    case 'call.format':
      return `call ${id}: ${d.codec === 'g711_ulaw' ? 'μ-law' : d.codec === 'g711_alaw' ? 'A-law' : 'PCM16'} ${n(d.sampleRate)} Hz${d.resampling ? ', resampling to and from 24 kHz' : d.codec && d.codec !== 'pcm16' ? ', passed through to the model' : ''}`;
    case 'call.ended':
      return (
        `call ${id} ended after ${(n(d.durationMs) / 1000).toFixed(1)} s (close ${n(d.closeCode)}${d.closeReason ? ` ${String(d.closeReason)}` : ''}): ` +
        `${n(d.framesIn)} frames in, ${n(d.framesOut)} out, ${n(d.droppedIn) + n(d.droppedOut)} dropped, ` +
        `${n(d.malformed)} malformed, ${plural(n(d.reconnects), 'reconnect')}, ${plural(n(d.bargeIns), 'barge-in')}` +
        `${n(d.turnsReplayed) > 0 ? `, ${plural(n(d.turnsReplayed), 'turn')} replayed` : ''}` +
        `${typeof d.voiceToVoiceMedianMs === 'number' ? `, voice-to-voice median ${d.voiceToVoiceMedianMs} ms (max ${n(d.voiceToVoiceMaxMs)} ms)` : ''}`
      );
    case 'call.barge_in':
      return d.action === 'delete'
        ? `call ${id}: barge-in before the caller heard the answer (${n(d.generatedMs)} ms generated): item deleted`
        : `call ${id}: barge-in after ${n(d.heardMs)} of ${n(d.generatedMs)} ms of the answer: item truncated`;
    case 'transcripts.error':
      return `transcripts: ${String(d.message)}`;
    case 'call.refused':
      return d.reason === 'draining'
        ? `refused a ${String(d.source ?? '')} call: the bridge is draining (closed with 1013)`
        : `refused a call: ${n(d.active)} active, at the --max-calls limit of ${n(d.maxCalls)} (closed with 1013)`;
    case 'bridge.draining':
      return `draining: ${plural(n(d.active), 'call')} still active, ${n(d.remainingS)} s left`;
    case 'call.malformed':
      return `call ${id}: ignored a malformed frame (${String(d.reason)})${n(d.count) >= 3 ? '; further ones are only counted' : ''}`;
    case 'call.unsupported':
      return `call ${id}: closing, ${String(d.reason)}`;
    case 'call.dtmf':
      return `call ${id}: DTMF ${String(d.digit)}`;
    case 'call.error':
      return `call ${id}: ${String(d.message)}`;
    case 'media.refused':
      return `refused a media upgrade on ${String(d.path)} from ${String(d.remote ?? '?')}: ${n(d.status)} ${String(d.reason)}`;
    case 'upstream.error':
      return `call ${id}: upstream ${d.fatal ? 'failed' : 'error'}: ${String(d.message)}${d.fatal ? ' (call closed with 1011)' : ''}`;
    case 'upstream.reconnecting':
      return `call ${id}: upstream dropped (${String(d.reason)}); reconnecting in ${n(d.delayMs)} ms (attempt ${n(d.attempt)})`;
    case 'transcript':
      // model and caller text: control characters (newlines, ANSI escapes) must not forge log lines
      return `call ${id} ${String(d.role)}: ${String(d.text).replace(/[\u0000-\u001f\u007f]/g, ' ')}`;
    case 'http.error':
      return `HTTP ${String(d.path)} failed: ${String(d.message)}`;
    case 'ari.connected':
      return `ARI: ${d.reconnected ? 're' : ''}registered Stasis app ${String(d.app)} at ${String(d.url)} (media over ${String(d.media)}${d.audioSocket ? ` to ${String(d.audioSocket)}` : ''})`;
    case 'ari.call':
      return `ARI: caller ${String(d.callerNumber || '?')} (channel ${String(d.callerChannelId)}) bridged with ${String(d.media)} channel ${String(d.mediaChannelId)}${d.callId ? `, call ${String(d.callId)}` : ''}`;
    case 'ari.ended':
      return `ARI: cleaned up channel ${String(d.callerChannelId)} (${String(d.reason)})`;
    case 'ari.warning':
      return `ARI: ${String(d.message)}`;
    case 'ari.error':
      return `ARI error${d.step ? ` at ${String(d.step)}` : ''}${d.callerChannelId ? ` (channel ${String(d.callerChannelId)})` : ''}: ${String(d.message)}`;
    case 'ari.disconnected':
      return `ARI: ${String(d.reason)}; reconnecting in ${n(d.delayMs)} ms (attempt ${n(d.attempt)})`;
    case 'bridge.stopped':
      return `bridge stopped: ${plural(n(d.totalCalls), 'call')} served`;
    default:
      return undefined;
  }
}
