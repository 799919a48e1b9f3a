/**
 * Sign requests exactly as Twilio does, independently of the `twilio` library (so a test that
 * passes proves the bridge's check agrees with Twilio's rule, not merely with itself):
 * `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + for each parameter sorted by name:
 * name + value)); a parameter with several values contributes name + value for each distinct
 * value, values sorted. A WebSocket upgrade (GET) is signed over its wss:// URL with no parameters.
 * Source: Twilio "Webhooks security"; cross-checked against the library's
 * `getExpectedTwilioSignature` in test/unit/twilio-signature.test.ts.
 */
import { createHmac } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import WebSocket from 'ws';

/** The signature of a request to `url` with form `params`. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]> = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const v = params[name]!;
    const values = Array.isArray(v) ? [...new Set(v)].sort() : [v];
    for (const value of values) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** Form-encode params (repeated names for arrays), as Twilio posts them. */
export function formBody(params: Record<string, string | string[]>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) sp.append(k, x);
  return sp.toString();
}

/** A webhook answer. */
export interface SignedAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * POST a Twilio-style webhook to a local server, signed for `publicUrl` (what Twilio dialled),
 * sent to `http://127.0.0.1:<port><path of publicUrl>` with `Host` set to the public host.
 * @param o.signature override the signature (e.g. a wrong one); `null` sends none.
 * @param o.sendParams the params actually sent (default `params`): differ to prove tampering is caught.
 */
export function postSignedWebhook(o: {
  port: number;
  publicUrl: string;
  authToken: string;
  params: Record<string, string | string[]>;
  sendParams?: Record<string, string | string[]>;
  signature?: string | null;
  headers?: Record<string, string>;
}): Promise<SignedAnswer> {
  const u = new URL(o.publicUrl);
  const body = formBody(o.sendParams ?? o.params);
  const signature = o.signature === undefined ? twilioSignature(o.authToken, o.publicUrl, o.params) : o.signature;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: o.port,
        method: 'POST',
        path: `${u.pathname}${u.search}`,
        headers: {
          host: u.host,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'x-forwarded-proto': u.protocol.replace(':', ''),
          'user-agent': 'TwilioProxy/1.1',
          ...(signature === null ? {} : { 'x-twilio-signature': signature }),
          ...(o.headers ?? {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Open a Media Streams upgrade the way Twilio does: GET `<path of wssUrl>` on the local port with
 * `Host` set to the public host and `X-Twilio-Signature` over `wssUrl` (no params).
 * @returns the WebSocket (the caller waits for `open` or `unexpected-response`).
 */
export function openSignedStream(o: { port: number; wssUrl: string; authToken: string; signature?: string | null; path?: string }): WebSocket {
  const u = new URL(o.wssUrl);
  const signature = o.signature === undefined ? twilioSignature(o.authToken, o.wssUrl) : o.signature;
  return new WebSocket(`ws://127.0.0.1:${o.port}${o.path ?? u.pathname}`, {
    headers: { host: u.host, ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
  });
}
