/**
 * Running one check: timed, bounded by the per-check timeout, never throwing except for
 * the caller's Ctrl-C, and recorded in report order whatever order checks finish in.
 */
import { setMaxListeners } from 'node:events';
import { CancelledError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { fail, type CheckResult, type DoctorGroup, type Outcome } from './types.js';

/** What a timed-out check of each group should look at. */
const TIMEOUT_HINTS: Record<DoctorGroup, string> = {
  env: 'Check that the env file and AOAI_INSTRUCTIONS_FILE are on a local disk.',
  tools: 'The tool hangs on its version command: run it by hand.',
  acs: 'Check the network path to the ACS endpoint (proxy, firewall), or raise --timeout.',
  aoai: 'Check the network path to Azure OpenAI (proxy, firewall), or raise --timeout.',
  public: 'The tunnel or the bridge behind it is not answering: check both, or raise --timeout.',
  asterisk: 'Check ASTERISK_HOST / ASTERISK_ARI_PORT and that the Asterisk HTTP server is up, or raise --timeout.',
  twilio: 'Check the network path to api.twilio.com (proxy, firewall) and the tunnel, or raise --timeout.',
};

/** Runs and records checks for one doctor run. */
export class CheckRunner {
  private readonly results: Array<{ order: number; result: CheckResult }> = [];
  private readonly run = new AbortController();
  private readonly detach: () => void;

  /**
   * @param timeoutMs bound of each check, ms.
   * @param signal the caller's Ctrl-C; once it aborts, every running check is aborted and
   *   {@link timed} rejects with CancelledError.
   * @param onCheck called as each check is recorded, with the number recorded so far.
   */
  constructor(
    private readonly timeoutMs: number,
    signal: AbortSignal | undefined,
    private readonly onCheck?: (result: CheckResult, done: number) => void,
  ) {
    setMaxListeners(64, this.run.signal); // one listener per running check
    const onCancel = (): void => this.run.abort();
    if (signal?.aborted) this.run.abort();
    signal?.addEventListener('abort', onCancel, { once: true });
    this.detach = () => signal?.removeEventListener('abort', onCancel);
  }

  /** True once the caller aborted. */
  get cancelled(): boolean {
    return this.run.signal.aborted;
  }

  /**
   * Run `fn` under the timeout and record its outcome at `order`. A timeout, or an error
   * other than the caller's cancellation, becomes a failure.
   * @throws CancelledError when the caller aborted.
   */
  async timed(group: DoctorGroup, name: string, order: number, fn: (signal: AbortSignal) => Promise<Outcome>): Promise<Outcome> {
    const start = performance.now();
    const abort = new AbortController();
    const onRunAbort = (): void => abort.abort();
    this.run.signal.addEventListener('abort', onRunAbort, { once: true });
    const timedOut = (): Outcome => fail(`no result within ${this.timeoutMs} ms`, TIMEOUT_HINTS[group]);
    let timer: NodeJS.Timeout | undefined;
    let outcome: Outcome;
    try {
      outcome = await Promise.race([
        fn(abort.signal).catch((err: unknown) => {
          if (err instanceof CancelledError) {
            if (this.cancelled) throw err;
            return timedOut(); // the check stopped because its own signal fired
          }
          return fail(`unexpected error: ${redact(String((err as Error)?.message ?? err).split('\n')[0]!)}`);
        }),
        new Promise<Outcome>((resolve) => {
          timer = setTimeout(() => {
            abort.abort();
            resolve(timedOut());
          }, this.timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.run.signal.removeEventListener('abort', onRunAbort);
    }
    if (this.cancelled) throw new CancelledError('Interrupted; voicectl doctor stopped');
    this.record(group, name, order, outcome, Math.round(performance.now() - start));
    return outcome;
  }

  /** Record an outcome decided without running anything (ms 0). */
  record(group: DoctorGroup, name: string, order: number, outcome: Outcome, ms = 0): void {
    const result: CheckResult = { group, name, status: outcome.status, ms, message: outcome.message };
    if (outcome.hint !== undefined) result.hint = outcome.hint;
    this.results.push({ order, result });
    this.onCheck?.(result, this.results.length);
  }

  /** Every recorded check, in report order; stops listening to the caller's signal. */
  finish(): CheckResult[] {
    this.detach();
    return [...this.results].sort((a, b) => a.order - b.order).map((r) => r.result);
  }
}
