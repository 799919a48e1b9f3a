import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACS_ISSUER, createAcsJwtValidator, type AcsJwtValidator } from '../../src/calls/jwt.js';

const AUD = '6a5b4c3d-0000-4000-8000-00000000abcd';
let validate: AcsJwtValidator;
let sign: (o?: { aud?: string; iss?: string; exp?: number; kid?: string }) => Promise<string>;
let fetched: string[] = [];

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const fakeFetch = (async (url: string) => {
    fetched.push(String(url));
    return new Response(JSON.stringify(jwks), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  validate = createAcsJwtValidator({ audience: AUD, jwksUrl: 'https://keys.example/calling/keys', fetch: fakeFetch });
  const now = Math.floor(Date.now() / 1000);
  sign = (o = {}) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'k1' })
      .setIssuer(o.iss ?? ACS_ISSUER)
      .setAudience(o.aud ?? AUD)
      .setExpirationTime(now + (o.exp ?? 300))
      .sign(privateKey);
});

describe('ACS JWT validation', () => {
  it('accepts a token signed with a published key, issuer and audience right', async () => {
    fetched = [];
    expect(await validate(`Bearer ${await sign()}`)).toEqual({ ok: true });
    expect(fetched).toEqual(['https://keys.example/calling/keys']);
  });

  it('allows 60 s of clock skew on expiry', async () => {
    expect(await validate(`Bearer ${await sign({ exp: -30 })}`)).toEqual({ ok: true });
  });

  it.each([
    ['no header', async () => undefined, 'no ACS bearer token'],
    ['Basic auth', async () => 'Basic dXNlcjpwdw==', 'no ACS bearer token'],
    ['wrong audience', async () => `Bearer ${await sign({ aud: 'another' })}`, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['wrong issuer', async () => `Bearer ${await sign({ iss: 'https://evil.example' })}`, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['expired', async () => `Bearer ${await sign({ exp: -600 })}`, 'ERR_JWT_EXPIRED'],
    ['unknown key id', async () => `Bearer ${await sign({ kid: 'k2' })}`, 'ERR_JWKS_NO_MATCHING_KEY'],
    ['HS256 token', async () => `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(ACS_ISSUER).setAudience(AUD).setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(32)))}`, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    [
      'tampered payload',
      async () => {
        const [h, , sig] = (await sign()).split('.');
        const body = Buffer.from(JSON.stringify({ iss: ACS_ISSUER, aud: AUD, exp: 9_999_999_999 })).toString('base64url');
        return `Bearer ${h}.${body}.${sig}`;
      },
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    ],
    ['garbage', async () => 'Bearer not.a.jwt', 'ERR_JWS_INVALID'],
  ])('refuses %s', async (_name, header, reason) => {
    const r = await validate(await header());
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toContain(reason);
  });
});
