// `voicectl ari check`'s modules step: the chan_websocket and AudioSocket paths from
// GET /asterisk/modules and the version; warnings by default, a failure with --media.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runVoicectl } from '../helpers/run-cli.js';
import { DEFAULT_MODULES } from '../helpers/fake-ari-stasis.js';
import { startFakeAri, type FakeAri } from '../helpers/fake-ari.js';

const cwd = mkdtempSync(path.join(os.tmpdir(), 'voicectl-ari-modules-'));
let fake: FakeAri | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const check = (args: string[]) =>
  runVoicectl(['ari', 'check', '--url', fake!.url, '--json', ...args], { cwd, env: { ASTERISK_ARI_USERNAME: 'voicectl', ASTERISK_ARI_PASSWORD: 'ari-secret-pw' } });
const without = (...names: string[]) => DEFAULT_MODULES.filter((m) => !names.includes(m));

describe('voicectl ari check: media modules', () => {
  it('a missing chan_websocket is a warning naming the fix; the check passes', async () => {
    fake = await startFakeAri({ modules: without('chan_websocket.so') });
    const r = await check([]);
    expect(r.code).toBe(0);
    const report = r.json() as { warnings: string[]; summary: { media: Array<Record<string, unknown>> }; steps: Array<{ step: string; detail: string }> };
    expect(report.warnings).toEqual(['chan_websocket path unavailable: chan_websocket.so not loaded; fix: asterisk -rx "module load chan_websocket.so"']);
    expect(report.summary.media).toEqual([
      expect.objectContaining({ path: 'websocket', ok: false, missing: ['chan_websocket.so'], versionOk: true, minimum: '20.16 / 21.11 / 22.6 / 23.0' }),
      expect.objectContaining({ path: 'audiosocket', ok: true, missing: [] }),
    ]);
    expect(fake.requests.some((q) => q.method === 'GET' && q.path === '/asterisk/modules')).toBe(true);
  });

  it('--media websocket makes it a failure: modules_missing, exit 1, the module load hint', async () => {
    fake = await startFakeAri({ modules: without('chan_websocket.so', 'res_websocket_client.so') });
    const r = await check(['--media', 'websocket']);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({
      verdict: 'modules_missing',
      code: 'VOICECTL_ARI_MODULES_MISSING',
      hint: 'asterisk -rx "module load res_websocket_client.so"; asterisk -rx "module load chan_websocket.so"',
    });
    expect((r.json() as { steps: Array<{ step: string; ok: boolean }> }).steps.at(-1)).toMatchObject({ step: 'modules', ok: false });
  });

  it('too old for chan_websocket (22.5): failure with --media all, the upgrade named; AudioSocket still fine', async () => {
    fake = await startFakeAri({ version: '22.5.2' });
    const r = await check(['--media', 'all']);
    expect(r.code).toBe(1);
    const report = r.json() as { message: string; summary: { media: Array<{ path: string; ok: boolean; versionOk: boolean }> } };
    expect(report.message).toBe('chan_websocket path unavailable: Asterisk 22.5.2 is older than 20.16 / 21.11 / 22.6 / 23.0; fix: upgrade Asterisk to 20.16 / 21.11 / 22.6 / 23.0 or later');
    expect(report.summary.media.map((m) => [m.path, m.ok])).toEqual([['websocket', false], ['audiosocket', true]]);
  });

  it('notes: no JSON control format before 22.8, 8 kHz AudioSocket only before 22.7, one AudioSocket driver missing', async () => {
    fake = await startFakeAri({ version: '22.6.0', modules: without('app_audiosocket.so') });
    const r = await check(['--media', 'all']);
    expect(r.code).toBe(0);
    const warnings = (r.json() as { warnings: string[] }).warnings;
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain('plain-text control format before 20.18 / 22.8 / 23.2');
    expect(warnings[1]).toContain('app_audiosocket is not loaded');
    expect(warnings[2]).toContain('only 8 kHz slin before 20.17 / 21.12 / 22.7 / 23.1');
  });
});
