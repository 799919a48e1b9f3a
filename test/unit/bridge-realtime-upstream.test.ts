// The Realtime upstream client on its own, against the fake Realtime server.
import { afterEach, describe, expect, it } from 'vitest';
import { realtimeUrl } from '../../src/bridge/realtime-protocol.js';
import { realtimeUpstreamFactory } from '../../src/bridge/realtime-upstream.js';
import { createUpstream } from '../../src/bridge/upstream-config.js';
import type { UpstreamSink } from '../../src/bridge/upstream.js';
import { numberedFrames, waitFor } from '../helpers/acs-media-client.js';
import { startFakeRealtime, type FakeRealtime } from '../helpers/fake-realtime.js';

let fake: FakeRealtime | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function recordingSink(): UpstreamSink & { audio: string[]; errors: Array<{ message: string; fatal: boolean; code?: string }> } {
  const audio: string[] = [];
  const errors: Array<{ message: string; fatal: boolean; code?: string }> = [];
  return Object.assign(
    {
      audio: (b64: string) => void audio.push(b64),
      speechStarted() {},
      transcript() {},
      error: (e: { message: string; fatal: boolean; code?: string }) => void errors.push(e),
      reconnecting() {},
    },
    { audio, errors },
  ) as never;
}

describe('realtime upstream', () => {
  it('a session.update in the wrong protocol shape is refused by the model: fatal, with the service message', async () => {
    fake = await startFakeRealtime({ protocol: 'ga', apiKey: 'key-123456' });
    const sink = recordingSink();
    const factory = realtimeUpstreamFactory({
      url: realtimeUrl(fake.endpoint, 'gpt-realtime', 'ga'),
      protocol: 'preview', // preview shape on the GA endpoint
      session: {},
      authHeaders: async () => ({ 'api-key': 'key-123456' }),
    });
    const up = factory({ callId: 'c1', audio: 'pcm16', sink });
    await waitFor(() => sink.errors.length === 1, 'fatal error');
    expect(sink.errors[0]).toEqual({
      message: "Azure OpenAI rejected the session: Missing required parameter: 'session.type'.",
      code: 'missing_required_parameter',
      fatal: true,
    });
    expect(up.send('AAAA')).toBe(false);
  });

  it('queues audio sent before the first connection opens (bounded) and flushes it in order', async () => {
    fake = await startFakeRealtime({ protocol: 'ga', apiKey: 'key-123456', echo: false });
    const sink = recordingSink();
    const frames = numberedFrames(24000, 5);
    const up = realtimeUpstreamFactory({
      url: realtimeUrl(fake.endpoint, 'gpt-realtime', 'ga'),
      protocol: 'ga',
      session: {},
      authHeaders: async () => ({ 'api-key': 'key-123456' }),
      maxQueuedBytes: 3 * frames[0]!.length,
    })({ callId: 'c1', audio: 'pcm16', sink });
    const accepted = frames.map((f) => up.send(f));
    expect(accepted).toEqual([true, true, true, false, false]);
    await waitFor(() => fake!.sessions.length === 1 && fake!.last().appended.length === 3, 'flushed frames');
    expect(fake.last().appended).toEqual(frames.slice(0, 3));
    expect(up.counters().dropped).toBe(2);
    up.close();
  });

  it('without an API key it authenticates with an Entra ID bearer token from the injected source', async () => {
    fake = await startFakeRealtime({ protocol: 'preview', bearer: 'entra-token-abc' });
    const { factory, description } = createUpstream({
      kind: 'aoai', endpoint: fake.endpoint, deployment: 'gpt-realtime', protocol: 'preview', session: {},
      getToken: async () => 'entra-token-abc',
    });
    expect(description.credentials).toBe('entra-id');
    const sink = recordingSink();
    const up = factory({ callId: 'c1', audio: 'pcm16', sink });
    await waitFor(() => fake!.sessions.length === 1 && fake!.last().configured, 'configured session');
    expect(fake.last().headers.authorization).toBe('Bearer entra-token-abc');
    expect(fake.last().headers['api-key']).toBeUndefined();
    up.close();
  });

  it('a failing token source is fatal, naming the cause', async () => {
    const { factory } = createUpstream({
      kind: 'aoai', endpoint: 'https://r.openai.azure.com', deployment: 'd', protocol: 'ga', session: {},
      getToken: async () => Promise.reject(new Error('no credential available')),
    });
    const sink = recordingSink();
    factory({ callId: 'c1', audio: 'pcm16', sink });
    await waitFor(() => sink.errors.length === 1, 'fatal error');
    expect(sink.errors[0]).toEqual({ message: 'cannot authenticate to Azure OpenAI: no credential available', fatal: true });
  });
});

describe('cachedTokenSource (Entra ID tokens)', () => {
  it('shares one request between concurrent calls and reuses the token until 2 minutes before expiry', async () => {
    const { cachedTokenSource } = await import('../../src/bridge/upstream-config.js');
    let fetches = 0;
    let lifetimeMs = 3600_000;
    const source = cachedTokenSource(async () => ({ token: `t${++fetches}`, expiresOnTimestamp: Date.now() + lifetimeMs }));
    expect(await Promise.all([source(), source(), source()])).toEqual(['t1', 't1', 't1']);
    expect(await source()).toBe('t1');
    expect(fetches).toBe(1);
    lifetimeMs = 60_000; // the next token expires within the 2-minute margin: fetched each time
    const expiring = cachedTokenSource(async () => ({ token: `t${++fetches}`, expiresOnTimestamp: Date.now() + lifetimeMs }));
    expect([await expiring(), await expiring()]).toEqual(['t2', 't3']);
  });

  it('a null token is an error naming the fix, and the next call tries again', async () => {
    const { cachedTokenSource } = await import('../../src/bridge/upstream-config.js');
    let calls = 0;
    const source = cachedTokenSource(async () => (++calls === 1 ? null : { token: 'ok', expiresOnTimestamp: Date.now() + 3600_000 }));
    await expect(source()).rejects.toThrow('no Entra ID token (sign in with `az login`, or set AZURE_OPENAI_API_KEY)');
    expect(await source()).toBe('ok');
  });
});

describe('realtime upstream, bad input never crashes the process', () => {
  it('an API key that is not a valid header value fails the call with a reason', async () => {
    const { factory } = createUpstream({
      kind: 'aoai', endpoint: 'http://127.0.0.1:9', deployment: 'd', protocol: 'ga', session: {}, apiKey: 'bad\nkey',
    });
    const sink = recordingSink();
    factory({ callId: 'c1', audio: 'pcm16', sink });
    await waitFor(() => sink.errors.length === 1, 'fatal error');
    expect(sink.errors[0]).toMatchObject({ fatal: true, message: expect.stringContaining('cannot open the Realtime WebSocket') });
  });
});
