/**
 * The bridge's Call Automation routes, mounted on a stand-in bridge server, driven by the REAL
 * @azure/communication-call-automation SDK against the local HTTPS fake of the service.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallAutomation, type CallAutomation } from '../../src/calls/index.js';
import { FakeCallAutomation, rewriteTo, startMiniBridge, type MiniBridge } from '../helpers/fake-call-automation.js';

const HOST = 'bridge.example.test';

interface Setup {
  fake: FakeCallAutomation;
  ca: CallAutomation;
  bridge: MiniBridge;
  events: Array<{ type: string; data: Record<string, unknown> }>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
}

let s: Setup | undefined;

async function setup(o: { fake?: ConstructorParameters<typeof FakeCallAutomation>[0]; jwt?: boolean; mediaPath?: string | null; mediaToken?: string } = {}): Promise<Setup> {
  let port = 0;
  const fake = await new FakeCallAutomation({ rewriteUrl: rewriteTo(HOST, () => port), frames: 2, frameIntervalMs: 1, ...o.fake }).start();
  const events: Setup['events'] = [];
  const ca = await createCallAutomation({
    connectionString: fake.connectionString,
    callbackHost: `https://${HOST}`,
    ...(o.mediaToken ? { mediaToken: o.mediaToken } : {}),
    clientOptions: fake.clientOptions(),
    onEvent: (type, data) => events.push({ type, data }),
    ...(o.jwt ? { acsResourceId: fake.resourceId, jwksUrl: fake.jwksUrl } : {}),
  });
  const bridge = await startMiniBridge({
    routes: ca.routes,
    healthExtras: ca.healthExtras,
    ...(ca.authorizeMediaUpgrade ? { authorizeMediaUpgrade: ca.authorizeMediaUpgrade } : {}),
    ...(o.mediaPath !== undefined ? { mediaPath: o.mediaPath } : {}),
  });
  port = bridge.port;
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${bridge.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  s = { fake, ca, bridge, events, post };
  return s;
}

function webhookPath(ca: CallAutomation): string {
  const u = new URL(ca.eventGridUrl);
  return `${u.pathname}${u.search}`;
}

async function health(bridge: MiniBridge): Promise<any> {
  return ((await (await fetch(`${bridge.url}/api/health`)).json()) as any).acs;
}

beforeEach(() => {
  s = undefined;
});
afterEach(async () => {
  if (!s) return;
  await s.ca.close();
  await s.bridge.close();
  await s.fake.close();
});

describe('Event Grid webhook', () => {
  it('answers the subscription validation handshake with the validation code and calls nothing', async () => {
    const { fake, ca, post } = await setup();
    expect(ca.eventGridUrl).toMatch(new RegExp(`^https://${HOST}/api/incomingCall\\?code=[A-Za-z0-9_-]{32}$`));
    const res = await post(webhookPath(ca), fake.validationDelivery('5c1f9a7e-0001'), { 'aeg-event-type': 'SubscriptionValidation' });
    expect(res).toEqual({ status: 200, json: { validationResponse: '5c1f9a7e-0001' } });
    expect(fake.requests).toHaveLength(0);
  });

  it('answers an IncomingCall with exactly the media streaming options, then tracks the call from the callbacks', async () => {
    const { fake, ca, post, bridge, events } = await setup({ mediaToken: 'media-secret-1' });
    const { delivery, context } = fake.makeIncomingCall({ from: '+14255550123' });
    const res = await post(webhookPath(ca), delivery);
    expect(res.status).toBe(200);

    const answers = fake.requests.filter((r) => r.path === '/calling/callConnections:answer');
    expect(answers).toHaveLength(1);
    expect(answers[0]!.status).toBe(200);
    const body = answers[0]!.json as Record<string, any>;
    expect(body.incomingCallContext).toBe(context);
    expect(body.operationContext).toBe('voicectl-answer');
    expect(body.callbackUri).toMatch(new RegExp(`^https://${HOST}/api/callbacks/[0-9a-f-]{36}/[A-Za-z0-9_-]{32}$`));
    expect(body.mediaStreamingOptions).toEqual({
      transportType: 'websocket',
      transportUrl: `wss://${HOST}/ws/media?token=media-secret-1`,
      contentType: 'audio',
      audioChannelType: 'mixed',
      startMediaStreaming: true,
      enableBidirectional: true,
      audioFormat: 'pcm24KMono',
    });
    expect(answers[0]!.headers['repeatability-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    await fake.idle();
    expect(fake.callbacks.map((c) => [c.type, c.status])).toEqual([
      ['CallConnected', 200],
      ['ParticipantsUpdated', 200],
      ['MediaStreamingStarted', 200],
    ]);
    expect(events.map((e) => e.type)).toEqual(['call.incoming', 'call.answered', 'call.connected', 'media.started']);
    const callConnectionId = events[1]!.data.callConnectionId as string;
    expect(callConnectionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events[3]!.data.callConnectionId).toBe(callConnectionId);
    // The media socket reached the bridge's /ws/media with ACS's headers.
    expect(bridge.upgrades).toHaveLength(1);
    expect(bridge.upgrades[0]!['x-ms-call-connection-id']).toBe(callConnectionId);
    expect(fake.media[0]!.url).toBe(`wss://${HOST}/ws/media?token=media-secret-1`);
    expect(await health(bridge)).toMatchObject({ answering: true, answered: 1, failed: 0, active: 1, lastCallbackFailure: null });

    await fake.remoteHangUp(callConnectionId);
    expect(events.slice(4).map((e) => e.type)).toEqual(['media.stopped', 'call.disconnected']);
    expect(await health(bridge)).toMatchObject({ answered: 1, active: 0 });
  });

  it('refuses a malformed body with 400 and answers nothing', async () => {
    const { fake, ca, post, events } = await setup();
    const good = fake.makeIncomingCall().delivery[0];
    for (const bad of ['{not json', '{"eventType":"x"}', '[]', JSON.stringify([good, { eventType: 'Microsoft.Communication.IncomingCall', data: {} }])]) {
      const res = await post(webhookPath(ca), bad);
      expect(res.status, bad).toBe(400);
      expect(res.json.error.code).toBe('VOICECTL_MALFORMED');
    }
    expect(fake.requests).toHaveLength(0);
    expect(events).toHaveLength(0);
  });

  it('refuses deliveries without the right ?code= with 401 and changes nothing', async () => {
    const { fake, ca, post, events } = await setup();
    const { delivery } = fake.makeIncomingCall();
    expect((await post('/api/incomingCall', delivery)).status).toBe(401);
    expect((await post('/api/incomingCall?code=wrong', delivery)).status).toBe(401);
    expect((await post(`/api/incomingCall?code=${new URL(ca.eventGridUrl).searchParams.get('code')!.slice(1)}`, delivery)).status).toBe(401);
    expect((await post('/api/incomingCall?code=x', fake.validationDelivery('abc'))).json).not.toHaveProperty('validationResponse');
    expect(fake.requests).toHaveLength(0);
    expect(events).toHaveLength(0);
  });

  it('acknowledges other event types and ignores them', async () => {
    const { fake, ca, post } = await setup();
    const res = await post(webhookPath(ca), [{ id: '1', eventType: 'Microsoft.Communication.CallEnded', data: {}, eventTime: new Date().toISOString() }]);
    expect(res.status).toBe(200);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('failures, each with a diagnosis', () => {
  it('media socket unreachable: media.failed 400/8581 names ws-probe on the media URL', async () => {
    const { fake, ca, post, events, bridge } = await setup({ mediaPath: null });
    await post(webhookPath(ca), fake.makeIncomingCall().delivery);
    await fake.idle();
    const failed = events.find((e) => e.type === 'media.failed')!;
    expect(failed.data).toMatchObject({ resultCode: 400, subCode: 8581, streamingDetails: 'initialWebSocketConnectionFailed', cause: 'media-unreachable' });
    expect(failed.data.fix).toContain(`voicectl ws-probe wss://${HOST}/ws/media`);
    expect(failed.data.fix).toContain('anonymous');
    const h = await health(bridge);
    expect(h).toMatchObject({ failed: 1, lastCallbackFailure: { event: 'media.failed', cause: 'media-unreachable' } });
    expect(JSON.stringify(h)).not.toContain(fake.accessKey);
  });

  it('AnswerFailed (8587) becomes answer.failed with the not-answered-in-time diagnosis', async () => {
    const { fake, ca, post, events } = await setup();
    await post(webhookPath(ca), fake.makeIncomingCall({ answerFails: true }).delivery);
    await fake.idle();
    expect(events.map((e) => e.type)).toEqual(['call.incoming', 'call.answered', 'answer.failed']);
    expect(events[2]!.data).toMatchObject({ resultCode: 408, subCode: 8587, cause: 'answer-timeout' });
  });

  it('a stale incoming call context (SDK RestError 400) becomes answer.failed stale-context, and the webhook still says 200', async () => {
    const { fake, ca, post, events } = await setup();
    const res = await post(webhookPath(ca), fake.makeIncomingCall({ ttlMs: -1 }).delivery);
    expect(res.status).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['call.incoming', 'answer.failed']);
    expect(events[1]!.data).toMatchObject({ resultCode: 400, cause: 'stale-context' });
  });

  it('a wrong access key: the SDK gets 401 from the fake, answer.failed names the HMAC fix', async () => {
    let port = 0;
    const fake = await new FakeCallAutomation({ rewriteUrl: rewriteTo(HOST, () => port) }).start();
    const events: Array<{ type: string; data: Record<string, unknown> }> = [];
    const ca = await createCallAutomation({
      connectionString: `endpoint=${fake.endpoint}/;accesskey=${Buffer.from('not-the-key-0123456789abcdef').toString('base64')}`,
      callbackHost: HOST,
      clientOptions: fake.clientOptions(),
      onEvent: (type, data) => events.push({ type, data }),
    });
    const bridge = await startMiniBridge({ routes: ca.routes });
    port = bridge.port;
    s = { fake, ca, bridge, events, post: async () => ({ status: 0, json: undefined }) };
    const path = `${new URL(ca.eventGridUrl).pathname}${new URL(ca.eventGridUrl).search}`;
    await fetch(`${bridge.url}${path}`, { method: 'POST', body: JSON.stringify(fake.makeIncomingCall().delivery) });
    expect(fake.requests[0]!.status).toBe(401);
    expect(events[1]).toMatchObject({ type: 'answer.failed', data: { resultCode: 401, cause: 'hmac' } });
  });

  it.each([
    ['authenticationFailure', 401, 0, 'media-auth', 'VOICECTL_MEDIA_TOKEN'],
    ['streamUrlMissing', 400, 8523, 'media-url-missing', 'CALLBACK_URI_HOST'],
    ['serviceTimeout', 408, 0, 'media-timeout', 'voicectl ws-probe'],
  ])('MediaStreamingFailed %s → %s diagnosis', async (details, code, subCode, cause, fixMentions) => {
    const { fake, ca, post, events } = await setup({ fake: { mediaFailure: { code, subCode, details } } });
    await post(webhookPath(ca), fake.makeIncomingCall().delivery);
    await fake.idle();
    const failed = events.find((e) => e.type === 'media.failed')!;
    expect(failed.data).toMatchObject({ streamingDetails: details, cause });
    expect(String(failed.data.fix)).toContain(fixMentions);
  });
});

describe('callbacks', () => {
  async function answeredCall(st: Setup): Promise<string> {
    await st.post(webhookPath(st.ca), st.fake.makeIncomingCall().delivery);
    await st.fake.idle();
    return new URL((st.fake.requests[0]!.json as any).callbackUri).pathname;
  }

  it('refuses callbacks without the per-call secret (401) and records nothing', async () => {
    const st = await setup({ mediaPath: null });
    const path = await answeredCall(st);
    const before = st.events.length;
    const ev = [FakeCallAutomation.callbackEvent('CallDisconnected', { id: 'x' })];
    const [, , , callId, token] = path.split('/');
    expect((await st.post('/api/callbacks/', ev)).status).toBe(401);
    expect((await st.post(`/api/callbacks/${callId}`, ev)).status).toBe(401);
    expect((await st.post(`/api/callbacks/${callId}/${token!.slice(0, -1)}${token!.endsWith('x') ? 'y' : 'x'}`, ev)).status).toBe(401);
    expect((await st.post(`/api/callbacks/00000000-0000-0000-0000-000000000000/${token}`, ev)).status).toBe(401);
    expect(st.events.length).toBe(before);
    expect((await st.post(path, '{oops')).status).toBe(400);
    expect(st.events.length).toBe(before);
  });

  it('reports every event of a callback array, not only the first', async () => {
    const st = await setup({ mediaPath: null });
    const path = await answeredCall(st);
    const before = st.events.length;
    const call = { id: 'c0ffee00-0000-4000-8000-000000000001' };
    const res = await st.post(path, [
      FakeCallAutomation.callbackEvent('ParticipantsUpdated', call, { participants: [] }),
      FakeCallAutomation.callbackEvent('MediaStreamingStopped', call, { mediaStreamingUpdate: { mediaStreamingStatus: 'mediaStreamingStopped', mediaStreamingStatusDetails: 'subscriptionStopped' } }),
      FakeCallAutomation.callbackEvent('CallDisconnected', call, { resultInformation: { code: 200, subCode: 7000, message: 'ended' } }),
    ]);
    expect(res.status).toBe(200);
    expect(st.events.slice(before).map((e) => e.type)).toEqual(['media.stopped', 'call.disconnected']);
  });

  it('with ACS_RESOURCE_ID: validates the ACS JWT on callbacks and on the media upgrade', async () => {
    const st = await setup({ jwt: true });
    await st.post(webhookPath(st.ca), st.fake.makeIncomingCall().delivery);
    await st.fake.idle();
    // The fake's own signed callbacks and media upgrade pass.
    expect(st.fake.callbacks.map((c) => c.status)).toEqual([200, 200, 200]);
    expect(st.events.map((e) => e.type)).toContain('media.started');
    expect(st.bridge.upgrades).toHaveLength(1);
    const path = new URL((st.fake.requests[0]!.json as any).callbackUri).pathname;
    const before = st.events.length;
    const ev = [FakeCallAutomation.callbackEvent('CallDisconnected', { id: 'x' })];
    expect((await st.post(path, ev)).status).toBe(401);
    expect((await st.post(path, ev, { authorization: `Bearer ${await st.fake.signJwt({ aud: 'another-resource' })}` })).status).toBe(401);
    expect((await st.post(path, ev, { authorization: `Bearer ${await st.fake.signJwt({ iss: 'https://evil.example' })}` })).status).toBe(401);
    expect((await st.post(path, ev, { authorization: `Bearer ${await st.fake.signJwt({ expSeconds: -600 })}` })).status).toBe(401);
    expect(st.events.length).toBe(before);
    expect((await st.post(path, ev, { authorization: `Bearer ${await st.fake.signJwt()}` })).status).toBe(200);
    expect(st.events.at(-1)!.type).toBe('call.disconnected');
    // A media upgrade without the JWT is refused.
    const decision = await st.ca.authorizeMediaUpgrade!({ headers: {} } as never);
    expect(decision).toMatchObject({ ok: false, status: 401 });
    expect(await health(st.bridge)).toMatchObject({ jwtValidation: true });
  });

  it('serves a call\'s events to the holder of its secret, long-polling for new ones', async () => {
    const st = await setup({ mediaPath: null });
    const path = await answeredCall(st);
    const statePath = path.replace('/api/callbacks/', '/api/calls/');
    const res = await fetch(`${st.bridge.url}${statePath}?since=0`);
    const doc = (await res.json()) as any;
    expect(doc.events.map((e: any) => e.type)).toEqual(['call.incoming', 'call.answered', 'call.connected', 'media.failed']);
    expect(doc.call.verdict).toMatchObject({ ok: false, step: 'media', cause: 'media-unreachable' });
    expect(doc.next).toBe(4);
    expect((await fetch(`${st.bridge.url}${statePath.slice(0, -2)}xx`)).status).toBe(401);
    const waiting = fetch(`${st.bridge.url}${statePath}?since=4&waitMs=5000`).then((r) => r.json() as Promise<any>);
    await st.post(path, [FakeCallAutomation.callbackEvent('CallDisconnected', { id: 'x' })]);
    expect((await waiting).events.map((e: any) => e.type)).toEqual(['call.disconnected']);
  });
});
