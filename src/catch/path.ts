/**
 * The request paths `voicectl catch` accepts: exactly `/left/{id}`, `/right/{id}` or
 * `/mix/{id}`, where `{id}` is the call's AID (a UUID). This is the shape ast-streamer
 * produces from its default relay URLs (`ws://localhost:3031/left/{id}`, `-l/-r/-m` flags;
 * t-kawata/ast-streamer README).
 *
 * The check runs on the raw request target, before any decoding or normalisation, so
 * `..`, `%2e%2e`, `%2f`, backslashes, NUL bytes and extra segments can never reach a file
 * name: anything that is not one of the three exact shapes is refused.
 */

/** The three legs ast-streamer relays: caller side, callee side, and both mixed. */
export const LEGS = ['left', 'right', 'mix'] as const;
/** One leg of a call. */
export type Leg = (typeof LEGS)[number];

/** An accepted path. `id` is the UUID in lower case. */
export interface CatchTarget {
  ok: true;
  leg: Leg;
  id: string;
}

/** A refused path: `status` is the HTTP status to answer the upgrade with. */
export interface CatchRefusal {
  ok: false;
  /** 404: not one of the three leg prefixes; 400: a leg prefix followed by something that is not one UUID. */
  status: 400 | 404;
  /** One sentence for the log and the response body. */
  reason: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Parse a raw request target (`req.url`, e.g. `/left/7bace96a-b33e-4d19-ae72-e1ba25886472`).
 * A query string (`?…`) is ignored; the path itself must match exactly.
 * Never throws: bad input is a {@link CatchRefusal}.
 */
export function parseCatchPath(rawUrl: string | undefined): CatchTarget | CatchRefusal {
  const target = rawUrl ?? '';
  const q = target.indexOf('?');
  const pathname = q === -1 ? target : target.slice(0, q);
  const match = /^\/(left|right|mix)\/(.*)$/s.exec(pathname);
  if (!match) {
    return { ok: false, status: 404, reason: 'not a catch path: use /left/{id}, /right/{id} or /mix/{id}' };
  }
  const leg = match[1] as Leg;
  const id = match[2] ?? '';
  if (!UUID.test(id)) {
    return { ok: false, status: 400, reason: `the id after /${leg}/ must be one UUID (the call's AID)` };
  }
  return { ok: true, leg, id: id.toLowerCase() };
}

/** The file name (no directory) for an accepted target: `<id>-<leg>.<ext>`. */
export function catchFileName(target: Pick<CatchTarget, 'id' | 'leg'>, ext: 'wav' | 'raw'): string {
  return `${target.id}-${target.leg}.${ext}`;
}

/**
 * A refused path made safe for a log line: JSON-quoted (control characters escaped) and
 * cut to 120 characters.
 */
export function describeRawPath(rawUrl: string | undefined): string {
  const s = rawUrl ?? '';
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}
