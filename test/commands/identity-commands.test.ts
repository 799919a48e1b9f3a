/**
 * `identity` and `token issue|revoke` in-process: everything decided before a request is
 * sent (bad connection string, scopes, expiry, user id, confirmation), and a dead endpoint.
 * The happy paths against the HTTPS fake run in test/e2e/identity-token.test.ts (the test
 * certificate is trusted through NODE_EXTRA_CA_CERTS at process start).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import os from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { runVoicectl } from '../helpers/run-cli.js';

// The Azure pipeline honours HTTPS_PROXY even for loopback; keep these requests direct.
vi.stubEnv('NO_PROXY', '127.0.0.1,localhost');

const KEY = randomBytes(32).toString('base64');
const CS = `endpoint=https://voicectl-test.communication.azure.com/;accesskey=${KEY}`;
const USER = '8:acs:f0e1d2c3-b4a5-4697-8899-aabbccddeeff_0000002c-0e29-50fd-72e4-6f8ded7cbc42';
const cwd = os.tmpdir();

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

describe('identity / token: checks before any request', () => {
  it.each([
    ['endpoint=https://x.communication.azure.com/', 'the accesskey=*** part is missing'],
    [`accesskey=${KEY}`, 'the endpoint=https://<resource>.communication.azure.com/ part is missing'],
    [`endpoint=http://x.communication.azure.com/;accesskey=${KEY}`, 'it must start with https://'],
    [`endpoint=https://x.communication.azure.com/path;accesskey=${KEY}`, 'without a path or query'],
    [`endpoint=https://x.communication.azure.com/;accesskey=${KEY}!!`, 'the access key is not base64'],
    ['not a connection string', 'expected name=value pairs'],
    [`${KEY}`, 'the endpoint=https://<resource>.communication.azure.com/ part is missing'],
  ])('a malformed connection string %# is exit 2 and never printed', async (cs, why) => {
    for (const json of [false, true]) {
      const r = await runVoicectl(['identity', 'create', ...(json ? ['--json'] : [])], {
        env: { AZURE_COMMUNICATION_CONNECTION_STRING: cs },
        cwd,
      });
      expect(r.code).toBe(2);
      const all = r.stdout + r.stderr;
      expect(all).toContain(why);
      expect(all).not.toContain(KEY);
      if (json) expect(r.json()).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^VOICECTL_ACS_(CONNECTION_STRING|ENDPOINT)$/) } });
    }
  });

  it('no credentials at all: exit 2 naming the variable and the flags', async () => {
    const r = await runVoicectl(['token', 'issue', '--scope', 'voip', '--json'], { cwd });
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({
      ok: false,
      error: { code: 'VOICECTL_MISSING_VALUE', hint: expect.stringContaining('AZURE_COMMUNICATION_CONNECTION_STRING') },
    });
  });

  it.each([
    [['token', 'issue', '--scope', 'video'], 'VOICECTL_TOKEN_SCOPE', 'Unknown token scope "video".'],
    [['token', 'issue', '--scope', 'voip', '--expires-in', '30'], 'VOICECTL_TOKEN_EXPIRY', '--expires-in must be a whole number of minutes from 60 to 1440, got "30".'],
    [['token', 'issue', '--scope', 'voip', '--expires-in', '1441'], 'VOICECTL_TOKEN_EXPIRY', '--expires-in must be a whole number of minutes from 60 to 1440, got "1441".'],
    [['token', 'issue', '--scope', 'voip', '--user', 'alice'], 'VOICECTL_ACS_USER_ID', '"alice" is not an ACS user id.'],
    [['identity', 'create', '--scope', 'chat,nope'], 'VOICECTL_TOKEN_SCOPE', 'Unknown token scope "nope".'],
    [['identity', 'delete', '8:teams:abc', '--yes'], 'VOICECTL_ACS_USER_ID', '"8:teams:abc" is not an ACS user id.'],
    [['token', 'issue'], 'VOICECTL_USAGE', "required option '--scope <scope...>' not specified"],
  ])('%j is exit 2 (%s)', async (argv, code, message) => {
    const r = await runVoicectl([...argv, '--json'], { env: { AZURE_COMMUNICATION_CONNECTION_STRING: CS }, cwd });
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ ok: false, error: { code, message } });
  });

  it('--connection-string and --endpoint together are refused', async () => {
    const r = await runVoicectl(['identity', 'create', '--connection-string', CS, '--endpoint', 'https://x.communication.azure.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot be used with option '--endpoint/);
    expect(r.stderr).not.toContain(KEY);
  });

  it.each([
    ['identity', 'delete'],
    ['token', 'revoke'],
  ])('%s %s without a terminal needs --yes', async (noun, verb) => {
    const r = await runVoicectl([noun!, verb!, USER], { env: { AZURE_COMMUNICATION_CONNECTION_STRING: CS }, cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error: --yes required when not running interactively.');
  });

  it('an unreachable endpoint fails in seconds, naming the host, exit 1', async () => {
    const port = await closedPort();
    const cs = `endpoint=https://127.0.0.1:${port}/;accesskey=${KEY}`;
    const r = await runVoicectl(['token', 'issue', '--scope', 'voip'], { env: { AZURE_COMMUNICATION_CONNECTION_STRING: cs }, cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Error: Cannot connect to ACS at 127.0.0.1:${port} (ECONNREFUSED).`);
    expect(r.stderr).toContain('hint: Check the endpoint host and port');
    expect(r.stderr).not.toContain(KEY);
  });
});
