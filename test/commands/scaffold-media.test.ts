// `voicectl scaffold asterisk-media`: websocket_client.conf with the bridge's media token, the
// chan_websocket / AudioSocket dialplan, and the token kept where the bridge reads it.
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dialplanSteps, parseAsteriskConf, sections, settings } from '../helpers/asterisk-conf.js';
import { waitFor } from '../helpers/acs-media-client.js';
import { runVoicectl, startCli } from '../helpers/run-cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'voicectl-scaffold-media-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = (f: string): Promise<string> => readFile(path.join(dir, f), 'utf8');
const scaffold = (args: string[], env: Record<string, string> = {}) => runVoicectl(['scaffold', 'asterisk-media', ...args], { cwd: dir, env });
type Report = { files: Array<{ path: string; action: string; mode: string; backup?: string }>; mediaToken: { source: string; generated?: string; envFile?: string }; asterisk: { load: string[]; check: string[] } };

describe('voicectl scaffold asterisk-media', () => {
  it('writes websocket_client.conf (0640) and the media context; a generated token is shown once', async () => {
    const r = await scaffold(['--json']);
    expect(r.code).toBe(0);
    const report = r.json() as Report;
    expect(report.files.map((f) => [path.basename(f.path), f.action, f.mode])).toEqual([
      ['websocket_client.conf', 'created', '0640'],
      ['extensions_custom.conf', 'created', '0644'],
    ]);
    expect((await stat(path.join(dir, 'websocket_client.conf'))).mode & 0o777).toBe(0o640);
    const token = report.mediaToken.generated!;
    expect(token).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(report.mediaToken.source).toBe('generated');
    const conf = settings(sections(parseAsteriskConf(await read('websocket_client.conf')), 'voicectl')[0]!);
    expect(conf).toEqual({
      type: 'websocket_client', connection_type: 'per_call_config', uri: 'ws://127.0.0.1:8000/ws/asterisk', protocols: 'media',
      username: 'voicectl', password: token, connection_timeout: '500', reconnect_attempts: '2', reconnect_interval: '500',
    });
    const steps = dialplanSteps(sections(parseAsteriskConf(await read('extensions_custom.conf')), 'voicectl-media')[0]!);
    expect(steps.map((s) => `${s.exten} ${s.priority}.${s.app}(${s.data})`)).toEqual([
      '_X. 1.NoOp(voicectl chan_websocket ${EXTEN})',
      '_X. 2.Set(__VOICECTL_CALLER=${CALLERID(num)})',
      '_X. 3.Dial(WebSocket/voicectl/c(slin16)f(json))',
      '_X. 4.Hangup()',
      'audiosocket 1.NoOp(voicectl AudioSocket)',
      'audiosocket 2.Answer()',
      'audiosocket 3.AudioSocket(${UUID()},127.0.0.1:9092)',
      'audiosocket 4.Hangup()',
    ]);
    expect(report.asterisk.load).toEqual(['asterisk -rx "module reload res_websocket_client.so"', 'asterisk -rx "dialplan reload"']);
    expect(report.asterisk.check).toContain('asterisk -rx "dialplan show voicectl-media"');
    // human output shows it once too
    await rm(path.join(dir, 'websocket_client.conf'));
    await rm(path.join(dir, 'extensions_custom.conf'));
    const human = await scaffold([]);
    expect(human.stdout).toMatch(/Generated media token \(shown once; set it as VOICECTL_MEDIA_TOKEN/);
  });

  it('takes the token from VOICECTL_MEDIA_TOKEN (never printed), --bridge-url wss:// turns TLS on, flags shape the dialplan', async () => {
    const TOKEN = 'media-token-from-env-77';
    const r = await scaffold(['--json', '--bridge-url', 'wss://bridge.example.net/ws/asterisk', '--media-context', 'ai', '--exten', '_9X.', '--audiosocket-address', '10.0.0.5:9300'], { VOICECTL_MEDIA_TOKEN: TOKEN });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(TOKEN);
    expect((r.json() as Report).mediaToken).toEqual({ source: 'env' });
    const conf = settings(sections(parseAsteriskConf(await read('websocket_client.conf')), 'voicectl')[0]!);
    expect(conf).toMatchObject({ uri: 'wss://bridge.example.net/ws/asterisk', password: TOKEN, tls_enabled: 'yes' });
    const steps = dialplanSteps(sections(parseAsteriskConf(await read('extensions_custom.conf')), 'ai')[0]!);
    expect(steps[0]!.exten).toBe('_9X.');
    expect(steps.find((s) => s.app === 'AudioSocket')!.data).toBe('${UUID()},10.0.0.5:9300');
  });

  it('puts a generated token into an existing .env; refuses a second run; --force keeps backups', async () => {
    await writeFile(path.join(dir, '.env'), 'AOAI_VOICE=alloy\n', { mode: 0o600 });
    const r = await scaffold(['--json']);
    expect(r.code).toBe(0);
    const env = parseEnv(await read('.env'));
    expect(env.AOAI_VOICE).toBe('alloy');
    expect(settings(sections(parseAsteriskConf(await read('websocket_client.conf')), 'voicectl')[0]!).password).toBe(env.VOICECTL_MEDIA_TOKEN);
    expect((r.json() as Report).mediaToken).toEqual({ source: 'generated', envFile: path.join(dir, '.env') });
    const again = await scaffold([]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Refusing to overwrite');
    const forced = await scaffold(['--force', '--json']);
    expect(forced.code).toBe(0);
    expect((forced.json() as Report).files.filter((f) => f.backup).map((f) => path.basename(f.path))).toEqual(['websocket_client.conf', 'extensions_custom.conf']);
    expect((await readdir(dir)).filter((f) => f.includes('.bak-'))).toHaveLength(2);
  });

  it.each([
    [['--bridge-url', 'http://127.0.0.1:8000/ws/asterisk'], '--bridge-url'],
    [['--bridge-url', 'ws://user:pw@127.0.0.1:8000/'], '--bridge-url'],
    [['--audiosocket-address', '127.0.0.1'], '--audiosocket-address'],
    [['--media-context', 'a b'], '--media-context'],
  ])('%j is exit 2 naming the flag, nothing written', async (args, flag) => {
    const r = await scaffold(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(flag);
    expect(await readdir(dir)).toEqual([]);
  });

  it('the scaffolded credentials open the bridge\'s chan_websocket path the way Asterisk sends them', async () => {
    expect((await runVoicectl(['scaffold', 'all', '--json'], { cwd: dir })).code).toBe(0);
    const env = parseEnv(await read('.env'));
    const conf = settings(sections(parseAsteriskConf(await read('websocket_client.conf')), 'voicectl')[0]!);
    expect(conf.password).toBe(env.VOICECTL_MEDIA_TOKEN);
    const h = startCli(['bridge', '--listen', '0', '--host', '127.0.0.1', '--json', '--upstream', 'echo'], { cwd: dir });
    try {
      await waitFor(() => h.stdout.text.includes('bridge.listening'), 'listening');
      const asteriskUrl = (h.stdout.events()[0] as { asteriskUrl: string }).asteriskUrl;
      const dial = (password: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(asteriskUrl, 'media', { headers: { authorization: `Basic ${Buffer.from(`${conf.username}:${password}`).toString('base64')}` }, perMessageDeflate: false });
          ws.once('open', () => (ws.close(), resolve(101)));
          ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
          ws.once('error', () => undefined);
        });
      expect(await dial(conf.password!)).toBe(101);
      expect(await dial('not-the-token')).toBe(401);
    } finally {
      h.signal('SIGTERM');
      await h.done;
    }
  });
});
