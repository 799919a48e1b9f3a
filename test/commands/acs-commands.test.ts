/**
 * `acs create|show|keys` in-process: the checks made before Azure is contacted. (Runs
 * against the ARM fake are in test/e2e/acs.test.ts, which trusts the test CA at start-up.)
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVoicectl } from '../helpers/run-cli.js';

const SUB = '11111111-2222-4333-8444-555555555555';

describe('acs: checks before any request', () => {
  it.each([
    [['acs', 'show', '-g', 'rg'], "required option '-n, --name <name>' not specified"],
    [['acs', 'keys', '-n', 'x'], "required option '-g, --resource-group <rg>' not specified"],
    [['acs', 'show', '-n', 'x', '-g', 'rg', '--subscription', 'my-sub'], '"my-sub" is not an Azure subscription id (a GUID).'],
    [['acs', 'show', '-n', 'x', '-g', 'rg', '--arm-endpoint', 'http://management.azure.com'], '--arm-endpoint must be an https:// origin without a path, got "http://management.azure.com".'],
    [['acs', 'create', '-n', ' ', '-g', 'rg'], '--name cannot be empty.'],
  ])('%j → exit 2', async (argv, message) => {
    const r = await runVoicectl([...argv, '--json'], { env: { AZURE_SUBSCRIPTION_ID: SUB }, cwd: os.tmpdir() });
    expect(r.code).toBe(2);
    expect((r.json() as { error: { message: string } }).error.message).toBe(message);
  });

  it('the subscription can come from the env file', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'voicectl-acs-cmd-'));
    await writeFile(path.join(cwd, '.env'), 'AZURE_SUBSCRIPTION_ID=not-a-guid\n');
    const r = await runVoicectl(['acs', 'show', '-n', 'x', '-g', 'rg'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"not-a-guid" is not an Azure subscription id');
  });

  it('create --write-env refuses an existing different connection string before creating anything', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'voicectl-acs-cmd-'));
    const before = 'AZURE_COMMUNICATION_CONNECTION_STRING=endpoint=https://old/;accesskey=T0xE\n';
    await writeFile(path.join(cwd, '.env'), before);
    // The ARM endpoint is a closed port: reaching it would be a different error.
    const r = await runVoicectl(['acs', 'create', '-n', 'new-acs', '-g', 'rg', '--write-env', '--arm-endpoint', 'https://127.0.0.1:9'], {
      env: { AZURE_SUBSCRIPTION_ID: SUB },
      cwd,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Error: ${path.join(cwd, '.env')} already sets AZURE_COMMUNICATION_CONNECTION_STRING to another value.`);
    expect(r.stderr).toContain('hint: Pass --force to replace it');
    expect(r.stderr).not.toContain('T0xE');
    expect(await readFile(path.join(cwd, '.env'), 'utf8')).toBe(before);
  });

  it('help explains sign-in and --write-env', async () => {
    const r = await runVoicectl(['acs', 'create', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--write-env [path]');
    expect(r.stdout).toContain('AZURE_TOKEN_CREDENTIALS=AzureCliCredential');
  });
});
