import { describe, expect, it } from 'vitest';
import { MalformedCallbackError, parseCallbackEvents } from '../../src/calls/callback-events.js';
import { MalformedDeliveryError, parseEventGridDelivery } from '../../src/calls/event-grid.js';
import { deriveSecrets, parseConnectionString } from '../../src/calls/secrets.js';
import { MemoryCallStore, verdictOf } from '../../src/calls/state.js';
import { parseTarget } from '../../src/calls/targets.js';
import { callbackUrl, eventGridUrl, mediaTransportUrl, publicHost } from '../../src/calls/urls.js';
import { mediaStreamingOptions } from '../../src/calls/client.js';

const KEY = Buffer.from('k'.repeat(32)).toString('base64');

describe('parseEventGridDelivery', () => {
  it('classifies validation, IncomingCall (phone and ACS callers) and other events', () => {
    const items = parseEventGridDelivery(
      JSON.stringify([
        { eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'v1', validationUrl: 'https://x' } },
        {
          eventType: 'Microsoft.Communication.IncomingCall',
          data: {
            incomingCallContext: 'ctx',
            from: { kind: 'communicationUser', rawId: '8:acs:abc_1', communicationUser: { id: '8:acs:abc_1' } },
            to: { kind: 'phoneNumber', phoneNumber: { value: '+18005550199' } },
            correlationId: 'corr',
          },
        },
        { eventType: 'Microsoft.Communication.CallEnded', data: {} },
      ]),
    );
    expect(items).toEqual([
      { kind: 'validation', validationCode: 'v1' },
      { kind: 'incomingCall', incomingCallContext: 'ctx', from: '8:acs:abc_1', to: '+18005550199', correlationId: 'corr', serverCallId: undefined },
      { kind: 'other', eventType: 'Microsoft.Communication.CallEnded' },
    ]);
  });

  it.each([
    ['x', 'body is not JSON'],
    ['{}', 'body is not an Event Grid event array'],
    ['[]', 'body is not an Event Grid event array'],
    ['[1]', 'event 0 has no eventType or data'],
    ['[{"eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","data":{}}]', 'event 0: validation event without validationCode'],
    ['[{"eventType":"Microsoft.Communication.IncomingCall","data":{"incomingCallContext":""}}]', 'event 0: IncomingCall without incomingCallContext'],
  ])('refuses %s: %s', (body, message) => {
    expect(() => parseEventGridDelivery(body)).toThrow(new MalformedDeliveryError(message));
  });
});

describe('parseCallbackEvents', () => {
  it('parses every element, with result and streaming details', () => {
    const evs = parseCallbackEvents(
      JSON.stringify([
        {
          type: 'Microsoft.Communication.MediaStreamingFailed',
          time: 't',
          data: {
            callConnectionId: 'c1',
            correlationId: 'k',
            operationContext: 'voicectl-answer',
            resultInformation: { code: 400, subCode: 8581, message: 'Transport url is not valid' },
            mediaStreamingUpdate: { contentType: 'Audio', mediaStreamingStatus: 'mediaStreamingFailed', mediaStreamingStatusDetails: 'initialWebSocketConnectionFailed' },
          },
        },
        { type: 'Microsoft.Communication.ParticipantsUpdated', data: { callConnectionId: 'c1' } },
      ]),
    );
    expect(evs[0]).toMatchObject({ acsType: 'MediaStreamingFailed', name: 'media.failed', callConnectionId: 'c1', code: 400, subCode: 8581, streamingDetails: 'initialWebSocketConnectionFailed', operationContext: 'voicectl-answer' });
    expect(evs[1]).toMatchObject({ acsType: 'ParticipantsUpdated', name: undefined });
  });

  it.each([
    ['nope', 'callback body is not JSON'],
    ['[]', 'callback body is not a CloudEvents array'],
    ['[{"type":"x"}]', 'callback event 0 has no type or data'],
  ])('refuses %s', (body, message) => {
    expect(() => parseCallbackEvents(body)).toThrow(new MalformedCallbackError(message));
  });
});

describe('secrets and URLs', () => {
  it('parses a connection string and refuses garbage without echoing it', () => {
    const canonical = `endpoint=https://res.communication.azure.com/;accesskey=${KEY}`;
    expect(parseConnectionString(canonical)).toEqual({ endpoint: 'https://res.communication.azure.com', accessKey: KEY, connectionString: canonical });
    // Key first (the SDK's own parser would fail and echo the key): handed to the SDK in its order.
    expect(parseConnectionString(`AccessKey=${KEY};Endpoint=https://res.communication.azure.com;`).connectionString).toBe(canonical);
    for (const [bad, why] of [
      ['accesskey=supersecretvalue', 'the endpoint=https://<resource>.communication.azure.com/ part is missing'],
      ['endpoint=https://res.communication.azure.com/;accesskey=supersecret!value', 'the access key is not base64'],
      [`endpoint=http://res.communication.azure.com/;accesskey=${KEY}`, 'it must start with https://'],
    ] as const) {
      let message = '';
      try {
        parseConnectionString(bad);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain(`in AZURE_COMMUNICATION_CONNECTION_STRING is `);
      expect(message).toContain(why);
      expect(message).not.toContain('supersecret');
    }
  });

  it('derives stable, distinct secrets; an explicit webhook secret wins', () => {
    const a = deriveSecrets(KEY);
    const b = deriveSecrets(KEY);
    expect(a.webhookCode).toBe(b.webhookCode);
    expect(a.webhookCode).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a.callToken('c1')).toBe(b.callToken('c1'));
    expect(a.callToken('c1')).not.toBe(a.callToken('c2'));
    expect(deriveSecrets(Buffer.from('other').toString('base64')).callToken('c1')).not.toBe(a.callToken('c1'));
    expect(a.checkCallToken('c1', a.callToken('c1'))).toBe(true);
    expect(a.checkCallToken('c1', a.callToken('c2'))).toBe(false);
    expect(a.checkWebhookCode(undefined)).toBe(false);
    expect(deriveSecrets(KEY, 'my-own-secret').webhookCode).toBe('my-own-secret');
  });

  it.each([
    ['https://abc.trycloudflare.com', 'abc.trycloudflare.com'],
    ['abc.trycloudflare.com', 'abc.trycloudflare.com'],
    ['https://abc-8000.euw.devtunnels.ms/', 'abc-8000.euw.devtunnels.ms'],
    ['https://host:8443', 'host:8443'],
  ])('publicHost(%s) = %s', (input, host) => {
    expect(publicHost(input)).toBe(host);
  });

  it.each([
    ['http://abc.example', 'CALLBACK_URI_HOST must be an https:// origin (ACS only calls https and wss): http://abc.example'],
    ['https://abc.example/api', 'CALLBACK_URI_HOST must be an origin without a path or query: https://abc.example/api'],
    ['https://', 'CALLBACK_URI_HOST is not a URL: https://'],
  ])('publicHost(%s) refuses', (input, message) => {
    expect(() => publicHost(input)).toThrow(message);
  });

  it('builds the URLs ACS is given', () => {
    expect(callbackUrl('h.example', 'c1', 'tok')).toBe('https://h.example/api/callbacks/c1/tok');
    expect(mediaTransportUrl('h.example')).toBe('wss://h.example/ws/media');
    expect(mediaTransportUrl('h.example', '/media', 'a b')).toBe('wss://h.example/media?token=a%20b');
    expect(eventGridUrl('h.example', 'code1')).toBe('https://h.example/api/incomingCall?code=code1');
    expect(mediaStreamingOptions('wss://h/ws/media')).toEqual({
      transportType: 'websocket',
      transportUrl: 'wss://h/ws/media',
      contentType: 'audio',
      audioChannelType: 'mixed',
      startMediaStreaming: true,
      enableBidirectional: true,
      audioFormat: 'pcm24KMono',
    });
  });
});

describe('parseTarget', () => {
  it('accepts ACS users and phone numbers with --from', () => {
    expect(parseTarget('8:acs:res_0000-1111')).toEqual({ kind: 'acsUser', communicationUserId: '8:acs:res_0000-1111' });
    expect(parseTarget('+14255550123', '+18005550199')).toEqual({ kind: 'phone', phoneNumber: '+14255550123', from: '+18005550199' });
  });
  it.each([
    ['+14255550123', undefined, 'VOICECTL_MISSING_FROM', 'Calling a phone number (+14255550123) needs --from <+E.164>, an ACS phone number of this resource.'],
    ['+14255550123', '18005550199', 'VOICECTL_BAD_FROM', '--from must be an E.164 phone number like +18005550199, got "18005550199".'],
    ['alice', undefined, 'VOICECTL_BAD_TARGET', '"alice" is not a call target: give an ACS user id (8:acs:…) or a phone number in E.164 (+14255550123).'],
    ['8:acs:res_0000 extra', undefined, 'VOICECTL_BAD_TARGET', '"8:acs:res_0000 extra" is not a call target: give an ACS user id (8:acs:…) or a phone number in E.164 (+14255550123).'],
    ['8:acs:', undefined, 'VOICECTL_BAD_TARGET', '"8:acs:" is not a call target: give an ACS user id (8:acs:…) or a phone number in E.164 (+14255550123).'],
  ])('%s --from %s → %s', (t, from, code, message) => {
    let err: any;
    try {
      parseTarget(t, from);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code, message, exitCode: 2 });
  });
});

describe('call state', () => {
  it('verdicts: success needs connected and media started, in any order; the first failure wins', () => {
    expect(verdictOf([{ type: 'call.connected' }])).toBeUndefined();
    expect(verdictOf([{ type: 'media.started' }, { type: 'call.connected' }])).toMatchObject({ ok: true, summary: 'connected and media started' });
    expect(verdictOf([{ type: 'call.connected' }, { type: 'media.failed', cause: 'media-unreachable', diagnosis: 'd', fix: 'f' }])).toEqual({
      ok: false, step: 'media', summary: 'media streaming failed', cause: 'media-unreachable', diagnosis: 'd', fix: 'f',
    });
    expect(verdictOf([{ type: 'create.failed', cause: 'declined' }])).toMatchObject({ ok: false, step: 'create', cause: 'declined' });
    expect(verdictOf([{ type: 'call.connected' }, { type: 'call.disconnected' }])).toMatchObject({ ok: false, step: 'call', summary: 'the call ended before media started' });
  });

  it('counts answered, failed and active calls and keeps the last failure', async () => {
    const r = new MemoryCallStore({ now: () => new Date('2026-01-01T00:00:00Z') });
    await r.record('a', { type: 'call.answered', callConnectionId: 'ca' });
    await r.record('a', { type: 'call.connected' });
    await r.record('b', { type: 'call.answered', callConnectionId: 'cb' });
    await r.record('b', { type: 'media.failed', diagnosisOf: { cause: 'media-unreachable', diagnosis: 'd', fix: 'f' } });
    const s = r.stats();
    expect({ answered: s.answered, failed: s.failed, active: s.active }).toEqual({ answered: 2, failed: 1, active: 1 });
    expect(s.lastFailure).toEqual({ time: '2026-01-01T00:00:00.000Z', callbackId: 'b', callConnectionId: 'cb', event: 'media.failed', cause: 'media-unreachable', diagnosis: 'd' });
    await r.record('a', { type: 'call.disconnected' });
    expect(r.stats().active).toBe(0);
  });

  it('keeps at most maxCalls records, dropping finished ones first', async () => {
    const r = new MemoryCallStore({ maxCalls: 2 });
    await r.record('done', { type: 'call.disconnected' });
    await r.record('live', { type: 'call.connected' });
    await r.record('new', { type: 'call.connected' });
    expect(await Promise.all([r.get('done'), r.get('live'), r.get('new')]).then((l) => l.map(Boolean))).toEqual([false, true, true]);
  });
});
