import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENV_VARS, SECRET_ENV_VARS } from '../../src/config/env.js';
import { loadConfig, missingValueError, resolveSetting } from '../../src/config/load.js';
import { UsageError } from '../../src/core/errors.js';
import { clearRegisteredSecrets, redact } from '../../src/core/redact.js';

afterEach(() => clearRegisteredSecrets());

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-cfg-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

describe('loadConfig', () => {
  it('reads ./.env when present, environment wins over it', async () => {
    const cwd = await dirWith({ '.env': 'ASTERISK_HOST=file-host\nASTERISK_ARI_PORT=8089\n' });
    const cfg = await loadConfig({ cwd, env: { ASTERISK_HOST: 'env-host' } });
    expect(cfg.envFile).toBe(path.join(cwd, '.env'));
    expect(cfg.lookup('ASTERISK_HOST')).toEqual({ value: 'env-host', source: 'env' });
    expect(cfg.lookup('ASTERISK_ARI_PORT')).toEqual({ value: '8089', source: 'env-file' });
    expect(cfg.get('ASTERISK_APP_NAME')).toBeUndefined();
  });

  it('treats empty values as unset', async () => {
    const cwd = await dirWith({ '.env': 'ASTERISK_HOST=from-file\n' });
    const cfg = await loadConfig({ cwd, env: { ASTERISK_HOST: '' } });
    expect(cfg.get('ASTERISK_HOST')).toBe('from-file');
  });

  it('works with no env file at all', async () => {
    const cwd = await dirWith({});
    const cfg = await loadConfig({ cwd, env: {} });
    expect(cfg.envFile).toBeUndefined();
    expect(cfg.get('CALLBACK_URI_HOST')).toBeUndefined();
  });

  it('an explicit --env-file that does not exist is a usage error (exit 2)', async () => {
    const cwd = await dirWith({});
    const err = await loadConfig({ cwd, env: {}, envFile: 'nope.env' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as UsageError).code).toBe('VOICECTL_ENV_FILE');
    expect((err as UsageError).message).toContain(path.join(cwd, 'nope.env'));
  });

  it('registers secret values from the env file with the redaction helper', async () => {
    const cwd = await dirWith({ 'x.env': 'ASTERISK_ARI_PASSWORD=Sup3rSecretPw\n' });
    await loadConfig({ cwd, env: {}, envFile: 'x.env' });
    expect(redact('auth failed with Sup3rSecretPw')).toBe('auth failed with ***');
  });
});

describe('resolveSetting', () => {
  it('follows flag > env > env file > default', async () => {
    const cwd = await dirWith({ '.env': 'ASTERISK_APP_NAME=file-app\n' });
    const fileOnly = await loadConfig({ cwd, env: {} });
    const withEnv = await loadConfig({ cwd, env: { ASTERISK_APP_NAME: 'env-app' } });
    expect(resolveSetting(withEnv, 'flag-app', 'ASTERISK_APP_NAME', 'dflt')).toEqual({ value: 'flag-app', source: 'flag' });
    expect(resolveSetting(withEnv, undefined, 'ASTERISK_APP_NAME', 'dflt')).toEqual({ value: 'env-app', source: 'env' });
    expect(resolveSetting(fileOnly, undefined, 'ASTERISK_APP_NAME', 'dflt')).toEqual({ value: 'file-app', source: 'env-file' });
    const empty = await loadConfig({ cwd: await dirWith({}), env: {} });
    expect(resolveSetting(empty, undefined, 'ASTERISK_APP_NAME', 'dflt')).toEqual({ value: 'dflt', source: 'default' });
    expect(resolveSetting(empty, undefined, 'ASTERISK_APP_NAME')).toBeUndefined();
  });
});

describe('missingValueError', () => {
  it('names the flag and the env variable, exit 2', () => {
    const err = missingValueError('--user', 'ASTERISK_ARI_USERNAME', 'ARI user');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('Missing ARI user: pass --user or set ASTERISK_ARI_USERNAME (environment or .env).');
  });
});

describe('env registry', () => {
  it('has the names users already have, each with a description', () => {
    for (const name of [
      'AZURE_COMMUNICATION_CONNECTION_STRING',
      'AZURE_OPENAI_ENDPOINT',
      'AZURE_OPENAI_DEPLOYMENT',
      'AZURE_OPENAI_API_KEY',
      'AOAI_VOICE',
      'AOAI_INSTRUCTIONS',
      'AOAI_INSTRUCTIONS_FILE',
      'CALLBACK_URI_HOST',
      'ASTERISK_HOST',
      'ASTERISK_ARI_PORT',
      'ASTERISK_ARI_USERNAME',
      'ASTERISK_ARI_PASSWORD',
      'ASTERISK_APP_NAME',
    ]) {
      expect(ENV_VARS).toHaveProperty(name);
      expect((ENV_VARS as Record<string, { description: string }>)[name]!.description.length).toBeGreaterThan(5);
    }
    expect(SECRET_ENV_VARS).toEqual(
      expect.arrayContaining(['AZURE_COMMUNICATION_CONNECTION_STRING', 'AZURE_OPENAI_API_KEY', 'ASTERISK_ARI_PASSWORD']),
    );
    expect(SECRET_ENV_VARS).not.toContain('ASTERISK_HOST');
  });
});
