/**
 * The doctor's env shape checks (src/doctor/shapes.ts): one per registered variable, a
 * good value passes with what matters in the message, a realistic bad value fails with
 * the reason and a fix, and a secret is never repeated.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnvVarName } from '../../src/config/env.js';
import { clearRegisteredSecrets } from '../../src/core/redact.js';
import {
  REALTIME_VOICES,
  SHAPE_CHECKS,
  checkAoaiEndpoint,
  checkAsteriskHost,
  checkCallbackHost,
  checkConnectionStringShape,
  checkDeployment,
  checkInstructionsFile,
  checkVoice,
} from '../../src/doctor/shapes.js';
import type { Outcome } from '../../src/doctor/types.js';

// parseConnectionString registers the access key for redaction: keep tests independent.
afterEach(() => clearRegisteredSecrets());

/** The registered shape check of `name` (fails the test when there is none). */
function shape(name: EnvVarName): (value: string) => Outcome {
  const fn = SHAPE_CHECKS[name];
  if (!fn) throw new Error(`no shape check for ${name}`);
  return fn;
}

/** A failing outcome, with its message and a non-empty hint. */
function expectFail(outcome: Outcome, message: RegExp | string): void {
  expect(outcome.status).toBe('fail');
  if (typeof message === 'string') expect(outcome.message).toContain(message);
  else expect(outcome.message).toMatch(message);
  expect(outcome.hint ?? '').not.toBe('');
}

const KEY = 'c2VjcmV0LWFjY2Vzcy1rZXktZm9yLXRlc3RzLW9ubHk='; // base64, length % 4 === 0
const GUID = '3f2b8c1e-9a4d-4e6f-b1c2-7d8e9f0a1b2c';

describe('SHAPE_CHECKS registry', () => {
  it('maps each variable to its check', () => {
    expect(SHAPE_CHECKS.AZURE_COMMUNICATION_CONNECTION_STRING).toBe(checkConnectionStringShape);
    expect(SHAPE_CHECKS.CALLBACK_URI_HOST).toBe(checkCallbackHost);
    expect(SHAPE_CHECKS.AZURE_OPENAI_ENDPOINT).toBe(checkAoaiEndpoint);
    expect(SHAPE_CHECKS.AZURE_OPENAI_DEPLOYMENT).toBe(checkDeployment);
    expect(SHAPE_CHECKS.AOAI_VOICE).toBe(checkVoice);
    expect(SHAPE_CHECKS.ASTERISK_HOST).toBe(checkAsteriskHost);
  });

  it('has no check for variables with free-form values', () => {
    for (const name of ['AOAI_INSTRUCTIONS', 'AOAI_INSTRUCTIONS_FILE', 'VOICECTL_NO_PROMPT', 'NO_COLOR', 'CI'] as const) {
      expect(SHAPE_CHECKS[name], name).toBeUndefined();
    }
  });
});

describe('AZURE_COMMUNICATION_CONNECTION_STRING', () => {
  const check = shape('AZURE_COMMUNICATION_CONNECTION_STRING');

  it('passes a portal connection string and shows its endpoint host, not the key', () => {
    const o = check(`endpoint=https://contoso-acs.communication.azure.com/;accesskey=${KEY}`);
    expect(o).toEqual({ status: 'pass', message: 'endpoint contoso-acs.communication.azure.com, access key set' });
  });

  it('fails without an accesskey part', () => {
    const o = check('endpoint=https://contoso-acs.communication.azure.com/');
    expectFail(o, 'the accesskey=<key> part is missing');
    expect(o.hint).toContain('Communication Services > Keys');
  });

  it('fails a key that is not base64, without repeating the key', () => {
    const badKey = 'not base64 at all!';
    const o = check(`endpoint=https://contoso-acs.communication.azure.com/;accesskey=${badKey}`);
    expectFail(o, 'the access key is not base64');
    expect(o.message).not.toContain(badKey);
    expect(o.hint).not.toContain(badKey);
  });

  it('fails an http:// endpoint, without repeating the key', () => {
    const o = check(`endpoint=http://contoso-acs.communication.azure.com/;accesskey=${KEY}`);
    expectFail(o, 'it must start with https://');
    expect(o.message).not.toContain(KEY);
  });
});

describe('CALLBACK_URI_HOST', () => {
  const check = shape('CALLBACK_URI_HOST');

  it('passes a tunnel origin, with or without the scheme', () => {
    expect(check('https://calm-river-42.trycloudflare.com')).toEqual({ status: 'pass', message: 'https://calm-river-42.trycloudflare.com' });
    expect(check('calm-river-42.trycloudflare.com/')).toEqual({ status: 'pass', message: 'https://calm-river-42.trycloudflare.com' });
  });

  it('fails http://', () => {
    const o = check('http://calm-river-42.trycloudflare.com');
    expectFail(o, 'must be an https:// origin');
    expect(o.hint).toContain('CALLBACK_URI_HOST');
  });

  it('fails an origin with a path', () => {
    expectFail(check('https://calm-river-42.trycloudflare.com/api/incomingCall'), 'must be an origin without a path or query');
  });

  it('passes a loopback host but says it is loopback', () => {
    for (const host of ['https://localhost:8443', 'https://127.0.0.1:8443', 'https://[::1]:8443']) {
      const o = check(host);
      expect(o.status, host).toBe('pass');
      expect(o.message, host).toContain('loopback');
    }
    expect(check('https://calm-river-42.trycloudflare.com').message).not.toContain('loopback');
  });
});

describe('AZURE_OPENAI_ENDPOINT', () => {
  const check = shape('AZURE_OPENAI_ENDPOINT');

  it('passes the resource endpoint and shows its host', () => {
    expect(check('https://contoso-aoai.openai.azure.com/')).toEqual({ status: 'pass', message: 'contoso-aoai.openai.azure.com' });
    expect(check('wss://contoso-aoai.openai.azure.com')).toEqual({ status: 'pass', message: 'contoso-aoai.openai.azure.com' });
  });

  it('fails a value that is not a URL', () => {
    const o = check('contoso-aoai.openai.azure.com');
    expectFail(o, 'AZURE_OPENAI_ENDPOINT is not an https:// or wss:// URL');
    expect(o.hint).toContain('https://<resource>.openai.azure.com');
  });

  it('fails ftp://', () => {
    expectFail(check('ftp://contoso-aoai.openai.azure.com'), 'is not an https:// or wss:// URL');
  });

  it('fails http:// to a non-loopback host', () => {
    expectFail(check('http://contoso-aoai.openai.azure.com'), 'uses http://: Azure OpenAI is reached over https:// only');
    expectFail(check('ws://contoso-aoai.openai.azure.com'), 'uses ws://');
  });

  it('passes http:// to a loopback test server', () => {
    expect(check('http://127.0.0.1:1234')).toEqual({ status: 'pass', message: '127.0.0.1:1234' });
    expect(check('http://localhost:1234').status).toBe('pass');
  });

  it('passes a URL with a path but reports the path as ignored', () => {
    const o = check('https://contoso-aoai.openai.azure.com/openai/deployments/gpt-realtime?api-version=2025-04-01-preview');
    expect(o.status).toBe('pass');
    expect(o.message).toMatch(/^contoso-aoai\.openai\.azure\.com \(its path \/openai\/deployments\/gpt-realtime\?api-version=2025-04-01-preview is ignored/);
  });
});

describe('AZURE_OPENAI_DEPLOYMENT', () => {
  const check = shape('AZURE_OPENAI_DEPLOYMENT');

  it('passes deployment names and shows them', () => {
    expect(check('gpt-realtime')).toEqual({ status: 'pass', message: 'gpt-realtime' });
    expect(check('gpt-4o-realtime-preview_2024.12.17').status).toBe('pass');
    expect(check('a'.repeat(64)).status).toBe('pass');
  });

  it.each([
    ['a space', 'gpt realtime'],
    ['a slash', 'openai/deployments/gpt-realtime'],
    ['65 characters', 'a'.repeat(65)],
    ['a leading dash', '-gpt-realtime'],
  ])('fails a name with %s', (_what, value) => {
    const o = check(value);
    expectFail(o, 'is not a deployment name (1–64 letters, digits, ".", "_" or "-")');
    expect(o.hint).toContain('Deployments');
  });
});

describe('AOAI_VOICE', () => {
  const check = shape('AOAI_VOICE');

  it('passes every Realtime voice', () => {
    for (const voice of REALTIME_VOICES) expect(check(voice)).toEqual({ status: 'pass', message: voice });
  });

  it('fails an unknown voice and lists the voices in the hint', () => {
    const o = check('nova');
    expectFail(o, 'AOAI_VOICE "nova" is not a Realtime voice');
    for (const voice of REALTIME_VOICES) expect(o.hint).toContain(voice);
  });

  it('is case-sensitive, as the service is', () => {
    expect(check('Alloy').status).toBe('fail');
  });
});

describe('ASTERISK_HOST', () => {
  const check = shape('ASTERISK_HOST');

  it.each(['pbx.example.com', '10.0.0.5', 'pbx:8088', 'http://pbx:8088/asterisk', 'https://pbx.example.com:8089', '::1'])('passes %s', (value) => {
    expect(check(value)).toEqual({ status: 'pass', message: value });
  });

  it('fails ftp:// naming the scheme, and a path without a scheme', () => {
    const o = check('ftp://x');
    expect(o).toMatchObject({ status: 'fail', message: 'ASTERISK_HOST "ftp://x" uses ftp://: ARI is served over http:// or https://' });
    expect(o.hint).toContain('http.conf bindaddr');
    expect(check('pbx.example.com:8088/asterisk')).toMatchObject({ status: 'fail', message: 'ASTERISK_HOST "pbx.example.com:8088/asterisk" has a path without a scheme' });
  });

  it('fails credentials in the URL', () => {
    expectFail(check('http://admin:pw@pbx:8088'), 'Credentials do not belong in the ARI URL');
  });
});

describe('ASTERISK_ARI_PORT', () => {
  const check = shape('ASTERISK_ARI_PORT');

  it('passes 8088 and 65535', () => {
    expect(check('8088')).toEqual({ status: 'pass', message: '8088' });
    expect(check('65535').status).toBe('pass');
  });

  it.each(['0', '70000', 'abc', '80 88'])('fails %s', (value) => {
    const o = check(value);
    expectFail(o, 'must be a number from 1 to 65535');
    expect(o.hint).toContain('bindport');
  });
});

describe('ASTERISK_ARI_USERNAME and ASTERISK_APP_NAME', () => {
  it('passes ari.conf and Stasis names', () => {
    expect(shape('ASTERISK_ARI_USERNAME')('voicectl')).toEqual({ status: 'pass', message: 'voicectl' });
    expect(shape('ASTERISK_APP_NAME')('voice_bot-1')).toEqual({ status: 'pass', message: 'voice_bot-1' });
  });

  it('fails the [general] section and names with other characters', () => {
    expectFail(shape('ASTERISK_ARI_USERNAME')('general'), 'cannot be "general"');
    expectFail(shape('ASTERISK_APP_NAME')('voice bot'), 'may contain only letters, digits, "_" and "-"');
  });
});

describe('Twilio SIDs', () => {
  const hex = '0123456789abcdef0123456789ABCDEF';

  it('passes AC… and SK… followed by 32 hex digits', () => {
    expect(shape('TWILIO_ACCOUNT_SID')(`AC${hex}`)).toEqual({ status: 'pass', message: `AC${hex}` });
    expect(shape('TWILIO_API_KEY')(`SK${hex}`)).toEqual({ status: 'pass', message: `SK${hex}` });
  });

  it('fails the wrong prefix, a short SID and non-hex digits', () => {
    expectFail(shape('TWILIO_ACCOUNT_SID')(`SK${hex}`), 'must be AC followed by 32 hex digits');
    expectFail(shape('TWILIO_API_KEY')(`AC${hex}`), 'must be SK followed by 32 hex digits');
    expectFail(shape('TWILIO_ACCOUNT_SID')(`AC${hex.slice(1)}`), 'must be AC followed by 32 hex digits');
    expectFail(shape('TWILIO_ACCOUNT_SID')(`AC${hex.slice(1)}g`), 'must be AC followed by 32 hex digits');
  });
});

describe('GUIDs', () => {
  it.each(['ACS_RESOURCE_ID', 'AZURE_SUBSCRIPTION_ID'] as const)('%s passes a GUID and fails anything else', (name) => {
    expect(shape(name)(GUID)).toEqual({ status: 'pass', message: GUID });
    expect(shape(name)(GUID.toUpperCase()).status).toBe('pass');
    expectFail(shape(name)(`{${GUID}}`), 'must be a GUID');
    expectFail(shape(name)(GUID.replace(/-/g, '')), 'must be a GUID');
    expectFail(shape(name)('/subscriptions/' + GUID), 'must be a GUID');
  });
});

describe('VOICECTL_ACS_JWKS_URL', () => {
  const check = shape('VOICECTL_ACS_JWKS_URL');

  it('passes an https URL and shows host and path', () => {
    expect(check('https://acscallautomation.communication.azure.com/calling/keys')).toEqual({
      status: 'pass',
      message: 'acscallautomation.communication.azure.com/calling/keys',
    });
  });

  it('fails http:// and non-URLs', () => {
    expectFail(check('http://acscallautomation.communication.azure.com/calling/keys'), 'VOICECTL_ACS_JWKS_URL must be an https:// URL');
    expectFail(check('calling/keys'), 'must be an https:// URL');
  });
});

describe('secrets', () => {
  const SECRETS = ['AZURE_OPENAI_API_KEY', 'TWILIO_API_SECRET', 'VOICECTL_MEDIA_TOKEN', 'VOICECTL_WEBHOOK_SECRET', 'NGROK_AUTHTOKEN'] as const;

  it.each(SECRETS)('%s passes a clean value and shows only its length', (name) => {
    const value = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
    const o = shape(name)(value);
    expect(o).toEqual({ status: 'pass', message: `set (${value.length} characters)` });
    expect(o.message).not.toContain(value);
  });

  it.each(SECRETS)('%s fails whitespace and quotes, never repeating the value', (name) => {
    const cases: Array<[string, string]> = [
      ['sk-secret with-space', 'contains whitespace'],
      ['sk-secret-trailing-newline\n', 'contains whitespace'],
      ['"sk-secret-quoted"', 'contains a quote character'],
      ["'sk-secret-single'", 'contains a quote character'],
    ];
    for (const [value, why] of cases) {
      const o = shape(name)(value);
      expectFail(o, `${name} ${why}`);
      expect(o.message).not.toContain('sk-secret');
      expect(o.hint).not.toContain('sk-secret');
    }
  });

  it('ASTERISK_ARI_PASSWORD shows "set", and its failures never repeat it', () => {
    const check = shape('ASTERISK_ARI_PASSWORD');
    expect(check('s3cr3t-pw')).toEqual({ status: 'pass', message: 'set' });
    for (const [value, why] of [
      ['s3cr3t;pw', 'must not contain ";"'],
      [' s3cr3t-pw', 'must not start or end with a space'],
      ['s3cr3t\npw', 'must not contain a newline'],
    ] as const) {
      const o = check(value);
      expectFail(o, why);
      expect(o.message).not.toContain('s3cr3t');
      expect(o.hint).not.toContain('s3cr3t');
    }
  });
});

describe('checkInstructionsFile', () => {
  it('passes a readable file, resolved against cwd', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-doctor-shapes-'));
    await writeFile(path.join(dir, 'instructions.txt'), 'You are a helpful phone assistant.\n');
    expect(await checkInstructionsFile('./instructions.txt', dir, false)).toEqual({ status: 'pass', message: path.join(dir, 'instructions.txt') });
  });

  it('fails a missing file with ENOENT and the full path', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-doctor-shapes-'));
    const o = await checkInstructionsFile('missing.txt', dir, false);
    expectFail(o, `AOAI_INSTRUCTIONS_FILE ${path.join(dir, 'missing.txt')} cannot be read (ENOENT)`);
    expect(o.hint).toContain('AOAI_INSTRUCTIONS');
  });

  it('does not read the file when AOAI_INSTRUCTIONS is set', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-doctor-shapes-'));
    const o = await checkInstructionsFile('missing.txt', dir, true);
    expect(o.status).toBe('pass');
    expect(o.message).toContain('AOAI_INSTRUCTIONS is set');
    expect(o.message).toContain('missing.txt');
  });
});
