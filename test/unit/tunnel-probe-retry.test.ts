import { describe, expect, it } from 'vitest';
import { probeUntilSettled } from '../../src/tunnel/probe-retry.js';

function sequence(verdicts: string[]): { probe: () => Promise<{ verdict: string; ok: boolean; n: number }>; calls: () => number } {
  let i = 0;
  return {
    probe: async () => {
      const verdict = verdicts[Math.min(i, verdicts.length - 1)]!;
      i += 1;
      return { verdict, ok: verdict === 'ok', n: i };
    },
    calls: () => i,
  };
}

describe('probeUntilSettled', () => {
  it('retries DNS errors of a fresh tunnel name until the probe passes', async () => {
    const s = sequence(['dns_error', 'tunnel_origin_down', 'ok']);
    const retries: string[] = [];
    const r = await probeUntilSettled(s.probe, { delaysMs: [1, 1, 1, 1], onRetry: (a, v) => retries.push(`${a}:${v}`) });
    expect(r).toEqual({ report: { verdict: 'ok', ok: true, n: 3 }, attempts: 3 });
    expect(retries).toEqual(['2:dns_error', '3:tunnel_origin_down']);
  });

  it('reports a transient verdict once the schedule is used up', async () => {
    const s = sequence(['dns_error']);
    const r = await probeUntilSettled(s.probe, { delaysMs: [1, 1] });
    expect(r.report.verdict).toBe('dns_error');
    expect(r.attempts).toBe(3);
  });

  it('a final verdict (e.g. tunnel_auth_required) is not retried', async () => {
    const s = sequence(['tunnel_auth_required', 'ok']);
    const r = await probeUntilSettled(s.probe, { delaysMs: [1, 1] });
    expect(r).toEqual({ report: { verdict: 'tunnel_auth_required', ok: false, n: 1 }, attempts: 1 });
  });

  it('an abort stops the retries', async () => {
    const s = sequence(['dns_error']);
    const ac = new AbortController();
    const r = await probeUntilSettled(s.probe, { delaysMs: [10_000, 10_000], onRetry: () => ac.abort(), signal: ac.signal });
    expect(r.attempts).toBe(1);
    expect(s.calls()).toBe(1);
  });
});
