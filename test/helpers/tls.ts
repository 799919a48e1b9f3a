/**
 * A certificate made at test time (selfsigned), for loopback HTTPS / WSS fakes.
 * `cert` is self-signed, so it doubles as its own CA: write it to a file and give that
 * file to a child process as NODE_EXTRA_CA_CERTS, or pass `ca` to a client.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface TestCert {
  /** PEM certificate (also usable as the CA). */
  cert: string;
  /** PEM private key. */
  key: string;
  /** Path of a file holding `cert`, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
}

let cached: Promise<TestCert> | undefined;

/**
 * A certificate for `localhost`, `127.0.0.1` and `::1`, EC P-256, SHA-256, valid for a day.
 * Made once per test file and cached.
 */
export function testCert(): Promise<TestCert> {
  cached ??= (async () => {
    const now = new Date();
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - 60_000),
      notAfterDate: new Date(now.getTime() + 24 * 3600_000),
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-cert-'));
    const caFile = path.join(dir, 'ca.pem');
    await writeFile(caFile, pems.cert);
    return { cert: pems.cert, key: pems.private, caFile };
  })();
  return cached;
}
