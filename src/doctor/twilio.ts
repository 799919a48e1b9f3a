/**
 * The `twilio` group: what Twilio will do with this setup.
 * 1. `credentials`: an authenticated fetch of the account (`GET /2010-04-01/Accounts/{AC}.json`)
 *    with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN or TWILIO_API_KEY / TWILIO_API_SECRET;
 * 2. `phone number`: TWILIO_PHONE_NUMBER is a number of that account and its voice URL is the
 *    current public host's `/twilio/voice` (POST), with no TwiML App or SIP trunk in the way;
 * 3. `media websocket`: `wss://<public host>/ws/twilio` answers the upgrade (the ws-probe logic).
 *    The probe carries no X-Twilio-Signature, so a 403 from the bridge is the healthy answer:
 *    reachable, and checking signatures. A 101 means the socket is not protected.
 * The account's fetch answer carries the auth token; it is read for the account's status only.
 */
import { redact } from '../core/redact.js';
import { probeWebSocket } from '../probe/index.js';
import { probeHintForDoctor } from './public.js';
import { fail, pass, skip, type Outcome } from './types.js';

/** Options of the twilio checks. */
export interface TwilioCheckOptions {
  /** A setting's value (the config's `get`). */
  get(name: 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_API_KEY' | 'TWILIO_API_SECRET' | 'TWILIO_API_BASE_URL' | 'TWILIO_PHONE_NUMBER' | 'TWILIO_PUBLIC_HOST' | 'CALLBACK_URI_HOST'): string | undefined;
  /** Bound of each request and probe phase, ms. */
  timeoutMs: number;
  /** How long the probed socket is held when it opens, ms (default 500). */
  holdMs?: number;
  /** Certificates to trust for the wss probe (see `caFromEnv`). */
  ca?: string[];
  signal?: AbortSignal;
}

/** `credentials`: fetch the account. */
export async function checkTwilioCredentials(o: TwilioCheckOptions): Promise<Outcome> {
  const [{ twilioRestFromSettings, twilioError }] = await Promise.all([import('../twilio/rest.js')]);
  let deps;
  try {
    deps = twilioRestFromSettings((n) => o.get(n), { timeoutMs: o.timeoutMs });
  } catch (err) {
    const e = err as { message: string; hint?: string };
    return fail(e.message, e.hint);
  }
  try {
    const a = await deps.rest.api.v2010.accounts(deps.credentials.accountSid).fetch();
    const via = deps.credentials.kind === 'api-key' ? `API key ${deps.credentials.username}` : 'the auth token';
    if (a.status !== 'active') {
      return fail(`account ${a.sid} is ${a.status}`, 'Reactivate the account in the Twilio Console (Billing), or use another account.');
    }
    const trial = a.type === 'Trial' ? ' (trial: calls only to verified numbers, with a trial message first)' : '';
    return pass(`account ${a.sid} "${redact(a.friendlyName)}" is active, authenticated with ${via}${trial}`);
  } catch (err) {
    const e = twilioError(err, `fetch account ${deps.credentials.accountSid}`, deps.credentials);
    return fail(e.message, e.hint);
  }
}

/** `phone number`: exists in the account and points at the bridge. */
export async function checkTwilioNumber(o: TwilioCheckOptions): Promise<Outcome> {
  const number = o.get('TWILIO_PHONE_NUMBER');
  if (!number) return skip('not configured (set TWILIO_PHONE_NUMBER to check where its calls go)');
  const [{ twilioRestFromSettings }, { findNumber, parseNumberRef }, { configuredPublicHost, voiceWebhookUrl }] = await Promise.all([
    import('../twilio/rest.js'),
    import('../twilio/numbers.js'),
    import('../twilio/public-host.js'),
  ]);
  try {
    const deps = twilioRestFromSettings((n) => o.get(n), { timeoutMs: o.timeoutMs });
    const n = await findNumber(deps, parseNumberRef(number));
    const fix = `Run \`voicectl twilio number configure ${n.phoneNumber}\`.`;
    if (n.trunkSid) return fail(`${n.phoneNumber} is attached to the SIP trunk ${n.trunkSid}, which receives its calls instead of the voice URL`, 'Remove the number from the trunk in the Twilio Console, then run `voicectl twilio number configure`.');
    if (n.voiceApplicationSid) return fail(`${n.phoneNumber} sends its calls to the TwiML App ${n.voiceApplicationSid}, not to the bridge`, fix);
    const host = configuredPublicHost({ twilioPublicHost: o.get('TWILIO_PUBLIC_HOST'), callbackUriHost: o.get('CALLBACK_URI_HOST') });
    if (!host) return pass(`${n.phoneNumber} (${n.sid}) sends calls to ${n.voiceMethod} ${n.voiceUrl || '(nothing)'}; set TWILIO_PUBLIC_HOST or CALLBACK_URI_HOST to compare it with the bridge`);
    const expected = voiceWebhookUrl(host.host);
    if (n.voiceUrl !== expected || n.voiceMethod.toUpperCase() !== 'POST') {
      return fail(`${n.phoneNumber} sends calls to ${n.voiceMethod} ${n.voiceUrl || '(nothing)'}, not to POST ${expected} (${host.source})`, `${fix} (tunnel URLs change when the tunnel restarts)`);
    }
    return pass(`${n.phoneNumber} (${n.sid}) sends calls to POST ${expected}`);
  } catch (err) {
    const e = err as { message: string; hint?: string };
    return fail(redact(e.message), e.hint);
  }
}

/** `media websocket`: the public wss://…/ws/twilio upgrade, unsigned: 403 is healthy. */
export async function checkTwilioStream(o: TwilioCheckOptions): Promise<Outcome> {
  const { configuredPublicHost, streamUrl } = await import('../twilio/public-host.js');
  let host;
  try {
    host = configuredPublicHost({ twilioPublicHost: o.get('TWILIO_PUBLIC_HOST'), callbackUriHost: o.get('CALLBACK_URI_HOST') });
  } catch (err) {
    const e = err as { message: string; hint?: string };
    return fail(e.message, e.hint);
  }
  if (!host) return skip('no public host (set TWILIO_PUBLIC_HOST or CALLBACK_URI_HOST)');
  const url = streamUrl(host.host);
  const report = await probeWebSocket(url, {
    timeoutMs: o.timeoutMs,
    holdMs: o.holdMs ?? 500,
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const status = report.phases.upgrade?.status;
  if (status === 403 && report.verdict !== 'tunnel_auth_required') {
    return pass(`${url} is reachable and refused an unsigned upgrade (403), as it must: Twilio's signed upgrades get through`);
  }
  if (report.ok) {
    return fail(`${url} accepted an upgrade without X-Twilio-Signature: anyone can open Realtime sessions there`, 'Run a voicectl bridge that checks Twilio signatures on /ws/twilio (with TWILIO_AUTH_TOKEN set), or remove whatever else answers on that path.');
  }
  if (status === 404) {
    return fail(`${url} answered 404: the bridge does not serve /ws/twilio`, 'Set TWILIO_AUTH_TOKEN where `voicectl bridge` runs (the Twilio routes are mounted only then), and restart it.');
  }
  return fail(`${redact(report.target)}: ${report.message}`, report.hint === undefined ? undefined : probeHintForDoctor(report.hint));
}
