/** The human report: exact lines for representative reports (no colour). */
import { describe, expect, it } from 'vitest';
import type { ProbeReport } from '../../src/probe/index.js';
import { renderReport, renderReports } from '../../src/probe/render.js';

const tlsOk: ProbeReport = {
  url: 'https://media.contoso.com',
  target: 'wss://media.contoso.com/ws/media',
  verdict: 'closed_early',
  ok: false,
  message: 'The WebSocket opened, then was closed by the server with code 1006 after 900 ms, before the 3000 ms hold ended.',
  hint: 'Check the server logs.',
  phases: {
    dns: { ok: true, ms: 12.3, host: 'media.contoso.com', addresses: ['20.1.2.3', '2603:1000::1'] },
    tcp: { ok: true, ms: 1500, address: '20.1.2.3', port: 443, attempts: [{ address: '2603:1000::1', error: 'x', code: 'ETIMEDOUT' }] },
    tls: {
      ok: true,
      ms: 30,
      protocol: 'TLSv1.3',
      alpn: 'http/1.1',
      authorized: true,
      certificate: {
        subject: 'CN=media.contoso.com',
        issuer: 'C=US, O=Microsoft Corporation, CN=Microsoft Azure RSA TLS Issuing CA 04',
        subjectAltNames: ['DNS:media.contoso.com'],
        validFrom: '2026-01-01T00:00:00.000Z',
        validTo: '2026-12-31T23:59:59.000Z',
        selfSigned: false,
      },
    },
    upgrade: { ok: true, ms: 45.06, status: 101, statusText: 'Switching Protocols', headers: { server: 'uvicorn' } },
    open: { ok: false, pingMs: null, holdMs: 3000, heldMs: 900, messages: 0, closed: { code: 1006, reason: '', afterMs: 900 } },
  },
};

describe('renderReport', () => {
  it('every phase on its own line with the timing column; failed attempts, no pong and the close shown', () => {
    expect(renderReport(tlsOk)).toEqual([
      'wss://media.contoso.com/ws/media  (from https://media.contoso.com)',
      '  dns     ok      12.3 ms  20.1.2.3, 2603:1000::1',
      '  tcp     ok       1.50 s  20.1.2.3:443 (tried 2603:1000::1 ETIMEDOUT)',
      '  tls     ok      30.0 ms  TLSv1.3 · ALPN http/1.1 · subject CN=media.contoso.com · issuer C=US, O=Microsoft Corporation, CN=Microsoft Azure RSA TLS Issuing CA 04 · valid 2026-01-01 → 2026-12-31 · SANs DNS:media.contoso.com',
      '  upgrade ok      45.1 ms  101 Switching Protocols · server uvicorn',
      '  open    FAIL   900.0 ms  no pong · closed after 900.0 ms: code 1006',
      '  verdict closed_early  The WebSocket opened, then was closed by the server with code 1006 after 900 ms, before the 3000 ms hold ended.',
      '  hint    Check the server logs.',
    ]);
  });

  it('a failed upgrade shows the status, headers and the body', () => {
    const r: ProbeReport = {
      url: 'ws://h/ws',
      target: 'ws://h/ws',
      verdict: 'http_not_found',
      ok: false,
      message: 'HTTP 404 Not Found: nothing is served at /ws.',
      hint: 'Check the path.',
      phases: {
        dns: { ok: true, ms: 0, host: '127.0.0.1', addresses: ['127.0.0.1'], skipped: true },
        tcp: { ok: true, ms: 0.2, address: '127.0.0.1', port: 80 },
        upgrade: { ok: false, ms: 1, status: 404, statusText: 'Not Found', headers: { contentType: 'text/plain', cfRay: 'abc-AMS' }, body: 'no "ws" here' },
      },
    };
    const lines = renderReport(r);
    expect(lines[0]).toBe('ws://h/ws');
    expect(lines[3]).toBe('  upgrade FAIL     1.0 ms  404 Not Found · content-type text/plain · cf-ray abc-AMS');
    expect(lines[4]).toBe(`${' '.repeat(27)}body: "no \\"ws\\" here"`);
  });

  it('colours go through the given functions', () => {
    const tag = (name: string) => (t: string) => `<${name}>${t}</${name}>`;
    const lines = renderReport(tlsOk, { green: tag('g'), red: tag('r'), yellow: tag('y'), dim: tag('d'), bold: tag('b') });
    expect(lines.at(-2)).toContain('<r><b>closed_early</b></r>');
    expect(lines.at(-1)).toBe('  hint    <y>Check the server logs.</y>');
  });

  it('several reports are separated by a blank line and summarised', () => {
    const ok: ProbeReport = { url: 'ws://a/', target: 'ws://a/', verdict: 'ok', ok: true, message: 'fine', phases: {} };
    expect(renderReports([ok, tlsOk]).slice(-2)).toEqual(['', '1 of 2 URLs ok']);
    expect(renderReports([ok])).toEqual(['ws://a/', '  verdict ok  fine']);
  });
});
