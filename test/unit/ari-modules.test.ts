import { describe, expect, it } from 'vitest';
import { assessMediaPaths, meetsMinimum, parseAsteriskVersion } from '../../src/ari/modules.js';

const mod = (name: string, status = 'Running') => ({ name, description: '', use_count: 0, status, support_level: 'core' });

describe('ari modules', () => {
  it('parses Asterisk versions', () => {
    expect(parseAsteriskVersion('22.10.1')).toEqual([22, 10]);
    expect(parseAsteriskVersion('certified-20.7-cert5')).toEqual([20, 7]);
    expect(parseAsteriskVersion('GIT-master-abc123')).toBeUndefined();
  });

  it.each([
    ['20.15.2', false], ['20.16.0', true], ['21.10.1', false], ['21.11.0', true], ['22.5.0', false], ['22.6.0', true],
    ['22.10.1', true], ['23.0.0', true], ['24.1.0', true], ['18.20.0', false], ['GIT-master', undefined],
  ] as const)('chan_websocket minimum: %s → %s', (v, ok) => {
    expect(meetsMinimum(v, [[20, 16], [21, 11], [22, 6], [23, 0]])).toBe(ok);
  });

  it('a module that is listed but not running counts as missing; one AudioSocket driver is enough', () => {
    const [ws, as] = assessMediaPaths(
      [mod('res_http_websocket.so'), mod('res_websocket_client.so'), mod('chan_websocket.so', 'Not Running'), mod('res_audiosocket.so'), mod('app_audiosocket.so')],
      '22.10.1',
    );
    expect(ws).toMatchObject({ ok: false, missing: ['chan_websocket.so'], fix: ['asterisk -rx "module load chan_websocket.so"'] });
    expect(as).toMatchObject({ ok: true, missing: [] });
    expect(as!.notes[0]).toContain('chan_audiosocket is not loaded');
  });
});
