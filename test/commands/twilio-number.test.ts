/**
 * `voicectl twilio number list|configure` in-process against the fake Twilio REST API
 * (test/helpers/fake-twilio-rest.ts), reached through the TWILIO_API_BASE_URL test seam.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeTwilioRest } from '../helpers/fake-twilio-rest.js';
import { runVoicectl } from '../helpers/run-cli.js';

const A = `AC${'a'.repeat(32)}`;
const B = `AC${'b'.repeat(32)}`;
const TOKEN_A = 'tokenA-0123456789abcdef0123456789';
const KEY = `SK${'c'.repeat(32)}`;
const KEY_SECRET = 'keysecret-0123456789abcdef';
let fake: FakeTwilioRest;
let env: Record<string, string>;

beforeAll(async () => {
  fake = await new FakeTwilioRest([
    { sid: A, authToken: TOKEN_A, apiKeys: { [KEY]: KEY_SECRET }, numbers: [{ phoneNumber: '+14155550100' }, { phoneNumber: '+14155550101', voiceApplicationSid: `AP${'d'.repeat(32)}` }] },
    { sid: B, authToken: 'tokenB-0123456789abcdef0123456789', numbers: [{ phoneNumber: '+14155550199' }] },
  ]).start();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  env = { TWILIO_ACCOUNT_SID: A, TWILIO_AUTH_TOKEN: TOKEN_A, TWILIO_API_BASE_URL: fake.baseUrl, CALLBACK_URI_HOST: 'https://bridge.example.test' };
});

function noSecrets(r: { stdout: string; stderr: string }): void {
  for (const s of [TOKEN_A, KEY_SECRET]) {
    expect(r.stdout).not.toContain(s);
    expect(r.stderr).not.toContain(s);
  }
}

describe('voicectl twilio number list', () => {
  it('lists the account\'s numbers with where their calls go', async () => {
    const r = await runVoicectl(['twilio', 'number', 'list'], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\+14155550100 {2}PN[0-9a-f]{32} {2}POST https:\/\/demo\.twilio\.com\/welcome\/voice\/$/);
    expect(lines[1]).toMatch(/^\+14155550101 {2}PN[0-9a-f]{32} {2}TwiML App APd{32}$/);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: `/2010-04-01/Accounts/${A}/IncomingPhoneNumbers.json`, auth: 'account', status: 200 });
    noSecrets(r);
  });

  it('--json, with an API key instead of the auth token', async () => {
    const r = await runVoicectl(['twilio', 'number', 'list', '--json'], { env: { ...env, TWILIO_AUTH_TOKEN: '', TWILIO_API_KEY: KEY, TWILIO_API_SECRET: KEY_SECRET } });
    expect(r.code).toBe(0);
    const list = r.json() as Array<Record<string, unknown>>;
    expect(list.map((n) => n.phoneNumber)).toEqual(['+14155550100', '+14155550101']);
    expect(list[0]).toEqual({ sid: expect.stringMatching(/^PN/), phoneNumber: '+14155550100', friendlyName: '(415) 555-0100', voiceUrl: 'https://demo.twilio.com/welcome/voice/', voiceMethod: 'POST', voiceApplicationSid: null, trunkSid: null, accountSid: A });
    expect(fake.requests[0]!.auth).toBe('api-key');
    noSecrets(r);
  });

  it('a wrong auth token is a clear 401 error, exit 1, the token never shown', async () => {
    const r = await runVoicectl(['twilio', 'number', 'list'], { env: { ...env, TWILIO_AUTH_TOKEN: 'wrong-token-0123456789abcdef' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Twilio refused the credentials (401 (Twilio error 20003)) while trying to list the numbers of ${A}.`);
    expect(r.stderr).toContain('Check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN');
    expect(r.stderr).not.toContain('wrong-token-0123456789abcdef');
  });

  it('missing credentials are a usage error (exit 2) naming the variables', async () => {
    const r = await runVoicectl(['twilio', 'number', 'list'], { env: { TWILIO_ACCOUNT_SID: A, TWILIO_API_BASE_URL: fake.baseUrl } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing Twilio credentials: TWILIO_AUTH_TOKEN, or TWILIO_API_KEY with TWILIO_API_SECRET.');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('voicectl twilio number configure', () => {
  it('sets the voice URL to the public host + /twilio/voice (POST) and prints it', async () => {
    const r = await runVoicectl(['twilio', 'number', 'configure', '+14155550100'], { env });
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('+14155550100: voice URL set to POST https://bridge.example.test/twilio/voice\n');
    expect(r.stderr).toContain('(was https://demo.twilio.com/welcome/voice/)');
    const update = fake.requests.find((q) => q.method === 'POST')!;
    expect(update.path).toMatch(new RegExp(`^/2010-04-01/Accounts/${A}/IncomingPhoneNumbers/PN[0-9a-f]{32}\\.json$`));
    expect(update.form).toEqual({ VoiceUrl: 'https://bridge.example.test/twilio/voice', VoiceMethod: 'POST' });
    expect(fake.number('+14155550100')!.voice_url).toBe('https://bridge.example.test/twilio/voice');
    noSecrets(r);
  });

  it('TWILIO_PUBLIC_HOST wins; a TwiML App on the number is cleared; --json by PN SID', async () => {
    const sid = fake.number('+14155550101')!.sid as string;
    const r = await runVoicectl(['twilio', 'number', 'configure', sid, '--json'], { env: { ...env, TWILIO_PUBLIC_HOST: 'tw.example.test' } });
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      sid,
      phoneNumber: '+14155550101',
      voiceUrl: 'https://tw.example.test/twilio/voice',
      voiceMethod: 'POST',
      previousVoiceUrl: 'https://demo.twilio.com/welcome/voice/',
      clearedVoiceApplication: true,
      warnings: [],
    });
    expect(fake.requests.find((q) => q.method === 'POST')!.form).toEqual({ VoiceUrl: 'https://tw.example.test/twilio/voice', VoiceMethod: 'POST', VoiceApplicationSid: '' });
    expect(fake.number('+14155550101')!.voice_application_sid).toBeNull();
  });

  it('--url overrides; http:// is refused before any request', async () => {
    const ok = await runVoicectl(['twilio', 'number', 'configure', '+14155550100', '--url', 'https://other.example.test/twilio/voice'], { env });
    expect(ok.stdout).toBe('+14155550100: voice URL set to POST https://other.example.test/twilio/voice\n');
    fake.requests.length = 0;
    const bad = await runVoicectl(['twilio', 'number', 'configure', '+14155550100', '--url', 'http://x.example.test/twilio/voice'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--url must be https://');
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ['an unknown number', '+14155550142'],
    ['a number owned by another account (E.164)', '+14155550199'],
  ])('%s: a clear not-found error, exit 1, nothing updated', async (_what, number) => {
    const r = await runVoicectl(['twilio', 'number', 'configure', number], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${number} is not a number of account ${A}: it does not exist, or another account (or subaccount) owns it.`);
    expect(fake.requests.some((q) => q.method === 'POST')).toBe(false);
  });

  it('a PN SID of another account: Twilio\'s 404 becomes the same clear error', async () => {
    const sid = fake.number('+14155550199')!.sid as string;
    const r = await runVoicectl(['twilio', 'number', 'configure', sid], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${sid} is not a number of account ${A}`);
    expect(fake.number('+14155550199')!.voice_url).toBe('https://demo.twilio.com/welcome/voice/');
  });

  it('no public host and no --url: a usage error naming both', async () => {
    const r = await runVoicectl(['twilio', 'number', 'configure', '+14155550100'], { env: { ...env, CALLBACK_URI_HOST: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pass --url or set CALLBACK_URI_HOST');
  });

  it('a malformed number is a usage error', async () => {
    const r = await runVoicectl(['twilio', 'number', 'configure', '4155550100'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"4155550100" is neither a phone number in E.164');
  });
});
