/**
 * `voicectl doctor --only twilio` in-process: the fake Twilio REST API (Basic auth, real shapes,
 * its account answer carrying the auth token as Twilio's does) and a loopback bridge stand-in with
 * the real Twilio upgrade check behind a TLS edge (a tunnel stand-in, trusted through
 * NODE_EXTRA_CA_CERTS).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DoctorReport } from '../../src/doctor/types.js';
import { twilioRoutes } from '../../src/twilio/webhook.js';
import { startMiniBridge, type MiniBridge } from '../helpers/fake-call-automation.js';
import { FakeTwilioRest } from '../helpers/fake-twilio-rest.js';
import { runVoicectl } from '../helpers/run-cli.js';
import { tlsFront, type TlsFront } from '../helpers/tls-front.js';
import { testCert, type TestCert } from '../helpers/tls.js';

vi.stubEnv('NO_PROXY', '127.0.0.1,localhost');

const A = `AC${'a'.repeat(32)}`;
const TOKEN = 'tokenA-0123456789abcdef0123456789';
let cert: TestCert;
let fake: FakeTwilioRest;
let signed: MiniBridge; // checks signatures on /ws/twilio
let open: MiniBridge; // accepts any upgrade on /ws/twilio
let none: MiniBridge; // no /ws/twilio
let edges: { signed: TlsFront; open: TlsFront; none: TlsFront };

beforeAll(async () => {
  cert = await testCert();
  fake = await new FakeTwilioRest([{ sid: A, authToken: TOKEN, numbers: [{ phoneNumber: '+14155550100' }, { phoneNumber: '+14155550101' }] }]).start();
  // the real upgrade check, so the stand-in answers what the bridge will
  const tw = twilioRoutes({ authToken: TOKEN, publicHost: { callbackUriHost: 'https://127.0.0.1' } });
  signed = await startMiniBridge({
    routes: [],
    mediaPath: '/ws/twilio',
    authorizeMediaUpgrade: async (req) => {
      const d = tw.checkUpgrade(req);
      return d.ok ? { ok: true } : d;
    },
  });
  open = await startMiniBridge({ routes: [], mediaPath: '/ws/twilio' });
  none = await startMiniBridge({ routes: [], mediaPath: null });
  edges = { signed: await tlsFront(cert, signed.port), open: await tlsFront(cert, open.port), none: await tlsFront(cert, none.port) };
  fake.number('+14155550100')!.voice_url = `${edges.signed.origin}/twilio/voice`;
});
afterAll(async () => {
  await Promise.all([fake.close(), signed.close(), open.close(), none.close(), ...Object.values(edges).map((e) => e.close())]);
});

async function doctor(settings: Record<string, string>): Promise<{ code: number; report: DoctorReport; text: string }> {
  const r = await runVoicectl(['doctor', '--only', 'twilio', '--json', '--timeout', '3000'], {
    env: { NODE_EXTRA_CA_CERTS: cert.caFile, NO_PROXY: '127.0.0.1,localhost', TWILIO_API_BASE_URL: fake.baseUrl, ...settings },
  });
  expect(r.stdout + r.stderr).not.toContain(TOKEN);
  return { code: r.code, report: r.json() as DoctorReport, text: r.stdout };
}
const by = (r: DoctorReport, name: string) => r.checks.find((c) => c.group === 'twilio' && c.name === name)!;
const GOOD = (): Record<string, string> => ({ TWILIO_ACCOUNT_SID: A, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_PHONE_NUMBER: '+14155550100', CALLBACK_URI_HOST: edges.signed.origin });

describe('voicectl doctor: twilio', () => {
  it('a good setup: credentials, the number pointing at the bridge, and /ws/twilio refusing unsigned upgrades all pass', async () => {
    const { code, report } = await doctor(GOOD());
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['credentials', 'pass'],
      ['phone number', 'pass'],
      ['media websocket', 'pass'],
    ]);
    expect(code).toBe(0);
    expect(by(report, 'credentials').message).toBe(`account ${A} "My first Twilio account" is active, authenticated with the auth token`);
    expect(by(report, 'phone number').message).toMatch(new RegExp(`^\\+14155550100 \\(PN[0-9a-f]{32}\\) sends calls to POST ${edges.signed.origin}/twilio/voice$`));
    expect(by(report, 'media websocket').message).toContain('refused an unsigned upgrade (403), as it must');
  });

  it('a wrong auth token: credentials fail with the fix, the number is not looked up', async () => {
    const { code, report } = await doctor({ ...GOOD(), TWILIO_AUTH_TOKEN: 'wrong-0123456789abcdef0123456789' });
    expect(code).toBe(1);
    expect(by(report, 'credentials')).toMatchObject({ status: 'fail', hint: expect.stringContaining('TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN') });
    expect(by(report, 'credentials').message).toContain('401');
    expect(by(report, 'phone number')).toMatchObject({ status: 'skip', message: 'not run: see credentials' });
  });

  it('a number whose voice URL points elsewhere fails with the configure command', async () => {
    const { report } = await doctor({ ...GOOD(), TWILIO_PHONE_NUMBER: '+14155550101' });
    const n = by(report, 'phone number');
    expect(n.status).toBe('fail');
    expect(n.message).toBe(`+14155550101 sends calls to POST https://demo.twilio.com/welcome/voice/, not to POST ${edges.signed.origin}/twilio/voice (CALLBACK_URI_HOST)`);
    expect(n.hint).toContain('voicectl twilio number configure +14155550101');
  });

  it('a number the account does not have fails clearly', async () => {
    const { report } = await doctor({ ...GOOD(), TWILIO_PHONE_NUMBER: '+14155550142' });
    expect(by(report, 'phone number').message).toBe(`+14155550142 is not a number of account ${A}: it does not exist, or another account (or subaccount) owns it.`);
  });

  it('/ws/twilio that accepts unsigned upgrades fails; one that is not served (404) fails with the fix', async () => {
    const opened = await doctor({ ...GOOD(), TWILIO_PUBLIC_HOST: edges.open.origin });
    expect(by(opened.report, 'media websocket')).toMatchObject({ status: 'fail', message: expect.stringContaining('accepted an upgrade without X-Twilio-Signature') });
    const missing = await doctor({ ...GOOD(), TWILIO_PUBLIC_HOST: edges.none.origin });
    expect(by(missing.report, 'media websocket')).toMatchObject({ status: 'fail', hint: expect.stringContaining('Set TWILIO_AUTH_TOKEN where `voicectl bridge` runs') });
  });

  it('not configured: the group is skipped', async () => {
    const r = await runVoicectl(['doctor', '--json', '--offline'], { env: {} });
    const report = r.json() as DoctorReport;
    expect(report.checks.filter((c) => c.group === 'twilio').map((c) => c.status)).toEqual(['skip', 'skip', 'skip']);
  });
});
