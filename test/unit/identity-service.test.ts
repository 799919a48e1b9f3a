/**
 * The real @azure/communication-identity SDK against the loopback HTTPS fake (which
 * recomputes the HMAC): every operation, and each failure mapped to its code.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IdentityAuth } from '../../src/identity/auth.js';
import { openIdentityService } from '../../src/identity/service.js';
import { startFakeAcsIdentity, type FakeAcsIdentity } from '../helpers/fake-acs-identity.js';
import { testCert, type TestCert } from '../helpers/tls.js';

// The Azure pipeline honours HTTPS_PROXY even for loopback; keep these requests direct.
vi.stubEnv('NO_PROXY', '127.0.0.1,localhost');

let cert: TestCert;
let fake: FakeAcsIdentity;
let auth: IdentityAuth;

beforeAll(async () => {
  cert = await testCert();
  fake = await startFakeAcsIdentity(cert, { bearerToken: 'entra-token-123' });
  const host = new URL(fake.endpoint).host;
  auth = { kind: 'key', endpoint: fake.endpoint, host, accessKey: fake.accessKey, source: 'flag' };
});
afterAll(() => fake.close());

describe('identity service against the fake', () => {
  it('creates a user, issues, revokes and deletes', async () => {
    const svc = openIdentityService(auth, { tlsCa: cert.cert });
    const { userId } = await svc.createUser();
    expect(userId).toMatch(/^8:acs:[0-9a-f-]+_[0-9a-f-]+$/);
    expect(fake.users.has(userId)).toBe(true);

    const t = await svc.issueToken(userId, ['voip', 'chat'], 60);
    expect(t.scopes).toEqual(['voip', 'chat']);
    const minutes = (Date.parse(t.expiresOn) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(58);
    expect(minutes).toBeLessThanOrEqual(60);
    const issue = fake.requests.at(-1)!;
    expect(issue.url).toBe(`/identities/${encodeURIComponent(userId)}/:issueAccessToken?api-version=2023-10-01`);
    expect(JSON.parse(issue.body)).toEqual({ scopes: ['voip', 'chat'], expiresInMinutes: 60 });

    await svc.revokeTokens(userId);
    expect(fake.users.get(userId)!.revoked).toBe(1);
    await svc.deleteUser(userId);
    expect(fake.users.has(userId)).toBe(false);
  });

  it('creates a user and a token in one request, default expiry left to the service', async () => {
    const svc = openIdentityService(auth, { tlsCa: cert.cert });
    const r = await svc.createUserAndToken(['voip']);
    expect(r.userId).toMatch(/^8:acs:/);
    expect(r.token.split('.')).toHaveLength(3);
    expect(JSON.parse(fake.requests.at(-1)!.body)).toEqual({ createTokenWithScopes: ['voip'] });
    expect((Date.parse(r.expiresOn) - Date.now()) / 3600_000).toBeGreaterThan(23.9);
  });

  it('signs with Entra ID (Bearer) when given a credential', async () => {
    const credential = { getToken: async () => ({ token: 'entra-token-123', expiresOnTimestamp: Date.now() + 3600_000 }) };
    const svc = openIdentityService({ kind: 'entra', endpoint: fake.endpoint, host: auth.host, source: 'flag' }, { tlsCa: cert.cert, credential });
    await expect(svc.createUser()).resolves.toHaveProperty('userId');
  });

  it('maps a wrong access key (401 from the HMAC check) without printing the key', async () => {
    const wrongKey = randomBytes(32).toString('base64');
    const svc = openIdentityService({ ...auth, accessKey: wrongKey } as IdentityAuth, { tlsCa: cert.cert });
    const err = await svc.createUser().then(() => undefined, (e: unknown) => e as Error & { code: string; exitCode: number });
    expect(err?.code).toBe('VOICECTL_ACS_AUTH_FAILED');
    expect(err?.exitCode).toBe(1);
    expect(err?.message).toContain('the access key in the connection string was rejected');
    expect(err?.message).not.toContain(wrongKey);
  });

  it('maps 404 for an unknown user and 400 for an out-of-range expiry', async () => {
    const svc = openIdentityService(auth, { tlsCa: cert.cert });
    const unknown = '8:acs:f0e1d2c3-b4a5-4697-8899-aabbccddeeff_00000000-0000-0000-0000-000000000000';
    await expect(svc.revokeTokens(unknown)).rejects.toMatchObject({ code: 'VOICECTL_ACS_USER_NOT_FOUND' });
    const { userId } = await svc.createUser();
    await expect(svc.issueToken(userId, ['voip'], 30)).rejects.toMatchObject({
      code: 'VOICECTL_ACS_BAD_REQUEST',
      message: expect.stringContaining('between 60 and 1440'),
    });
  });

  it('fails fast, naming the host, when nothing listens', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const svc = openIdentityService({ ...auth, endpoint: `https://127.0.0.1:${port}/`, host: `127.0.0.1:${port}` } as IdentityAuth, { tlsCa: cert.cert });
    await expect(svc.createUser()).rejects.toMatchObject({
      code: 'VOICECTL_ACS_UNREACHABLE',
      message: `Cannot connect to ACS at 127.0.0.1:${port} (ECONNREFUSED).`,
    });
  });

  it('reports a certificate it cannot verify as a TLS problem', async () => {
    const svc = openIdentityService(auth);
    await expect(svc.createUser()).rejects.toMatchObject({ code: 'VOICECTL_ACS_TLS' });
  });

  it('gives up after the time limit when the host accepts but never answers', async () => {
    const silent = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const port = (silent.address() as { port: number }).port;
    const svc = openIdentityService({ ...auth, endpoint: `https://127.0.0.1:${port}/`, host: `127.0.0.1:${port}` } as IdentityAuth, { tlsCa: cert.cert, timeoutMs: 300 });
    await expect(svc.createUser()).rejects.toMatchObject({ code: 'VOICECTL_ACS_TIMEOUT' });
    silent.close();
  });
});
