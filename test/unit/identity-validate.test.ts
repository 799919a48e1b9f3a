/** Pure checks: connection strings, scopes, expiry, user ids, and which credentials win. */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/load.js';
import { redact } from '../../src/core/redact.js';
import { resolveIdentityAuth } from '../../src/identity/auth.js';
import { parseConnectionString } from '../../src/identity/connection-string.js';
import { parseExpiresIn, parseScopes, parseUserId } from '../../src/identity/validate.js';

const KEY = 'c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0wMTIzNDU2Nzg5YWJjZA==';
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;

function config(values: Record<string, string>, source: 'env' | 'env-file' = 'env'): Pick<Config, 'lookup'> {
  return { lookup: (name) => (values[name] ? { value: values[name]!, source } : undefined) };
}

describe('parseConnectionString', () => {
  it('parses the portal format, case-insensitively, and registers the key for redaction', () => {
    expect(parseConnectionString(`Endpoint=https://contoso.communication.azure.com;AccessKey=${KEY};`)).toEqual({
      endpoint: 'https://contoso.communication.azure.com/',
      host: 'contoso.communication.azure.com',
      accessKey: KEY,
    });
    expect(redact(`the key is ${KEY}`)).toBe('the key is ***');
  });

  it('keeps a non-default port in the host', () => {
    expect(parseConnectionString(`endpoint=https://127.0.0.1:8443/;accesskey=${KEY}`).host).toBe('127.0.0.1:8443');
  });

  it.each([
    ['', 'the endpoint=https://<resource>.communication.azure.com/ part is missing'],
    ['endpoint=https://a.communication.azure.com/', 'the accesskey=<key> part is missing'],
    [`endpoint=https://a.communication.azure.com/;accesskey=${KEY.slice(1)}`, 'the access key is not base64 (copy it again from the portal: Keys)'],
    ['just some words', 'expected name=value pairs separated by ";"'],
  ])('%j is refused with an exact reason', (value, why) => {
    expect(() => parseConnectionString(value, 'X')).toThrow(`The ACS connection string in X is malformed: ${why}.`);
  });

  it('never puts the string or the key into the error', () => {
    try {
      parseConnectionString(`endpoint=ftp://a;accesskey=${KEY}`, 'X');
      expect.unreachable();
    } catch (err) {
      const e = err as { message: string; hint: string; code: string; exitCode: number };
      expect(e).toMatchObject({ code: 'VOICECTL_ACS_ENDPOINT', exitCode: 2 });
      expect(e.message).toBe('The ACS endpoint in X is invalid: it must start with https://.');
      expect(`${e.message}${e.hint}`).not.toContain(KEY);
    }
  });
});

describe('scopes, expiry, user ids', () => {
  it('scopes: repeated or comma-separated, deduplicated, in order', () => {
    expect(parseScopes(['voip,chat', 'voip', ' chat.join.limited '])).toEqual(['voip', 'chat', 'chat.join.limited']);
    expect(() => parseScopes([])).toThrow('At least one token scope is required.');
    expect(() => parseScopes(['VoIP'])).toThrow('Unknown token scope "VoIP".');
  });

  it.each([
    ['60', 60],
    ['1440', 1440],
    [undefined, undefined],
  ])('expires-in %j → %j', (v, n) => expect(parseExpiresIn(v)).toBe(n));

  it.each(['59', '1441', '1.5', '-60', 'abc', ''])('expires-in %j is refused', (v) => {
    expect(() => parseExpiresIn(v)).toThrow(`--expires-in must be a whole number of minutes from 60 to 1440, got "${v}".`);
  });

  it('user ids must be 8:acs:…', () => {
    const id = '8:acs:5f6d34d4-dad2-48b1-bad6-30e9cc12bcc8_0000002c-0e29-50fd-72e4-6f8ded7cbc42';
    expect(parseUserId(` ${id} `)).toBe(id);
    for (const bad of ['8:acs:', '8:orgid:abc_def', 'alice', `${id} x`]) expect(() => parseUserId(bad)).toThrow('is not an ACS user id.');
  });
});

describe('resolveIdentityAuth', () => {
  it('flag > env/env file; --endpoint means Entra ID', () => {
    const other = `endpoint=https://other.communication.azure.com/;accesskey=${KEY}`;
    expect(resolveIdentityAuth({ connectionString: CS }, config({ AZURE_COMMUNICATION_CONNECTION_STRING: other }))).toMatchObject({
      kind: 'key',
      host: 'contoso.communication.azure.com',
      source: 'flag',
    });
    expect(resolveIdentityAuth({}, config({ AZURE_COMMUNICATION_CONNECTION_STRING: other }, 'env-file'))).toMatchObject({
      kind: 'key',
      host: 'other.communication.azure.com',
      source: 'env-file',
    });
    expect(resolveIdentityAuth({ endpoint: 'https://contoso.communication.azure.com' }, config({ AZURE_COMMUNICATION_CONNECTION_STRING: other }))).toEqual({
      kind: 'entra',
      endpoint: 'https://contoso.communication.azure.com/',
      host: 'contoso.communication.azure.com',
      source: 'flag',
    });
  });

  it('names where a bad value came from', () => {
    expect(() => resolveIdentityAuth({}, config({ AZURE_COMMUNICATION_CONNECTION_STRING: 'nope' }, 'env-file'))).toThrow(
      'The ACS connection string in AZURE_COMMUNICATION_CONNECTION_STRING (env file) is malformed',
    );
  });

  it('nothing configured: exit 2 naming the variable and both flags', () => {
    expect(() => resolveIdentityAuth({}, config({}))).toThrow('Missing ACS credentials: no connection string and no --endpoint.');
  });
});
