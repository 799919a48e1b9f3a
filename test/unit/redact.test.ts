import { afterEach, describe, expect, it } from 'vitest';
import { clearRegisteredSecrets, redact, redactDeep, registerSecret } from '../../src/core/redact.js';

afterEach(() => clearRegisteredSecrets());

describe('redact', () => {
  it.each([
    [
      'endpoint=https://r.communication.azure.com/;accesskey=QUJDREVGRw==',
      'endpoint=https://r.communication.azure.com/;accesskey=***',
    ],
    ['wss://h/openai/realtime?api-key=sk123&deployment=x', 'wss://h/openai/realtime?api-key=***&deployment=x'],
    ['http://h:8088/ari/events?app=a&api_key=user:pw', 'http://h:8088/ari/events?app=a&api_key=***'],
    ['wss://host/ws/media?token=s3cr3t', 'wss://host/ws/media?token=***'],
    ['Authorization: Bearer abc.def.ghi', 'Authorization: Bearer ***'],
    ['authorization: sk-live-1234', 'authorization: ***'],
    ['sent Basic dXNlcjpwdw== to ARI', 'sent Basic *** to ARI'],
    ['{"api-key":"k-123456"}', '{"api-key":"***"}'],
    ['http://asterisk:hunter22@pbx:8088/ari', 'http://asterisk:***@pbx:8088/ari'],
    [
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl issued',
      'token *** issued',
    ],
  ])('masks %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    'Missing ARI password: set ASTERISK_ARI_PASSWORD (environment or .env).',
    'Install your authtoken: https://dashboard.ngrok.com/get-started/your-authtoken',
  ])('leaves prose that mentions a secret by name readable: %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('masks YAML-style key lines', () => {
    expect(redact('version: 3\nauthtoken: 2abcDEF123\n')).toBe('version: 3\nauthtoken: ***\n');
  });

  it('leaves ordinary text alone', () => {
    const text = 'GET /api/health 200 in 3 ms; calls=4 sampleRate=24000';
    expect(redact(text)).toBe(text);
  });

  it('masks registered secret values wherever they appear', () => {
    registerSecret('hunter2-password');
    expect(redact('login failed for hunter2-password at pbx')).toBe('login failed for *** at pbx');
  });

  it('ignores very short registered values', () => {
    registerSecret('ab');
    expect(redact('about abc')).toBe('about abc');
  });

  it('redactDeep masks secret-named keys and nested strings', () => {
    const out = redactDeep({ password: 'x', nested: [{ url: 'wss://h/?token=t0k3n' }], n: 3 });
    expect(out).toEqual({ password: '***', nested: [{ url: 'wss://h/?token=***' }], n: 3 });
  });
});
