/**
 * `voicectl call` in-process: the real SDK places the call on the HTTPS fake of Call Automation
 * (trusted through NODE_EXTRA_CA_CERTS in the injected env), the fake calls back into a stand-in
 * bridge serving the real Call Automation routes, and the command follows the call to a verdict.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCallAutomation, type CallAutomation } from '../../src/calls/index.js';
import { FakeCallAutomation, rewriteTo, startMiniBridge, type MiniBridge } from '../helpers/fake-call-automation.js';
import { runVoicectl, startCli } from '../helpers/run-cli.js';
import { testCert } from '../helpers/tls.js';

const HOST = 'bridge.example.test';
const USER = '8:acs:1f2e3d4c-0000-4000-8000-000000000001_00000017-aaaa-bbbb-cccc-000000000001';

let fake: FakeCallAutomation;
let ca: CallAutomation;
let bridge: MiniBridge;
let env: Record<string, string>;
let caFile: string;

beforeAll(async () => {
  let port = 0;
  caFile = (await testCert()).caFile;
  fake = await new FakeCallAutomation({
    rewriteUrl: rewriteTo(HOST, () => port),
    frames: 1,
    frameIntervalMs: 1,
    failingTargets: { '8:acs:declines_1': { code: 603, subCode: 8538, message: 'Call was declined by the callee.' } },
  }).start();
  ca = await createCallAutomation({ connectionString: fake.connectionString, callbackHost: HOST, clientOptions: fake.clientOptions() });
  bridge = await startMiniBridge({ routes: ca.routes, healthExtras: ca.healthExtras });
  port = bridge.port;
  env = {
    AZURE_COMMUNICATION_CONNECTION_STRING: fake.connectionString,
    CALLBACK_URI_HOST: `https://${HOST}`,
    NODE_EXTRA_CA_CERTS: caFile,
    NO_PROXY: '127.0.0.1,localhost',
  };
});

afterAll(async () => {
  await ca.close();
  await bridge.close();
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
});

function creates(): Array<Record<string, any>> {
  return fake.requests.filter((r) => r.path === '/calling/callConnections' && r.method === 'POST').map((r) => r.json as Record<string, any>);
}

describe('voicectl call', () => {
  it('calls an ACS user: prints the call connection id and ends with connected and media started (exit 0)', async () => {
    const r = await runVoicectl(['call', USER, '--follow-url', bridge.url, '--timeout', '10'], { env });
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^call connection id: [0-9a-f-]{36}\nverdict: ok, connected and media started\n$/);
    const [body] = creates();
    expect(body!.targets).toEqual([{ kind: 'communicationUser', rawId: USER, communicationUser: { id: USER } }]);
    expect(body!.sourceCallerIdNumber).toBeUndefined();
    expect(body!.operationContext).toBe('voicectl-call');
    expect(body!.callbackUri).toMatch(new RegExp(`^https://${HOST}/api/callbacks/[0-9a-f-]{36}/[A-Za-z0-9_-]{32}$`));
    expect(body!.mediaStreamingOptions).toEqual({
      transportType: 'websocket',
      transportUrl: `wss://${HOST}/ws/media`,
      contentType: 'audio',
      audioChannelType: 'mixed',
      startMediaStreaming: true,
      enableBidirectional: true,
      audioFormat: 'pcm24KMono',
    });
    await fake.idle();
  });

  it('calls a phone number from an ACS number, with --json NDJSON events and a verdict event', async () => {
    const r = await runVoicectl(['call', '+14255550123', '--from', '+18005550199', '--follow-url', bridge.url, '--timeout', '10', '--json'], {
      env: { ...env, VOICECTL_MEDIA_TOKEN: 'media-token-xyz' },
    });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines.map((l) => l.type)).toEqual(['call.placed', 'call.connected', 'media.started', 'call.verdict']);
    expect(lines[0]).toMatchObject({ target: '+14255550123', version: 1 });
    expect(lines[3]).toMatchObject({ ok: true, step: 'media', summary: 'connected and media started', callConnectionId: lines[0]!.callConnectionId });
    const [body] = creates();
    // Every event names voicectl's id for the call as callbackId: the one in the callback URL.
    const callbackId = new URL(body!.callbackUri).pathname.split('/')[3];
    expect(callbackId).toMatch(/^[0-9a-f-]{36}$/);
    for (const l of lines) expect(l).toMatchObject({ callbackId });
    expect(lines.some((l) => 'callId' in l)).toBe(false);
    expect(body!.targets).toEqual([{ kind: 'phoneNumber', rawId: '4:+14255550123', phoneNumber: { value: '+14255550123', isAnonymous: false } }]);
    expect(body!.sourceCallerIdNumber).toEqual({ value: '+18005550199', isAnonymous: false });
    expect(body!.mediaStreamingOptions.transportUrl).toBe(`wss://${HOST}/ws/media?token=media-token-xyz`);
    await fake.idle();
  });

  it('a phone target without --from is a usage error (exit 2) and places nothing', async () => {
    const r = await runVoicectl(['call', '+14255550123', '--follow-url', bridge.url], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error: Calling a phone number (+14255550123) needs --from <+E.164>');
    expect(fake.requests).toHaveLength(0);
  });

  it('a declined call ends with the create.failed diagnosis (exit 1)', async () => {
    const r = await runVoicectl(['call', '8:acs:declines_1', '--follow-url', bridge.url, '--timeout', '10'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('verdict: FAILED, placing the call failed\n  why: The callee declined the call.\n  fix: Accept the call on the target');
    await fake.idle();
  });

  it('refuses to place a call when the bridge cannot be reached (exit 1, nothing placed)', async () => {
    const r = await runVoicectl(['call', USER, '--follow-url', 'http://127.0.0.1:9', '--json'], { env });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'VOICECTL_BRIDGE_UNREACHABLE' } });
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses when the bridge runs with another connection string (its secret does not match)', async () => {
    const other = `endpoint=${fake.endpoint}/;accesskey=${Buffer.from('another-key-0123456789').toString('base64')}`;
    const r = await runVoicectl(['call', USER, '--follow-url', bridge.url, '--json'], { env: { ...env, AZURE_COMMUNICATION_CONNECTION_STRING: other } });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'VOICECTL_BRIDGE_SECRET_MISMATCH' } });
    expect(fake.requests).toHaveLength(0);
  });

  it('needs the connection string and an https bridge URL (exit 2)', async () => {
    const { AZURE_COMMUNICATION_CONNECTION_STRING: _c, ...noConn } = env;
    const a = await runVoicectl(['call', USER], { env: noConn, cwd: '/' });
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('Missing ACS connection string: set AZURE_COMMUNICATION_CONNECTION_STRING');
    const b = await runVoicectl(['call', USER, '--bridge-url', 'http://insecure.example'], { env });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--bridge-url must be an https:// origin');
    expect(fake.requests).toHaveLength(0);
  });

  it('never prints the access key', async () => {
    const r = await runVoicectl(['call', USER, '--follow-url', bridge.url, '--timeout', '10', '--json', '--verbose'], { env });
    expect(r.stdout + r.stderr).not.toContain(fake.accessKey);
    await fake.idle();
  });
});

describe('voicectl call when the callee never answers', () => {
  let silent: FakeCallAutomation;
  let silentCa: CallAutomation;
  let silentBridge: MiniBridge;
  let silentEnv: Record<string, string>;

  beforeAll(async () => {
    let port = 0;
    silent = await new FakeCallAutomation({ rewriteUrl: rewriteTo(HOST, () => port), neverConnect: true }).start();
    silentCa = await createCallAutomation({ connectionString: silent.connectionString, callbackHost: HOST, clientOptions: silent.clientOptions() });
    silentBridge = await startMiniBridge({ routes: silentCa.routes });
    port = silentBridge.port;
    silentEnv = { ...env, AZURE_COMMUNICATION_CONNECTION_STRING: silent.connectionString };
  });
  afterAll(async () => {
    await silentCa.close();
    await silentBridge.close();
    await silent.close();
  });

  it('ends with a verdict naming the missing callbacks after --timeout (exit 1)', async () => {
    const r = await runVoicectl(['call', USER, '--follow-url', silentBridge.url, '--timeout', '1', '--json'], { env: silentEnv });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines.map((l) => l.type)).toEqual(['call.placed', 'call.verdict']);
    expect(lines[1]).toMatchObject({ ok: false, step: 'call', cause: 'no-callbacks', summary: 'no callback reached the bridge within 1 s' });
    expect(lines[1]!.fix).toContain(`https://${HOST}/api/health`);
  });

  it('stops following on SIGINT with exit 130', async () => {
    const h = startCli(['call', USER, '--follow-url', silentBridge.url, '--timeout', '30', '--json'], { env: silentEnv });
    while (!h.stdout.text.includes('call.placed')) await new Promise((r) => setTimeout(r, 10));
    h.signal('SIGINT');
    expect(await h.done).toBe(130);
    expect(h.signalHandlers()).toBe(0);
  });
});
