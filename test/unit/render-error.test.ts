import { afterEach, describe, expect, it } from 'vitest';
import { renderError } from '../../src/cli/run.js';
import { CancelledError, CheckFailedError, UsageError, UserError } from '../../src/core/errors.js';
import { clearRegisteredSecrets, registerSecret } from '../../src/core/redact.js';
import { startCli } from '../helpers/run-cli.js';

afterEach(() => clearRegisteredSecrets());

function render(err: unknown, json: boolean, verbose = false) {
  const h = startCli(['--version']);
  const code = renderError(err, h.io, { json, verbose });
  return { code, stdout: h.stdout.text.replace(/^\d+\.\d+\.\d+\n/, ''), stderr: h.stderr.text };
}

describe('renderError', () => {
  it('human: Error and hint lines on stderr, exit code from the error', () => {
    const r = render(new UserError('ARI refused the login', { code: 'VOICECTL_ARI_AUTH', hint: 'Check ari.conf' }), false);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error: ARI refused the login\nhint: Check ari.conf\n' });
  });

  it('json: one document on stdout with code, message, hint', () => {
    const r = render(new UsageError('bad --port', { code: 'VOICECTL_BAD_PORT', hint: 'use 1-65535' }), true);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      error: { code: 'VOICECTL_BAD_PORT', message: 'bad --port', hint: 'use 1-65535' },
    });
    expect(r.stderr).toBe('');
  });

  it('masks secrets in messages', () => {
    registerSecret('p4ssw0rd-xyz');
    const r = render(new UserError('login with p4ssw0rd-xyz failed; url ws://h/?api_key=u:p4ss'), true);
    expect(r.stdout).not.toContain('p4ssw0rd-xyz');
    expect(r.stdout).not.toContain('u:p4ss');
    expect(JSON.parse(r.stdout).error.message).toBe('login with *** failed; url ws://h/?api_key=***');
  });

  it('an unexpected error is reported as a probable bug, exit 1, no stack without --verbose', () => {
    const r = render(new TypeError('x is undefined'), false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: x is undefined');
    expect(r.stderr).toContain('probably a bug');
    expect(r.stderr).not.toContain('    at ');
    const v = render(new TypeError('x is undefined'), false, true);
    expect(v.stderr).toContain('    at ');
  });

  it('interrupted is 130; an already reported check failure prints nothing more', () => {
    expect(render(new CancelledError(), false).code).toBe(130);
    const r = render(new CheckFailedError('probe failed', { reported: true }), true);
    expect(r).toEqual({ code: 1, stdout: '', stderr: '' });
  });
});
