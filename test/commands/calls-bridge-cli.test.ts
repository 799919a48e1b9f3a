/**
 * `voicectl bridge` with ACS configured, in-process: it prints the Event Grid URL, answers an
 * IncomingCall from the fake (real SDK), validates ACS JWTs, and `voicectl call` follows a placed
 * call through it. Without the ACS settings it says it will not answer calls itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCallAutomation, rewriteTo } from '../helpers/fake-call-automation.js';
import { runVoicectl, startCli, type RunHandle } from '../helpers/run-cli.js';
import { testCert } from '../helpers/tls.js';

const HOST = 'tunnel.example.test';
const USER = '8:acs:1f2e3d4c-0000-4000-8000-000000000001_00000017-aaaa-bbbb-cccc-000000000002';

async function waitFor<T>(get: () => T | undefined): Promise<T> {
  for (let i = 0; i < 400; i += 1) {
    const v = get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out waiting');
}

describe('voicectl bridge answering ACS calls', () => {
  let fake: FakeCallAutomation;
  let bridge: RunHandle;
  let port = 0;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await new FakeCallAutomation({ rewriteUrl: rewriteTo(HOST, () => port), frames: 2, frameIntervalMs: 1 }).start();
    env = {
      AZURE_COMMUNICATION_CONNECTION_STRING: fake.connectionString,
      CALLBACK_URI_HOST: `https://${HOST}`,
      ACS_RESOURCE_ID: fake.resourceId,
      VOICECTL_ACS_JWKS_URL: fake.jwksUrl,
      VOICECTL_MEDIA_TOKEN: 'media-token-cli',
      NODE_EXTRA_CA_CERTS: (await testCert()).caFile,
      NO_PROXY: '127.0.0.1,localhost',
    };
    bridge = startCli(['bridge', '--listen', '0', '--host', '127.0.0.1', '--drain-timeout', '0', '--upstream', 'echo', '--json'], { env, cwd: '/' });
    const listening = await waitFor(() => bridge.stdout.events().find((e) => e.type === 'bridge.listening'));
    port = listening.port as number;
  });

  afterAll(async () => {
    bridge.signal('SIGTERM');
    await bridge.done;
    await fake.close();
  });

  it('announces the Event Grid URL and answers an IncomingCall with media to its own /ws/media', async () => {
    const answering = bridge.stdout.events().find((e) => e.type === 'acs.answering')!;
    expect(answering).toMatchObject({ callbackHost: HOST, jwtValidation: true });
    const url = new URL(answering.eventGridUrl as string);
    expect(`${url.origin}${url.pathname}`).toBe(`https://${HOST}/api/incomingCall`);
    const res = await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, { method: 'POST', body: JSON.stringify(fake.makeIncomingCall().delivery) });
    expect(res.status).toBe(200);
    await fake.idle();
    const types = bridge.stdout.events().map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['call.incoming', 'call.answered', 'call.connected', 'call.started', 'media.started']));
    const answer = fake.requests.find((r) => r.path === '/calling/callConnections:answer')!;
    expect((answer.json as any).mediaStreamingOptions.transportUrl).toBe(`wss://${HOST}/ws/media?token=media-token-cli`);
    // Call Automation events name voicectl's id `callbackId` (the one in the callback URL), never
    // `callId` (the media socket's id); callConnectionId joins them to the media call.started.
    const answered = bridge.stdout.events().find((e) => e.type === 'call.answered')!;
    const callbackId = new URL((answer.json as any).callbackUri).pathname.split('/')[3];
    expect(answered).toMatchObject({ callbackId, callConnectionId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(answered).not.toHaveProperty('callId');
    const started = bridge.stdout.events().find((e) => e.type === 'call.started')!;
    expect(started.connectionId).toBe(answered.callConnectionId);
    expect(started.callId).not.toBe(callbackId);
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as any;
    expect(health.acs).toMatchObject({ answering: true, jwtValidation: true, answered: 1, active: 1 });
    expect(JSON.stringify(health)).not.toContain('media-token-cli');
    // A callback without ACS's JWT is refused even with the right per-call path.
    const cb = new URL((answer.json as any).callbackUri);
    const refused = await fetch(`http://127.0.0.1:${port}${cb.pathname}`, { method: 'POST', body: JSON.stringify([FakeCallAutomation.callbackEvent('CallDisconnected', { id: 'x' })]) });
    expect(refused.status).toBe(401);
  });

  it('in human mode prints the subscription URL with its code on stdout', async () => {
    const h = startCli(['bridge', '--listen', '0', '--host', '127.0.0.1', '--drain-timeout', '0', '--upstream', 'echo'], { env, cwd: '/' });
    const line = await waitFor(() => /^Event Grid subscription endpoint \(IncomingCall\): (\S+)$/m.exec(h.stdout.text)?.[1]);
    const code = new URL(line).searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(line).toBe(bridge.stdout.events().find((e) => e.type === 'acs.answering')!.eventGridUrl);
    expect(h.stderr.text).not.toContain(code);
    expect(h.stderr.text).not.toContain('will not answer');
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('voicectl call places a call that streams to this bridge and reports connected and media started', async () => {
    const r = await runVoicectl(['call', USER, '--follow-url', `http://127.0.0.1:${port}`, '--timeout', '10', '--json'], { env, cwd: '/' });
    expect(r.code).toBe(0);
    const last = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).at(-1);
    expect(last).toMatchObject({ type: 'call.verdict', ok: true });
    await fake.idle();
  });
});

describe('voicectl bridge without ACS settings', () => {
  it('says on start-up that it will not answer calls itself, and serves no ACS routes', async () => {
    const h = startCli(['bridge', '--listen', '0', '--host', '127.0.0.1', '--drain-timeout', '0', '--upstream', 'echo'], { env: {}, cwd: '/' });
    await waitFor(() => (h.stderr.text.includes('will not answer ACS calls itself') ? true : undefined));
    const port = Number(await waitFor(() => /127\.0\.0\.1:(\d+)/.exec(h.stderr.text)?.[1]));
    expect((await fetch(`http://127.0.0.1:${port}/api/incomingCall?code=x`, { method: 'POST', body: '[]' })).status).toBe(404);
    expect(h.stdout.text).not.toContain('Event Grid');
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('refuses an http:// CALLBACK_URI_HOST or a malformed connection string at start-up (exit 2)', async () => {
    const a = await runVoicectl(['bridge', '--listen', '0', '--host', '127.0.0.1', '--upstream', 'echo'], {
      env: { AZURE_COMMUNICATION_CONNECTION_STRING: `endpoint=https://x.communication.azure.com/;accesskey=${Buffer.from('k').toString('base64')}`, CALLBACK_URI_HOST: 'http://plain.example' },
      cwd: '/',
    });
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('Error: CALLBACK_URI_HOST must be an https:// origin (ACS only calls https and wss): http://plain.example');
    const b = await runVoicectl(['bridge', '--listen', '0', '--host', '127.0.0.1', '--upstream', 'echo'], {
      env: { AZURE_COMMUNICATION_CONNECTION_STRING: 'endpoint-only-secretvalue', CALLBACK_URI_HOST: 'https://ok.example' },
      cwd: '/',
    });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('Error: The ACS connection string in AZURE_COMMUNICATION_CONNECTION_STRING is malformed: expected name=value pairs separated by ";".');
    expect(b.stderr).not.toContain('secretvalue');
  });
});
