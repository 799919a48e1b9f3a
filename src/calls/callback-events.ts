/**
 * Call Automation callback parsing: a CloudEvents 1.0 array POSTed to the callback URL, each
 * `{id, source, type:"Microsoft.Communication.<Name>", data:{callConnectionId, serverCallId,
 * correlationId, operationContext?, resultInformation?{code,subCode,message},
 * mediaStreamingUpdate?{contentType, mediaStreamingStatus, mediaStreamingStatusDetails}}, time, specversion}`.
 *
 * Written here rather than with the SDK's `parseCallAutomationEvent`, which parses only element [0]
 * of an array and throws on unknown types (shared reference: call-automation.md §1–2).
 */

/** The NDJSON event names voicectl gives the callbacks it reports. */
export type CallEventName =
  | 'call.connected'
  | 'media.started'
  | 'media.failed'
  | 'media.stopped'
  | 'call.disconnected'
  | 'answer.failed'
  | 'create.failed';

/** ACS callback type (without the `Microsoft.Communication.` prefix) → voicectl event name. */
export const CALLBACK_EVENT_NAMES: Readonly<Record<string, CallEventName>> = {
  CallConnected: 'call.connected',
  MediaStreamingStarted: 'media.started',
  MediaStreamingFailed: 'media.failed',
  MediaStreamingStopped: 'media.stopped',
  CallDisconnected: 'call.disconnected',
  AnswerFailed: 'answer.failed',
  CreateCallFailed: 'create.failed',
};

/** The names that mean a failure (they carry a diagnosis). */
export const FAILURE_EVENTS: ReadonlySet<CallEventName> = new Set(['media.failed', 'answer.failed', 'create.failed']);

/** One parsed callback event. */
export interface CallbackEvent {
  /** ACS type without the prefix, e.g. `MediaStreamingFailed`. */
  acsType: string;
  /** voicectl's name, or undefined for types it does not report (e.g. ParticipantsUpdated). */
  name: CallEventName | undefined;
  callConnectionId: string | undefined;
  serverCallId: string | undefined;
  correlationId: string | undefined;
  operationContext: string | undefined;
  /** `resultInformation.code` (HTTP-like status). */
  code: number | undefined;
  subCode: number | undefined;
  message: string | undefined;
  /** `mediaStreamingUpdate.mediaStreamingStatus`. */
  streamingStatus: string | undefined;
  /** `mediaStreamingUpdate.mediaStreamingStatusDetails`. */
  streamingDetails: string | undefined;
  /** CloudEvent `time` (ISO 8601). */
  time: string | undefined;
}

/** The callback body is not a CloudEvents array. */
export class MalformedCallbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedCallbackError';
  }
}

const PREFIX = 'Microsoft.Communication.';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Parse a callback body (the raw JSON text).
 * @returns every element of the array, in order (unknown types kept with `name: undefined`).
 * @throws MalformedCallbackError when the body is not JSON, not a non-empty array (a single object
 *   is accepted as a one-element array), or an element has no string `type` or no `data` object.
 */
export function parseCallbackEvents(body: string): CallbackEvent[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new MalformedCallbackError('callback body is not JSON');
  }
  const list = Array.isArray(doc) ? doc : obj(doc) ? [doc] : undefined;
  if (!list || list.length === 0) throw new MalformedCallbackError('callback body is not a CloudEvents array');
  return list.map((item, i) => {
    const ev = obj(item);
    const type = str(ev?.type);
    const data = obj(ev?.data);
    if (!ev || !type || !data) throw new MalformedCallbackError(`callback event ${i} has no type or data`);
    const acsType = type.startsWith(PREFIX) ? type.slice(PREFIX.length) : type;
    const result = obj(data.resultInformation);
    const update = obj(data.mediaStreamingUpdate);
    return {
      acsType,
      name: CALLBACK_EVENT_NAMES[acsType],
      callConnectionId: str(data.callConnectionId),
      serverCallId: str(data.serverCallId),
      correlationId: str(data.correlationId),
      operationContext: str(data.operationContext),
      code: num(result?.code),
      subCode: num(result?.subCode),
      message: str(result?.message),
      streamingStatus: str(update?.mediaStreamingStatus),
      streamingDetails: str(update?.mediaStreamingStatusDetails),
      time: str(ev.time),
    };
  });
}
