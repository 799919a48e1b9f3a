import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  GENERATED_PASSWORD_LENGTH,
  PASSWORD_ALPHABET,
  generatePassword,
  randomString,
  sha512Crypt,
  verifySha512Crypt,
} from '../../src/scaffold/secrets.js';

/** True when `cmd args` runs (the tool is on PATH and supports what we need). */
function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0;
}
const hasOpenssl = works('openssl', ['passwd', '-6', '-salt', 'abcdefgh', 'x']);
const hasPythonCrypt = works('python3', ['-W', 'ignore', '-c', 'import crypt']);

describe('generated ARI passwords', () => {
  it('are 24 letters and digits: no ";", no newline, no quoting needed', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pw = generatePassword();
      expect(pw).toHaveLength(GENERATED_PASSWORD_LENGTH);
      expect(pw).toMatch(/^[A-Za-z0-9]{24}$/);
      seen.add(pw);
    }
    expect(seen.size).toBe(50);
  });

  it('draw from crypto bytes with rejection sampling (bytes >= 248 are skipped for 62 letters)', () => {
    // 248 = 256 - 256 % 62: bytes 248..255 would bias the first 8 letters, so they are dropped.
    const bytes = [255, 248, 0, 61, 62, 247];
    const random = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => bytes[i % bytes.length]!));
    // 255, 248 skipped; 0 -> A, 61 -> 9, 62 -> A (62 % 62), 247 -> 9 (247 % 62 = 61)
    expect(randomString(4, PASSWORD_ALPHABET, random)).toBe('A9A9');
  });
});

describe('SHA-512 crypt ($6$)', () => {
  it('matches the reference vector of the SHA-crypt specification', () => {
    // Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512", test vector 1 for SHA-512.
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
  });

  it('uses a fresh 16-character salt by default and verifies against the clear password', () => {
    const a = sha512Crypt('arisecret');
    const b = sha512Crypt('arisecret');
    expect(a).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(a).not.toBe(b);
    expect(verifySha512Crypt('arisecret', a)).toBe(true);
    expect(verifySha512Crypt('arisecreT', a)).toBe(false);
    expect(verifySha512Crypt('arisecret', 'arisecret')).toBe(false);
  });

  it('rejects a malformed salt', () => {
    expect(() => sha512Crypt('x', 'short')).toThrow('Invalid crypt salt "short"');
  });

  it.skipIf(!hasOpenssl)('equals `openssl passwd -6` (glibc format), UTF-8 passwords included', () => {
    for (const pw of ['arisecret', generatePassword(), 'pässwörd-€', 'a']) {
      const salt = 'Zq1.Vx/9abcdEFGH';
      const expected = execFileSync('openssl', ['passwd', '-6', '-salt', salt, pw], { encoding: 'utf8' }).trim();
      expect(sha512Crypt(pw, salt)).toBe(expected);
    }
  });

  it.skipIf(!hasPythonCrypt)('is accepted by the system crypt(3) (python3 crypt module)', () => {
    const pw = generatePassword();
    const hash = sha512Crypt(pw);
    const script = 'import crypt,sys; h=sys.argv[2]; print(crypt.crypt(sys.argv[1], h) == h)';
    const out = execFileSync('python3', ['-W', 'ignore', '-c', script, pw, hash], { encoding: 'utf8' }).trim();
    expect(out).toBe('True');
    const wrong = execFileSync('python3', ['-W', 'ignore', '-c', script, `${pw}x`, hash], { encoding: 'utf8' }).trim();
    expect(wrong).toBe('False');
  });
});
