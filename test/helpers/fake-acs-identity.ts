/**
 * A local HTTPS stand-in for the ACS identity data plane (REST api-version 2023-10-01),
 * checking what the service checks:
 * - the HMAC-SHA256 signature, recomputed from method, path+query, x-ms-date, host and the
 *   body hash (string-to-sign of @azure/communication-common's access-key policy): 401 otherwise;
 * - x-ms-content-sha256 equal to the real body's hash, x-ms-date within 15 minutes;
 * - the api-version (400 otherwise), scopes from the fixed set and expiresInMinutes 60–1440 (400);
 * - known users for issue / revoke / delete (404 otherwise).
 * Answers with the service's shapes. Bearer (Entra ID) requests are accepted when the token equals `bearerToken`.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeAcsIdentity {
  /** `https://127.0.0.1:<port>/` */
  endpoint: string;
  /** The base64 access key the fake accepts. */
  accessKey: string;
  /** A valid connection string for this fake. */
  connectionString: string;
  requests: RecordedRequest[];
  /** Existing users (ids) and how many times their tokens were revoked. */
  users: Map<string, { revoked: number }>;
  close(): Promise<void>;
}

const API_VERSION = '2023-10-01';
const SCOPES = new Set(['chat', 'voip', 'chat.join', 'chat.join.limited', 'voip.join']);
const RESOURCE_ID = 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff';

/** Start the fake on 127.0.0.1, port 0. */
export async function startFakeAcsIdentity(tls: { cert: string; key: string }, o: { bearerToken?: string } = {}): Promise<FakeAcsIdentity> {
  const accessKey = randomBytes(32).toString('base64');
  const requests: RecordedRequest[] = [];
  const users = new Map<string, { revoked: number }>();
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw.toString('utf8') });
      handle(req, res, raw);
    });
  });

  function send(res: ServerResponse, status: number, body?: unknown): void {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }
  const fail = (res: ServerResponse, status: number, code: string, message: string): void =>
    send(res, status, { error: { code, message } });

  function authorised(req: IncomingMessage, raw: Buffer): string | true {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Bearer ')) return o.bearerToken && auth === `Bearer ${o.bearerToken}` ? true : 'bad bearer token';
    const m = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=(.+)$/.exec(auth);
    if (!m) return 'missing HMAC authorization';
    const date = String(req.headers['x-ms-date'] ?? '');
    const skew = Math.abs(Date.now() - Date.parse(date));
    if (!(skew < 15 * 60_000)) return 'x-ms-date missing or skewed';
    const hash = createHash('sha256').update(raw).digest('base64');
    if (req.headers['x-ms-content-sha256'] !== hash) return "Request 'x-ms-content-sha256' differs from generated content hash.";
    const stringToSign = `${req.method}\n${req.url}\n${date};${req.headers.host};${hash}`;
    const expected = createHmac('sha256', Buffer.from(accessKey, 'base64')).update(stringToSign).digest('base64');
    return m[1] === expected ? true : 'HMAC-SHA256 validation failed';
  }

  function jwtLike(userId: string, scopes: string[]): string {
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ skypeid: userId.slice(2), scp: 1792, acsScope: scopes.join(',') })}.${randomBytes(32).toString('base64url')}`;
  }

  function token(userId: string, body: { scopes?: unknown; expiresInMinutes?: unknown }, res: ServerResponse): { token: string; expiresOn: string } | undefined {
    const scopes = body.scopes;
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => SCOPES.has(String(s)))) {
      fail(res, 400, 'ValidationError', 'Scopes are invalid.');
      return undefined;
    }
    const minutes = body.expiresInMinutes ?? 1440;
    if (typeof minutes !== 'number' || minutes < 60 || minutes > 1440) {
      fail(res, 400, 'ValidationError', 'The ExpiresInMinutes field must be between 60 and 1440.');
      return undefined;
    }
    const expiresOn = new Date(Date.now() + minutes * 60_000).toISOString().replace('Z', '0000+00:00');
    return { token: jwtLike(userId, scopes as string[]), expiresOn };
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const ok = authorised(req, raw);
    if (ok !== true) return fail(res, 401, 'Denied', ok);
    const url = new URL(req.url ?? '/', 'https://fake');
    if (url.searchParams.get('api-version') !== API_VERSION) return fail(res, 400, 'InvalidApiVersion', 'Unsupported api-version');
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return fail(res, 400, 'BadRequest', 'Body is not JSON');
      }
    }
    if (req.method === 'POST' && url.pathname === '/identities') {
      const userId = `8:acs:${RESOURCE_ID}_${randomUUID()}`;
      const scopes = body.createTokenWithScopes as unknown[] | undefined;
      if (scopes && scopes.length > 0) {
        const t = token(userId, { scopes, expiresInMinutes: body.expiresInMinutes }, res);
        if (!t) return;
        users.set(userId, { revoked: 0 });
        return send(res, 201, { identity: { id: userId }, accessToken: t });
      }
      users.set(userId, { revoked: 0 });
      return send(res, 201, { identity: { id: userId } });
    }
    const m = /^\/identities\/([^/]+?)(\/:issueAccessToken|\/:revokeAccessTokens)?$/.exec(url.pathname);
    if (!m) return fail(res, 404, 'NotFound', 'No such route');
    const userId = decodeURIComponent(m[1]!);
    const user = users.get(userId);
    if (!user) return fail(res, 404, 'IdentityNotFound', 'Identity not found.');
    if (req.method === 'POST' && m[2] === '/:issueAccessToken') {
      const t = token(userId, body, res);
      if (t) send(res, 200, t);
      return;
    }
    if (req.method === 'POST' && m[2] === '/:revokeAccessTokens') {
      user.revoked++;
      return send(res, 204);
    }
    if (req.method === 'DELETE' && !m[2]) {
      users.delete(userId);
      return send(res, 204);
    }
    return fail(res, 405, 'MethodNotAllowed', 'Method not allowed');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoint = `https://127.0.0.1:${port}/`;
  return {
    endpoint,
    accessKey,
    connectionString: `endpoint=${endpoint};accesskey=${accessKey}`,
    requests,
    users,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
