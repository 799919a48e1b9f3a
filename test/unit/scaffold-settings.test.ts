import { describe, expect, it } from 'vitest';
import type { EnvVarName } from '../../src/config/env.js';
import { EXIT_USAGE } from '../../src/core/errors.js';
import { verifySha512Crypt } from '../../src/scaffold/secrets.js';
import { parseSetFlags, resolveSettings, type AskSpec, type ResolveOptions } from '../../src/scaffold/settings.js';

const none = (): undefined => undefined;
const from = (values: Partial<Record<EnvVarName, string>>) => (name: EnvVarName) => values[name];

function resolve(o: Partial<ResolveOptions> & Pick<ResolveOptions, 'target'>) {
  return resolveSettings({ flags: {}, lookup: none, ...o });
}

describe('resolveSettings without prompts', () => {
  it('uses and reports the defaults for every setting a target needs', async () => {
    const s = await resolve({ target: 'all' });
    expect(s.defaults).toEqual([
      { setting: '--ari-user', value: 'voicectl' },
      { setting: '--bind', value: '127.0.0.1' },
      { setting: '--port', value: '8088' },
      { setting: '--app-name', value: 'voicectl' },
      { setting: '--context', value: 'voicectl-inbound' },
      { setting: '--exten', value: '_X.' },
      { setting: '--bridge-url', value: 'ws://127.0.0.1:8000/ws/asterisk' },
      { setting: '--media-context', value: 'voicectl-media' },
      { setting: '--audiosocket-address', value: '127.0.0.1:9092' },
    ]);
    expect(s.media).toMatchObject({ bridgeUrl: 'ws://127.0.0.1:8000/ws/asterisk', context: 'voicectl-media', exten: '_X.', tokenSource: 'generated' });
    expect(s.media?.token).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(s.ari).toMatchObject({
      user: 'voicectl',
      bind: '127.0.0.1',
      port: 8088,
      passwordFormat: 'plain',
      passwordSource: 'generated',
    });
    expect(s.ari?.password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(s.dialplan).toEqual({ appName: 'voicectl', context: 'voicectl-inbound', exten: '_X.', appArgs: '' });
    // the .env of `all` agrees with the Asterisk files
    expect(s.env).toEqual({
      ASTERISK_ARI_USERNAME: 'voicectl',
      ASTERISK_ARI_PASSWORD: s.ari?.clearPassword,
      ASTERISK_ARI_PORT: '8088',
      ASTERISK_HOST: '127.0.0.1',
      ASTERISK_APP_NAME: 'voicectl',
      VOICECTL_MEDIA_TOKEN: s.media?.token,
    });
  });

  it('takes flag > environment > default', async () => {
    const s = await resolve({
      target: 'ari',
      flags: { ariUser: 'fromflag', port: '8090' },
      lookup: from({ ASTERISK_ARI_USERNAME: 'fromenv', ASTERISK_ARI_PORT: '9000', ASTERISK_ARI_PASSWORD: 'envpass' }),
    });
    expect(s.ari).toMatchObject({ user: 'fromflag', port: 8090, password: 'envpass', passwordSource: 'env' });
    expect(s.defaults).toEqual([{ setting: '--bind', value: '127.0.0.1' }]);
  });

  it('--set values count as flags for the Asterisk settings', async () => {
    const s = await resolve({
      target: 'all',
      flags: { set: ['ASTERISK_APP_NAME=denco', 'ASTERISK_ARI_USERNAME=ops'] },
    });
    expect(s.dialplan?.appName).toBe('denco');
    expect(s.ari?.user).toBe('ops');
    expect(s.env?.ASTERISK_APP_NAME).toBe('denco');
  });

  it('--crypt stores a hash of the clear password', async () => {
    const s = await resolve({ target: 'ari', flags: { crypt: true, ariPassword: 'Secret-123' } });
    expect(s.ari?.passwordFormat).toBe('crypt');
    expect(s.ari?.clearPassword).toBe('Secret-123');
    expect(verifySha512Crypt('Secret-123', s.ari!.password)).toBe(true);
  });

  it('env: fills values from the environment, never process-only ones like CI', async () => {
    const s = await resolve({
      target: 'env',
      lookup: from({
        AOAI_VOICE: 'shimmer',
        CI: 'true',
        NO_COLOR: '1',
        CALLBACK_URI_HOST: 'https://a.trycloudflare.com',
      }),
      flags: { set: ['AZURE_OPENAI_DEPLOYMENT=gpt-realtime'], port: '8089' },
    });
    expect(s.env).toEqual({
      AOAI_VOICE: 'shimmer',
      CALLBACK_URI_HOST: 'https://a.trycloudflare.com',
      AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime',
      ASTERISK_ARI_PORT: '8089',
    });
    expect(s.defaults).toEqual([]);
  });

  it.each<[string, Partial<ResolveOptions>, string]>([
    [
      'bad flag',
      { target: 'dialplan', flags: { context: 'bad ctx' } },
      '--context "bad ctx" may contain only letters, digits, "_" and "-".',
    ],
    ['bad exten', { target: 'dialplan', flags: { exten: '_X.X' } }, '--exten "_X.X" "." may only end a pattern.'],
    [
      'bad env value',
      { target: 'ari', lookup: from({ ASTERISK_ARI_PORT: 'http' }) },
      'ASTERISK_ARI_PORT "http" must be a number from 1 to 65535.',
    ],
    [
      'bad bind',
      { target: 'ari', flags: { bind: 'localhost' } },
      '--bind "localhost" must be an IP address, e.g. 127.0.0.1 or 0.0.0.0.',
    ],
    [
      'password with ;',
      { target: 'ari', flags: { ariPassword: 'a;b' } },
      '--ari-password must not contain ";" (Asterisk reads the rest of the line as a comment).',
    ],
    [
      'env value',
      { target: 'env', lookup: from({ CALLBACK_URI_HOST: 'http://x' }) },
      'CALLBACK_URI_HOST "http://x" must start with https://.',
    ],
    ['app args', { target: 'dialplan', flags: { appArgs: 'a)' } }, '--app-args "a)" has an unbalanced ")".'],
    [
      '--set app name',
      { target: 'dialplan', flags: { set: ['ASTERISK_APP_NAME=bad name'] } },
      '--set ASTERISK_APP_NAME "bad name" may contain only letters, digits, "_" and "-".',
    ],
    [
      '--set password with ;',
      { target: 'ari', flags: { set: ['ASTERISK_ARI_PASSWORD=a;b'] } },
      '--set ASTERISK_ARI_PASSWORD must not contain ";" (Asterisk reads the rest of the line as a comment).',
    ],
    [
      '--set env value',
      { target: 'env', flags: { set: ['CALLBACK_URI_HOST=http://x'] } },
      '--set CALLBACK_URI_HOST "http://x" must start with https://.',
    ],
  ])('%s is exit 2 naming it', async (_n, o, message) => {
    await expect(resolve({ target: 'all', ...o })).rejects.toMatchObject({ exitCode: EXIT_USAGE, message });
  });
});

describe('resolveSettings with prompts (terminal)', () => {
  it('asks for each missing value with the default shown, and not for values already given', async () => {
    const asked: AskSpec[] = [];
    const answers: Record<string, string> = { '--bind': '0.0.0.0', '--ari-password': '' };
    const ask = async (spec: AskSpec): Promise<string> => {
      asked.push(spec);
      return answers[spec.flag] ?? spec.default ?? '';
    };
    const s = await resolve({ target: 'ari', flags: { port: '8090' }, ask });
    expect(asked.map((a) => [a.flag, a.default])).toEqual([
      ['--ari-user', 'voicectl'],
      ['--ari-password', undefined],
      ['--bind', '127.0.0.1'],
    ]);
    expect(asked[1]?.secret).toBe(true);
    expect(s.defaults).toEqual([]);
    expect(s.ari).toMatchObject({ user: 'voicectl', bind: '0.0.0.0', port: 8090, passwordSource: 'generated' });
  });

  it('prompt validation rejects what the flag would reject', async () => {
    let spec: AskSpec | undefined;
    await resolve({
      target: 'dialplan',
      flags: { appName: 'app', exten: '_X.' },
      ask: async (s) => {
        spec = s;
        return 'ok-ctx';
      },
    });
    expect(spec?.flag).toBe('--context');
    expect(spec?.validate('bad ctx')).toBe('It may contain only letters, digits, "_" and "-".');
    expect(spec?.validate('good')).toBe(true);
  });

  it('env: an empty answer leaves a placeholder; a typed password is kept', async () => {
    const ask = async (spec: AskSpec): Promise<string> =>
      spec.envVar === 'AZURE_OPENAI_DEPLOYMENT'
        ? 'gpt-realtime'
        : spec.flag === '--ari-password'
          ? 'typed-pw'
          : (spec.default ?? '');
    const s = await resolve({ target: 'all', ask });
    expect(s.env?.AZURE_OPENAI_DEPLOYMENT).toBe('gpt-realtime');
    expect(s.env).not.toHaveProperty('AZURE_OPENAI_ENDPOINT');
    expect(s.ari).toMatchObject({ clearPassword: 'typed-pw', passwordSource: 'prompt' });
  });
});

describe('parseSetFlags', () => {
  it('parses NAME=VALUE, keeping = inside values', () => {
    expect(parseSetFlags(['AZURE_COMMUNICATION_CONNECTION_STRING=endpoint=https://x/;accesskey=YQ=='])).toEqual({
      AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint=https://x/;accesskey=YQ==',
    });
  });
  it.each([
    ['NOPE=1', '--set NOPE: not a variable voicectl reads.'],
    ['AOAI_VOICE', '--set "AOAI_VOICE" must be NAME=VALUE.'],
    ['=x', '--set "" must be NAME=VALUE.'],
  ])('%s is exit 2', (entry, message) => {
    expect(() => parseSetFlags([entry])).toThrow(expect.objectContaining({ exitCode: EXIT_USAGE, message }));
  });
});

describe('flag validation comes before any prompt', () => {
  it('a bad --exten fails without asking anything', async () => {
    let asked = 0;
    const ask = async (spec: AskSpec): Promise<string> => {
      asked++;
      return spec.default ?? '';
    };
    await expect(resolveSettings({ target: 'all', flags: { exten: 'a b' }, lookup: none, ask })).rejects.toMatchObject({
      exitCode: EXIT_USAGE,
      message: '--exten "a b" must be a literal extension ([A-Za-z0-9*#+-]) or a pattern starting with "_".',
    });
    expect(asked).toBe(0);
  });

  it('a bad --set value fails without asking anything, naming --set', async () => {
    let asked = 0;
    const ask = async (spec: AskSpec): Promise<string> => {
      asked++;
      return spec.default ?? '';
    };
    await expect(
      resolveSettings({ target: 'all', flags: { set: ['ASTERISK_ARI_PORT=0'] }, lookup: none, ask }),
    ).rejects.toMatchObject({
      exitCode: EXIT_USAGE,
      message: '--set ASTERISK_ARI_PORT "0" must be a number from 1 to 65535.',
      hint: 'Fix --set ASTERISK_ARI_PORT and run again; nothing was written.',
    });
    expect(asked).toBe(0);
  });
});
