/** `--write-env`: where it writes, when it refuses, and the backup it keeps with --force. */
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { conflictingKeys, envFileTarget, writeEnvValues } from '../../src/acs/write-env.js';

const dir = () => mkdtemp(path.join(os.tmpdir(), 'voicectl-acs-env-'));

describe('write-env', () => {
  it('target: a path relative to cwd, else --env-file, else ./.env', () => {
    expect(envFileTarget('conf/app.env', '/w')).toBe('/w/conf/app.env');
    expect(envFileTarget(true, '/w', 'x.env')).toBe('/w/x.env');
    expect(envFileTarget(true, '/w')).toBe('/w/.env');
  });

  it('creates a missing file with mode 0600', async () => {
    const file = path.join(await dir(), '.env');
    const r = await writeEnvValues(file, { AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint=https://a/;accesskey=AAAA' }, false);
    expect(r).toMatchObject({ created: true, added: ['AZURE_COMMUNICATION_CONNECTION_STRING'] });
    expect(r.backup).toBeUndefined();
    expect(await readFile(file, 'utf8')).toBe('AZURE_COMMUNICATION_CONNECTION_STRING=endpoint=https://a/;accesskey=AAAA\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('the same value again is no conflict; a different one is, unless forced (with a backup)', async () => {
    const d = await dir();
    const file = path.join(d, '.env');
    const before = '# keep me\nAZURE_COMMUNICATION_CONNECTION_STRING="endpoint=https://old/;accesskey=OLD="\nCALLBACK_URI_HOST=https://x\n';
    await writeFile(file, before);
    expect(await conflictingKeys(file, { AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint=https://old/;accesskey=OLD=' })).toEqual([]);
    expect(await conflictingKeys(file, { AZURE_COMMUNICATION_CONNECTION_STRING: undefined, ACS_RESOURCE_ID: undefined })).toEqual([
      'AZURE_COMMUNICATION_CONNECTION_STRING',
    ]);
    await expect(writeEnvValues(file, { AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint=https://new/;accesskey=NEW=' }, false)).rejects.toMatchObject({
      code: 'VOICECTL_ENV_FILE_CONFLICT',
      exitCode: 2,
    });
    expect(await readFile(file, 'utf8')).toBe(before);

    const r = await writeEnvValues(file, { AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint=https://new/;accesskey=NEW=' }, true);
    expect(r.updated).toEqual(['AZURE_COMMUNICATION_CONNECTION_STRING']);
    expect(await readFile(r.backup!, 'utf8')).toBe(before);
    expect((await stat(r.backup!)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe('# keep me\nAZURE_COMMUNICATION_CONNECTION_STRING=endpoint=https://new/;accesskey=NEW=\nCALLBACK_URI_HOST=https://x\n');
    expect((await readdir(d)).sort()).toEqual(['.env', path.basename(r.backup!)]);
  });
});
