import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  STREAM_TOKEN_PARAMETER,
  checkStreamUpgrade,
  checkWebhookSignature,
  deriveStreamSecret,
  issueStreamToken,
  verifyStreamToken,
} from '../../src/twilio/signature.js';
import { twilioSignature } from '../helpers/twilio-signer.js';

const lib = createRequire(import.meta.url)('twilio/lib/webhooks/webhooks') as {
  getExpectedTwilioSignature(token: string, url: string, params: Record<string, unknown>): string;
};
const TOKEN = '12345678901234567890123456789012';
const URL_ = 'https://bridge.example.com/twilio/voice';
const PARAMS = { CallSid: `CA${'a'.repeat(32)}`, From: '+14155550100', To: '+14155550199', Digits: ['2', '1'] };
const CALL = `CA${'b'.repeat(32)}`;

describe('the test signer', () => {
  it('agrees with the twilio library (webhook with repeated params, and a wss upgrade)', () => {
    expect(twilioSignature(TOKEN, URL_, PARAMS)).toBe(lib.getExpectedTwilioSignature(TOKEN, URL_, PARAMS));
    expect(twilioSignature(TOKEN, 'wss://b.example.com/ws/twilio')).toBe(lib.getExpectedTwilioSignature(TOKEN, 'wss://b.example.com/ws/twilio', {}));
  });
});

describe('checkWebhookSignature', () => {
  const sig = twilioSignature(TOKEN, URL_, PARAMS);
  it('accepts Twilio\'s signature', () => {
    expect(checkWebhookSignature(TOKEN, sig, URL_, PARAMS)).toBe(true);
  });
  it.each([
    ['a wrong auth token', () => checkWebhookSignature(`x${TOKEN.slice(1)}`, sig, URL_, PARAMS)],
    ['a changed parameter', () => checkWebhookSignature(TOKEN, sig, URL_, { ...PARAMS, To: '+14155550198' })],
    ['an added parameter', () => checkWebhookSignature(TOKEN, sig, URL_, { ...PARAMS, Extra: '1' })],
    ['another host', () => checkWebhookSignature(TOKEN, sig, 'https://other.example.com/twilio/voice', PARAMS)],
    ['no signature', () => checkWebhookSignature(TOKEN, undefined, URL_, PARAMS)],
    ['an unparseable URL', () => checkWebhookSignature(TOKEN, sig, 'no url', PARAMS)],
  ])('refuses %s', (_what, run) => {
    expect(run()).toBe(false);
  });
});

describe('checkStreamUpgrade', () => {
  const wss = 'wss://b.example.com/ws/twilio';
  const base = { authToken: TOKEN, requestTarget: '/ws/twilio', hosts: ['b.example.com'] };
  it('accepts the signature over the exact wss:// URL, and over the trailing-slash variant', () => {
    expect(checkStreamUpgrade({ ...base, signature: twilioSignature(TOKEN, wss) })).toEqual({ ok: true, url: wss });
    expect(checkStreamUpgrade({ ...base, requestTarget: '/ws/twilio/', signature: twilioSignature(TOKEN, `${wss}/`) })).toEqual({ ok: true, url: `${wss}/` });
  });
  it.each([
    ['the https:// form', { signature: twilioSignature(TOKEN, 'https://b.example.com/ws/twilio') }, 'does not match'],
    ['a wrong auth token', { signature: twilioSignature('wrong-token-000', wss) }, 'does not match'],
    ['a host that is not configured', { signature: twilioSignature(TOKEN, 'wss://evil.example.com/ws/twilio') }, 'does not match'],
    ['a query string', { signature: twilioSignature(TOKEN, `${wss}?a=1`), requestTarget: '/ws/twilio?a=1' }, 'no query string'],
    ['no signature', { signature: undefined }, 'no X-Twilio-Signature'],
    ['no configured host', { signature: twilioSignature(TOKEN, wss), hosts: [] }, 'no public host configured'],
  ])('refuses %s with 403', (_what, change, reason) => {
    const d = checkStreamUpgrade({ ...base, signature: undefined as string | undefined, ...(change as Partial<typeof base & { signature: string | undefined }>) });
    expect(d.ok).toBe(false);
    expect(d.ok === false && d.status).toBe(403);
    expect(d.ok === false && d.reason).toContain(reason);
  });
});

describe('stream tokens', () => {
  const secret = deriveStreamSecret(TOKEN);
  const now = 1_700_000_000_000;
  const token = issueStreamToken(CALL, secret, now);
  const params = { [STREAM_TOKEN_PARAMETER]: token };

  it('is v1.<expiry s>.<mac>, valid for its call until it expires (60 s by default)', () => {
    expect(token).toMatch(/^v1\.1700000060\.[A-Za-z0-9_-]{43}$/);
    expect(verifyStreamToken(params, CALL, secret, now + 59_000)).toEqual({ ok: true, expiresAtMs: 1_700_000_060_000 });
    expect(verifyStreamToken(params, CALL, secret, now + 61_000)).toEqual({ ok: false, reason: 'stream token expired' });
  });

  it.each([
    ['another call', () => verifyStreamToken(params, `CA${'c'.repeat(32)}`, secret, now), 'not valid for this call'],
    ['another secret', () => verifyStreamToken(params, CALL, deriveStreamSecret('another-auth-token'), now), 'not valid for this call'],
    ['a pushed-out expiry', () => verifyStreamToken({ [STREAM_TOKEN_PARAMETER]: token.replace('1700000060', '1800000060') }, CALL, secret, now), 'not valid for this call'],
    ['no token', () => verifyStreamToken({}, CALL, secret, now), 'no voicectlStreamToken'],
    ['no customParameters', () => verifyStreamToken(undefined, CALL, secret, now), 'no voicectlStreamToken'],
    ['a malformed token', () => verifyStreamToken({ [STREAM_TOKEN_PARAMETER]: 'v1.x.y' }, CALL, secret, now), 'malformed'],
    ['a malformed call SID', () => verifyStreamToken(params, 'CA123', secret, now), 'not a call SID'],
  ])('refuses %s', (_what, run, reason) => {
    const r = run();
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.reason).toContain(reason);
  });
});
