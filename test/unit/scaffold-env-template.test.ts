import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ENV_GROUP_TITLES, ENV_VARS, type EnvVarName } from '../../src/config/env.js';
import { EXIT_USAGE } from '../../src/core/errors.js';
import { envGroups, envValueProblem, renderEnvFile, validateEnvValues } from '../../src/scaffold/env-template.js';
import { readTemplate } from '../../src/scaffold/templates.js';

const NAMES = Object.keys(ENV_VARS) as EnvVarName[];

async function render(values: Parameters<typeof renderEnvFile>[1] = {}): Promise<string> {
  return renderEnvFile(await readTemplate('env/header.env'), values).text;
}

describe('scaffolded .env', () => {
  it('lists every registered variable exactly once (fails when the registry grows and the file does not)', async () => {
    const text = await render();
    for (const name of NAMES) {
      const lines = text.split('\n').filter((l) => new RegExp(`^(# )?${name}=`).test(l));
      expect(lines, name).toHaveLength(1);
    }
    const listed = text.split('\n').flatMap((l) => /^(?:# )?([A-Z][A-Z0-9_]*)=/.exec(l)?.[1] ?? []);
    expect(new Set(listed)).toEqual(new Set(NAMES));
  });

  it('puts each variable under its group title, in the registry group order, with its description above it', async () => {
    const lines = (await render()).split('\n');
    const titles = Object.values(ENV_GROUP_TITLES);
    const titleLines = lines.filter((l) => l.startsWith('# --- ')).map((l) => l.replace(/^# --- (.*?) -+$/, '$1'));
    expect(titleLines).toEqual(
      envGroups()
        .filter((g) => g.names.length > 0)
        .map((g) => g.title),
    );
    expect(titles).toContain('Asterisk ARI');
    for (const name of NAMES) {
      const i = lines.findIndex((l) => l.startsWith(`# ${name}=`));
      expect(lines[i - 1]).toContain(`# ${ENV_VARS[name].description}`);
      const title = ENV_GROUP_TITLES[ENV_VARS[name].group];
      const titleIndex = lines.findIndex((l) => l.startsWith(`# --- ${title} `));
      const nextTitle = lines.findIndex((l, j) => j > titleIndex && l.startsWith('# --- '));
      expect(i).toBeGreaterThan(titleIndex);
      if (nextTitle !== -1) expect(i).toBeLessThan(nextTitle);
    }
  });

  it('leaves unknown values as commented placeholders with the registry example', async () => {
    const text = await render();
    expect(text).toContain('# AZURE_OPENAI_DEPLOYMENT=gpt-realtime\n');
    expect(Object.keys(parseEnv(text))).toEqual([]);
  });

  it('writes known values so util.parseEnv reads them back unchanged', async () => {
    const values = {
      AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint=https://r.communication.azure.com/;accesskey=YWJj+/ZA==',
      AOAI_INSTRUCTIONS: `You're a "helpful" agent # not a comment`,
      ASTERISK_ARI_PASSWORD: 'p@ss w$rd',
      AOAI_VOICE: 'alloy',
    } satisfies Partial<Record<EnvVarName, string>>;
    const text = await render(values);
    expect(parseEnv(text)).toEqual(values);
    expect(text).toContain('AOAI_VOICE=alloy\n');
  });

  it('keeps variables voicectl does not read from a replaced .env, at the end', async () => {
    const header = await readTemplate('env/header.env');
    const r = renderEnvFile(
      header,
      { AOAI_VOICE: 'alloy' },
      {
        MEDIA_WS_SOXR_QUALITY: 'VHQ',
        AOAI_VOICE: 'sage', // registered: the resolved value wins, not duplicated
        MULTI: 'a\nb', // cannot be one env line: stays in the backup only
      },
    );
    expect(r.kept).toEqual(['MEDIA_WS_SOXR_QUALITY']);
    expect(parseEnv(r.text)).toEqual({ AOAI_VOICE: 'alloy', MEDIA_WS_SOXR_QUALITY: 'VHQ' });
    expect(r.text).toMatch(
      /# --- Kept from the previous \.env \(not read by voicectl\) -+\nMEDIA_WS_SOXR_QUALITY=VHQ\n$/,
    );
  });

  it('starts with the packaged header', async () => {
    expect(await render()).toMatch(/^# voicectl settings, written by `voicectl scaffold env`\./);
  });
});

describe('validateEnvValues', () => {
  it.each([
    ['CALLBACK_URI_HOST', 'http://x.example', 'CALLBACK_URI_HOST "http://x.example" must start with https://.'],
    [
      'CALLBACK_URI_HOST',
      'https://x.example/api',
      'CALLBACK_URI_HOST "https://x.example/api" must be a bare https://host with no path.',
    ],
    [
      'AZURE_OPENAI_ENDPOINT',
      'https://r.openai.azure.com/openai/realtime?api-version=1',
      'AZURE_OPENAI_ENDPOINT "https://r.openai.azure.com/openai/realtime?api-version=1" must be a bare https:// or wss://host with no path.',
    ],
    ['ASTERISK_ARI_PORT', '99999', 'ASTERISK_ARI_PORT "99999" must be a number from 1 to 65535.'],
    ['ASTERISK_APP_NAME', 'my app', 'ASTERISK_APP_NAME "my app" may contain only letters, digits, "_" and "-".'],
  ])('%s=%s is exit 2', (name, value, message) => {
    expect(() => validateEnvValues({ [name]: value })).toThrow(
      expect.objectContaining({ exitCode: EXIT_USAGE, code: 'VOICECTL_SCAFFOLD_INVALID', message }),
    );
  });

  it('names a bad connection string without repeating the key', () => {
    const value = 'endpoint=http://r.communication.azure.com/;accesskey=SECRETKEY0==';
    let message = '';
    try {
      validateEnvValues({ AZURE_COMMUNICATION_CONNECTION_STRING: value });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('The ACS endpoint in AZURE_COMMUNICATION_CONNECTION_STRING is invalid: it must start with https://.');
    expect(message).not.toContain('SECRETKEY0');
  });

  it.each([
    ['endpoint=https://r.communication.azure.com/;accesskey=YWJjZA==', undefined],
    ['AccessKey=YWJjZA==;Endpoint=https://r.communication.azure.com/', undefined],
    ['https://r.communication.azure.com/', 'The ACS connection string in AZURE_COMMUNICATION_CONNECTION_STRING is malformed: expected name=value pairs separated by ";".'],
    ['accesskey=YWJjZA==', 'The ACS connection string in AZURE_COMMUNICATION_CONNECTION_STRING is malformed: the endpoint=https://<resource>.communication.azure.com/ part is missing.'],
    ['endpoint=https://r.communication.azure.com/path;accesskey=YWJjZA==', 'The ACS endpoint in AZURE_COMMUNICATION_CONNECTION_STRING is invalid: it must be the resource origin only, without a path or query.'],
    ['endpoint=https://r.communication.azure.com/;accesskey=YWJjZ', 'The ACS connection string in AZURE_COMMUNICATION_CONNECTION_STRING is malformed: the access key is not base64 (copy it again from the portal: Keys).'],
  ])('connection string %s: the sentence of the shared parser (also what the prompt shows)', (value, message) => {
    expect(envValueProblem('AZURE_COMMUNICATION_CONNECTION_STRING', value)).toBe(message);
  });

  it('accepts good values and free-form ones', () => {
    expect(() =>
      validateEnvValues({
        AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint=https://r.communication.azure.com/;accesskey=YWJjZA==',
        CALLBACK_URI_HOST: 'https://x.trycloudflare.com',
        AZURE_OPENAI_ENDPOINT: 'wss://r.openai.azure.com/',
        AOAI_INSTRUCTIONS: 'anything; really',
      }),
    ).not.toThrow();
  });
});
