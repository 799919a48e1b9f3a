/**
 * The doctor's planning and check running, pure: which network group runs (gateGroup) and
 * how one check is timed, bounded and recorded (CheckRunner).
 */
import { describe, expect, it } from 'vitest';
import { CheckRunner } from '../../src/doctor/check-runner.js';
import { gateGroup, type GateInput } from '../../src/doctor/plan.js';
import { fail, pass, type CheckResult } from '../../src/doctor/types.js';
import { CancelledError } from '../../src/core/errors.js';

function input(values: Record<string, string>, over: Partial<GateInput> = {}, shapes: Record<string, ReturnType<typeof fail>> = {}): GateInput {
  return { get: (n) => values[n], shape: (n) => shapes[n], offline: false, named: false, envReported: true, ...over };
}

describe('gateGroup', () => {
  const aoai = { AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime' };

  it('runs a configured group', () => {
    expect(gateGroup('aoai', input(aoai))).toBeUndefined();
  });

  it('--offline wins over everything', () => {
    expect(gateGroup('aoai', input(aoai, { offline: true, named: true }))).toEqual({ status: 'skip', message: 'not run: --offline' });
  });

  it('not configured: skipped naming what to set; named in --only: the missing settings fail', () => {
    expect(gateGroup('asterisk', input({}))).toEqual({ status: 'skip', message: 'not configured (set ASTERISK_ARI_USERNAME and ASTERISK_ARI_PASSWORD)' });
    expect(gateGroup('asterisk', input({}, { named: true }))).toMatchObject({ status: 'fail', message: 'missing ASTERISK_ARI_USERNAME, ASTERISK_ARI_PASSWORD' });
  });

  it('one trigger present but a required setting missing is a failure even without --only', () => {
    expect(gateGroup('aoai', input({ AZURE_OPENAI_ENDPOINT: aoai.AZURE_OPENAI_ENDPOINT }))).toMatchObject({
      status: 'fail',
      message: 'missing AZURE_OPENAI_DEPLOYMENT',
      hint: expect.stringContaining('AZURE_OPENAI_DEPLOYMENT'),
    });
  });

  it('a broken shape points at env when env is reported, and is the failure itself when it is not', () => {
    const shapes = { AOAI_VOICE: fail('AOAI_VOICE "robot" is not a Realtime voice', 'Use one of …') };
    expect(gateGroup('aoai', input(aoai, {}, shapes))).toEqual({ status: 'skip', message: 'not run: fix AOAI_VOICE first (see env)' });
    expect(gateGroup('aoai', input(aoai, { envReported: false }, shapes))).toEqual(shapes.AOAI_VOICE);
  });

  it('a broken shape of a missing variable (a foreign name) comes before "missing"', () => {
    const shapes = { AZURE_OPENAI_DEPLOYMENT: fail('not set, but AZURE_OPENAI_DEPLOYMENT_MODEL_NAME is (env file)') };
    expect(gateGroup('aoai', input({ AZURE_OPENAI_ENDPOINT: aoai.AZURE_OPENAI_ENDPOINT }, {}, shapes))).toEqual({
      status: 'skip',
      message: 'not run: fix AZURE_OPENAI_DEPLOYMENT first (see env)',
    });
  });
});

describe('CheckRunner', () => {
  it('records in report order whatever order checks finish in, with integer ms', async () => {
    const seen: Array<[string, number]> = [];
    const runner = new CheckRunner(1000, undefined, (r, done) => seen.push([r.name, done]));
    const slow = runner.timed('acs', 'slow', 10, () => new Promise((r) => setTimeout(() => r(pass('late')), 40)));
    const fast = runner.timed('acs', 'fast', 20, async () => pass('early'));
    runner.record('env', 'decided', 0, fail('bad', 'fix it'));
    await Promise.all([slow, fast]);
    const checks = runner.finish();
    expect(checks.map((c) => c.name)).toEqual(['decided', 'slow', 'fast']);
    expect(seen).toEqual([['decided', 1], ['fast', 2], ['slow', 3]]);
    expect(checks[0]).toEqual({ group: 'env', name: 'decided', status: 'fail', ms: 0, message: 'bad', hint: 'fix it' });
    expect(checks[1]!.ms).toBeGreaterThanOrEqual(35);
    expect(Number.isInteger(checks[1]!.ms)).toBe(true);
  });

  it('a check over the timeout fails with the group hint, and its signal is aborted', async () => {
    const runner = new CheckRunner(50, undefined);
    let aborted = false;
    const outcome = await runner.timed('aoai', 'hangs', 0, (signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      return new Promise(() => {});
    });
    expect(outcome).toEqual({ status: 'fail', message: 'no result within 50 ms', hint: expect.stringContaining('Azure OpenAI') });
    expect(aborted).toBe(true);
  });

  it('an unexpected error is a failure with its first line, secrets masked', async () => {
    const runner = new CheckRunner(1000, undefined);
    const outcome = await runner.timed('acs', 'throws', 0, async () => {
      throw new Error('boom at endpoint=https://x/;accesskey=c2VjcmV0c2VjcmV0\nstack…');
    });
    expect(outcome.status).toBe('fail');
    expect(outcome.message).toMatch(/^unexpected error: boom at /);
    expect(outcome.message).not.toContain('c2VjcmV0c2VjcmV0');
    expect(outcome.message).not.toContain('stack');
  });

  it("the caller's abort aborts every running check and each rejects with CancelledError", async () => {
    const caller = new AbortController();
    const runner = new CheckRunner(10_000, caller.signal);
    const signals: AbortSignal[] = [];
    // like the real checks: they end (as a failure) when their signal fires
    const waitForAbort = (s: AbortSignal): Promise<ReturnType<typeof fail>> => {
      signals.push(s);
      return new Promise((r) => s.addEventListener('abort', () => r(fail('aborted'))));
    };
    const a = runner.timed('public', 'a', 0, waitForAbort);
    const b = runner.timed('asterisk', 'b', 1, waitForAbort);
    caller.abort();
    await expect(a).rejects.toBeInstanceOf(CancelledError);
    await expect(b).rejects.toBeInstanceOf(CancelledError);
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    expect(runner.cancelled).toBe(true);
    await expect(runner.timed('acs', 'after', 2, async () => pass('ok'))).rejects.toBeInstanceOf(CancelledError);
    expect(runner.finish()).toEqual([] as CheckResult[]);
  });
});
