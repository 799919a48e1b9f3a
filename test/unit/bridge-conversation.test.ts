// Pure units of the conversation side of a call: the text log replayed into a new session, the
// playback accounting behind barge-in truncation, latency figures, and the new server events.
import { describe, expect, it } from 'vitest';
import { ConversationLog, cutText, deleteItemEvent, itemCreateEvent, truncateEvent } from '../../src/bridge/conversation.js';
import { LatencyRing, TurnLatencies, percentile } from '../../src/bridge/latency.js';
import { PlaybackTracker } from '../../src/bridge/playback.js';
import { normalizeServerEvent } from '../../src/bridge/realtime-protocol.js';

describe('ConversationLog', () => {
  it('orders turns by when their item appeared, not by when the transcript arrived', () => {
    const log = new ConversationLog();
    log.itemStarted('user', 'u1');
    log.itemStarted('assistant', 'a1');
    log.transcript('assistant', 'Hello, how can I help?', 'a1');
    log.transcript('user', 'Hi there.', 'u1'); // the caller's transcription lands late
    log.itemStarted('user', 'u2'); // no transcript (yet): skipped
    expect(log.turns()).toEqual([
      { role: 'user', text: 'Hi there.' },
      { role: 'assistant', text: 'Hello, how can I help?' },
    ]);
  });

  it('cuts a truncated assistant turn to the heard share, whether the transcript came before or after the barge-in', () => {
    const text = 'one two three four five six seven eight nine ten';
    const before = new ConversationLog();
    before.itemStarted('assistant', 'a');
    before.transcript('assistant', text, 'a');
    expect(before.truncated('a', 500, 1000)).toBe('one two three four five');
    const after = new ConversationLog();
    after.itemStarted('assistant', 'a');
    expect(after.truncated('a', 500, 1000)).toBeUndefined();
    expect(after.transcript('assistant', text, 'a')).toBe('one two three four five');
    expect(after.turns()).toEqual(before.turns());
  });

  it('an item the caller heard nothing of leaves no turn, even when its transcript arrives later', () => {
    const log = new ConversationLog();
    log.itemStarted('assistant', 'a');
    log.truncated('a', 0, 800);
    expect(log.transcript('assistant', 'Never heard.', 'a')).toBeUndefined();
    expect(log.turns()).toEqual([]);
  });

  it('replays the most recent turns within the budget (turns and characters)', () => {
    const log = new ConversationLog({ maxTurns: 3, maxChars: 25 });
    for (let i = 1; i <= 6; i++) log.transcript(i % 2 ? 'user' : 'assistant', `turn number ${i}`, `i${i}`);
    expect(log.turns()).toEqual([{ role: 'assistant', text: 'turn number 6' }]); // turn 5 would pass 25 characters
    const wide = new ConversationLog({ maxTurns: 3, maxChars: 1000 });
    for (let i = 1; i <= 6; i++) wide.transcript(i % 2 ? 'user' : 'assistant', `turn number ${i}`, `i${i}`);
    expect(wide.turns().map((t) => t.text)).toEqual(['turn number 4', 'turn number 5', 'turn number 6']);
    const huge = new ConversationLog({ maxTurns: 3, maxChars: 10 });
    huge.transcript('user', 'a very long single turn', 'h');
    expect(huge.turns()).toEqual([{ role: 'user', text: 'ingle turn' }]);
    const big = new ConversationLog();
    for (let i = 0; i < 500; i++) big.transcript('user', 'x'.repeat(100), `b${i}`);
    const turns = big.turns();
    expect(turns.length).toBe(20);
    expect(turns.reduce((n, t) => n + t.text.length, 0)).toBeLessThanOrEqual(8000);
  });
});

describe('cutText', () => {
  it('cuts at a word boundary, never mid-word', () => {
    expect(cutText('hello wonderful world', 0.5)).toBe('hello');
    expect(cutText('hello wonderful world', 1)).toBe('hello wonderful world');
    expect(cutText('hello wonderful world', 0)).toBe('');
    expect(cutText('abcdefghij', 0.5)).toBe('abcde'); // one long word: a hard cut
  });
});

describe('conversation client events', () => {
  it('item.create per protocol, truncate with an integer audio_end_ms, delete', () => {
    expect(JSON.parse(itemCreateEvent('ga', { role: 'user', text: 'hi' }))).toEqual({
      type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    });
    expect(JSON.parse(itemCreateEvent('ga', { role: 'assistant', text: 'yo' })).item.content).toEqual([{ type: 'output_text', text: 'yo' }]);
    expect(JSON.parse(itemCreateEvent('preview', { role: 'assistant', text: 'yo' })).item.content).toEqual([{ type: 'text', text: 'yo' }]);
    expect(JSON.parse(itemCreateEvent('ga', { role: 'user', text: 'say "\\n"' })).item.content[0].text).toBe('say "\\n"');
    expect(JSON.parse(truncateEvent('item_1', 0, 1234.9))).toEqual({ type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 1234 });
    expect(JSON.parse(deleteItemEvent('item_1'))).toEqual({ type: 'conversation.item.delete', item_id: 'item_1' });
  });
});

describe('PlaybackTracker', () => {
  it('without a leg position: real-time playout from the first audio, capped at what was sent', () => {
    const p = new PlaybackTracker(48, 48);
    p.generated('a', 0, 48 * 1000);
    p.sent(48 * 1000, 10_000); // 1 s handed over at t=10 s
    expect(p.playedMs(10_400)).toBe(400);
    expect(p.bargeIn(10_400)).toEqual([{ itemId: 'a', contentIndex: 0, heardMs: 400, generatedMs: 1000 }]);
  });

  it('a second item starts where the first one ends on the timeline', () => {
    const p = new PlaybackTracker(48, 32); // 24 kHz session, 16 kHz leg
    p.generated('a', 0, 48 * 300);
    p.sent(32 * 300, 0);
    p.generated('b', 0, 48 * 500);
    p.sent(32 * 500, 0);
    expect(p.bargeIn(450)).toEqual([{ itemId: 'b', contentIndex: 0, heardMs: 150, generatedMs: 500 }]);
  });

  it('never reports more than the model generated, and 0 (delete) when nothing played', () => {
    const p = new PlaybackTracker(48, 8);
    p.generated('a', 0, 48 * 200);
    p.sent(8 * 230, 0); // the leg got a little more than generated (resampler rounding)
    expect(p.bargeIn(1000, 225)).toEqual([]); // all of it heard: nothing to truncate
    p.generated('b', 0, 48 * 200);
    p.sent(8 * 200, 1000);
    expect(p.bargeIn(1001, 225)).toEqual([{ itemId: 'b', contentIndex: 0, heardMs: 0, generatedMs: 200 }]);
  });

  it('after a barge-in the timeline restarts at the play position (the leg dropped its queue)', () => {
    const p = new PlaybackTracker(48, 48);
    p.generated('a', 0, 48 * 2000);
    p.sent(48 * 2000, 0);
    p.bargeIn(500);
    p.generated('b', 0, 48 * 1000);
    p.sent(48 * 1000, 600);
    expect(p.bargeIn(900)).toEqual([{ itemId: 'b', contentIndex: 0, heardMs: 300, generatedMs: 1000 }]);
  });
});

describe('PlaybackTracker across sessions', () => {
  it('items of a session that was replaced are never cut (the new session does not have them)', () => {
    const p = new PlaybackTracker(48, 48);
    p.generated('old', 0, 48 * 2000);
    p.sent(48 * 2000, 0);
    p.forgetItems();
    expect(p.bargeIn(500)).toEqual([]);
  });
});

describe('latency figures', () => {
  it('nearest-rank percentiles; per call median and max; a ring of the last turns', () => {
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile([], 50)).toBeUndefined();
    const t = new TurnLatencies();
    expect(t.summary()).toEqual({ turns: 0, voiceToVoiceMedianMs: null, voiceToVoiceMaxMs: null });
    for (const ms of [300, 100, 200, 900]) t.add(ms);
    expect(t.summary()).toEqual({ turns: 4, voiceToVoiceMedianMs: 200, voiceToVoiceMaxMs: 900 });
    const ring = new LatencyRing(100);
    for (let i = 1; i <= 150; i++) ring.add(i); // keeps 51..150
    expect(ring.summary()).toEqual({ turns: 100, p50Ms: 100, p95Ms: 145 });
  });
});

describe('server events for the conversation', () => {
  it('speech_started / speech_stopped, transcripts with their item, conversation.item.truncated', () => {
    expect(normalizeServerEvent({ type: 'input_audio_buffer.speech_started', item_id: 'u1' })).toEqual({ type: 'speech_started', itemId: 'u1' });
    expect(normalizeServerEvent({ type: 'input_audio_buffer.speech_stopped', item_id: 'u1' })).toEqual({ type: 'speech_stopped' });
    expect(normalizeServerEvent({ type: 'response.output_audio_transcript.done', item_id: 'a1', transcript: 'ok' })).toEqual({ type: 'transcript', role: 'model', text: 'ok', itemId: 'a1' });
    expect(normalizeServerEvent({ type: 'conversation.item.truncated', item_id: 'a1', audio_end_ms: 1500 })).toEqual({ type: 'item.truncated', itemId: 'a1', audioEndMs: 1500 });
  });
});
