import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { testCert } from '../helpers/tls.js';

describe('test certificate helper', () => {
  it('serves HTTPS on loopback that a client trusting the cert accepts', async () => {
    const { cert, key } = await testCert();
    const server = https.createServer({ cert, key }, (_req, res) => res.end('hi'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, ca: cert, servername: 'localhost' }, (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
    server.close();
    expect(body).toBe('hi');
  });
});
