import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ngrokArgs, parseNgrokLine, queryNgrokAgent } from '../../src/tunnel/ngrok.js';

describe('ngrokArgs', () => {
  it('an http tunnel with JSON logs on stdout, and no authtoken on argv', () => {
    expect(ngrokArgs(8000)).toEqual(['http', '8000', '--log', 'stdout', '--log-format', 'json']);
  });
});

describe('parseNgrokLine', () => {
  it('JSON "started tunnel": URL and ready', () => {
    const got = parseNgrokLine(
      '{"t":"2026-01-05T10:00:00Z","addr":"http://localhost:8000","lvl":"info","msg":"started tunnel","name":"command_line","obj":"tunnels","url":"https://1a2b-203-0-113-7.ngrok-free.app"}',
    );
    expect(got).toMatchObject({ url: 'https://1a2b-203-0-113-7.ngrok-free.app', ready: true, level: 'info' });
  });

  it('"started tunnel" with addr as an object (some versions) still gives the URL', () => {
    const got = parseNgrokLine('{"addr":{"Scheme":"http","Host":"localhost:8000"},"lvl":"info","msg":"started tunnel","url":"https://x.ngrok.app/"}');
    expect(got.url).toBe('https://x.ngrok.app');
  });

  it('"starting web service": the agent API address', () => {
    expect(parseNgrokLine('{"addr":"127.0.0.1:4041","lvl":"info","msg":"starting web service","obj":"web"}').agentApi).toBe('127.0.0.1:4041');
  });

  it('logfmt lines are read too', () => {
    const got = parseNgrokLine('t=2026-01-05T10:00:00+0000 lvl=info msg="started tunnel" obj=tunnels name=command_line addr=http://localhost:8000 url=https://abc.ngrok-free.app');
    expect(got).toMatchObject({ url: 'https://abc.ngrok-free.app', ready: true });
    expect(parseNgrokLine('lvl=info msg="starting web service" obj=web addr=127.0.0.1:4040').agentApi).toBe('127.0.0.1:4040');
  });

  it('an http:// tunnel URL is not taken (ACS needs https)', () => {
    expect(parseNgrokLine('{"lvl":"info","msg":"started tunnel","url":"http://abc.ngrok.io"}').url).toBeUndefined();
  });

  it.each([
    ['ERROR:  ERR_NGROK_4018', 'VOICECTL_TUNNEL_AUTHTOKEN_MISSING', 'error'],
    ['ERROR:  authentication failed: Usage of ngrok requires a verified account and authtoken.', 'VOICECTL_TUNNEL_AUTHTOKEN_MISSING', 'error'],
    [
      '{"err":"authentication failed: Usage of ngrok requires a verified account and authtoken.\\n\\nERR_NGROK_4018\\r\\n","lvl":"eror","msg":"failed to reconnect session"}',
      'VOICECTL_TUNNEL_AUTHTOKEN_MISSING',
      'error',
    ],
    ['ERROR:  authentication failed: The authtoken you specified does not look like a proper ngrok tunnel authtoken. ERR_NGROK_105', 'VOICECTL_TUNNEL_AUTHTOKEN_INVALID', 'error'],
    ['{"lvl":"crit","msg":"session closed","err":"ERR_NGROK_108"}', 'VOICECTL_TUNNEL_TOO_MANY_SESSIONS', 'error'],
  ])('%s → %s', (line, code, level) => {
    const got = parseNgrokLine(line);
    expect(got.failure?.code).toBe(code);
    expect(got.level).toBe(level);
  });

  it('a missing authtoken is a setup problem (exit 2) whose hint names NGROK_AUTHTOKEN', () => {
    const f = parseNgrokLine('ERR_NGROK_4018').failure!;
    expect(f.exitCode).toBe(2);
    expect(f.hint).toContain('NGROK_AUTHTOKEN');
    expect(f.hint).toContain('ngrok config add-authtoken');
  });

  it('a warn line', () => {
    expect(parseNgrokLine('{"lvl":"warn","msg":"x"}').level).toBe('warn');
  });
});

describe('queryNgrokAgent', () => {
  let server: http.Server;
  let addr: string;
  let tunnels: unknown[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/tunnels') res.end(JSON.stringify({ tunnels, uri: '/api/tunnels' }));
      else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('no tunnels yet: undefined', async () => {
    tunnels = [];
    expect(await queryNgrokAgent(addr)).toBeUndefined();
  });

  it('the https public_url of the listed tunnels', async () => {
    tunnels = [
      { name: 'command_line (http)', public_url: 'http://abc.ngrok.io', proto: 'http' },
      { name: 'command_line', public_url: 'https://abc.ngrok-free.app', proto: 'https', config: { addr: 'http://localhost:8000' } },
    ];
    expect(await queryNgrokAgent(addr)).toBe('https://abc.ngrok-free.app');
  });
});
