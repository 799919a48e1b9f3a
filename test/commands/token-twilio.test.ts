/** `voicectl token twilio` in-process: the token is verified with the secret (HS256) and decoded. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { runVoicectl } from '../helpers/run-cli.js';

const ACCOUNT = `AC${'a1'.repeat(16)}`;
const KEY = `SK${'b2'.repeat(16)}`;
const APP = `AP${'c3'.repeat(16)}`;
const SECRET = 'twilio-api-secret-0123456789abcdef';
const ENV = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_API_KEY: KEY, TWILIO_API_SECRET: SECRET };

async function verify(token: string): Promise<Record<string, unknown>> {
  const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] });
  return payload as Record<string, unknown>;
}

describe('token twilio', () => {
  it('prints only the token, signed HS256 with the API secret, with the Voice grant', async () => {
    const r = await runVoicectl(['token', 'twilio', '--identity', 'alice', '--app-sid', APP], { env: ENV, cwd: os.tmpdir() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.endsWith('\n')).toBe(true);
    const token = r.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
    const p = await verify(token);
    expect(p.iss).toBe(KEY);
    expect(p.sub).toBe(ACCOUNT);
    expect(p.jti).toBe(`${KEY}-${p.iat as number}`);
    expect((p.exp as number) - (p.iat as number)).toBe(3600);
    expect(p.grants).toEqual({
      identity: 'alice',
      voice: { incoming: { allow: true }, outgoing: { application_sid: APP } },
    });
  });

  it('loads only the AccessToken module of the twilio package, not its REST client', async () => {
    await runVoicectl(['token', 'twilio', '--identity', 'alice', '--app-sid', APP], { env: ENV, cwd: os.tmpdir() });
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/twilio/'));
    expect(loaded.some((k) => k.endsWith('/twilio/lib/jwt/AccessToken.js'))).toBe(true);
    expect(loaded.filter((k) => /\/twilio\/lib\/(index|rest\/|base\/|webhooks)/.test(k))).toEqual([]);
  });

  it('rejects a token checked with another secret', async () => {
    const r = await runVoicectl(['token', 'twilio', '--identity', 'alice', '--app-sid', APP], { env: ENV, cwd: os.tmpdir() });
    await expect(jwtVerify(r.stdout.trim(), new TextEncoder().encode('another-secret-xxxxxxxxxxxx'))).rejects.toThrow(/signature/);
  });

  it('--json with --ttl and --no-incoming', async () => {
    const r = await runVoicectl(['token', 'twilio', '--identity', 'bob', '--app-sid', APP, '--ttl', '600', '--no-incoming', '--json'], {
      env: ENV,
      cwd: os.tmpdir(),
    });
    expect(r.code).toBe(0);
    const doc = r.json() as { token: string; identity: string; ttlSeconds: number; incoming: boolean; appSid: string; expiresAt: string };
    expect(doc).toMatchObject({ identity: 'bob', ttlSeconds: 600, incoming: false, appSid: APP });
    const p = await verify(doc.token);
    expect((p.exp as number) - (p.iat as number)).toBe(600);
    expect(Date.parse(doc.expiresAt) / 1000).toBe(p.exp);
    expect(p.grants).toEqual({ identity: 'bob', voice: { outgoing: { application_sid: APP } } });
  });

  it('reads the credentials from the env file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-twilio-'));
    await writeFile(path.join(dir, '.env'), Object.entries(ENV).map(([k, v]) => `${k}=${v}`).join('\n'));
    const r = await runVoicectl(['token', 'twilio', '--identity', 'carol', '--app-sid', APP], { cwd: dir });
    expect(r.code).toBe(0);
    expect((await verify(r.stdout.trim())).sub).toBe(ACCOUNT);
  });

  it.each([
    [['--ttl', '86401'], 'VOICECTL_TWILIO_TTL', '--ttl must be a whole number of seconds from 1 to 86400, got 86401.'],
    [['--ttl', '1h'], 'VOICECTL_TWILIO_TTL', '--ttl must be a whole number of seconds from 1 to 86400, got "1h".'],
    [['--app-sid', 'AP123'], 'VOICECTL_TWILIO_SID', '--app-sid must be a TwiML App SID (Console > Voice > TwiML Apps): "AP" followed by 32 hex characters.'],
  ])('exit 2 for %j', async (extra, code, message) => {
    const argv = ['token', 'twilio', '--identity', 'alice', '--app-sid', APP, ...extra, '--json'];
    const r = await runVoicectl(argv, { env: ENV, cwd: os.tmpdir() });
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ ok: false, error: { code, message } });
  });

  it('names the missing variable and never prints the secret', async () => {
    const r = await runVoicectl(['token', 'twilio', '--identity', 'alice', '--app-sid', APP], {
      env: { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_API_SECRET: SECRET },
      cwd: os.tmpdir(),
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Missing Twilio API key SID: set TWILIO_API_KEY');
    expect(r.stderr).not.toContain(SECRET);
  });

  it('a missing TWILIO_API_SECRET is named in a readable message', async () => {
    const r = await runVoicectl(['token', 'twilio', '--identity', 'alice', '--app-sid', APP], {
      env: { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_API_KEY: KEY },
      cwd: os.tmpdir(),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error: Missing secret of the Twilio API key: set TWILIO_API_SECRET (environment or .env).\n');
  });

  it('requires --identity and --app-sid', async () => {
    const r = await runVoicectl(['token', 'twilio', '--app-sid', APP], { env: ENV, cwd: os.tmpdir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--identity <id>' not specified");
  });
});
