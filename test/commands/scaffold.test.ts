import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../src/config/env.js';
import { redact } from '../../src/core/redact.js';
import { parseConnectionString } from '../../src/identity/connection-string.js';
import { verifySha512Crypt } from '../../src/scaffold/secrets.js';
import { dialplanSteps, parseAsteriskConf, sections, settings } from '../helpers/asterisk-conf.js';
import { runVoicectl } from '../helpers/run-cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'voicectl-scaffold-cmd-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (f: string): Promise<number> => (await stat(path.join(dir, f))).mode & 0o777;
const read = (f: string): Promise<string> => readFile(path.join(dir, f), 'utf8');
/** A run in `dir` with an empty environment (no CI, not a terminal). */
const scaffold = (args: string[], env: Record<string, string> = {}) =>
  runVoicectl(['scaffold', ...args], { cwd: dir, env });

interface Report {
  ok: boolean;
  files: Array<{ path: string; kind: string; action: string; mode: string; backup?: string }>;
  defaults: Array<{ setting: string; value: string }>;
  ariPassword?: { source: string; format: string; envFile?: string; generated?: string };
  asterisk?: { load: string[]; check: string[] };
  env?: { filled: string[]; placeholders: string[]; kept: string[] };
}

describe('voicectl scaffold all (non-interactive)', () => {
  it('writes .env, ari.conf, http.conf, extensions_custom.conf and .gitignore with the right modes, all consistent', async () => {
    const r = await scaffold(['all', '--json']);
    expect(r.code).toBe(0);
    const report = r.json() as Report;
    expect(report.files.map((f) => [path.basename(f.path), f.action, f.mode])).toEqual([
      ['.env', 'created', '0600'],
      ['ari.conf', 'created', '0640'],
      ['http.conf', 'created', '0644'],
      ['websocket_client.conf', 'created', '0640'],
      ['extensions_custom.conf', 'created', '0644'],
      ['.gitignore', 'created', '0644'],
    ]);
    expect(await modeOf('.env')).toBe(0o600);
    expect(await modeOf('websocket_client.conf')).toBe(0o640);
    expect(await modeOf('ari.conf')).toBe(0o640);
    expect(await modeOf('http.conf')).toBe(0o644);
    expect(await read('.gitignore')).toBe('.env\n');
    expect(report.defaults.map((d) => d.setting)).toEqual([
      '--ari-user',
      '--bind',
      '--port',
      '--app-name',
      '--context',
      '--exten',
      '--bridge-url',
      '--media-context',
      '--audiosocket-address',
    ]);
    expect(report.ariPassword).toEqual({ source: 'generated', format: 'plain', envFile: path.join(dir, '.env') });
    expect(report.asterisk?.load).toEqual([
      'asterisk -rx "module reload res_ari.so"',
      'asterisk -rx "module reload http"',
      'asterisk -rx "module reload res_websocket_client.so"',
      'asterisk -rx "dialplan reload"',
    ]);
    expect(report.asterisk?.check).toContain('asterisk -rx "dialplan show voicectl-inbound"');
    expect(report.asterisk?.check).toContain('asterisk -rx "dialplan show voicectl-media"');

    const env = parseEnv(await read('.env'));
    const user = settings(sections(parseAsteriskConf(await read('ari.conf')), env.ASTERISK_ARI_USERNAME!)[0]!);
    expect(user).toMatchObject({ type: 'user', password_format: 'plain', password: env.ASTERISK_ARI_PASSWORD });
    expect(env.ASTERISK_ARI_PASSWORD).toMatch(/^[A-Za-z0-9]{24}$/);
    const http = settings(parseAsteriskConf(await read('http.conf')).sections[0]!);
    expect(http).toEqual({ enabled: 'yes', bindaddr: '127.0.0.1', bindport: env.ASTERISK_ARI_PORT });
    const steps = dialplanSteps(
      sections(parseAsteriskConf(await read('extensions_custom.conf')), 'voicectl-inbound')[0]!,
    );
    expect(steps.map((s) => `${s.priority}.${s.app}(${s.data})`)).toEqual([
      '1.NoOp(voicectl inbound ${EXTEN})',
      '2.Answer()',
      `3.Stasis(${env.ASTERISK_APP_NAME})`,
      '4.Hangup()',
    ]);
    // every registered variable is in the .env
    const text = await read('.env');
    for (const name of Object.keys(ENV_VARS)) expect(text).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
  });

  it('human output lists the files, the load/check commands, and reports defaults on stderr', async () => {
    const r = await scaffold(['all']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`created  ${path.join(dir, 'ari.conf')} (mode 0640)`);
    expect(r.stdout).toContain('  asterisk -rx "http show status"');
    expect(r.stdout).toContain(`Generated ARI password written to ${path.join(dir, '.env')} as ASTERISK_ARI_PASSWORD.`);
    expect(r.stderr).toContain('Using default --context voicectl-inbound (pass --context to change it).');
    // the generated password is in .env only, never printed
    const pw = parseEnv(await read('.env')).ASTERISK_ARI_PASSWORD!;
    expect(r.stdout + r.stderr).not.toContain(pw);
  });

  it('a second run refuses (exit 1, every existing path named) and changes nothing', async () => {
    expect((await scaffold(['all'])).code).toBe(0);
    const before = await read('ari.conf');
    const r = await scaffold(['all', '--json']);
    expect(r.code).toBe(1);
    const doc = r.json() as { ok: boolean; error: { code: string; message: string; hint: string } };
    expect(doc.ok).toBe(false);
    expect(doc.error.code).toBe('VOICECTL_FILE_EXISTS');
    for (const f of ['.env', 'ari.conf', 'http.conf', 'extensions_custom.conf'])
      expect(doc.error.message).toContain(path.join(dir, f));
    expect(doc.error.hint).toMatch(/--force/);
    expect(await read('ari.conf')).toBe(before);
    expect((await readdir(dir)).filter((f) => f.includes('.bak-'))).toEqual([]);
  });

  it('--force keeps a backup of each file and carries the .env values over', async () => {
    expect((await scaffold(['all'])).code).toBe(0);
    const oldEnv = await read('.env');
    const oldAri = await read('ari.conf');
    const r = await scaffold(['all', '--force', '--json']);
    expect(r.code).toBe(0);
    const report = r.json() as Report;
    const main = report.files.filter((f) => f.kind !== 'gitignore');
    expect(main.every((f) => f.action === 'replaced' && f.backup?.startsWith(`${f.path}.bak-`))).toBe(true);
    expect(await readFile(main.find((f) => f.kind === 'env')!.backup!, 'utf8')).toBe(oldEnv);
    expect(await readFile(main.find((f) => f.kind === 'ari')!.backup!, 'utf8')).toBe(oldAri);
    // the password already in .env is reused, so ari.conf and .env still agree
    expect(parseEnv(await read('.env')).ASTERISK_ARI_PASSWORD).toBe(parseEnv(oldEnv).ASTERISK_ARI_PASSWORD);
    expect(report.ariPassword?.source).toBe('env');
    expect(report.files.find((f) => f.kind === 'gitignore')?.action).toBe('unchanged');
  });

  it('--force on an existing .env keeps the variables voicectl does not read', async () => {
    await writeFile(path.join(dir, '.env'), 'MEDIA_WS_SOXR_QUALITY=VHQ\nAOAI_VOICE=sage\n');
    const r = await scaffold(['env', '--force', '--json']);
    expect(r.code).toBe(0);
    expect((r.json() as Report).env?.kept).toEqual(['MEDIA_WS_SOXR_QUALITY']);
    expect(parseEnv(await read('.env'))).toEqual({ AOAI_VOICE: 'sage', MEDIA_WS_SOXR_QUALITY: 'VHQ' });
  });
});

describe('voicectl scaffold env', () => {
  it('fills values from flags and the environment, validates them, keeps the rest as placeholders', async () => {
    const r = await scaffold(
      ['env', '--json', '--set', 'AOAI_VOICE=verse', '--set', 'AZURE_OPENAI_DEPLOYMENT=gpt-realtime'],
      {
        AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com/',
        AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint=https://r.communication.azure.com/;accesskey=YWJjZA==',
        CI: 'true',
      },
    );
    expect(r.code).toBe(0);
    const env = parseEnv(await read('.env'));
    expect(env).toEqual({
      AOAI_VOICE: 'verse',
      AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime',
      AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com/',
      AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint=https://r.communication.azure.com/;accesskey=YWJjZA==',
    });
    const report = r.json() as Report;
    expect(report.env?.filled.sort()).toEqual(Object.keys(env).sort());
    expect(report.env?.placeholders).toContain('CI');
    expect(await modeOf('.env')).toBe(0o600);
  });

  it('appends .env to an existing .gitignore', async () => {
    await writeFile(path.join(dir, '.gitignore'), 'node_modules/\n');
    expect((await scaffold(['env'])).code).toBe(0);
    expect(await read('.gitignore')).toBe('node_modules/\n.env\n');
  });

  it.each([
    [
      { CALLBACK_URI_HOST: 'http://x.trycloudflare.com' },
      [],
      'CALLBACK_URI_HOST "http://x.trycloudflare.com" must start with https://.',
    ],
    [
      {},
      ['--set', 'AZURE_OPENAI_ENDPOINT=https://r.openai.azure.com/openai'],
      '--set AZURE_OPENAI_ENDPOINT "https://r.openai.azure.com/openai" must be a bare https:// or wss://host with no path.',
    ],
  ])('a bad value is exit 2 naming the variable, and nothing is written (%#)', async (env, args, message) => {
    const r = await scaffold(['env', '--json', ...args], env as Record<string, string>);
    expect(r.code).toBe(2);
    expect(r.json()).toEqual({
      ok: false,
      error: { code: 'VOICECTL_SCAFFOLD_INVALID', message, hint: expect.stringContaining('nothing was written') },
    });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('voicectl scaffold env: the ACS connection string', () => {
  it.each([
    ['endpoint=https://r/;accesskey=', 'the accesskey=<key> part is missing'],
    ['endpoint=https://r.communication.azure.com/keys;accesskey=YWJjZA==', null],
    ['endpoint=https://r.communication.azure.com/;accesskey=YWJ', 'the access key is not base64 (copy it again from the portal: Keys)'],
  ])('%s: the error of the parser identity, token, acs and the bridge use (exit 2), nothing written', async (value, why) => {
    const r = await scaffold(['env', '--json'], { AZURE_COMMUNICATION_CONNECTION_STRING: value });
    expect(r.code).toBe(2);
    let expected: { code: string; message: string; hint?: string } | undefined;
    try {
      parseConnectionString(value, 'AZURE_COMMUNICATION_CONNECTION_STRING');
    } catch (e) {
      const err = e as { code: string; message: string; hint?: string };
      // rendered as identity and token render it: through the redaction helper
      expected = { code: err.code, message: redact(err.message), hint: redact(err.hint ?? '') };
    }
    expect(expected).toBeDefined();
    if (why) expect(expected!.message).toBe(redact(`The ACS connection string in AZURE_COMMUNICATION_CONNECTION_STRING is malformed: ${why}.`));
    expect(r.json()).toEqual({ ok: false, error: expected });
    expect(r.stdout).not.toContain('YWJ');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('voicectl scaffold ari', () => {
  it('with an existing .env in --dir, sets the generated password there (0600) and keeps its other lines', async () => {
    await writeFile(path.join(dir, '.env'), '# mine\nAOAI_VOICE=alloy\n', { mode: 0o644 });
    const r = await scaffold(['ari', '--json', '--crypt', '--read-only']);
    expect(r.code).toBe(0);
    const report = r.json() as Report;
    expect(report.files.map((f) => [path.basename(f.path), f.action])).toEqual([
      ['ari.conf', 'created'],
      ['http.conf', 'created'],
      ['.env', 'updated'],
    ]);
    const text = await read('.env');
    expect(text.startsWith('# mine\nAOAI_VOICE=alloy\n')).toBe(true);
    const pw = parseEnv(text).ASTERISK_ARI_PASSWORD!;
    expect(pw).toHaveLength(24);
    expect(await modeOf('.env')).toBe(0o600);
    const user = settings(sections(parseAsteriskConf(await read('ari.conf')), 'voicectl')[0]!);
    expect(user).toMatchObject({ type: 'user', read_only: 'yes', password_format: 'crypt' });
    expect(verifySha512Crypt(pw, user.password!)).toBe(true);
    expect(report.ariPassword).toEqual({ source: 'generated', format: 'crypt', envFile: path.join(dir, '.env') });
  });

  it('without a .env, shows the generated password once on stdout', async () => {
    const r = await scaffold(['ari']);
    expect(r.code).toBe(0);
    const pw = settings(sections(parseAsteriskConf(await read('ari.conf')), 'voicectl')[0]!).password!;
    expect(r.stdout).toContain(`Generated ARI password (shown once; set it as ASTERISK_ARI_PASSWORD): ${pw}`);
    expect(await readdir(dir)).not.toContain('.env');
  });

  it('--freepbx writes the *_custom.conf split with the given user, bind and port', async () => {
    const r = await scaffold(
      ['ari', '--freepbx', '--json', '--ari-user', 'ai', '--bind', '0.0.0.0', '--port', '8090'],
      {
        ASTERISK_ARI_PASSWORD: 'from-env-123',
      },
    );
    expect(r.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual([
      'ari_additional_custom.conf',
      'ari_general_custom.conf',
      'http_custom.conf',
    ]);
    const assembled = `[general]\n${await read('ari_general_custom.conf')}\n${await read('ari_additional_custom.conf')}`;
    const conf = parseAsteriskConf(assembled);
    expect(settings(sections(conf, 'general')[0]!).enabled).toBe('yes');
    expect(settings(sections(conf, 'ai')[0]!)).toMatchObject({ type: 'user', password: 'from-env-123' });
    expect(settings(parseAsteriskConf(`[general]\n${await read('http_custom.conf')}`).sections[0]!)).toEqual({
      enabled: 'yes',
      bindaddr: '0.0.0.0',
      bindport: '8090',
    });
    expect((r.json() as Report).ariPassword).toEqual({ source: 'env', format: 'plain' });
  });

  it.each([
    [['--ari-user', 'general'], '--ari-user "general" cannot be "general" (that section holds the ARI settings).'],
    [['--port', '0'], '--port "0" must be a number from 1 to 65535.'],
    [
      ['--ari-password', 'a;b'],
      '--ari-password must not contain ";" (Asterisk reads the rest of the line as a comment).',
    ],
  ])('%j is exit 2 before anything is written', async (args, message) => {
    const r = await scaffold(['ari', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Error: ${message}`);
    expect(r.stderr).not.toContain('a;b');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('voicectl scaffold dialplan', () => {
  it('uses --context, --exten, --app-name and --app-args', async () => {
    const r = await scaffold([
      'dialplan',
      '--context',
      'from-pstn-ai',
      '--exten',
      '_0X.',
      '--app-name',
      'denco',
      '--app-args',
      'inbound,${EXTEN}',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const steps = dialplanSteps(sections(parseAsteriskConf(await read('extensions_custom.conf')), 'from-pstn-ai')[0]!);
    expect(steps[0]).toMatchObject({ exten: '_0X.', priority: 1, app: 'NoOp' });
    expect(steps[2]).toEqual({ exten: '_0X.', priority: 3, app: 'Stasis', data: 'denco,inbound,${EXTEN}' });
    expect((r.json() as Report).asterisk).toEqual({
      load: ['asterisk -rx "dialplan reload"'],
      check: ['asterisk -rx "dialplan show from-pstn-ai"'],
      context: 'from-pstn-ai',
    });
  });

  it('takes the app name from ASTERISK_APP_NAME', async () => {
    expect((await scaffold(['dialplan'], { ASTERISK_APP_NAME: 'envapp' })).code).toBe(0);
    expect(await read('extensions_custom.conf')).toContain(' same => n,Stasis(envapp)\n');
  });

  it('rejects a bad pattern with exit 2', async () => {
    const r = await scaffold(['dialplan', '--exten', '_X.1', '--json']);
    expect(r.code).toBe(2);
    expect((r.json() as { error: { message: string } }).error.message).toBe(
      '--exten "_X.1" "." may only end a pattern.',
    );
  });
});

describe('voicectl scaffold usage', () => {
  it('an unknown target is exit 2', async () => {
    const r = await scaffold(['nginx', '--json']);
    expect(r.code).toBe(2);
    expect((r.json() as { error: { code: string } }).error.code).toBe('VOICECTL_USAGE');
  });

  it('--help explains targets and options', async () => {
    const r = await scaffold(['--help']);
    expect(r.code).toBe(0);
    for (const s of [
      '--dir <path>',
      '--force',
      '--freepbx',
      '--crypt',
      '--ari-password',
      '--exten <pattern>',
      'bak-<UTC timestamp>',
    ]) {
      expect(r.stdout).toContain(s);
    }
  });
});
