import { describe, expect, it } from 'vitest';
import { diagnose, diagnosisLine } from '../../src/calls/diagnose.js';

const MEDIA = 'wss://bridge.example/ws/media';

describe('diagnose', () => {
  it.each([
    // [facts, cause, diagnosis fragment, fix fragment]
    [{ code: 400, subCode: 8581, details: 'initialWebSocketConnectionFailed', mediaUrl: MEDIA }, 'media-unreachable', `could not open the media WebSocket ${MEDIA}`, `voicectl ws-probe ${MEDIA}`],
    [{ code: 400, subCode: 8581, mediaUrl: MEDIA }, 'media-unreachable', 'tunnel answering 401', 'devtunnel access create <tunnel> --anonymous'],
    [{ details: 'streamConnectionUnsuccessful', mediaUrl: MEDIA }, 'media-unreachable', 're)establish', 'ws-probe'],
    [{ details: 'authenticationFailure' }, 'media-auth', 'refused ACS', 'ACS_RESOURCE_ID'],
    [{ details: 'streamUrlMissing' }, 'media-url-missing', 'without a transport URL', 'CALLBACK_URI_HOST'],
    [{ details: 'serviceTimeout', mediaUrl: MEDIA }, 'media-timeout', 'timed out', 'ws-probe'],
    [{ details: 'streamConnectionInterrupted' }, 'media-interrupted', 'dropped in the middle', 'close code'],
    [{ details: 'serviceShutdown' }, 'acs-shutdown', 'shut the stream down', 'Place the call again'],
    [{ details: 'speechServicesConnectionError' }, 'speech-services', 'Speech', 'Cognitive Services'],
    [{ details: 'badRequest', message: 'bad format' }, 'media-bad-request', 'rejected the media streaming options: bad format', 'pcm24KMono'],
    [{ details: 'tooManyRequests' }, 'throttled', 'throttled', 'fewer calls'],
    [{ details: 'forbidden' }, 'media-forbidden', 'not allowed', 'connection string'],
    [{ code: 401, subCode: 7509 }, 'hmac', 'wrong access key or a skewed clock', 'AZURE_COMMUNICATION_CONNECTION_STRING'],
    [{ code: 401 }, 'hmac', 'signature', 'clock'],
    [{ code: 403, subCode: 7507 }, 'wrong-resource', 'different ACS resource', 'owns the phone number'],
    [{ code: 400, subCode: 8523, message: 'targets is required' }, 'invalid-argument', 'targets is required', '--from'],
    [{ code: 404, subCode: 8522 }, 'call-gone', 'already ended', 'new call'],
    [{ code: 400, subCode: 8501 }, 'too-early', 'before the call was established', 'CallConnected'],
    [{ code: 400, subCode: 8585 }, 'too-early', 'before the call was established', 'CallConnected'],
    [{ code: 603, subCode: 8538 }, 'declined', 'declined', 'Accept the call'],
    [{ code: 486, subCode: 8539 }, 'busy', 'busy', 'free'],
    [{ code: 480, subCode: 8541 }, 'unavailable', 'unavailable', 'Sign the target'],
    [{ code: 404, subCode: 8544 }, 'unreachable', 'could not be reached', 'online'],
    [{ code: 408, subCode: 8587 }, 'answer-timeout', 'not answered in time', 'Event Grid'],
    [{ code: 400, message: 'Lifetime validation of the signed http request failed.' }, 'stale-context', 'already expired', 'Nothing to do'],
    [{ code: 500, subCode: 9999, message: 'boom' }, 'acs-error', 'ACS reported 500/9999: boom', 'troubleshooting-codes'],
  ])('%j → %s', (facts, cause, diag, fix) => {
    const d = diagnose(facts);
    expect(d.cause).toBe(cause);
    expect(d.diagnosis).toContain(diag);
    expect(d.fix).toContain(fix);
  });

  it('renders one line with the fix', () => {
    expect(diagnosisLine(diagnose({ subCode: 8538 }))).toBe('The callee declined the call. Fix: Accept the call on the target (e.g. in the browser client).');
  });
});
