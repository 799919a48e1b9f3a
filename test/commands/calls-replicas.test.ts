/**
 * Two bridge replicas (real `startBridge`, echo upstream) sharing a real redis-server: the
 * IncomingCall is answered by replica A and ACS's media socket lands on A, while ACS's callbacks
 * go to replica B and `voicectl call`'s long-poll is served by B. The events and the diagnosis must
 * be the same as with one process (memory store). Then Redis is stopped mid-run: media keeps
 * flowing, callbacks and long-polls get 503, and everything recovers once Redis is back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { startBridge, type BridgeHandle } from '../../src/bridge/server.js';
import { createCallAutomation, type CallAutomation } from '../../src/calls/index.js';
import { CALL_STATE_TTL_S } from '../../src/calls/store.js';
import { UserError } from '../../src/core/errors.js';
import { connectAcs, waitFor } from '../helpers/acs-media-client.js';
import { FakeCallAutomation } from '../helpers/fake-call-automation.js';
import { hasRedisServer, TestRedis } from '../helpers/redis.js';
import { runVoicectl } from '../helpers/run-cli.js';
import { testCert } from '../helpers/tls.js';

const HOST = 'replicas.example.test';
const USER = '8:acs:1f2e3d4c-0000-4000-8000-000000000001_00000017-aaaa-bbbb-cccc-000000000002';
type Ev = { type: string; data: Record<string, unknown> };

interface Replica {
  ca: CallAutomation;
  bridge: BridgeHandle;
  events: Ev[];
  url: string;
}

/** Where the fake's public URLs land: media on `media`, callbacks on `callbacks` (replica ports). */
const routing = { media: 0, callbacks: 0 };
const rewrite = (url: string): string =>
  url
    .replace(`https://${HOST}/api/callbacks/`, `http://127.0.0.1:${routing.callbacks}/api/callbacks/`)
    .replace(`wss://${HOST}`, `ws://127.0.0.1:${routing.media}`);

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function replica(fake: FakeCallAutomation, o: { redisUrl?: string; mediaToken: string }): Promise<Replica> {
  const events: Ev[] = [];
  const onEvent = (type: string, data: Record<string, unknown>): void => void events.push({ type, data });
  const ca = await createCallAutomation({
    connectionString: fake.connectionString,
    callbackHost: HOST,
    mediaToken: o.mediaToken,
    acsResourceId: fake.resourceId,
    jwksUrl: fake.jwksUrl,
    clientOptions: fake.clientOptions(),
    onEvent,
    ...(o.redisUrl ? { redisUrl: o.redisUrl } : {}),
  });
  const bridge = await startBridge({
    port: 0, host: '127.0.0.1', mediaPath: '/ws/media', maxCalls: 10, mediaToken: 'mt', upstream: { kind: 'echo' }, onEvent,
    routes: ca.routes, healthExtras: ca.healthExtras, authorizeMediaUpgrade: ca.authorizeMediaUpgrade!, drainTimeoutMs: 200,
  });
  cleanup.push(() => bridge.close(), () => ca.close());
  return { ca, bridge, events, url: `http://127.0.0.1:${bridge.port}` };
}

async function fakeAcs(): Promise<FakeCallAutomation> {
  const fake = await new FakeCallAutomation({ rewriteUrl: rewrite, frames: 4, frameIntervalMs: 1 }).start();
  cleanup.push(() => fake.close());
  return fake;
}

/** The answer request's callback URL → `/api/calls/<callbackId>/<token>` (the long-poll path). */
function callsPath(fake: FakeCallAutomation): string {
  const answer = fake.requests.find((r) => r.path === '/calling/callConnections:answer')!;
  const cb = new URL((answer.json as { callbackUri: string }).callbackUri);
  return cb.pathname.replace('/api/callbacks/', '/api/calls/');
}

async function deliverIncoming(a: Replica, fake: FakeCallAutomation): Promise<number> {
  const u = new URL(a.ca.eventGridUrl);
  const res = await fetch(`${a.url}${u.pathname}${u.search}`, { method: 'POST', body: JSON.stringify(fake.makeIncomingCall().delivery) });
  await res.arrayBuffer();
  return res.status;
}

/** What `voicectl call` would see: event types, causes and the verdict, without ids and times. */
async function followed(r: Replica, path: string): Promise<{ status: number; types: string[]; diagnoses: unknown[]; call: Record<string, unknown> }> {
  const res = await fetch(`${r.url}${path}?since=0&waitMs=0`);
  const body = (await res.json()) as { events: Array<Record<string, unknown>>; call: Record<string, unknown> };
  const { callbackId: _id, callConnectionId: _cc, ...call } = body.call;
  return {
    status: res.status,
    types: body.events.map((e) => e.type as string),
    diagnoses: body.events.filter((e) => e.cause).map((e) => ({ type: e.type, cause: e.cause, diagnosis: e.diagnosis, fix: e.fix })),
    call,
  };
}

/** One inbound call through `media`/`callbacks` routing; returns what the long-poll on `poll` shows. */
async function inbound(answerOn: Replica, mediaOn: Replica, callbacksTo: Replica, pollOn: Replica, fake: FakeCallAutomation): Promise<Awaited<ReturnType<typeof followed>>> {
  routing.media = mediaOn.bridge.port;
  routing.callbacks = callbacksTo.bridge.port;
  expect(await deliverIncoming(answerOn, fake)).toBe(200);
  await fake.idle();
  return followed(pollOn, callsPath(fake));
}

const ci = Boolean(process.env.CI);
describe.skipIf(!hasRedisServer() && !ci)('two bridge replicas sharing Redis', () => {
  const redis = new TestRedis();
  beforeAll(async () => void (await redis.start()));
  afterAll(() => redis.close());

  it('an IncomingCall answered by A, media on A, callbacks to B, long-poll on B: same events and verdict as one process', async () => {
    const fake1 = await fakeAcs();
    const solo = await replica(fake1, { mediaToken: 'mt' });
    const one = await inbound(solo, solo, solo, solo, fake1);

    const fake2 = await fakeAcs();
    const a = await replica(fake2, { redisUrl: redis.url, mediaToken: 'mt' });
    const b = await replica(fake2, { redisUrl: redis.url, mediaToken: 'mt' });
    const two = await inbound(a, a, b, b, fake2);

    expect(one.types).toEqual(['call.incoming', 'call.answered', 'call.connected', 'media.started']);
    expect(two).toEqual(one);
    expect(two.call).toMatchObject({ known: true, direction: 'inbound', connected: true, mediaStarted: true, verdict: { ok: true } });
    // Media stayed on A (echo heard), the callbacks were B's.
    expect(a.events.map((e) => e.type)).toEqual(expect.arrayContaining(['call.incoming', 'call.answered', 'call.started']));
    expect(a.events.map((e) => e.type)).not.toContain('media.started');
    expect(b.events.map((e) => e.type)).toEqual(expect.arrayContaining(['call.connected', 'media.started']));
    expect(b.events.map((e) => e.type)).not.toContain('call.started');
    expect(fake2.callbacks.every((c) => c.status === 200)).toBe(true);
    await waitFor(() => (fake2.media[0]!.received as unknown[]).length >= 4, 'the echo on A');
    // Both replicas' health reads the shared counters.
    await waitFor(() => b.ca.healthExtras().acs !== undefined && (b.ca.healthExtras().acs as { answered: number }).answered === 1, 'B counts the call A answered', 3000);
    expect(b.ca.healthExtras()).toMatchObject({ acs: { callState: 'redis', answered: 1, failed: 0, active: 1 } });
  });

  it('keeps only voicectl: keys, each expiring within 6 h, holding no access key or token; a long-poll on B is woken by pub/sub', async () => {
    const fake = await fakeAcs();
    const a = await replica(fake, { redisUrl: redis.url, mediaToken: 'mt' });
    const b = await replica(fake, { redisUrl: redis.url, mediaToken: 'mt' });
    await inbound(a, a, b, b, fake);
    const path = callsPath(fake);
    const token = path.split('/').pop()!;
    // Long-poll on B for the next event; the hang-up's callbacks go to A.
    routing.callbacks = a.bridge.port;
    const t0 = Date.now();
    const polled = fetch(`${b.url}${path}?since=4&waitMs=8000`).then((r) => r.json() as Promise<{ events: Array<{ type: string }> }>);
    await new Promise((r) => setTimeout(r, 100));
    await fake.remoteHangUp(a.events.find((e) => e.type === 'call.started')!.data.connectionId as string);
    const woke = await polled;
    expect(woke.events.map((e) => e.type)[0]).toBe('media.stopped');
    expect(Date.now() - t0).toBeLessThan(4000);

    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const keys = await client.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) {
        expect(k.startsWith('voicectl:')).toBe(true);
        const ttl = await client.ttl(k);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(CALL_STATE_TTL_S);
        const type = await client.type(k);
        const value = type === 'hash' ? JSON.stringify(await client.hGetAll(k)) : type === 'list' ? JSON.stringify(await client.lRange(k, 0, -1)) : JSON.stringify(await client.zRange(k, 0, -1));
        for (const secret of [fake.accessKey, token, 'token=', new URL(a.ca.eventGridUrl).searchParams.get('code')!]) expect(value).not.toContain(secret);
      }
    } finally {
      await client.close();
    }
  });

  it('a media socket refused on A: the MediaStreamingFailed diagnosis read from B is the one-process diagnosis', async () => {
    const fake1 = await fakeAcs();
    const solo = await replica(fake1, { mediaToken: 'wrong' });
    const one = await inbound(solo, solo, solo, solo, fake1);

    const fake2 = await fakeAcs();
    const a = await replica(fake2, { redisUrl: redis.url, mediaToken: 'wrong' });
    const b = await replica(fake2, { redisUrl: redis.url, mediaToken: 'wrong' });
    const two = await inbound(a, a, b, b, fake2);

    expect(one.diagnoses).toEqual([expect.objectContaining({ type: 'media.failed', cause: 'media-unreachable' })]);
    expect(two).toEqual(one);
    expect(a.events.map((e) => e.type)).toContain('media.refused');
  });

  it('voicectl call placed through the CLI, callbacks to A, long-poll followed on B: verdict ok', async () => {
    const fake = await fakeAcs();
    const a = await replica(fake, { redisUrl: redis.url, mediaToken: 'mt' });
    const b = await replica(fake, { redisUrl: redis.url, mediaToken: 'mt' });
    routing.media = a.bridge.port;
    routing.callbacks = a.bridge.port;
    const env = {
      AZURE_COMMUNICATION_CONNECTION_STRING: fake.connectionString,
      CALLBACK_URI_HOST: `https://${HOST}`,
      VOICECTL_MEDIA_TOKEN: 'mt',
      NODE_EXTRA_CA_CERTS: (await testCert()).caFile,
      NO_PROXY: '127.0.0.1,localhost',
    };
    const r = await runVoicectl(['call', USER, '--follow-url', b.url, '--timeout', '10', '--json'], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type)).toEqual(['call.placed', 'call.connected', 'media.started', 'call.verdict']);
    expect(a.events.map((e) => e.type)).toEqual(expect.arrayContaining(['call.connected', 'media.started', 'call.started']));
    expect(b.events.map((e) => e.type)).not.toContain('call.connected');
    await fake.idle();
  });

  it('Redis unreachable at start-up: a UserError naming VOICECTL_REDIS_URL, without the password', async () => {
    const fake = await fakeAcs();
    const gone = new TestRedis();
    await gone.start();
    await gone.close();
    const err = await createCallAutomation({ connectionString: fake.connectionString, callbackHost: HOST, redisUrl: `redis://:pw-s3cret@127.0.0.1:${gone.port}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('VOICECTL_REDIS_UNREACHABLE');
    expect((err as UserError).message).toContain(`Cannot reach Redis at 127.0.0.1:${gone.port} (VOICECTL_REDIS_URL)`);
    expect(`${(err as UserError).message} ${(err as UserError).hint}`).not.toContain('pw-s3cret');
  });

  it('Redis stopped mid-run: media keeps flowing, callbacks and long-polls get 503, all recovers after restart', async () => {
    const fake = await fakeAcs();
    const a = await replica(fake, { redisUrl: redis.url, mediaToken: 'mt' });
    const b = await replica(fake, { redisUrl: redis.url, mediaToken: 'mt' });
    await inbound(a, a, b, b, fake);
    const path = callsPath(fake);
    const callConnectionId = a.events.find((e) => e.type === 'call.started')!.data.connectionId as string;

    // A Redis restart that keeps its data (SHUTDOWN SAVE, then start on the same dump).
    await redis.stop({ persist: true });
    await waitFor(() => b.events.some((e) => e.type === 'state.unavailable'), 'B notices the outage', 3000);
    // A new media socket on A relays (echo) without Redis.
    const media = await connectAcs(`ws://127.0.0.1:${a.bridge.port}/ws/media?token=mt`, { authorization: `Bearer ${await fake.signJwt()}` });
    media.sendMetadata(24000);
    media.sendAudio(Buffer.alloc(960).toString('base64'));
    await waitFor(() => media.audio().length >= 1, 'echo during the outage');
    media.close();
    // Callbacks and long-polls answer 503 with Retry-After: ACS retries.
    const cbPath = path.replace('/api/calls/', '/api/callbacks/');
    const hangUp = JSON.stringify([FakeCallAutomation.callbackEvent('CallDisconnected', { id: callConnectionId }, { resultInformation: { code: 200, subCode: 7000, message: 'The conversation has ended.' } })]);
    const post = async (): Promise<Response> =>
      fetch(`${b.url}${cbPath}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await fake.signJwt()}` }, body: hangUp });
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'VOICECTL_STATE_UNAVAILABLE' } });
    expect((await fetch(`${b.url}${path}?since=0`)).status).toBe(503);

    await redis.start();
    await waitFor(() => b.events.some((e) => e.type === 'state.restored'), 'B reconnects', 5000);
    // A's long-poll below needs A reconnected too (each replica has its own client)
    await waitFor(() => a.events.some((e) => e.type === 'state.restored'), 'A reconnects', 5000);
    // The redelivered callback is taken, and a long-poll waiting on A is woken (pub/sub resubscribed).
    const waiting = fetch(`${a.url}${path}?since=4&waitMs=8000`).then((r) => r.json() as Promise<{ events: Array<{ type: string }> }>);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    const retried = await post();
    expect(retried.status).toBe(200);
    await retried.arrayBuffer();
    expect((await waiting).events.map((e) => e.type)).toEqual(['call.disconnected']);
    expect(Date.now() - t0).toBeLessThan(4000);
    const after = await followed(a, path);
    expect(after.types).toEqual(['call.incoming', 'call.answered', 'call.connected', 'media.started', 'call.disconnected']);
  });
});
