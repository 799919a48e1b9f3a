/**
 * `voicectl call --via twilio` in-process: the twilio library creates the call on the fake Twilio
 * REST API (TWILIO_API_BASE_URL seam); when the call reaches in-progress the fake requests the
 * bridge's /twilio/voice as Twilio does (signed), served by the real Twilio routes on a loopback
 * stand-in bridge, and the command follows the call's status to a verdict.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STREAM_TOKEN_PARAMETER } from '../../src/twilio/signature.js';
import { twilioRoutes, type TwilioRoutes } from '../../src/twilio/webhook.js';
import { rewriteTo, startMiniBridge, type MiniBridge } from '../helpers/fake-call-automation.js';
import { FakeTwilioRest } from '../helpers/fake-twilio-rest.js';
import { runVoicectl } from '../helpers/run-cli.js';

const A = `AC${'a'.repeat(32)}`;
const TOKEN = 'tokenA-0123456789abcdef0123456789';
const HOST = 'bridge.example.test';
let fake: FakeTwilioRest;
let tw: TwilioRoutes;
let bridge: MiniBridge;
let env: Record<string, string>;

beforeAll(async () => {
  fake = await new FakeTwilioRest([{ sid: A, authToken: TOKEN, numbers: [{ phoneNumber: '+14155550100' }] }]).start();
  tw = twilioRoutes({ authToken: TOKEN, publicHost: { callbackUriHost: `https://${HOST}` } });
  bridge = await startMiniBridge({ routes: tw.routes, mediaPath: null });
  fake.rewriteWebhook = rewriteTo(HOST, () => bridge.port);
  env = { TWILIO_ACCOUNT_SID: A, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.baseUrl, TWILIO_PHONE_NUMBER: '+14155550100', CALLBACK_URI_HOST: `https://${HOST}` };
});
afterAll(async () => {
  await bridge.close();
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.statuses = ['queued', 'ringing', 'in-progress', 'completed'];
});

describe('voicectl call --via twilio', () => {
  it('places the call with Url=<bridge>/twilio/voice; the bridge answers Twilio\'s signed request with <Connect><Stream> and a token for this call', async () => {
    const r = await runVoicectl(['call', '--via', 'twilio', '+14155550123', '--poll-ms', '5'], { env });
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^call sid: CA[0-9a-f]{32}\nverdict: ok, answered; the call has ended\n$/);
    expect(r.stderr).toBe(`Twilio requests https://${HOST}/twilio/voice when the callee answers; following the call…\n  queued\n  ringing\n  in-progress\n  completed\n`);
    const create = fake.requests.find((q) => q.method === 'POST' && q.path.endsWith('/Calls.json'))!;
    expect(create.form).toEqual({ To: '+14155550123', From: '+14155550100', Url: `https://${HOST}/twilio/voice`, Method: 'POST' });
    const [call] = [...fake.calls.values()].filter((c) => c.to === '+14155550123');
    expect(call!.webhook!.status).toBe(200);
    const token = /<Stream url="wss:\/\/bridge\.example\.test\/ws\/twilio"><Parameter name="voicectlStreamToken" value="([^"]+)"\/>/.exec(call!.webhook!.body)?.[1];
    expect(tw.verifyStart({ [STREAM_TOKEN_PARAMETER]: token }, call!.sid)).toMatchObject({ ok: true });
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('--json: NDJSON call.placed, call.status…, call.verdict with source twilio', async () => {
    const r = await runVoicectl(['call', '--via', 'twilio', '+14155550124', '--from', '+14155550100', '--poll-ms', '5', '--json'], { env });
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e.type, e.status ?? ''])).toEqual([
      ['call.placed', ''],
      ['call.status', 'queued'],
      ['call.status', 'ringing'],
      ['call.status', 'in-progress'],
      ['call.status', 'completed'],
      ['call.verdict', 'completed'],
    ]);
    expect(events.every((e) => e.source === 'twilio' && e.version === 1)).toBe(true);
    expect(events[5]).toMatchObject({ ok: true, answered: true, summary: 'answered; the call has ended' });
  });

  it('a busy callee: verdict FAILED with why and fix, exit 1', async () => {
    fake.statuses = ['queued', 'ringing', 'busy'];
    const r = await runVoicectl(['call', '--via', 'twilio', '+14155550125', '--poll-ms', '5'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/verdict: FAILED, busy\n {2}why: the callee was busy\n {2}fix: Call again later, or another number\.\n$/);
  });

  it('a From number the account does not own: Twilio\'s 21210 as a clear error, exit 1', async () => {
    const r = await runVoicectl(['call', '--via', 'twilio', '+14155550126', '--from', '+14155550199', '--poll-ms', '5'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Twilio refused to call +14155550126 from +14155550199 (400 (Twilio error 21210)): The source phone number provided, +14155550199, is not yet verified for your account.');
    expect(r.stderr).toContain('See https://www.twilio.com/docs/errors/21210.');
  });

  it('usage errors: no caller id, a non-E.164 target, --follow-url (exit 2, nothing created)', async () => {
    const noFrom = await runVoicectl(['call', '--via', 'twilio', '+14155550127'], { env: { ...env, TWILIO_PHONE_NUMBER: '' } });
    expect(noFrom.code).toBe(2);
    expect(noFrom.stderr).toContain('Missing Twilio caller id: pass --from or set TWILIO_PHONE_NUMBER');
    const badTarget = await runVoicectl(['call', '--via', 'twilio', '8:acs:abc'], { env });
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toContain('With --via twilio the target must be a phone number in E.164');
    const follow = await runVoicectl(['call', '--via', 'twilio', '+14155550127', '--follow-url', 'http://127.0.0.1:1'], { env });
    expect(follow.code).toBe(2);
    expect(fake.requests).toHaveLength(0);
  });
});
