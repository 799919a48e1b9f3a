/**
 * Generated ARI passwords and SHA-512 crypt hashes for ari.conf `password_format = crypt`.
 *
 * The hash is the glibc `$6$` format (Drepper's SHA-crypt, 5000 rounds), the same that
 * `mkpasswd -m sha-512`, `openssl passwd -6` and Asterisk's `ari mkpasswd` produce; Asterisk
 * checks it with crypt(3). Computed by the `sha512-crypt-ts` package.
 */
import { randomBytes } from 'node:crypto';
import { sha512 } from 'sha512-crypt-ts';

/** Length of a generated ARI password, in characters. */
export const GENERATED_PASSWORD_LENGTH = 24;

/** Characters of a generated password: letters and digits only (safe in `.env`, URLs and ari.conf). */
export const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The salt alphabet of crypt(3). */
export const CRYPT_SALT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `length` characters drawn uniformly from `alphabet` with `crypto.randomBytes`
 * (rejection sampling, so no character is more likely than another).
 */
export function randomString(length: number, alphabet: string, random: (n: number) => Buffer = randomBytes): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A random 24-character ARI password (letters and digits: no `;`, no newline, no quoting needed). */
export function generatePassword(random?: (n: number) => Buffer): string {
  return randomString(GENERATED_PASSWORD_LENGTH, PASSWORD_ALPHABET, random);
}

/**
 * SHA-512 crypt of `password`: `$6$<salt>$<86 characters>`.
 * The password is hashed as its UTF-8 bytes, as crypt(3) does.
 * @param salt 8-16 characters of `[./0-9A-Za-z]`; a random 16-character salt when omitted.
 * @throws Error when the salt is malformed (a bug: callers pass generated salts).
 */
export function sha512Crypt(password: string, salt: string = randomString(16, CRYPT_SALT_ALPHABET)): string {
  if (!/^[./0-9A-Za-z]{8,16}$/.test(salt)) throw new Error(`Invalid crypt salt "${salt}"`);
  // The library hashes a "binary string" (one char per byte): hand it the UTF-8 bytes.
  const bytes = Buffer.from(password, 'utf8').toString('latin1');
  return sha512.crypt(bytes, `$6$${salt}`);
}

/** True when `hash` (a `$6$salt$…` string) is the SHA-512 crypt of `password`. */
export function verifySha512Crypt(password: string, hash: string): boolean {
  const m = /^\$6\$([./0-9A-Za-z]{8,16})\$[./0-9A-Za-z]{86}$/.exec(hash);
  return m !== null && sha512Crypt(password, m[1]) === hash;
}
