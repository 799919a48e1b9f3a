import { describe, expect, it } from 'vitest';
import { httpFailure, socketFailure } from '../../src/ari/client.js';
import { VERDICTS, verdictForSocketError } from '../../src/ari/verdicts.js';

const res = (status: number, json?: unknown) => ({ status, json, text: json === undefined ? '<html>' : JSON.stringify(json) });

describe('httpFailure: ARI statuses → verdicts', () => {
  it.each([
    [res(401, { message: 'Authentication required' }), 'auth_failed', 'ARI refused the credentials of user "u" (401: Authentication required)'],
    [res(403, { message: 'Write access denied' }), 'write_denied', 'ARI denied POST /ari/channels to user "u" (403: Write access denied)'],
    [res(404), 'ari_not_found', 'No ARI at POST /ari/channels (404 from the HTTP server)'],
    [res(404, { message: 'Channel not found' }), 'channel_not_found', 'POST /ari/channels: 404: Channel not found'],
    [res(400, { message: 'Endpoint must be specified' }), 'bad_request', 'POST /ari/channels: 400: Endpoint must be specified'],
    [res(500, { message: 'Allocation failed' }), 'http_error', 'POST /ari/channels: HTTP 500: Allocation failed'],
    [res(502), 'http_error', 'POST /ari/channels: HTTP 502'],
  ])('%j → %s', (r, verdict, message) => {
    const err = httpFailure(r, 'POST /ari/channels', 'u', 'channel_not_found');
    expect(err).toMatchObject({ verdict, message, exitCode: 1, code: VERDICTS[verdict as keyof typeof VERDICTS].code, status: r.status });
    expect(err.hint).toBe(VERDICTS[verdict as keyof typeof VERDICTS].hint);
  });
});

describe('socket errors → verdicts', () => {
  it.each([
    ['ECONNREFUSED', 'connection_refused'],
    ['ENOTFOUND', 'dns_error'],
    ['EAI_AGAIN', 'dns_error'],
    ['ETIMEDOUT', 'connect_timeout'],
    ['EHOSTUNREACH', 'connect_timeout'],
    ['TimeoutError', 'connect_timeout'],
    ['ECONNRESET', undefined],
  ])('%s → %s', (code, verdict) => {
    expect(verdictForSocketError(code)).toBe(verdict);
  });

  it('reads the cause of a fetch TypeError and names the place', () => {
    const err = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(socketFailure(err, 'pbx:8088', 5000)).toMatchObject({ verdict: 'connection_refused', message: 'Connection refused by pbx:8088 (ECONNREFUSED)' });
  });

  it('an AbortSignal timeout is connect_timeout with the limit in ms', () => {
    const err = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(socketFailure(err, 'pbx:8088', 5000)).toMatchObject({ verdict: 'connect_timeout', message: 'No answer from pbx:8088 (no answer within 5000 ms)' });
  });

  it('anything else is http_error', () => {
    expect(socketFailure(new Error('socket hang up'), 'pbx:8088', 5000)).toMatchObject({ verdict: 'http_error', message: 'HTTP request to pbx:8088 failed (socket hang up)' });
  });
});

describe('the verdict table', () => {
  it('every verdict has a VOICECTL_ARI_ code and a hint naming a fix', () => {
    for (const [verdict, info] of Object.entries(VERDICTS)) {
      expect(info.code).toMatch(/^VOICECTL_ARI_[A-Z_]+$/);
      expect(info.hint.length, verdict).toBeGreaterThan(40);
    }
    expect(VERDICTS.connection_refused.hint).toContain('bindaddr');
    expect(VERDICTS.ari_not_found.hint).toContain('module show like res_ari');
    expect(VERDICTS.auth_failed.hint).toContain('ari show users');
    expect(VERDICTS.dialplan_not_routed.hint).toContain('dialplan show <context>');
  });
});
