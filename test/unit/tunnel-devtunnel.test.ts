import { describe, expect, it } from 'vitest';
import { UsageError, UserError } from '../../src/core/errors.js';
import {
  createDevtunnelLineParser,
  devtunnelHostArgs,
  devtunnelSetupArgs,
  parseUserShow,
  pickPortUrl,
  prepareDevtunnel,
  type RunTool,
} from '../../src/tunnel/devtunnel.js';

describe('devtunnel host output parser', () => {
  const cases: Array<[string, string[], { url?: string; ready: boolean }]> = [
    [
      'current form: URL on "Connect via browser", ready on "Ready to accept connections"',
      [
        'Hosting port: 8000',
        'Connect via browser: https://k7x2q9m-8000.usw2.devtunnels.ms',
        'Inspect network activity: https://k7x2q9m-8000-inspect.usw2.devtunnels.ms',
        '',
        'Ready to accept connections for tunnel: k7x2q9m.usw2',
      ],
      { url: 'https://k7x2q9m-8000.usw2.devtunnels.ms', ready: true },
    ],
    [
      'ANSI colours around labels and URLs',
      [
        '\u001b[1mConnect via browser:\u001b[0m \u001b[36mhttps://k7x2q9m-8000.usw2.devtunnels.ms\u001b[0m',
        '\u001b[32mReady to accept connections for tunnel:\u001b[0m k7x2q9m.usw2',
      ],
      { url: 'https://k7x2q9m-8000.usw2.devtunnels.ms', ready: true },
    ],
    [
      'two comma-separated URLs: the -<port>. one is taken',
      ['Connect via browser: https://k7x2q9m.usw2.devtunnels.ms:8000, https://k7x2q9m-8000.usw2.devtunnels.ms'],
      { url: 'https://k7x2q9m-8000.usw2.devtunnels.ms', ready: false },
    ],
    [
      'older one-line form: URL and ready at once, the inspect URL ignored',
      [
        'Connecting to host tunnel relay wss://usw2-data.rel.tunnels.api.visualstudio.com/api/v1/Host/Connect/k7x2q9m',
        'Hosting port 8000 at https://k7x2q9m.usw2.devtunnels.ms:8000/, https://k7x2q9m-8000.usw2.devtunnels.ms/ and inspect it at https://k7x2q9m-8000-inspect.usw2.devtunnels.ms/',
      ],
      { url: 'https://k7x2q9m-8000.usw2.devtunnels.ms', ready: true },
    ],
    ['the relay URL alone is not a public URL', ['Connecting to host tunnel relay wss://usw2-data.rel.tunnels.api.visualstudio.com/x'], { ready: false }],
  ];
  it.each(cases)('%s', (_name, lines, want) => {
    const parse = createDevtunnelLineParser(8000);
    const infos = lines.map(parse);
    expect(infos.find((i) => i.url)?.url).toBe(want.url);
    expect(infos.some((i) => i.ready)).toBe(want.ready);
  });

  it('levels: relay closed is a warning, an Error line an error', () => {
    const parse = createDevtunnelLineParser(8000);
    expect(parse('Connection to host tunnel relay closed.').level).toBe('warn');
    expect(parse('Error: Tunnel service returned 404 (Not Found)').level).toBe('error');
    expect(parse('Hosting port: 8000').level).toBe('info');
  });

  it('recognises a missing login in host output (exit 2, names devtunnel user login -d)', () => {
    const f = createDevtunnelLineParser(8000)('Login required. Run `devtunnel user login` to log in.').failure!;
    expect(f).toMatchObject({ code: 'VOICECTL_TUNNEL_LOGIN_REQUIRED', fatal: true, exitCode: 2 });
    expect(f.hint).toContain('devtunnel user login -d');
  });

  it('pickPortUrl takes the first usable URL when none carries the port', () => {
    expect(pickPortUrl(['https://a-inspect.x.ms', 'https://abc.usw2.devtunnels.ms:9000/'], 8000)).toBe('https://abc.usw2.devtunnels.ms:9000');
  });
});

describe('devtunnel argv', () => {
  it('a temporary tunnel is anonymous, http', () => {
    expect(devtunnelHostArgs({ port: 8000 })).toEqual(['host', '-p', '8000', '--allow-anonymous', '--protocol', 'http']);
  });
  it('an existing tunnel is hosted by id, after port create and anonymous access create', () => {
    expect(devtunnelHostArgs({ port: 8000, tunnelId: 'demo.usw2' })).toEqual(['host', 'demo.usw2']);
    expect(devtunnelSetupArgs('demo.usw2', 8000)).toEqual([
      ['port', 'create', 'demo.usw2', '--port-number', '8000', '--protocol', 'http', '--json', '--nologo'],
      ['access', 'create', 'demo.usw2', '--anonymous', '--port-number', '8000', '--json', '--nologo'],
    ]);
  });
});

describe('parseUserShow', () => {
  it.each([
    ['{"status":"Logged in","provider":"microsoft","username":"ada@example.com"}', { loggedIn: true, username: 'ada@example.com' }],
    ['{"status":"Not logged in"}', { loggedIn: false }],
    ['Logged in as ada@example.com using Microsoft.', { loggedIn: true, username: 'ada@example.com' }],
    ['Not logged in.', { loggedIn: false }],
    ['', { loggedIn: false }],
  ])('%s', (stdout, want) => expect(parseUserShow(stdout)).toEqual(want));
});

describe('prepareDevtunnel', () => {
  function runner(answers: Record<string, { exitCode: number; stdout?: string; stderr?: string }>): { run: RunTool; calls: string[][] } {
    const calls: string[][] = [];
    return {
      calls,
      run: async (args) => {
        calls.push(args);
        const a = answers[args.slice(0, 2).join(' ')] ?? { exitCode: 0 };
        return { exitCode: a.exitCode, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
      },
    };
  }
  const loggedIn = { exitCode: 0, stdout: '{"status":"Logged in","username":"ada@example.com"}' };

  it('logged out: UsageError (exit 2) naming `devtunnel user login -d`', async () => {
    const { run, calls } = runner({ 'user show': { exitCode: 0, stdout: '{"status":"Not logged in"}' } });
    const err = await prepareDevtunnel(run, { port: 8000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: 'VOICECTL_TUNNEL_LOGIN_REQUIRED', exitCode: 2, message: 'devtunnel is not logged in.' });
    expect((err as UsageError).hint).toContain('`devtunnel user login -d`');
    expect(calls).toEqual([['user', 'show', '--json', '--nologo']]);
  });

  it('`user show` failing: still a login problem, with what devtunnel said', async () => {
    const { run } = runner({ 'user show': { exitCode: 1, stderr: 'The access token is expired.' } });
    const err = (await prepareDevtunnel(run, { port: 8000 }).catch((e: unknown) => e)) as UsageError;
    expect(err.code).toBe('VOICECTL_TUNNEL_LOGIN_REQUIRED');
    expect(err.message).toBe('devtunnel is not logged in (`devtunnel user show` exited with code 1: The access token is expired.).');
  });

  it('a temporary tunnel only checks the login', async () => {
    const { run, calls } = runner({ 'user show': loggedIn });
    expect(await prepareDevtunnel(run, { port: 8000 })).toEqual({ username: 'ada@example.com' });
    expect(calls).toHaveLength(1);
  });

  it('with a tunnel id: port create, then access create --anonymous; "already exists" (exit 1) is fine', async () => {
    const { run, calls } = runner({ 'user show': loggedIn, 'port create': { exitCode: 1, stderr: 'Conflict' } });
    await prepareDevtunnel(run, { port: 8000, tunnelId: 'demo.usw2' });
    expect(calls.map((c) => c.slice(0, 2).join(' '))).toEqual(['user show', 'port create', 'access create']);
    expect(calls[2]).toContain('--anonymous');
  });

  it('an unknown tunnel id (exit 2): UsageError VOICECTL_TUNNEL_NOT_FOUND with the create command', async () => {
    const { run } = runner({ 'user show': loggedIn, 'port create': { exitCode: 2, stderr: 'Tunnel not found: demo.usw2' } });
    const err = (await prepareDevtunnel(run, { port: 8000, tunnelId: 'demo.usw2' }).catch((e: unknown) => e)) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.code).toBe('VOICECTL_TUNNEL_NOT_FOUND');
    expect(err.message).toBe('devtunnel has no tunnel "demo.usw2": Tunnel not found: demo.usw2');
    expect(err.hint).toContain('devtunnel create demo.usw2 --allow-anonymous');
  });

  it('another failure: UserError VOICECTL_TUNNEL_SETUP_FAILED naming the command', async () => {
    const { run } = runner({ 'user show': loggedIn, 'access create': { exitCode: 3, stderr: 'boom' } });
    const err = (await prepareDevtunnel(run, { port: 8000, tunnelId: 't' }).catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'VOICECTL_TUNNEL_SETUP_FAILED', message: '`devtunnel access create` failed (exit 3): boom' });
  });
});
