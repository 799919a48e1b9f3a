import { describe, expect, it } from 'vitest';
import { channelRows, describeEvent, formatAge, formatCaller, parseAriTime, renderTable } from '../../src/ari/channels.js';
import type { AriChannel } from '../../src/ari/types.js';

// A real StasisStart channel from Asterisk 22.10.1 (reference sample)
const CHANNEL: AriChannel = {
  id: '1795310925.0',
  name: 'Local/100@voicectl-test-00000000;1',
  state: 'Up',
  protocol_id: '',
  caller: { name: 'voicectl', number: '' },
  connected: { name: 'voicectl', number: '' },
  accountcode: '',
  dialplan: { context: 'voicectl-test', exten: '100', priority: 1, app_name: 'Stasis', app_data: 'voicectl-test,outbound,lab' },
  creationtime: '2026-11-22T01:28:45.446+0000',
  language: 'en',
};

describe('ARI channel rows', () => {
  it('parses ARI timestamps with a +0000 offset', () => {
    expect(parseAriTime('2026-11-22T01:28:45.446+0000')).toBe(Date.UTC(2026, 10, 22, 1, 28, 45, 446));
    expect(parseAriTime('2026-11-22T03:28:45.446+0200')).toBe(Date.UTC(2026, 10, 22, 1, 28, 45, 446));
    expect(parseAriTime('garbage')).toBeUndefined();
    expect(parseAriTime(undefined)).toBeUndefined();
  });

  it('builds id, name, state, caller, dialplan position and age', () => {
    const now = Date.UTC(2026, 10, 22, 1, 30, 0, 0);
    expect(channelRows([CHANNEL], now)).toEqual([
      {
        id: '1795310925.0',
        name: 'Local/100@voicectl-test-00000000;1',
        state: 'Up',
        caller: '"voicectl"',
        connected: '"voicectl"',
        dialplan: 'voicectl-test,100,1 Stasis(voicectl-test,outbound,lab)',
        ageSeconds: 74,
        creationtime: '2026-11-22T01:28:45.446+0000',
      },
    ]);
    expect(channelRows([{ ...CHANNEL, creationtime: 'x' }], now)[0]!.ageSeconds).toBeUndefined();
    expect(channelRows([CHANNEL], Date.UTC(2026, 10, 22, 1, 0))[0]!.ageSeconds).toBe(0); // clock skew never negative
  });

  it.each([
    [{ name: 'Alice', number: '100' }, '"Alice" <100>'],
    [{ name: '', number: '100' }, '<100>'],
    [{ name: 'Alice', number: '' }, '"Alice"'],
    [{ name: '', number: '' }, ''],
  ])('caller %j → %s', (c, s) => expect(formatCaller(c)).toBe(s));

  it.each([
    [0, '0s'],
    [59, '59s'],
    [65, '1m05s'],
    [3600 + 180, '1h03m'],
    [undefined, '?'],
  ])('age %s → %s', (s, text) => expect(formatAge(s)).toBe(text));

  it('renders an aligned table without trailing spaces', () => {
    expect(renderTable(['ID', 'NAME'], [['1', 'PJSIP/alice'], ['22', 'x']])).toBe('ID  NAME\n1   PJSIP/alice\n22  x');
  });

  it('describes events in one line', () => {
    expect(describeEvent({ type: 'StasisStart', args: ['outbound', 'lab'], channel: CHANNEL })).toBe(
      'StasisStart Local/100@voicectl-test-00000000;1 (1795310925.0) Up args=[outbound,lab]',
    );
    expect(describeEvent({ type: 'ChannelDestroyed', cause: 16, cause_txt: 'Normal Clearing', channel: CHANNEL })).toContain('cause="Normal Clearing"');
    expect(describeEvent({ type: 'BridgeDestroyed', bridge: { id: 'b1' } })).toBe('BridgeDestroyed bridge=b1');
  });
});
