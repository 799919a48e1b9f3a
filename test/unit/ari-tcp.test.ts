import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { tcpProbe } from '../../src/ari/tcp.js';
import { runAriCheck } from '../../src/ari/check.js';
import { parseAriUrl } from '../../src/ari/url.js';

/** dns.lookup stand-in that fails like a name that does not resolve (no network used). */
const failingLookup = ((_host: string, _opts: unknown, cb: (err: NodeJS.ErrnoException) => void) => {
  cb(Object.assign(new Error('getaddrinfo ENOTFOUND pbx.invalid'), { code: 'ENOTFOUND' }));
}) as unknown as net.LookupFunction;

/** A socket that never connects (a firewall dropping SYNs). */
function silentConnect(): net.Socket {
  const s = new EventEmitter() as unknown as net.Socket & { destroyed: boolean };
  (s as unknown as { destroy: () => void }).destroy = () => {};
  return s;
}

describe('tcpProbe / check step 1 verdicts', () => {
  it('dns_error when the host does not resolve', async () => {
    await expect(tcpProbe({ host: 'pbx.invalid', port: 8088, timeoutMs: 1000, lookup: failingLookup })).rejects.toMatchObject({
      verdict: 'dns_error',
      code: 'VOICECTL_ARI_DNS_ERROR',
      message: 'Cannot resolve pbx.invalid (ENOTFOUND)',
    });
  });

  it('connect_timeout when nothing answers within the timeout', async () => {
    await expect(tcpProbe({ host: '10.255.255.1', port: 8088, timeoutMs: 30, connect: silentConnect })).rejects.toMatchObject({
      verdict: 'connect_timeout',
      message: 'No answer from 10.255.255.1:8088 within 30 ms',
    });
  });

  it('the check stops at step 1 with that verdict and its hint', async () => {
    const report = await runAriCheck({ url: parseAriUrl('http://pbx.invalid:8088'), user: 'u', password: 'p', app: 'voicectl', timeoutMs: 1000, lookup: failingLookup });
    expect(report).toMatchObject({ ok: false, verdict: 'dns_error', code: 'VOICECTL_ARI_DNS_ERROR' });
    expect(report.steps).toEqual([{ step: 'tcp', ok: false, ms: expect.any(Number), detail: 'Cannot resolve pbx.invalid (ENOTFOUND)' }]);
    expect(report.hint).toContain('ASTERISK_HOST');

    const timedOut = await runAriCheck({ url: parseAriUrl('http://10.255.255.1:8088'), user: 'u', password: 'p', app: 'voicectl', timeoutMs: 30, connect: silentConnect });
    expect(timedOut).toMatchObject({ verdict: 'connect_timeout', code: 'VOICECTL_ARI_CONNECT_TIMEOUT' });
    expect(timedOut.hint).toContain('firewall');
  });
});
