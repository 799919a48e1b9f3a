/**
 * The built CLI against the HTTPS identity fake, as a new user would run it. The test
 * certificate is trusted the way a user trusts a proxy CA: NODE_EXTRA_CA_CERTS at start.
 * Run `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAcsIdentity, type FakeAcsIdentity } from '../helpers/fake-acs-identity.js';
import { writeFakeAz } from '../helpers/fake-arm.js';
import { testCert, type TestCert } from '../helpers/tls.js';

const run = promisify(execFile);
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/voicectl.js');
let cert: TestCert;
let fake: FakeAcsIdentity;
let cwd: string;

async function voicectl(args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  const base = { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: cert.caFile, NO_PROXY: '127.0.0.1,localhost' };
  try {
    const r = await run(process.execPath, [bin, ...args], { env: { ...base, ...env }, cwd });
    return { code: 0, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr, ms: Date.now() - started };
  }
}

beforeAll(async () => {
  cert = await testCert();
  fake = await startFakeAcsIdentity(cert, { bearerToken: 'entra-acs-token' });
  cwd = await mkdtemp(path.join(os.tmpdir(), 'voicectl-e2e-id-'));
  // The connection string comes from ./.env, as in the setups voicectl replaces.
  await writeFile(path.join(cwd, '.env'), `AZURE_COMMUNICATION_CONNECTION_STRING="${fake.connectionString}"\n`);
});
afterAll(() => fake.close());

describe('identity and token against the ACS fake (built CLI)', () => {
  it('identity create prints only the user id; --json the documented shape', async () => {
    const r = await voicectl(['identity', 'create']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^8:acs:[0-9a-f-]+_[0-9a-f-]+\n$/);
    expect(fake.users.has(r.stdout.trim())).toBe(true);

    const j = await voicectl(['identity', 'create', '--token', '--scope', 'voip', 'chat', '--expires-in', '60', '--json']);
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout) as { userId: string; token: string; expiresOn: string; scopes: string[] };
    expect(Object.keys(doc).sort()).toEqual(['expiresOn', 'scopes', 'token', 'userId']);
    expect(doc.scopes).toEqual(['voip', 'chat']);
    expect(fake.users.has(doc.userId)).toBe(true);
    expect(Math.round((Date.parse(doc.expiresOn) - Date.now()) / 60_000)).toBe(60);
  });

  it('TOKEN=$(voicectl token issue --scope voip): stdout is the token alone', async () => {
    const r = await voicectl(['token', 'issue', '--scope', 'voip']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const created = /Created ACS user (8:acs:\S+)/.exec(r.stderr)?.[1];
    expect(created && fake.users.has(created)).toBe(true);
  });

  it('token issue --user, token revoke --yes, identity delete --yes', async () => {
    const userId = (await voicectl(['identity', 'create'])).stdout.trim();
    const t = await voicectl(['token', 'issue', '--user', userId, '--scope', 'chat.join', '--expires-in', '120', '--json']);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ userId, scopes: ['chat.join'], userCreated: false });
    const issued = fake.requests.at(-1)!;
    expect(issued.url).toBe(`/identities/${encodeURIComponent(userId)}/:issueAccessToken?api-version=2023-10-01`);

    const rv = await voicectl(['token', 'revoke', userId, '--yes', '--json']);
    expect(rv.code).toBe(0);
    expect(JSON.parse(rv.stdout)).toEqual({ userId, revoked: true });
    expect(fake.users.get(userId)!.revoked).toBe(1);

    const d = await voicectl(['identity', 'delete', userId, '--yes']);
    expect(d.code).toBe(0);
    expect(d.stdout).toBe(`Deleted ${userId}\n`);
    expect(fake.users.has(userId)).toBe(false);

    const again = await voicectl(['identity', 'delete', userId, '--yes', '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: false, error: { code: 'VOICECTL_ACS_USER_NOT_FOUND' } });
  });

  it('a wrong access key: clear message, exit 1, key never printed, in seconds', async () => {
    const wrong = randomBytes(32).toString('base64');
    const cs = `endpoint=${fake.endpoint};accesskey=${wrong}`;
    for (const json of [false, true]) {
      const r = await voicectl(['token', 'issue', '--scope', 'voip', ...(json ? ['--json'] : ['--verbose'])], { AZURE_COMMUNICATION_CONNECTION_STRING: cs });
      expect(r.code).toBe(1);
      const all = r.stdout + r.stderr;
      expect(all).toContain('the access key in the connection string was rejected');
      expect(all).not.toContain(wrong);
      expect(r.ms).toBeLessThan(10_000);
      if (json) expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'VOICECTL_ACS_AUTH_FAILED' } });
    }
  });

  it('--endpoint signs in with Entra ID (DefaultAzureCredential via az login)', async () => {
    const az = await writeFakeAz({ token: 'entra-acs-token', expectResource: 'https://communication.azure.com/' });
    const r = await voicectl(['identity', 'create', '--endpoint', fake.endpoint, '--json'], {
      PATH: `${az}:${process.env.PATH ?? ''}`,
      AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
      AZURE_COMMUNICATION_CONNECTION_STRING: '',
    });
    expect(r.code).toBe(0);
    const { userId } = JSON.parse(r.stdout) as { userId: string };
    expect(fake.users.has(userId)).toBe(true);
    expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer entra-acs-token');
  });

  it('a malformed connection string: exit 2, nothing of it printed', async () => {
    const key = randomBytes(32).toString('base64');
    const r = await voicectl(['identity', 'create', '--connection-string', `endpoint=${fake.endpoint} accesskey=${key}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error: The ACS connection string in --connection-string is malformed: the accesskey=*** part is missing.');
    expect(r.stdout + r.stderr).not.toContain(key);
  });
});
