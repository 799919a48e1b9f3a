/**
 * `voicectl acs route-calls` in-process against the ARM fake with the Event Grid provider, the real
 * bridge behind a TLS edge answering the fake's validation POST.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { clearRegisteredSecrets } from '../../src/core/redact.js';
import { freePort } from '../../src/tunnel/local-port.js';
import { emptyDir, startArmWorld, startBridgeWorld, SUB, type ArmWorld, type BridgeWorld } from '../helpers/route-harness.js';
import { runVoicectl } from '../helpers/run-cli.js';

let world: ArmWorld;
let b: BridgeWorld;
let cwd: string;
const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  AZURE_SUBSCRIPTION_ID: SUB,
  AZURE_ARM_ENDPOINT: world.arm.endpoint,
  AZURE_COMMUNICATION_CONNECTION_STRING: world.connectionString,
  CALLBACK_URI_HOST: b.front.origin,
  NODE_EXTRA_CA_CERTS: world.cert.caFile,
  NO_PROXY: '127.0.0.1,localhost',
  ...extra,
});
const route = (args: string[], extra?: Record<string, string>) => runVoicectl(['acs', 'route-calls', ...args], { env: env(extra), cwd });
const code = (): string => new URL(b.ca.eventGridUrl).searchParams.get('code')!;

beforeAll(async () => {
  world = await startArmWorld();
  b = await startBridgeWorld(world.cert, world.connectionString);
  cwd = await emptyDir();
});
afterAll(async () => {
  await b.close();
  await world.close();
  vi.unstubAllEnvs();
  clearRegisteredSecrets();
});

describe('acs route-calls against the fakes', () => {
  it('creates the system topic and the IncomingCall WebHook to the URL the bridge prints; the fake validates it through the edge', async () => {
    const r = await route([]);
    expect(r.stderr).not.toContain(code());
    expect(r.code).toBe(0);
    const origin = b.front.origin;
    expect(r.stdout).toContain(`✓ Incoming calls of voice-one now go to ${origin}/api/incomingCall?code=***`);
    expect(r.stdout).toContain('system topic:  voice-one-events (created)');
    expect(r.stdout).toContain('subscription:  voicectl-incoming (created), Succeeded');
    expect(r.stdout).not.toContain(code());
    // What Event Grid holds: the exact URL the bridge derived, and the real resource shapes.
    const stored = world.eg.subscriptions.get('rg-voice/voice-one-events/voicectl-incoming')!;
    expect(stored.endpointUrl).toBe(b.ca.eventGridUrl);
    expect(stored.resource.properties).toMatchObject({
      provisioningState: 'Succeeded',
      destination: { endpointType: 'WebHook', properties: { endpointBaseUrl: `${origin}/api/incomingCall` } },
      filter: { includedEventTypes: ['Microsoft.Communication.IncomingCall'] },
      eventDeliverySchema: 'EventGridSchema',
      labels: ['voicectl'],
    });
    const topic = world.eg.topics.get('rg-voice/voice-one-events')!;
    expect(topic).toMatchObject({ location: 'global', properties: { topicType: 'Microsoft.Communication.CommunicationServices', source: world.arm.resources.get('rg-voice/voice-one')!.id } });
    expect(world.eg.validations).toEqual([{ url: b.ca.eventGridUrl, ok: true, reason: 'answered' }]);
    // The bridge saw both handshakes: voicectl's pre-check, then Event Grid's.
    expect(b.lines.filter((l) => l.includes('validation handshake'))).toHaveLength(2);
    // Writes were long-running operations polled through Azure-AsyncOperation.
    expect(world.arm.requests.filter((q) => q.url.includes('/operationsStatus/')).length).toBeGreaterThanOrEqual(2);
    expect(world.arm.requests.every((q) => q.authorization === `Bearer ${world.arm.token}`)).toBe(true);
  });

  it('--phone-number updates the same subscription with an advanced filter; --show lists it masked; --json', async () => {
    const r = await route(['--phone-number', '+14255550123', '--phone-number', '+14255550124', '--json']);
    expect(r.code).toBe(0);
    const doc = r.json() as Record<string, any>;
    expect(doc).toMatchObject({ action: 'updated', topic: { name: 'voice-one-events', created: false }, subscription: { phoneNumbers: ['+14255550123', '+14255550124'] } });
    expect(r.stdout).not.toContain(code());
    const stored = world.eg.subscriptions.get('rg-voice/voice-one-events/voicectl-incoming')!;
    expect((stored.resource.properties as any).filter.advancedFilters).toEqual([
      { operatorType: 'StringIn', key: 'data.to.PhoneNumber.Value', values: ['+14255550123', '+14255550124'] },
    ]);
    const show = await route(['--show']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('voice-one (rg-voice), system topic voice-one-events: 1 event subscription(s)');
    expect(show.stdout).toContain('- voicectl-incoming (voicectl): Succeeded');
    expect(show.stdout).toContain(`endpoint: WebHook ${b.front.origin}/api/incomingCall?code=***`);
    expect(show.stdout).toContain('filters:  to +14255550123, +14255550124');
    expect(show.stdout).not.toContain(code());
  });

  it('refuses before any ARM request when nothing answers at CALLBACK_URI_HOST', async () => {
    const before = world.arm.requests.length;
    const r = await route(['--json'], { CALLBACK_URI_HOST: `https://127.0.0.1:${await freePort()}` });
    expect(r.code).toBe(1);
    const err = (r.json() as { error: { code: string; message: string; hint: string } }).error;
    expect(err.code).toBe('VOICECTL_ROUTE_ENDPOINT_DOWN');
    expect(err.hint).toContain('`voicectl bridge`, then `voicectl tunnel up --write-env`');
    expect(world.arm.requests.length).toBe(before);
  });

  it('a bridge with another secret: 401 named, nothing written', async () => {
    const before = world.arm.requests.length;
    const r = await route([], { VOICECTL_WEBHOOK_SECRET: 'not-the-bridges-secret' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused the ?code= secret (401)');
    expect(r.stderr).not.toContain('not-the-bridges-secret');
    expect(world.arm.requests.length).toBe(before);
  });

  it('--delete removes voicectl\'s subscription; again: nothing to delete', async () => {
    const r = await route(['--delete']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Deleted event subscription voicectl-incoming of voice-one.');
    expect(world.eg.subscriptions.size).toBe(0);
    const again = await route(['--delete']);
    expect(again.stdout).toContain('nothing to delete');
  });

  it.each([
    [['--show', '--delete'], '--show and --delete cannot be combined.'],
    [['--phone-number', '4255550123'], 'option \'--phone-number <e164>\' argument \'4255550123\' is invalid. "4255550123" is not an E.164 number (e.g. +14255550123).'],
    [['--url', 'http://x.example/api/incomingCall'], '--url must be an https:// URL, got "http://x.example/api/incomingCall".'],
  ])('%j → exit 2', async (args, message) => {
    const r = await route([...args, '--json']);
    expect(r.code).toBe(2);
    expect((r.json() as { error: { message: string } }).error.message).toBe(message);
  });
});

describe('acs route-calls: Azure failures explained', () => {
  let w2: ArmWorld;
  afterEach(async () => w2?.close());

  it('Microsoft.EventGrid not registered: the fix is named; --register-provider registers, waits and routes', async () => {
    w2 = await startArmWorld({ registered: false });
    const b2 = await startBridgeWorld(w2.cert, w2.connectionString);
    try {
      const e = { ...env(), AZURE_ARM_ENDPOINT: w2.arm.endpoint, AZURE_COMMUNICATION_CONNECTION_STRING: w2.connectionString, CALLBACK_URI_HOST: b2.front.origin };
      const r = await runVoicectl(['acs', 'route-calls'], { env: e, cwd });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('The subscription is not registered to use Microsoft.EventGrid');
      expect(r.stderr).toContain('--register-provider');
      const ok = await runVoicectl(['acs', 'route-calls', '--register-provider'], { env: e, cwd });
      expect(ok.stderr).toContain('Registering the Microsoft.EventGrid resource provider');
      expect(ok.code).toBe(0);
      expect(w2.eg.state).toMatchObject({ registered: true, registerCalls: 1 });
      expect(ok.stdout).toContain('Microsoft.EventGrid was registered on the subscription.');
    } finally {
      await b2.close();
    }
  });

  it('403 AuthorizationFailed: the role is named', async () => {
    w2 = await startArmWorld({ forbidden: true });
    const b2 = await startBridgeWorld(w2.cert, w2.connectionString);
    try {
      const e = { ...env(), AZURE_ARM_ENDPOINT: w2.arm.endpoint, AZURE_COMMUNICATION_CONNECTION_STRING: w2.connectionString, CALLBACK_URI_HOST: b2.front.origin };
      const r = await runVoicectl(['acs', 'route-calls', '--json'], { env: e, cwd });
      expect(r.code).toBe(1);
      const err = (r.json() as { error: { code: string; message: string; hint: string } }).error;
      expect(err.code).toBe('VOICECTL_ARM_FORBIDDEN');
      expect(err.message).toContain("Microsoft.EventGrid/systemTopics/write");
      expect(err.hint).toContain('"EventGrid Contributor" role');
    } finally {
      await b2.close();
    }
  });

  it('Event Grid\'s handshake times out: the operation fails, the fix is named, no subscription is left', async () => {
    w2 = await startArmWorld({ validationTimeoutMs: 300 });
    // An endpoint that answers voicectl's check, then holds Event Grid's POST past the limit.
    let posts = 0;
    const server = https.createServer({ cert: w2.cert.cert, key: w2.cert.key }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posts += 1;
        if (posts > 1) return void setTimeout(() => res.destroy(), 2000);
        const code = (JSON.parse(body) as Array<{ data: { validationCode: string } }>)[0]!.data.validationCode;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ validationResponse: code }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/acs?code=s3cret-code`;
      const e = { ...env(), AZURE_ARM_ENDPOINT: w2.arm.endpoint, AZURE_COMMUNICATION_CONNECTION_STRING: w2.connectionString };
      const r = await runVoicectl(['acs', 'route-calls', '--url', url, '--json'], { env: e, cwd });
      expect(r.code).toBe(1);
      const err = (r.json() as { error: { code: string; message: string; hint: string } }).error;
      expect(err.code).toBe('VOICECTL_EVENTGRID_VALIDATION_FAILED');
      expect(err.message).toContain('Http POST request timed out.');
      expect(err.hint).toContain('within 30 s');
      expect(r.stdout + r.stderr).not.toContain('s3cret-code');
      expect(w2.eg.subscriptions.size).toBe(0);
      expect(posts).toBe(2);
      expect(w2.eg.validations).toEqual([{ url, ok: false, reason: 'Http POST request timed out.' }]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('Event Grid cannot validate a self-signed endpoint (voicectl trusted it, Event Grid does not)', async () => {
    // runningPolls: each operation answers InProgress once before its result (the SDK polls again).
    w2 = await startArmWorld({ validationCa: undefined, runningPolls: 1 });
    const b2 = await startBridgeWorld(w2.cert, w2.connectionString);
    try {
      const e = { ...env(), AZURE_ARM_ENDPOINT: w2.arm.endpoint, AZURE_COMMUNICATION_CONNECTION_STRING: w2.connectionString, CALLBACK_URI_HOST: b2.front.origin };
      const r = await runVoicectl(['acs', 'route-calls', '--json'], { env: e, cwd });
      expect(r.code).toBe(1);
      const err = (r.json() as { error: { code: string; message: string; hint: string } }).error;
      expect(err.code).toBe('VOICECTL_EVENTGRID_VALIDATION_FAILED');
      expect(err.message).toContain(`Webhook validation handshake failed for ${b2.front.origin}/api/incomingCall.`);
      expect(err.hint).toContain('publicly trusted certificate');
      expect(JSON.stringify(err)).not.toContain(new URL(b2.ca.eventGridUrl).searchParams.get('code')!);
      expect(w2.eg.subscriptions.size).toBe(0);
      const polls = w2.arm.requests.filter((q) => q.url.includes('/operationsStatus/'));
      expect(polls.length).toBe(4); // topic: InProgress, Succeeded; subscription: InProgress, Failed
    } finally {
      await b2.close();
    }
  });
});

describe('AZURE_ARM_ENDPOINT', () => {
  it('sets the endpoint of every ARM command; a bad value is named; --arm-endpoint wins', async () => {
    const cwd2 = await emptyDir();
    const bad = await runVoicectl(['acs', 'show', '-n', 'x', '-g', 'rg', '--json'], { env: { AZURE_SUBSCRIPTION_ID: SUB, AZURE_ARM_ENDPOINT: 'http://arm.example' }, cwd: cwd2 });
    expect(bad.code).toBe(2);
    expect((bad.json() as { error: { message: string } }).error.message).toBe('AZURE_ARM_ENDPOINT must be an https:// origin without a path, got "http://arm.example".');
    const flag = await runVoicectl(['acs', 'show', '-n', 'x', '-g', 'rg', '--arm-endpoint', 'http://flag.example', '--json'], {
      env: { AZURE_SUBSCRIPTION_ID: SUB, AZURE_ARM_ENDPOINT: 'https://fine.example' },
      cwd: cwd2,
    });
    expect((flag.json() as { error: { message: string } }).error.message).toContain('--arm-endpoint must be');
  });
});
