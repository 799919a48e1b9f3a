import { describe, expect, it } from 'vitest';
import { appendAudioBytes, normalizeServerEvent, realtimeUrl, sessionUpdate } from '../../src/bridge/realtime-protocol.js';

describe('realtimeUrl', () => {
  it.each([
    ['https://res.openai.azure.com', 'ga', 'wss://res.openai.azure.com/openai/v1/realtime?model=gpt-realtime'],
    ['wss://res.openai.azure.com/', 'ga', 'wss://res.openai.azure.com/openai/v1/realtime?model=gpt-realtime'],
    ['https://res.openai.azure.com/openai/x?y=1', 'ga', 'wss://res.openai.azure.com/openai/v1/realtime?model=gpt-realtime'],
    ['https://res.openai.azure.com', 'preview', 'wss://res.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-realtime'],
    ['http://127.0.0.1:9000', 'ga', 'ws://127.0.0.1:9000/openai/v1/realtime?model=gpt-realtime'],
  ] as const)('%s (%s) → %s', (endpoint, protocol, url) => {
    expect(realtimeUrl(endpoint, 'gpt-realtime', protocol)).toBe(url);
  });

  it('GA never carries an api-version', () => {
    expect(realtimeUrl('https://r.openai.azure.com', 'd', 'ga')).not.toContain('api-version');
  });

  it.each(['res.openai.azure.com', 'ftp://x', ''])('refuses %j with a usage error naming the variable', (endpoint) => {
    expect(() => realtimeUrl(endpoint, 'd', 'ga')).toThrow(expect.objectContaining({ code: 'VOICECTL_AOAI_ENDPOINT', exitCode: 2 }));
  });
});

describe('sessionUpdate', () => {
  it('GA: type realtime, nested audio formats at 24000, server VAD, voice under output', () => {
    const ev = sessionUpdate('ga', { voice: 'alloy', instructions: 'be brief' }) as any;
    expect(ev.type).toBe('session.update');
    expect(ev.session.type).toBe('realtime');
    expect(ev.session.instructions).toBe('be brief');
    expect(ev.session.audio.input.format).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(ev.session.audio.output.format).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(ev.session.audio.output.voice).toBe('alloy');
    expect(ev.session.audio.input.turn_detection.type).toBe('server_vad');
    expect(ev.session).not.toHaveProperty('input_audio_format');
  });

  it('preview: flat pcm16 fields, no GA fields', () => {
    const ev = sessionUpdate('preview', { voice: 'verse' }) as any;
    expect(ev.session).toMatchObject({ voice: 'verse', input_audio_format: 'pcm16', output_audio_format: 'pcm16' });
    expect(ev.session.turn_detection.type).toBe('server_vad');
    expect(ev.session).not.toHaveProperty('type');
    expect(ev.session).not.toHaveProperty('audio');
    expect(ev.session).not.toHaveProperty('instructions');
  });

  it('append is valid JSON carrying the base64 unchanged', () => {
    expect(JSON.parse(appendAudioBytes('AAEC+/==').toString())).toEqual({ type: 'input_audio_buffer.append', audio: 'AAEC+/==' });
  });
});

describe('normalizeServerEvent', () => {
  it.each([
    [{ type: 'response.output_audio.delta', delta: 'AA==', response_id: 'r1' }, { type: 'audio', delta: 'AA==', responseId: 'r1' }],
    [{ type: 'response.audio.delta', delta: 'AA==' }, { type: 'audio', delta: 'AA==' }],
    [
      { type: 'response.output_audio.delta', response_id: 'r1', item_id: 'i1', output_index: 1, content_index: 2, delta: 'AA==' },
      { type: 'audio', delta: 'AA==', responseId: 'r1', itemId: 'i1', outputIndex: 1, contentIndex: 2 },
    ],
    [
      { type: 'response.audio.delta', item_id: 7, output_index: -1, content_index: 1.5, delta: 'AA==' },
      { type: 'audio', delta: 'AA==' },
    ],
    [{ type: 'input_audio_buffer.speech_started', audio_start_ms: 5 }, { type: 'speech_started' }],
    [{ type: 'response.created', response: { id: 'r2' } }, { type: 'response.created', responseId: 'r2' }],
    [{ type: 'response.done', response: { id: 'r2', status: 'cancelled' } }, { type: 'response.done', responseId: 'r2' }],
    [{ type: 'conversation.item.input_audio_transcription.completed', transcript: 'hi' }, { type: 'transcript', role: 'caller', text: 'hi' }],
    [{ type: 'response.output_audio_transcript.done', transcript: 'hello' }, { type: 'transcript', role: 'model', text: 'hello' }],
    [{ type: 'response.audio_transcript.done', transcript: 'hey' }, { type: 'transcript', role: 'model', text: 'hey' }],
    [{ type: 'error', error: { code: 'c', message: 'm', event_id: 'e' } }, { type: 'error', code: 'c', message: 'm', eventId: 'e' }],
    [{ type: 'rate_limits.updated' }, { type: 'other', name: 'rate_limits.updated' }],
    [{ type: 'response.audio.delta' }, { type: 'other', name: 'response.audio.delta' }],
    [null, { type: 'other', name: '(not an object)' }],
  ])('%j', (input, out) => {
    expect(normalizeServerEvent(input)).toStrictEqual(out);
  });
});
