import { describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../../src/core/errors.js';
import {
  check,
  checkAppArgs,
  checkAriUser,
  checkBindAddress,
  checkExtension,
  checkGuid,
  checkHost,
  checkName,
  checkOrigins,
  checkOriginUrl,
  checkPassword,
  checkPort,
  checkSid,
  type Check,
} from '../../src/scaffold/validate.js';

const cases: Array<[string, Check, string, string | undefined]> = [
  ['name ok', checkName, 'voicectl-inbound_2', undefined],
  ['name empty', checkName, '', 'must not be empty'],
  ['name space', checkName, 'my app', 'may contain only letters, digits, "_" and "-"'],
  ['name bracket', checkName, 'ctx]', 'may contain only letters, digits, "_" and "-"'],
  ['name too long', checkName, 'a'.repeat(80), 'must be at most 79 characters'],
  ['ari user general', checkAriUser, 'General', 'cannot be "general" (that section holds the ARI settings)'],
  ['ari user ok', checkAriUser, 'voicectl', undefined],
  ['password ok', checkPassword, 'a$6#x!', undefined],
  [
    'password semicolon',
    checkPassword,
    'ab;cd',
    'must not contain ";" (Asterisk reads the rest of the line as a comment)',
  ],
  ['password newline', checkPassword, 'ab\ncd', 'must not contain a newline'],
  ['password spaces', checkPassword, ' abc', 'must not start or end with a space (Asterisk trims it)'],
  ['password empty', checkPassword, '', 'must not be empty'],
  ['exten _X.', checkExtension, '_X.', undefined],
  ['exten NANP', checkExtension, '_1NXXNXXXXXX', undefined],
  ['exten class', checkExtension, '_[2-9]XX!', undefined],
  ['exten literal', checkExtension, '100', undefined],
  ['exten s', checkExtension, 's', undefined],
  ['exten plus', checkExtension, '+4930123', undefined],
  ['exten underscore only', checkExtension, '_', 'pattern "_" matches nothing: add digits or X/Z/N, e.g. _X.'],
  ['exten dot inside', checkExtension, '_X.1', '"." may only end a pattern'],
  ['exten unclosed', checkExtension, '_[2-9', 'pattern has an unclosed "[" at position 2'],
  [
    'exten bad char',
    checkExtension,
    '_X,1',
    'pattern character "," is not valid (use digits, X, Z, N, [..], and a final . or !)',
  ],
  [
    'exten literal comma',
    checkExtension,
    '1,2',
    'must be a literal extension ([A-Za-z0-9*#+-]) or a pattern starting with "_"',
  ],
  ['app args ok', checkAppArgs, 'inbound,${EXTEN},${CALLERID(num)}', undefined],
  ['app args paren', checkAppArgs, 'a)', 'has an unbalanced ")"'],
  ['app args open', checkAppArgs, '${CALLERID(num', 'has an unbalanced "("'],
  ['app args semicolon', checkAppArgs, 'a;b', 'must not contain ";"'],
  ['bind v4', checkBindAddress, '0.0.0.0', undefined],
  ['bind v6', checkBindAddress, '::1', undefined],
  ['bind host', checkBindAddress, 'localhost', 'must be an IP address, e.g. 127.0.0.1 or 0.0.0.0'],
  ['port ok', checkPort, '8088', undefined],
  ['port zero', checkPort, '0', 'must be a number from 1 to 65535'],
  ['port big', checkPort, '65536', 'must be a number from 1 to 65535'],
  ['port text', checkPort, '80a', 'must be a number from 1 to 65535'],
  ['host name', checkHost, 'pbx.example.com', undefined],
  ['host url', checkHost, 'http://pbx', 'must be a host name or IP address (no scheme, port or path)'],
  ['origins empty', checkOrigins, '', undefined],
  ['origins list', checkOrigins, 'http://127.0.0.1:8088, https://a.example', undefined],
  ['origins star', checkOrigins, '*', undefined],
  ['origins path', checkOrigins, 'http://a/b', '"http://a/b" is not an origin like http://127.0.0.1:8088 (or *)'],
  ['guid ok', checkGuid, '5f6d34d4-dad2-48b1-bad6-30e9cc12bcc8', undefined],
  ['guid bad', checkGuid, '5f6d34d4', 'must be a GUID like 00000000-0000-0000-0000-000000000000'],
  ['sid ok', checkSid('AC'), `AC${'a'.repeat(32)}`, undefined],
  ['sid bad', checkSid('SK'), `AC${'a'.repeat(32)}`, 'must be SK followed by 32 hex digits'],
];

describe('scaffold value checks', () => {
  it.each(cases)('%s', (_name, fn, value, reason) => {
    expect(fn(value)).toBe(reason);
  });

  const https = checkOriginUrl(['https']);
  const aoai = checkOriginUrl(['https', 'wss']);
  it.each([
    [https, 'https://x.trycloudflare.com', undefined],
    [https, 'https://x.trycloudflare.com/', undefined],
    [https, 'http://x.trycloudflare.com', 'must start with https://'],
    [https, 'https://x.trycloudflare.com/api', 'must be a bare https://host with no path'],
    [https, 'https://x.trycloudflare.com?a=1', 'must be a bare https://host with no path'],
    [https, 'x.trycloudflare.com', 'must start with https://'],
    [aoai, 'wss://r.openai.azure.com', undefined],
    [aoai, 'https://r.openai.azure.com/openai/realtime', 'must be a bare https:// or wss://host with no path'],
    [aoai, 'https://u:p@r.openai.azure.com', 'must not contain credentials'],
  ])('origin URL %#', (fn, value, reason) => {
    expect(fn(value)).toBe(reason);
  });

  it('check() throws an exit-2 error naming the flag and the value', () => {
    expect(() => check('--context', 'my ctx', checkName)).toThrow(
      expect.objectContaining({
        exitCode: EXIT_USAGE,
        code: 'VOICECTL_SCAFFOLD_INVALID',
        message: '--context "my ctx" may contain only letters, digits, "_" and "-".',
        hint: 'Fix --context and run again; nothing was written.',
      }),
    );
  });

  it('check() never repeats a secret value', () => {
    let err: Error | undefined;
    try {
      check('ASTERISK_ARI_PASSWORD', 'top;secret', checkPassword, { shown: false });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toBe(
      'ASTERISK_ARI_PASSWORD must not contain ";" (Asterisk reads the rest of the line as a comment).',
    );
    expect(err?.message).not.toContain('top');
  });

  it('check() passes a valid value', () => {
    expect(() => check('--port', '8088', checkPort)).not.toThrow();
  });
});
