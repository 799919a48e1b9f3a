/** Pure parts of the IncomingCall route: the ARM body, the reported shape, masking, error mapping, the shared URL derivation. */
import { describe, expect, it } from 'vitest';
import { routeBody, toRouteInfo } from '../../src/acs/event-grid.js';
import { maskUrl } from '../../src/acs/route-calls.js';
import { mapRouteError } from '../../src/acs/route-errors.js';
import { incomingCallEndpoint } from '../../src/calls/incoming-url.js';
import { createCallAutomation } from '../../src/calls/index.js';

const CS = `endpoint=https://voice-one.unitedstates.communication.azure.com/;accesskey=${Buffer.from('k'.repeat(32)).toString('base64')}`;
const ctx = { host: 'management.azure.com', timeoutMs: 1000, doing: 'creating event subscription "x"' };

describe('route shapes', () => {
  it('routeBody: WebHook, IncomingCall only, EventGrid schema, voicectl label, StringIn filter per number', () => {
    expect(routeBody({ url: 'https://h/api/incomingCall?code=c', phoneNumbers: ['+14255550123'] })).toEqual({
      destination: { endpointType: 'WebHook', endpointUrl: 'https://h/api/incomingCall?code=c', maxEventsPerBatch: 1, preferredBatchSizeInKilobytes: 64 },
      filter: { includedEventTypes: ['Microsoft.Communication.IncomingCall'], advancedFilters: [{ operatorType: 'StringIn', key: 'data.to.PhoneNumber.Value', values: ['+14255550123'] }] },
      eventDeliverySchema: 'EventGridSchema',
      labels: ['voicectl'],
    });
    expect(routeBody({ url: 'https://h/x', phoneNumbers: [] }).filter).toEqual({ includedEventTypes: ['Microsoft.Communication.IncomingCall'] });
  });

  it('toRouteInfo: host from endpointBaseUrl, number filter apart from other filters', () => {
    const info = toRouteInfo({
      name: 'voicectl-incoming',
      provisioningState: 'Succeeded',
      destination: { endpointType: 'WebHook', endpointBaseUrl: 'https://a.trycloudflare.com/api/incomingCall' } as never,
      filter: {
        includedEventTypes: ['Microsoft.Communication.IncomingCall'],
        advancedFilters: [
          { operatorType: 'StringIn', key: 'data.to.PhoneNumber.Value', values: ['+1425'] } as never,
          { operatorType: 'NumberGreaterThan', key: 'data.x', value: 3 } as never,
        ],
      },
      labels: ['voicectl'],
    });
    expect(info).toMatchObject({ endpointHost: 'a.trycloudflare.com', phoneNumbers: ['+1425'], otherFilters: ['data.x NumberGreaterThan 3'], voicectl: true });
  });

  it('maskUrl hides every query value', () => {
    expect(maskUrl('https://h:8443/api/incomingCall?code=abc&x=1')).toBe('https://h:8443/api/incomingCall?code=***&x=***');
    expect(maskUrl('not a url')).toBe('***');
  });

  it('the bridge and route-calls derive the same IncomingCall URL', async () => {
    const ca = await createCallAutomation({ connectionString: CS, callbackHost: 'https://a.trycloudflare.com' });
    expect(incomingCallEndpoint({ connectionString: CS, callbackHost: 'a.trycloudflare.com' }).url).toBe(ca.eventGridUrl);
    const withSecret = await createCallAutomation({ connectionString: CS, callbackHost: 'https://a.trycloudflare.com', webhookSecret: 'w' });
    expect(incomingCallEndpoint({ connectionString: CS, callbackHost: 'https://a.trycloudflare.com', webhookSecret: 'w' }).url).toBe(withSecret.eventGridUrl);
    await ca.close();
    await withSecret.close();
  });
});

describe('mapRouteError', () => {
  it.each([
    [{ statusCode: 409, code: 'MissingSubscriptionRegistration', message: "The subscription is not registered to use namespace 'Microsoft.EventGrid'." }, 'VOICECTL_EVENTGRID_NOT_REGISTERED'],
    [{ statusCode: 403, code: 'AuthorizationFailed', message: 'no' }, 'VOICECTL_ARM_FORBIDDEN'],
    [{ message: 'The long-running operation has failed. Url validation. Webhook validation handshake failed for https://h/api. Http POST request timed out.' }, 'VOICECTL_EVENTGRID_VALIDATION_FAILED'],
    [{ statusCode: 409, code: 'Conflict', message: 'exists' }, 'VOICECTL_EVENTGRID_NAME_CONFLICT'],
    [{ statusCode: 404, code: 'ResourceNotFound', message: 'gone' }, 'VOICECTL_ARM_NOT_FOUND'],
  ])('%j → %s', (err, code) => {
    expect(mapRouteError(Object.assign(new Error(err.message), err), ctx).code).toBe(code);
  });

  it('a certificate failure in the handshake asks for a publicly trusted certificate', () => {
    const e = mapRouteError(new Error('The long-running operation has failed. Url validation. Webhook validation handshake failed for https://h/api. The SSL connection could not be established.'), ctx);
    expect(e.hint).toContain('publicly trusted certificate');
  });
});
