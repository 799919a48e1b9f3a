/**
 * `POST /twilio/voice` and the `/ws/twilio` upgrade check over a real loopback HTTP server, with
 * requests signed as Twilio signs them (test/helpers/twilio-signer.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { STREAM_TOKEN_PARAMETER } from '../../src/twilio/signature.js';
import { twilioRoutes, type TwilioRoutes, type TwilioRoutesOptions } from '../../src/twilio/webhook.js';
import { startMiniBridge, type MiniBridge } from '../helpers/fake-call-automation.js';
import { openSignedStream, postSignedWebhook, twilioSignature } from '../helpers/twilio-signer.js';

const TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const HOST = 'bridge.example.test';
const CALL = `CA${'1'.repeat(32)}`;
const PARAMS = { AccountSid: `AC${'2'.repeat(32)}`, CallSid: CALL, From: '+14155550100', To: '+14155550199', CallStatus: 'ringing', Direction: 'inbound' };
const NOW = 1_800_000_000_000;

let bridge: MiniBridge | undefined;
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
});

async function start(extra: Partial<TwilioRoutesOptions> = {}): Promise<{ tw: TwilioRoutes; events: Array<[string, Record<string, unknown>]>; logs: string[] }> {
  const events: Array<[string, Record<string, unknown>]> = [];
  const logs: string[] = [];
  const tw = twilioRoutes({
    authToken: TOKEN,
    publicHost: { callbackUriHost: `https://${HOST}` },
    now: () => NOW,
    onEvent: (t, d) => events.push([t, d]),
    log: (l) => logs.push(l),
    ...extra,
  });
  bridge = await startMiniBridge({
    routes: tw.routes,
    mediaPath: '/ws/twilio',
    authorizeMediaUpgrade: async (req) => {
      const d = tw.checkUpgrade(req);
      return d.ok ? { ok: true } : d;
    },
  });
  return { tw, events, logs };
}

const post = (o: Partial<Parameters<typeof postSignedWebhook>[0]> = {}) =>
  postSignedWebhook({ port: bridge!.port, publicUrl: `https://${HOST}/twilio/voice`, authToken: TOKEN, params: PARAMS, ...o });

function upgrade(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', reject);
  });
}

describe('POST /twilio/voice', () => {
  it('answers a signed webhook with TwiML connecting the call to wss://<host>/ws/twilio and a stream token for its CallSid', async () => {
    const { tw, events } = await start({ greeting: 'Hello & welcome' });
    const r = await post();
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/xml; charset=utf-8');
    const m = /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Say>Hello &amp; welcome<\/Say><Connect><Stream url="wss:\/\/bridge\.example\.test\/ws\/twilio"><Parameter name="voicectlStreamToken" value="(v1\.\d+\.[A-Za-z0-9_-]{43})"\/><\/Stream><\/Connect><\/Response>$/.exec(r.body);
    expect(m).not.toBeNull();
    // the token is valid for this call (the media leg's check), and for no other
    expect(tw.verifyStart({ [STREAM_TOKEN_PARAMETER]: m![1] }, CALL).ok).toBe(true);
    expect(tw.verifyStart({ [STREAM_TOKEN_PARAMETER]: m![1] }, `CA${'9'.repeat(32)}`).ok).toBe(false);
    expect(events).toEqual([['twilio.webhook', { callSid: CALL, from: '+14155550100', to: '+14155550199', direction: 'inbound', callStatus: 'ringing' }]]);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it.each([
    ['no signature', { signature: null }, 'no X-Twilio-Signature header'],
    ['a signature made with another auth token', { signature: twilioSignature('0000feedf00dfeedf00dfeedf00d0000', `https://${HOST}/twilio/voice`, PARAMS) }, 'does not match'],
    ['a changed parameter', { sendParams: { ...PARAMS, To: '+19005550100' } }, 'does not match'],
    ['an added parameter', { sendParams: { ...PARAMS, Extra: 'x' } }, 'does not match'],
    ['a query added to the URL', { publicUrl: `https://${HOST}/twilio/voice?x=1`, signature: twilioSignature(TOKEN, `https://${HOST}/twilio/voice`, PARAMS) }, 'does not match'],
  ])('refuses %s with 403 and no TwiML', async (_what, change, reason) => {
    const { events } = await start();
    const r = await post(change);
    expect(r.status).toBe(403);
    expect(r.body).toBe('Forbidden\n');
    expect(events).toHaveLength(1);
    expect(events[0]![0]).toBe('twilio.webhook.refused');
    expect(String(events[0]![1].reason)).toContain(reason);
  });

  it('says which host Twilio signed for when the configured one differs', async () => {
    const { events } = await start({ publicHost: { twilioPublicHost: 'https://old.example.test' } });
    const r = await post();
    expect(r.status).toBe(403);
    expect(events[0]![1].reason).toBe(
      `signed for https://${HOST}/twilio/voice, but TWILIO_PUBLIC_HOST names old.example.test: update TWILIO_PUBLIC_HOST or point the number at it (voicectl twilio number configure)`,
    );
  });

  it('refuses a JSON body (415) and an oversized body (413)', async () => {
    await start({ maxBodyBytes: 100 });
    expect((await post({ headers: { 'content-type': 'application/json' } })).status).toBe(415);
    expect((await post({ params: { ...PARAMS, Big: 'x'.repeat(200) } })).status).toBe(413);
  });

  it('without a configured host, checks against the request Host + X-Forwarded-Proto and then accepts upgrades for that host only', async () => {
    const { tw, logs } = await start({ publicHost: {} });
    expect(tw.notice).toContain('neither TWILIO_PUBLIC_HOST nor CALLBACK_URI_HOST is set');
    // before any signed webhook, no host is trusted for upgrades
    expect(await upgrade(openSignedStream({ port: bridge!.port, wssUrl: `wss://${HOST}/ws/twilio`, authToken: TOKEN }))).toBe(403);
    const r = await post();
    expect(r.status).toBe(200);
    expect(r.body).toContain(`<Stream url="wss://${HOST}/ws/twilio">`);
    expect(tw.streamHosts()).toEqual([HOST]);
    expect(await upgrade(openSignedStream({ port: bridge!.port, wssUrl: `wss://${HOST}/ws/twilio`, authToken: TOKEN }))).toBe(101);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('without TWILIO_AUTH_TOKEN mounts nothing and says what to set', async () => {
    const tw = twilioRoutes({ authToken: '', publicHost: { callbackUriHost: HOST } });
    expect(tw.enabled).toBe(false);
    expect(tw.routes).toEqual([]);
    expect(tw.notice).toBe('twilio: TWILIO_AUTH_TOKEN is not set, so /twilio/voice and /ws/twilio are not served (404); set it (Twilio Console > Account info) to take Twilio calls.');
    bridge = await startMiniBridge({ routes: tw.routes, mediaPath: null });
    expect((await post()).status).toBe(404);
  });
});

describe('the /ws/twilio upgrade check', () => {
  it('accepts an upgrade signed over wss://<configured host>/ws/twilio, whatever the Host header', async () => {
    await start();
    expect(await upgrade(openSignedStream({ port: bridge!.port, wssUrl: `wss://${HOST}/ws/twilio`, authToken: TOKEN }))).toBe(101);
  });

  it.each([
    ['unsigned', { signature: null }],
    ['signed with another auth token', { signature: twilioSignature('0000feedf00dfeedf00dfeedf00d0000', `wss://${HOST}/ws/twilio`) }],
    ['signed over the https:// form', { signature: twilioSignature(TOKEN, `https://${HOST}/ws/twilio`) }],
    ['signed for the host the attacker sends as Host', { wssUrl: 'wss://attacker.example.test/ws/twilio' }],
  ])('refuses an upgrade %s with 403', async (_what, change) => {
    await start();
    const status = await upgrade(openSignedStream({ port: bridge!.port, wssUrl: `wss://${HOST}/ws/twilio`, authToken: TOKEN, ...change }));
    expect(status).toBe(403);
    expect(bridge!.refused).toHaveLength(1);
  });
});
