import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { applyEnvValues, formatEnvValue, setEnvFileValues } from '../../src/config/env-file.js';

describe('applyEnvValues', () => {
  it('replaces the key in place and keeps comments and other lines', () => {
    const before = '# ACS\nCALLBACK_URI_HOST=https://old.example\n\n# other\nFOO=bar\n';
    const r = applyEnvValues(before, { CALLBACK_URI_HOST: 'https://new.example' });
    expect(r.text).toBe('# ACS\nCALLBACK_URI_HOST=https://new.example\n\n# other\nFOO=bar\n');
    expect(r.updated).toEqual(['CALLBACK_URI_HOST']);
    expect(r.added).toEqual([]);
  });
  it('appends missing keys and leaves commented placeholders alone', () => {
    const r = applyEnvValues('# CALLBACK_URI_HOST=https://x\nA=1', { CALLBACK_URI_HOST: 'https://y' });
    expect(r.text).toBe('# CALLBACK_URI_HOST=https://x\nA=1\nCALLBACK_URI_HOST=https://y\n');
    expect(r.added).toEqual(['CALLBACK_URI_HOST']);
  });
  it('quotes values that parseEnv would otherwise cut, and they round-trip', () => {
    const cs = 'endpoint=https://r.communication.azure.com/;accesskey=abc/+def==';
    const text = applyEnvValues('', { CS: cs, I: 'Be brief # really', Q: 'say "hi"', S: "it's", B: 'a\\nb' }).text;
    expect(parseEnv(text)).toEqual({ CS: cs, I: 'Be brief # really', Q: 'say "hi"', S: "it's", B: 'a\\nb' });
  });
  it('refuses newlines', () => {
    expect(() => formatEnvValue('a\nb')).toThrow('An env file value cannot contain a newline.');
  });
});

describe('setEnvFileValues', () => {
  it('creates the file with mode 0600, then edits it keeping other content', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-envfile-'));
    const file = path.join(dir, '.env');
    const first = await setEnvFileValues(file, { A: '1' });
    expect(first.created).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await writeFile(file, '# keep me\nA=1\nB=2\n', { mode: 0o644 });
    const second = await setEnvFileValues(file, { A: '3' });
    expect(second).toMatchObject({ created: false, updated: ['A'], added: [] });
    expect(await readFile(file, 'utf8')).toBe('# keep me\nA=3\nB=2\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
