/**
 * A local stand-in for the Twilio REST API (`/2010-04-01`), checking what Twilio checks:
 * - HTTP Basic auth: `AccountSid:AuthToken` of the account in the path, or `ApiKeySid:Secret` of a
 *   key that belongs to the account in the path; otherwise 401 `{"code":20003,"message":"Authenticate",…}`
 *   with `WWW-Authenticate: Basic realm="Twilio API"`;
 * - resources of another account, or unknown SIDs: 404 `{"code":20404,…}` (Twilio does not say
 *   whether a resource exists elsewhere);
 * - Calls create: `To` E.164 (21211), `From` a number of this account (21210), one of `Url` /
 *   `Twiml` (21205 when missing).
 * Answers with the real resource shapes (snake_case JSON): Accounts fetch, IncomingPhoneNumbers
 * list (with `PhoneNumber` filter) / fetch / update, Calls create / fetch. A created call moves
 * through `statuses` one step per fetch; when it reaches `in-progress` with a `Url`, the fake
 * requests that URL as Twilio does (POST, form fields, `X-Twilio-Signature` with the account's
 * auth token) and records the TwiML it got.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formBody, twilioSignature } from './twilio-signer.js';

export interface FakeAccount {
  sid: string;
  authToken: string;
  friendlyName?: string;
  type?: 'Full' | 'Trial';
  /** API keys of this account: SK… → secret. */
  apiKeys?: Record<string, string>;
  numbers?: Array<{ phoneNumber: string; voiceUrl?: string; voiceApplicationSid?: string; trunkSid?: string }>;
}

export interface FakeCall {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  url?: string;
  twiml?: string;
  statuses: string[];
  step: number;
  /** What the webhook answered (status and body), once requested. */
  webhook?: { status: number; body: string };
}

export interface RecordedTwilioRequest {
  method: string;
  path: string;
  /** `account` (SID:token) or `api-key`. */
  auth?: 'account' | 'api-key';
  form: Record<string, string>;
  status: number;
}

const hex = (n: number): string => randomBytes(n).toString('hex');
const rfc2822 = (d = new Date()): string => d.toUTCString().replace('GMT', '+0000');

export class FakeTwilioRest {
  readonly accounts = new Map<string, FakeAccount>();
  readonly numbers = new Map<string, Record<string, unknown>>();
  readonly calls = new Map<string, FakeCall>();
  readonly requests: RecordedTwilioRequest[] = [];
  /** Status sequence of new calls (one step per fetch). */
  statuses = ['queued', 'ringing', 'in-progress', 'completed'];
  /** Maps a public webhook URL to where the fake actually sends it (a local bridge). */
  rewriteWebhook: (url: string) => string = (u) => u;
  private server: Server | undefined;
  baseUrl = '';

  constructor(accounts: FakeAccount[]) {
    for (const a of accounts) {
      this.accounts.set(a.sid, a);
      for (const n of a.numbers ?? []) {
        const sid = `PN${hex(16)}`;
        this.numbers.set(sid, numberResource(a.sid, sid, n));
      }
    }
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The number resource with this E.164, if any. */
  number(phoneNumber: string): Record<string, unknown> | undefined {
    return [...this.numbers.values()].find((n) => n.phone_number === phoneNumber);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const rec: RecordedTwilioRequest = { method: req.method ?? '', path: url.pathname, form, status: 0 };
    this.requests.push(rec);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: number, message: string): void =>
      send(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, status === 401 ? { 'www-authenticate': 'Basic realm="Twilio API"' } : {});
    const notFound = (): void => error(404, 20404, `The requested resource ${url.pathname} was not found`);

    const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})(\.json|\/.*)$/.exec(url.pathname);
    if (!m) return notFound();
    const accountSid = m[1]!;
    const rest = m[2]!;
    const auth = this.authenticate(req.headers.authorization, accountSid);
    if (!auth) return error(401, 20003, 'Authenticate');
    rec.auth = auth;
    const account = this.accounts.get(accountSid)!;

    if (rest === '.json' && req.method === 'GET') return send(200, accountResource(account));
    if (rest === '/IncomingPhoneNumbers.json' && req.method === 'GET') {
      const filter = url.searchParams.get('PhoneNumber');
      const list = [...this.numbers.values()].filter((n) => n.account_sid === accountSid && (!filter || n.phone_number === filter));
      return send(200, page(`/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`, 'incoming_phone_numbers', list, Number(url.searchParams.get('PageSize') ?? 50)));
    }
    const pn = /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(rest);
    if (pn) {
      const n = this.numbers.get(pn[1]!);
      if (!n || n.account_sid !== accountSid) return notFound();
      if (req.method === 'GET') return send(200, n);
      if (req.method === 'POST') {
        if (form.VoiceUrl !== undefined) n.voice_url = form.VoiceUrl;
        if (form.VoiceMethod !== undefined) n.voice_method = form.VoiceMethod;
        if (form.VoiceApplicationSid !== undefined) n.voice_application_sid = form.VoiceApplicationSid === '' ? null : form.VoiceApplicationSid;
        n.date_updated = rfc2822();
        return send(200, n);
      }
    }
    if (rest === '/Calls.json' && req.method === 'POST') {
      if (!/^\+[1-9]\d{6,14}$/.test(form.To ?? '')) return error(400, 21211, `Invalid 'To' Phone Number: ${form.To ?? ''}`);
      if (![...this.numbers.values()].some((n) => n.account_sid === accountSid && n.phone_number === form.From)) {
        return error(400, 21210, `The source phone number provided, ${form.From ?? ''}, is not yet verified for your account.`);
      }
      if (!form.Url && !form.Twiml) return error(400, 21205, 'Url parameter is required.');
      const call: FakeCall = {
        sid: `CA${hex(16)}`,
        accountSid,
        to: form.To!,
        from: form.From!,
        ...(form.Url ? { url: form.Url } : {}),
        ...(form.Twiml ? { twiml: form.Twiml } : {}),
        statuses: [...this.statuses],
        step: 0,
      };
      this.calls.set(call.sid, call);
      return send(201, callResource(call));
    }
    const ca = /^\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(rest);
    if (ca && req.method === 'GET') {
      const call = this.calls.get(ca[1]!);
      if (!call || call.accountSid !== accountSid) return notFound();
      call.step = Math.min(call.step + 1, call.statuses.length - 1);
      if (call.statuses[call.step] === 'in-progress' && call.url && !call.webhook) await this.fetchWebhook(call, account);
      return send(200, callResource(call));
    }
    return notFound();
  }

  private authenticate(header: string | undefined, accountSid: string): 'account' | 'api-key' | undefined {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
    if (!m) return undefined;
    const text = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = text.indexOf(':');
    const [user, pass] = [text.slice(0, i), text.slice(i + 1)];
    const account = this.accounts.get(accountSid);
    if (!account) return undefined;
    if (user === accountSid && pass === account.authToken) return 'account';
    if (user.startsWith('SK') && account.apiKeys?.[user] !== undefined && account.apiKeys[user] === pass) return 'api-key';
    return undefined;
  }

  /** Request the call's Url as Twilio does once the callee answers: POST, form fields, signed. */
  private async fetchWebhook(call: FakeCall, account: FakeAccount): Promise<void> {
    const params = { AccountSid: call.accountSid, ApiVersion: '2010-04-01', CallSid: call.sid, CallStatus: 'in-progress', Direction: 'outbound-api', From: call.from, To: call.to };
    const target = new URL(this.rewriteWebhook(call.url!));
    const body = formBody(params);
    call.webhook = await new Promise((resolve) => {
      const r = request(
        {
          host: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: 'POST',
          headers: {
            host: new URL(call.url!).host,
            'x-forwarded-proto': 'https',
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
            'x-twilio-signature': twilioSignature(account.authToken, call.url!, params),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      r.on('error', (err) => resolve({ status: 0, body: String(err) }));
      r.end(body);
    });
  }
}

function page(uri: string, key: string, items: unknown[], pageSize: number): Record<string, unknown> {
  return {
    first_page_uri: `${uri}?PageSize=${pageSize}&Page=0`,
    end: Math.max(items.length - 1, 0),
    previous_page_uri: null,
    [key]: items,
    uri: `${uri}?PageSize=${pageSize}&Page=0`,
    page_size: pageSize,
    start: 0,
    next_page_uri: null,
    page: 0,
  };
}

function accountResource(a: FakeAccount): Record<string, unknown> {
  return {
    auth_token: a.authToken, // the real resource carries it: voicectl must never print it
    date_created: rfc2822(new Date('2024-01-02T03:04:05Z')),
    date_updated: rfc2822(new Date('2024-01-02T03:04:05Z')),
    friendly_name: a.friendlyName ?? 'My first Twilio account',
    owner_account_sid: a.sid,
    sid: a.sid,
    status: 'active',
    subresource_uris: { calls: `/2010-04-01/Accounts/${a.sid}/Calls.json`, incoming_phone_numbers: `/2010-04-01/Accounts/${a.sid}/IncomingPhoneNumbers.json` },
    type: a.type ?? 'Full',
    uri: `/2010-04-01/Accounts/${a.sid}.json`,
  };
}

function numberResource(accountSid: string, sid: string, n: NonNullable<FakeAccount['numbers']>[number]): Record<string, unknown> {
  return {
    account_sid: accountSid,
    address_requirements: 'none',
    address_sid: null,
    api_version: '2010-04-01',
    beta: false,
    capabilities: { voice: true, sms: true, mms: true, fax: false },
    date_created: rfc2822(new Date('2024-01-02T03:04:05Z')),
    date_updated: rfc2822(new Date('2024-01-02T03:04:05Z')),
    emergency_status: 'Inactive',
    friendly_name: n.phoneNumber.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3'),
    identity_sid: null,
    origin: 'twilio',
    phone_number: n.phoneNumber,
    sid,
    sms_application_sid: '',
    sms_method: 'POST',
    sms_url: '',
    status_callback: '',
    status_callback_method: 'POST',
    trunk_sid: n.trunkSid ?? null,
    uri: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${sid}.json`,
    voice_application_sid: n.voiceApplicationSid ?? null,
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: 'POST',
    voice_url: n.voiceUrl ?? 'https://demo.twilio.com/welcome/voice/',
    voice_receive_mode: 'voice',
    status: 'in-use',
    bundle_sid: null,
    subresource_uris: { assigned_add_ons: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${sid}/AssignedAddOns.json` },
  };
}

function callResource(c: FakeCall): Record<string, unknown> {
  const status = c.statuses[c.step]!;
  return {
    account_sid: c.accountSid,
    answered_by: null,
    api_version: '2010-04-01',
    caller_name: null,
    date_created: rfc2822(),
    date_updated: rfc2822(),
    direction: 'outbound-api',
    duration: status === 'completed' ? '12' : null,
    end_time: status === 'completed' ? rfc2822() : null,
    forwarded_from: null,
    from: c.from,
    from_formatted: c.from,
    group_sid: null,
    parent_call_sid: null,
    phone_number_sid: null,
    price: null,
    price_unit: 'USD',
    sid: c.sid,
    start_time: status === 'queued' || status === 'ringing' ? null : rfc2822(),
    status,
    subresource_uris: { notifications: `/2010-04-01/Accounts/${c.accountSid}/Calls/${c.sid}/Notifications.json` },
    to: c.to,
    to_formatted: c.to,
    trunk_sid: null,
    uri: `/2010-04-01/Accounts/${c.accountSid}/Calls/${c.sid}.json`,
    queue_time: '0',
  };
}
