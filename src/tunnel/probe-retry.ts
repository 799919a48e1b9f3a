/**
 * The probe step of `tunnel up`: a fresh tunnel name may take a few seconds to resolve
 * (cloudflared: "it may take some time to be reachable"), and the edge may answer 530/502
 * until the connection settles. Those verdicts are retried on a short schedule before
 * being reported; every other verdict is final at once.
 */

/** The fields of a ws-probe report this step reads (see `src/probe/types.ts` ProbeReport). */
export interface ProbeOutcome {
  verdict: string;
  ok: boolean;
}

/** Verdicts that a tunnel only just up can give before it settles. */
export const TRANSIENT_VERDICTS: readonly string[] = ['dns_error', 'tunnel_origin_down'];

/** Options of {@link probeUntilSettled}. */
export interface ProbeRetryOptions {
  /** Pauses before each retry, in ms (default 1, 2, 3 and 4 s: about 10 s in all). */
  delaysMs?: readonly number[];
  /** Told before each retry (attempt number from 2, the verdict that caused it, the pause in ms). */
  onRetry?: (attempt: number, verdict: string, delayMs: number) => void;
  /** Stops retrying (the last report is returned). */
  signal?: AbortSignal;
}

/**
 * Run `probe` until its verdict is not transient or the schedule is used up.
 * @returns the last report and how many probes ran.
 */
export async function probeUntilSettled<R extends ProbeOutcome>(
  probe: () => Promise<R>,
  o: ProbeRetryOptions = {},
): Promise<{ report: R; attempts: number }> {
  const delays = o.delaysMs ?? [1000, 2000, 3000, 4000];
  let report = await probe();
  let attempts = 1;
  for (const delay of delays) {
    if (report.ok || !TRANSIENT_VERDICTS.includes(report.verdict) || o.signal?.aborted) break;
    o.onRetry?.(attempts + 1, report.verdict, delay);
    if (o.signal?.aborted) break;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, delay);
      o.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
    if (o.signal?.aborted) break;
    report = await probe();
    attempts += 1;
  }
  return { report, attempts };
}
