import { describe, expect, it } from 'vitest';
import { placeTwilioCall } from '../../src/twilio/place.js';
import { createTwilioRest, twilioCredentials } from '../../src/twilio/rest.js';
import type { TwilioRest } from '../../src/twilio/rest.js';

const SID = `CA${'e'.repeat(32)}`;

/** A stand-in for the library's `accounts(sid).calls` with scripted statuses. */
function stubRest(statuses: string[]): TwilioRest {
  let i = 0;
  const calls = Object.assign((_sid: string) => ({ fetch: async () => ({ status: statuses[Math.min(++i, statuses.length - 1)]!, duration: null }) }), {
    create: async () => ({ sid: SID, status: statuses[0]! }),
  });
  return { api: { v2010: { accounts: () => ({ calls }) } } } as unknown as TwilioRest;
}

const base = { credentials: { accountSid: `AC${'a'.repeat(32)}`, kind: 'auth-token' as const }, to: '+14155550123', from: '+14155550100', webhookUrl: 'https://h/twilio/voice', pollMs: 5, onEvent: () => {} };

describe('placeTwilioCall at the timeout', () => {
  it('answered and still in progress: ok', async () => {
    const r = await placeTwilioCall({ ...base, rest: stubRest(['queued', 'in-progress']), timeoutMs: 60 });
    expect(r.verdict).toMatchObject({ ok: true, status: 'in-progress', answered: true, summary: 'answered, still in-progress after 0 s' });
  });
  it('still ringing: failed, with the fix', async () => {
    const r = await placeTwilioCall({ ...base, rest: stubRest(['queued', 'ringing']), timeoutMs: 60 });
    expect(r.verdict).toMatchObject({ ok: false, status: 'ringing', answered: false, fix: 'Pass a longer --timeout, or answer the phone.' });
  });
  it('Ctrl-C stops following with CancelledError', async () => {
    const abort = new AbortController();
    const p = placeTwilioCall({ ...base, rest: stubRest(['queued', 'ringing']), timeoutMs: 5000, pollMs: 1000, signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await expect(p).rejects.toMatchObject({ name: 'CancelledError', exitCode: 130 });
  });
});

describe('REST set-up', () => {
  const get = (env: Record<string, string>) => (n: string) => env[n];
  it('prefers the API key when both pairs are set; names what is missing', () => {
    const A = `AC${'a'.repeat(32)}`;
    const K = `SK${'b'.repeat(32)}`;
    expect(twilioCredentials(get({ TWILIO_ACCOUNT_SID: A, TWILIO_AUTH_TOKEN: 'tok-123456', TWILIO_API_KEY: K, TWILIO_API_SECRET: 'sec-123456' }))).toMatchObject({ kind: 'api-key', username: K });
    expect(twilioCredentials(get({ TWILIO_ACCOUNT_SID: A, TWILIO_AUTH_TOKEN: 'tok-123456' }))).toMatchObject({ kind: 'auth-token', username: A });
    expect(() => twilioCredentials(get({ TWILIO_AUTH_TOKEN: 'tok-123456' }))).toThrow('Missing Twilio account SID: set TWILIO_ACCOUNT_SID');
    expect(() => twilioCredentials(get({ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: 'tok-123456' }))).toThrow('TWILIO_ACCOUNT_SID must be "AC" followed by 32 hex characters.');
  });
  it('refuses a base URL with a path or another scheme', () => {
    const c = { accountSid: `AC${'a'.repeat(32)}`, username: `AC${'a'.repeat(32)}`, password: 'tok-123456', kind: 'auth-token' as const };
    expect(() => createTwilioRest(c, { baseUrl: 'ftp://127.0.0.1:1' })).toThrow('TWILIO_API_BASE_URL must be an http(s):// origin without a path');
    expect(() => createTwilioRest(c, { baseUrl: 'http://127.0.0.1:1/x' })).toThrow('TWILIO_API_BASE_URL must be an http(s):// origin without a path');
  });
});
