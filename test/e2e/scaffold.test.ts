/**
 * `voicectl scaffold all` as a new user runs it: the built bin, spawned in a non-TTY
 * shell from an unrelated working directory (templates come from the package, not cwd).
 * Needs `npm run build` first.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAsteriskConf, sections, settings } from '../helpers/asterisk-conf.js';

const run = promisify(execFile);
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/voicectl.js');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'voicectl-scaffold-e2e-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function voicectl(args: string[]) {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd: work, env: { PATH: process.env.PATH ?? '' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('voicectl scaffold all (built CLI, non-TTY)', () => {
  it('writes the five files and .gitignore, refuses a second run, and --force keeps backups', async () => {
    const dir = path.join(work, 'some', 'dir');
    const first = await voicectl(['scaffold', 'all', '--dir', dir]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('Using default --ari-user voicectl');
    expect((await readdir(dir)).sort()).toEqual([
      '.env',
      '.gitignore',
      'ari.conf',
      'extensions_custom.conf',
      'http.conf',
      'websocket_client.conf',
    ]);
    const modes = Object.fromEntries(
      await Promise.all(
        ['.env', 'ari.conf', 'http.conf', 'extensions_custom.conf'].map(async (f) => [
          f,
          (await stat(path.join(dir, f))).mode & 0o777,
        ]),
      ),
    );
    expect(modes).toEqual({ '.env': 0o600, 'ari.conf': 0o640, 'http.conf': 0o644, 'extensions_custom.conf': 0o644 });
    const env = parseEnv(await readFile(path.join(dir, '.env'), 'utf8'));
    const ari = parseAsteriskConf(await readFile(path.join(dir, 'ari.conf'), 'utf8'));
    expect(settings(sections(ari, 'voicectl')[0]!).password).toBe(env.ASTERISK_ARI_PASSWORD);

    const second = await voicectl(['scaffold', 'all', '--dir', dir, '--json']);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: false, error: { code: 'VOICECTL_FILE_EXISTS' } });

    const forced = await voicectl(['scaffold', 'all', '--dir', dir, '--force', '--json']);
    expect(forced.code).toBe(0);
    const report = JSON.parse(forced.stdout) as { files: Array<{ path: string; backup?: string }> };
    const ariEntry = report.files.find((f) => f.path === path.join(dir, 'ari.conf'));
    expect(ariEntry?.backup).toMatch(/ari\.conf\.bak-\d{8}T\d{6}Z$/);
    expect(await readFile(ariEntry!.backup!, 'utf8')).toBe(await readFile(path.join(dir, 'ari.conf'), 'utf8'));
    expect((await readdir(dir)).filter((f) => f.includes('.bak-'))).toHaveLength(5);
  });
});

/** util-linux `script` gives the child a pseudo-terminal, so inquirer prompts are shown. */
const hasScript = spawnSync('script', ['-qec', 'true', '/dev/null']).status === 0;

/**
 * Run voicectl on a terminal, answering each prompt (matched by its text) as it appears.
 * @returns exit code and everything the terminal showed.
 */
function onTerminal(
  args: string[],
  answers: Array<[RegExp, string]>,
): Promise<{ code: number | null; screen: string; unanswered: number }> {
  const cmd = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', cmd, '/dev/null'], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', TERM: 'xterm' },
  });
  let screen = '';
  let pending = '';
  const queue = [...answers];
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    pending += d.toString();
    while (queue.length > 0 && queue[0]![0].test(pending)) {
      pending = '';
      child.stdin.write(queue.shift()![1]);
    }
  });
  // a prompt that never appears must fail the test, not hang it
  const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, screen, unanswered: queue.length });
    }),
  );
}

describe.skipIf(!hasScript)('voicectl scaffold on a terminal', () => {
  it('asks for missing values with defaults shown, re-asks after an invalid answer, and generates the password', async () => {
    const dir = path.join(work, 'tty');
    const r = await onTerminal(
      ['scaffold', 'all', '--dir', dir, '--port', '8090'],
      [
        [/ARI user/, '\r'], // default voicectl
        [/ARI password \(empty: generate one\)/, '\r'], // generate
        [/HTTP bind address/, '0.0.0.0\r'],
        [/Stasis application name/, 'my app\r'], // invalid: re-asked
        [/only letters, digits/, '\x7f\x7f\x7f\x7fapp\r'], // "my app" -> "my" + "app"
        [/Dialplan context/, '\r'],
        [/Extension pattern/, '_1XX\r'],
        [/AZURE_COMMUNICATION_CONNECTION_STRING/, '\r'], // empty: placeholder
        [/CALLBACK_URI_HOST/, 'https://x.trycloudflare.com\r'],
        [/AZURE_OPENAI_ENDPOINT/, '\r'],
        [/AZURE_OPENAI_DEPLOYMENT/, 'gpt-realtime\r'],
        [/AZURE_OPENAI_API_KEY/, '\r'],
        [/AOAI_VOICE/, '\r'],
      ],
    );
    expect(r.unanswered).toBe(0);
    expect(r.code).toBe(0);
    expect(r.screen).toContain('(voicectl)'); // the default is shown
    expect(r.screen).not.toMatch(/Using default --(ari-user|port|app-name|context)/); // asked, so not defaulted silently
    expect(r.screen).toContain('Using default --bridge-url ws://127.0.0.1:8000/ws/asterisk'); // not asked: said
    const env = parseEnv(await readFile(path.join(dir, '.env'), 'utf8'));
    expect(env).toMatchObject({
      ASTERISK_ARI_USERNAME: 'voicectl',
      ASTERISK_ARI_PORT: '8090',
      ASTERISK_APP_NAME: 'myapp',
      CALLBACK_URI_HOST: 'https://x.trycloudflare.com',
      AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime',
    });
    expect(env).not.toHaveProperty('AZURE_OPENAI_ENDPOINT');
    expect(env.ASTERISK_ARI_PASSWORD).toMatch(/^[A-Za-z0-9]{24}$/);
    const http = settings(parseAsteriskConf(await readFile(path.join(dir, 'http.conf'), 'utf8')).sections[0]!);
    expect(http).toEqual({ enabled: 'yes', bindaddr: '0.0.0.0', bindport: '8090' });
    expect(await readFile(path.join(dir, 'extensions_custom.conf'), 'utf8')).toContain('exten => _1XX,1,');
  });
});
