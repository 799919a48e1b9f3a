/**
 * Event Grid delivery parsing (EventGrid schema): an array of
 * `{id, topic, subject, eventType, data, eventTime, dataVersion, metadataVersion}`.
 *
 * - `Microsoft.EventGrid.SubscriptionValidationEvent`: `data{validationCode, validationUrl}`;
 *   answered 200 `{"validationResponse": validationCode}`.
 * - `Microsoft.Communication.IncomingCall`: `data{to, from, serverCallId, callerDisplayName,
 *   incomingCallContext, correlationId, customContext}`; `incomingCallContext` is passed unchanged
 *   to `answerCall`.
 * Source: shared reference call-automation.md §2 (Event Grid docs, `AcsIncomingCallEventData`).
 */

/** One element of a delivery, classified. */
export type EventGridItem =
  | { kind: 'validation'; validationCode: string }
  | {
      kind: 'incomingCall';
      incomingCallContext: string;
      /** Caller raw id, e.g. `4:+14255550123` or `8:acs:…`. */
      from: string | undefined;
      /** Callee raw id. */
      to: string | undefined;
      correlationId: string | undefined;
      serverCallId: string | undefined;
    }
  | { kind: 'other'; eventType: string };

/** The body is not an Event Grid delivery. */
export class MalformedDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedDeliveryError';
  }
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function rawId(v: unknown): string | undefined {
  const o = obj(v);
  return str(o?.rawId) ?? str(obj(o?.communicationUser)?.id) ?? str(obj(o?.phoneNumber)?.value);
}

/**
 * Parse a delivery body (raw JSON text). The whole body is checked before anything is acted on,
 * so a malformed element means nothing in the delivery is answered.
 * @throws MalformedDeliveryError when it is not JSON, not a non-empty array of objects with a
 *   string `eventType` and an object `data`, or a validation / IncomingCall element lacks its
 *   `validationCode` / `incomingCallContext`.
 */
export function parseEventGridDelivery(body: string): EventGridItem[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new MalformedDeliveryError('body is not JSON');
  }
  if (!Array.isArray(doc) || doc.length === 0) throw new MalformedDeliveryError('body is not an Event Grid event array');
  return doc.map((item, i): EventGridItem => {
    const ev = obj(item);
    const eventType = str(ev?.eventType);
    const data = obj(ev?.data);
    if (!eventType || !data) throw new MalformedDeliveryError(`event ${i} has no eventType or data`);
    if (eventType === 'Microsoft.EventGrid.SubscriptionValidationEvent') {
      const validationCode = str(data.validationCode);
      if (!validationCode) throw new MalformedDeliveryError(`event ${i}: validation event without validationCode`);
      return { kind: 'validation', validationCode };
    }
    if (eventType === 'Microsoft.Communication.IncomingCall') {
      const incomingCallContext = str(data.incomingCallContext);
      if (!incomingCallContext) throw new MalformedDeliveryError(`event ${i}: IncomingCall without incomingCallContext`);
      return {
        kind: 'incomingCall',
        incomingCallContext,
        from: rawId(data.from),
        to: rawId(data.to),
        correlationId: str(data.correlationId),
        serverCallId: str(data.serverCallId),
      };
    }
    return { kind: 'other', eventType };
  });
}
