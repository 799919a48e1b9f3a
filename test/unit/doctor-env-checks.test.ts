/**
 * The doctor's `env` group (src/doctor/env-checks.ts): the env file's permissions, with a
 * real file on disk, and the list of checks built from a Config loaded by loadConfig
 * (explicit env and cwd, so the real process environment never leaks in).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { clearRegisteredSecrets } from '../../src/core/redact.js';
import { checkEnvFile, envChecks, foreignNameOutcome, setVariables } from '../../src/doctor/env-checks.js';

const dirs: string[] = [];

afterEach(async () => {
  clearRegisteredSecrets();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A temp dir holding `.env` with `text` at `mode`. */
async function envDir(text: string, mode = 0o600): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-doctor-env-'));
  dirs.push(dir);
  const file = path.join(dir, '.env');
  await writeFile(file, text);
  await chmod(file, mode); // explicit: writeFile's mode is subject to the umask
  return { dir, file };
}

const SECRET = 'sk-file-secret-0123456789abcdef';
const modeTests = it.skipIf(process.platform === 'win32');

describe('checkEnvFile', () => {
  modeTests('passes a 0600 file holding a secret and shows the mode', async () => {
    const { dir, file } = await envDir(`AZURE_OPENAI_ENDPOINT=https://contoso.openai.azure.com\nAZURE_OPENAI_API_KEY=${SECRET}\n`, 0o600);
    const config = await loadConfig({ cwd: dir, env: {} });
    const o = await checkEnvFile(config);
    expect(o).toEqual({ status: 'pass', message: `${file}: 2 variables, mode 0600` });
  });

  modeTests('fails a 0644 file holding AZURE_OPENAI_API_KEY: names the variable, never its value', async () => {
    const { dir, file } = await envDir(`AZURE_OPENAI_API_KEY=${SECRET}\nAOAI_VOICE=alloy\n`, 0o644);
    const o = await checkEnvFile(await loadConfig({ cwd: dir, env: {} }));
    expect(o.status).toBe('fail');
    expect(o.message).toBe(`${file} is readable by other users (mode 0644) and holds AZURE_OPENAI_API_KEY`);
    expect(o.hint).toContain(`chmod 600 ${file}`);
    expect(`${o.message} ${o.hint}`).not.toContain(SECRET);
  });

  modeTests('fails group-readable (0640) too, listing every secret it holds', async () => {
    const { dir } = await envDir(`AZURE_OPENAI_API_KEY=${SECRET}\nASTERISK_ARI_PASSWORD=pw-secret\n`, 0o640);
    const o = await checkEnvFile(await loadConfig({ cwd: dir, env: {} }));
    expect(o.status).toBe('fail');
    expect(o.message).toContain('(mode 0640) and holds AZURE_OPENAI_API_KEY, ASTERISK_ARI_PASSWORD');
    expect(o.message).not.toContain('pw-secret');
  });

  modeTests('passes a 0644 file without any secret', async () => {
    const { dir, file } = await envDir('AOAI_VOICE=alloy\nASTERISK_HOST=pbx.example.com\n', 0o644);
    const o = await checkEnvFile(await loadConfig({ cwd: dir, env: {} }));
    expect(o).toEqual({ status: 'pass', message: `${file}: 2 variables, mode 0644` });
  });

  modeTests('a secret set to the empty string does not count', async () => {
    const { dir } = await envDir('AZURE_OPENAI_API_KEY=\nAOAI_VOICE=alloy\n', 0o644);
    expect((await checkEnvFile(await loadConfig({ cwd: dir, env: {} }))).status).toBe('pass');
  });

  it('skips the mode check on win32', async () => {
    const { dir, file } = await envDir(`AZURE_OPENAI_API_KEY=${SECRET}\n`, 0o644);
    const o = await checkEnvFile(await loadConfig({ cwd: dir, env: {} }), 'win32');
    expect(o).toEqual({ status: 'pass', message: `${file}: 1 variables` });
  });

  it('skips when there is no env file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-doctor-env-'));
    dirs.push(dir);
    const config = await loadConfig({ cwd: dir, env: { AOAI_VOICE: 'alloy' } });
    const o = await checkEnvFile(config);
    expect(o.status).toBe('skip');
    expect(o.message).toContain('no env file');
  });

  it('fails when the env file vanished after loading, with the error code', async () => {
    const o = await checkEnvFile({ envFile: path.join(os.tmpdir(), 'voicectl-doctor-no-such-dir', '.env'), fileValues: {} }, 'linux');
    expect(o.status).toBe('fail');
    expect(o.message).toContain('cannot be read (ENOENT)');
    expect(o.hint).toContain('--env-file');
  });
});

describe('foreignNameOutcome', () => {
  it('names the sample variable in the env file that should be renamed', () => {
    expect(foreignNameOutcome('AZURE_OPENAI_API_KEY', { fileValues: { AZURE_OPENAI_SERVICE_KEY: SECRET } })).toEqual({
      status: 'fail',
      message: 'not set, but the env file sets AZURE_OPENAI_SERVICE_KEY: voicectl reads AZURE_OPENAI_API_KEY',
      hint: 'Rename AZURE_OPENAI_SERVICE_KEY to AZURE_OPENAI_API_KEY in the env file.',
    });
    expect(foreignNameOutcome('CALLBACK_URI_HOST', { fileValues: { CALLBACK_URI: 'https://x.example.com' } })?.message).toBe(
      'not set, but the env file sets CALLBACK_URI: voicectl reads CALLBACK_URI_HOST',
    );
  });

  it('ignores a foreign name whose value is not of the right shape (a database CONNECTION_STRING)', () => {
    expect(foreignNameOutcome('AZURE_COMMUNICATION_CONNECTION_STRING', { fileValues: { CONNECTION_STRING: 'Server=db;Database=calls;User Id=sa;Password=x;' } })).toBeUndefined();
    const acs = `endpoint=https://contoso.communication.azure.com/;accesskey=${Buffer.alloc(32, 1).toString('base64')}`;
    expect(foreignNameOutcome('AZURE_COMMUNICATION_CONNECTION_STRING', { fileValues: { CONNECTION_STRING: acs } })?.message).toBe(
      'not set, but the env file sets CONNECTION_STRING: voicectl reads AZURE_COMMUNICATION_CONNECTION_STRING',
    );
  });

  it('says nothing when no foreign name is set in the env file', () => {
    expect(foreignNameOutcome('AZURE_OPENAI_API_KEY', { fileValues: { AZURE_OPENAI_SERVICE_KEY: '' } })).toBeUndefined();
    expect(foreignNameOutcome('AOAI_VOICE', { fileValues: { VOICE: 'alloy' } })).toBeUndefined();
  });
});

describe('envChecks', () => {
  it('returns the env file first, then one check per set variable in registry order', async () => {
    const { dir, file } = await envDir(
      [
        'ASTERISK_HOST=pbx.example.com',
        'AZURE_OPENAI_DEPLOYMENT=gpt-realtime',
        `AZURE_OPENAI_API_KEY=${SECRET}`,
        'AOAI_INSTRUCTIONS_FILE=./instructions.txt',
        'UNRELATED=1',
        '',
      ].join('\n'),
      0o600,
    );
    await writeFile(path.join(dir, 'instructions.txt'), 'Answer briefly.\n');
    const config = await loadConfig({
      cwd: dir,
      env: {
        AOAI_VOICE: 'nova',
        CALLBACK_URI_HOST: 'https://calm-river-42.trycloudflare.com',
        AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com',
        CI: 'true', // set, but has no shape check
        HOME: '/home/someone', // not a registered variable
      },
    });
    const checks = await envChecks(config, dir);
    expect(checks.map((c) => c.name)).toEqual([
      'env file',
      'CALLBACK_URI_HOST',
      'AZURE_OPENAI_ENDPOINT',
      'AZURE_OPENAI_DEPLOYMENT',
      'AZURE_OPENAI_API_KEY',
      'AOAI_VOICE',
      'AOAI_INSTRUCTIONS_FILE',
      'ASTERISK_HOST',
    ]);
    const by = new Map(checks.map((c) => [c.name, c.outcome]));
    expect(by.get('env file')?.message).toContain(`${file}: 5 variables`);
    expect(by.get('AZURE_OPENAI_DEPLOYMENT')).toEqual({ status: 'pass', message: 'gpt-realtime' });
    expect(by.get('AZURE_OPENAI_API_KEY')).toEqual({ status: 'pass', message: `set (${SECRET.length} characters)` });
    expect(by.get('AOAI_VOICE')?.status).toBe('fail');
    expect(by.get('AOAI_INSTRUCTIONS_FILE')).toEqual({ status: 'pass', message: path.join(dir, 'instructions.txt') });
    expect(JSON.stringify(checks)).not.toContain(SECRET);
    // setVariables agrees on which registered variables are set (CI included, it just has no check).
    expect(setVariables(config)).toEqual([
      'CALLBACK_URI_HOST',
      'AZURE_OPENAI_ENDPOINT',
      'AZURE_OPENAI_DEPLOYMENT',
      'AZURE_OPENAI_API_KEY',
      'AOAI_VOICE',
      'AOAI_INSTRUCTIONS_FILE',
      'ASTERISK_HOST',
      'CI',
    ]);
  });

  it('checks the value from the environment over the env file', async () => {
    const { dir } = await envDir('AOAI_VOICE=nova\n');
    const checks = await envChecks(await loadConfig({ cwd: dir, env: { AOAI_VOICE: 'alloy' } }), dir);
    expect(checks.find((c) => c.name === 'AOAI_VOICE')?.outcome).toEqual({ status: 'pass', message: 'alloy' });
  });

  it('does not read AOAI_INSTRUCTIONS_FILE when AOAI_INSTRUCTIONS is set', async () => {
    const { dir } = await envDir('AOAI_INSTRUCTIONS=Answer briefly.\nAOAI_INSTRUCTIONS_FILE=./missing.txt\n');
    const checks = await envChecks(await loadConfig({ cwd: dir, env: {} }), dir);
    const o = checks.find((c) => c.name === 'AOAI_INSTRUCTIONS_FILE')?.outcome;
    expect(o?.status).toBe('pass');
    expect(o?.message).toContain('AOAI_INSTRUCTIONS is set');
  });

  it('reports an unset variable whose sample name is set, in its registry place', async () => {
    const { dir } = await envDir(`AZURE_OPENAI_SERVICE_KEY=${SECRET}\nAZURE_OPENAI_DEPLOYMENT=gpt-realtime\n`);
    const checks = await envChecks(await loadConfig({ cwd: dir, env: {} }), dir);
    expect(checks.map((c) => [c.name, c.outcome.status])).toEqual([
      ['env file', 'pass'],
      ['AZURE_OPENAI_DEPLOYMENT', 'pass'],
      ['AZURE_OPENAI_API_KEY', 'fail'],
    ]);
    expect(JSON.stringify(checks)).not.toContain(SECRET);
  });

  it('is just the skipped env file when nothing is configured', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-doctor-env-'));
    dirs.push(dir);
    const checks = await envChecks(await loadConfig({ cwd: dir, env: {} }), dir);
    expect(checks).toHaveLength(1);
    expect(checks[0]?.name).toBe('env file');
    expect(checks[0]?.outcome.status).toBe('skip');
  });
});
