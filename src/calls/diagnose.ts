/**
 * Plain-words diagnosis of Call Automation failures: a pure table from what ACS reports
 * (callback `resultInformation{code,subCode,message}`, `mediaStreamingUpdate.mediaStreamingStatusDetails`,
 * or a REST error's status and code) to one sentence saying what went wrong and one naming the fix.
 *
 * Sources: the Call Automation codes table (MicrosoftDocs azure-docs
 * `resources/troubleshooting/voice-video-calling/includes/codes/call-automation-sdk.md`), the
 * JS SDK 1.6.0 `KnownMediaStreamingStatusDetails`, and reported cases (python-quickstarts#60: 400/8581).
 */

/** What ACS said about a failure. */
export interface FailureFacts {
  /** HTTP-like status from `resultInformation.code` or a REST error's status, e.g. 400. */
  code?: number;
  /** ACS sub-code from `resultInformation.subCode`, e.g. 8581. */
  subCode?: number;
  /** ACS's own message. */
  message?: string;
  /** `mediaStreamingUpdate.mediaStreamingStatusDetails`, e.g. `initialWebSocketConnectionFailed`. */
  details?: string;
  /** The public media URL voicectl asked ACS to open, e.g. `wss://host/ws/media` (no secret). */
  mediaUrl?: string;
}

/** A diagnosis: what happened, and what to do about it. */
export interface Diagnosis {
  /** A short stable key, e.g. `media-unreachable`, `declined`, `hmac`. */
  cause: string;
  /** What happened, in plain words. */
  diagnosis: string;
  /** The fix, naming a command or setting. */
  fix: string;
}

const CODES_DOC =
  'https://learn.microsoft.com/azure/communication-services/resources/troubleshooting/voice-video-calling/troubleshooting-codes';

function probeFix(mediaUrl: string | undefined): string {
  const url = mediaUrl ?? 'wss://<CALLBACK_URI_HOST>/ws/media';
  return `Run \`voicectl ws-probe ${url}\`; behind a devtunnel, allow anonymous access (\`devtunnel access create <tunnel> --anonymous\`) and forward the bridge's plain http port.`;
}

/** Diagnoses keyed by `mediaStreamingStatusDetails`. */
const BY_DETAILS: Record<string, (f: FailureFacts) => Diagnosis> = {
  initialWebSocketConnectionFailed: (f) => ({
    cause: 'media-unreachable',
    diagnosis: `ACS could not open the media WebSocket ${f.mediaUrl ?? 'wss://…/ws/media'} (DNS, TLS, a tunnel answering 401, or a wrong path).`,
    fix: probeFix(f.mediaUrl),
  }),
  streamConnectionUnsuccessful: (f) => ({
    cause: 'media-unreachable',
    diagnosis: `ACS could not (re)establish the media WebSocket ${f.mediaUrl ?? ''}`.trim() + '.',
    fix: probeFix(f.mediaUrl),
  }),
  authenticationFailure: () => ({
    cause: 'media-auth',
    diagnosis: 'The media WebSocket refused ACS: the token in the transport URL or the ACS JWT did not pass.',
    fix: 'Give the bridge and the caller the same VOICECTL_MEDIA_TOKEN, and set ACS_RESOURCE_ID to this ACS resource\'s immutable id (`voicectl acs show`).',
  }),
  streamUrlMissing: () => ({
    cause: 'media-url-missing',
    diagnosis: 'ACS was asked to stream media without a transport URL.',
    fix: 'Set CALLBACK_URI_HOST to the bridge\'s public https origin so voicectl can send wss://<host>/ws/media.',
  }),
  serviceTimeout: (f) => ({
    cause: 'media-timeout',
    diagnosis: 'ACS timed out waiting for the media WebSocket to answer.',
    fix: `Check that the bridge is running and reachable through the tunnel: ${probeFix(f.mediaUrl)}`,
  }),
  streamConnectionInterrupted: () => ({
    cause: 'media-interrupted',
    diagnosis: 'The media WebSocket dropped in the middle of the call.',
    fix: 'Look at the bridge log for the call\'s close code, and check that the tunnel stayed up.',
  }),
  serviceShutdown: () => ({
    cause: 'acs-shutdown',
    diagnosis: 'The ACS media service shut the stream down on its side.',
    fix: 'Place the call again; if it repeats, check Azure status for Communication Services.',
  }),
  speechServicesConnectionError: () => ({
    cause: 'speech-services',
    diagnosis: 'ACS could not reach the Azure AI Speech service it uses for this stream.',
    fix: 'Check the Cognitive Services connection of the ACS resource, or stream audio only (voicectl does).',
  }),
  badRequest: (f) => ({
    cause: 'media-bad-request',
    diagnosis: `ACS rejected the media streaming options${f.message ? `: ${f.message}` : ''}.`,
    fix: 'Use websocket transport, a wss:// transport URL and pcm24KMono or pcm16KMono audio.',
  }),
  tooManyRequests: () => ({
    cause: 'throttled',
    diagnosis: 'ACS throttled media streaming requests for this resource.',
    fix: 'Place fewer calls at once and try again in a minute.',
  }),
  forbidden: () => ({
    cause: 'media-forbidden',
    diagnosis: 'ACS is not allowed to stream this call\'s media.',
    fix: 'Check that the connection string belongs to the ACS resource that owns the call.',
  }),
};

/** Diagnoses keyed by ACS sub-code. */
const BY_SUBCODE: Record<number, (f: FailureFacts) => Diagnosis> = {
  8581: BY_DETAILS.initialWebSocketConnectionFailed!,
  7509: () => ({
    cause: 'hmac',
    diagnosis: 'ACS refused the request signature: a wrong access key or a skewed clock.',
    fix: 'Copy the connection string again into AZURE_COMMUNICATION_CONNECTION_STRING and check the machine clock.',
  }),
  7507: () => ({
    cause: 'wrong-resource',
    diagnosis: 'The source identity is not valid: the connection string is from a different ACS resource than the one that owns the number or the incoming call.',
    fix: 'Use the connection string of the ACS resource that owns the phone number / Event Grid subscription.',
  }),
  8523: (f) => ({
    cause: 'invalid-argument',
    diagnosis: `ACS rejected an argument${f.message ? `: ${f.message}` : ''}.`,
    fix: 'Check the target, --from and CALLBACK_URI_HOST (an https origin without a path).',
  }),
  8522: () => ({
    cause: 'call-gone',
    diagnosis: 'The call was not found: it has already ended.',
    fix: 'Place a new call.',
  }),
  8501: () => ({
    cause: 'too-early',
    diagnosis: 'A media action was sent before the call was established.',
    fix: 'Wait for the CallConnected callback before starting media.',
  }),
  8538: () => ({ cause: 'declined', diagnosis: 'The callee declined the call.', fix: 'Accept the call on the target (e.g. in the browser client).' }),
  8539: () => ({ cause: 'busy', diagnosis: 'The callee is busy.', fix: 'Try again when the target is free.' }),
  8541: () => ({
    cause: 'unavailable',
    diagnosis: 'The callee is unavailable (not signed in or not listening for calls).',
    fix: 'Sign the target identity in (e.g. open the browser client) and call again.',
  }),
  8544: () => ({
    cause: 'unreachable',
    diagnosis: 'The callee could not be reached.',
    fix: 'Check the target identity or number, and that it is online.',
  }),
  8587: () => ({
    cause: 'answer-timeout',
    diagnosis: 'The incoming call was not answered in time.',
    fix: 'Keep the bridge and tunnel up so the Event Grid delivery is answered within seconds; check the Event Grid subscription\'s delivery metrics.',
  }),
};
BY_SUBCODE[8585] = BY_SUBCODE[8501]!;

/**
 * Diagnose a failure from what ACS reported. Order: stale incoming-call context (by message),
 * streaming status details, sub-code, then the status code; a generic explanation otherwise.
 * @returns always a diagnosis; never throws.
 */
export function diagnose(facts: FailureFacts): Diagnosis {
  if (facts.message && /lifetime validation of the signed http request failed/i.test(facts.message)) {
    return {
      cause: 'stale-context',
      diagnosis: 'The incoming call had already expired when voicectl answered it (typically an Event Grid redelivery).',
      fix: 'Nothing to do for this call; if every call hits this, answer faster (keep the bridge warm) and check the machine clock.',
    };
  }
  if (facts.details && BY_DETAILS[facts.details]) return BY_DETAILS[facts.details]!(facts);
  if (facts.subCode !== undefined && BY_SUBCODE[facts.subCode]) return BY_SUBCODE[facts.subCode]!(facts);
  if (facts.code === 401) return BY_SUBCODE[7509]!(facts);
  if (facts.code === 403) return BY_SUBCODE[7507]!(facts);
  if (facts.code === 404) return BY_SUBCODE[8522]!(facts);
  if (facts.code === 400) return BY_SUBCODE[8523]!(facts);
  const what = [facts.code, facts.subCode].filter((v) => v !== undefined).join('/');
  return {
    cause: 'acs-error',
    diagnosis: `ACS reported ${what || 'an error'}${facts.message ? `: ${facts.message}` : ''}${facts.details ? ` (${facts.details})` : ''}.`,
    fix: `Look the code up in ${CODES_DOC}.`,
  };
}

/** One line: `<diagnosis> Fix: <fix>`. */
export function diagnosisLine(d: Diagnosis): string {
  return `${d.diagnosis} Fix: ${d.fix}`;
}
