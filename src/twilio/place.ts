/**
 * Place an outbound Twilio call whose media goes to the bridge, and follow it.
 *
 * The call is created with `Url=https://<public host>/twilio/voice` (POST): when the callee
 * answers, Twilio requests the bridge's own signed webhook, which answers the same
 * `<Connect><Stream>` TwiML as for incoming calls, with a stream token for this call. Inline
 * `Twiml` cannot carry that token: the CallSid it is bound to does not exist until the create
 * returns, Twilio refuses to redirect a call that is not yet in progress (error 21220), and a
 * token minted before ringing could expire before the answer.
 *
 * Progress: `GET Calls/{CallSid}.json` every `pollMs` until a final status (completed, busy,
 * no-answer, failed, canceled) or the timeout.
 */
import { CancelledError } from '../core/errors.js';
import { twilioError, type TwilioCredentials, type TwilioRest } from './rest.js';

/** Call statuses after which nothing more happens (Twilio Call resource `status`). */
export const FINAL_STATUSES = ['completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;

/** Options of {@link placeTwilioCall}. */
export interface PlaceTwilioCallOptions {
  rest: TwilioRest;
  credentials: Pick<TwilioCredentials, 'accountSid' | 'kind'>;
  /** E.164 callee. */
  to: string;
  /** E.164 caller id: a number of this account (or a verified caller id). */
  from: string;
  /** `https://<public host>/twilio/voice`. */
  webhookUrl: string;
  /** How long to follow the call, ms. */
  timeoutMs: number;
  /** Between status fetches, ms (default 1000). */
  pollMs?: number;
  signal?: AbortSignal;
  /** `call.placed` {callSid, to, from, webhookUrl}, `call.status` {callSid, status, duration?}. */
  onEvent(type: string, data: Record<string, unknown>): void;
}

/** How the call went. */
export interface TwilioCallVerdict {
  ok: boolean;
  /** The last status seen. */
  status: string;
  /** The callee answered (in-progress or completed was seen). */
  answered: boolean;
  summary: string;
  diagnosis?: string;
  fix?: string;
}

const DIAGNOSES: Record<string, { diagnosis: string; fix: string }> = {
  busy: { diagnosis: 'the callee was busy', fix: 'Call again later, or another number.' },
  'no-answer': { diagnosis: 'nobody answered before Twilio\'s ring timeout', fix: 'Answer the phone, or call a number that picks up.' },
  canceled: { diagnosis: 'the call was canceled before it was answered', fix: 'Someone canceled it (Console or API); place it again.' },
  failed: {
    diagnosis: 'Twilio could not connect the call (an invalid or unreachable number, or a country not enabled in Voice geographic permissions)',
    fix: 'See Twilio Console > Monitor > Logs > Calls for the error code; enable the country under Voice > Settings > Geo permissions.',
  },
};

/**
 * Create the call and follow it.
 * @returns the CallSid and the verdict (ok when the callee answered).
 * @throws UserError from {@link twilioError} when the create fails (e.g. 21210 From not owned,
 *   21211 invalid To, 401); CancelledError when `signal` aborts.
 */
export async function placeTwilioCall(o: PlaceTwilioCallOptions): Promise<{ callSid: string; verdict: TwilioCallVerdict }> {
  const calls = o.rest.api.v2010.accounts(o.credentials.accountSid).calls;
  let callSid: string;
  let status: string;
  try {
    const created = await calls.create({ to: o.to, from: o.from, url: o.webhookUrl, method: 'POST' });
    callSid = created.sid;
    status = created.status;
  } catch (err) {
    throw twilioError(err, `call ${o.to} from ${o.from}`, o.credentials);
  }
  o.onEvent('call.placed', { callSid, to: o.to, from: o.from, webhookUrl: o.webhookUrl });
  o.onEvent('call.status', { callSid, status });
  let answered = status === 'in-progress';
  const deadline = Date.now() + o.timeoutMs;
  while (!(FINAL_STATUSES as readonly string[]).includes(status)) {
    if (Date.now() >= deadline) {
      const secs = Math.round(o.timeoutMs / 1000);
      return {
        callSid,
        verdict: answered
          ? { ok: true, status, answered, summary: `answered, still ${status} after ${secs} s` }
          : { ok: false, status, answered, summary: `still ${status} after ${secs} s`, diagnosis: 'the callee did not answer in time', fix: 'Pass a longer --timeout, or answer the phone.' },
      };
    }
    await sleep(Math.min(o.pollMs ?? 1000, Math.max(deadline - Date.now(), 0)), o.signal);
    let next: { status: string; duration: string | null };
    try {
      next = await calls(callSid).fetch();
    } catch (err) {
      throw twilioError(err, `follow the call ${callSid}`, o.credentials);
    }
    if (next.status !== status) {
      status = next.status;
      if (status === 'in-progress' || status === 'completed') answered = true;
      o.onEvent('call.status', { callSid, status, ...(next.duration ? { durationSeconds: Number(next.duration) } : {}) });
    }
  }
  if (status === 'completed') return { callSid, verdict: { ok: true, status, answered: true, summary: 'answered; the call has ended' } };
  return { callSid, verdict: { ok: false, status, answered, summary: status, ...DIAGNOSES[status]! } };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError('Interrupted; stopped following the call'));
    const t = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(t);
      reject(new CancelledError('Interrupted; stopped following the call (it goes on)'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
