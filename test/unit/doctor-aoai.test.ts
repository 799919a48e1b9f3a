/**
 * The aoai check against the Realtime fake, for what the command tests do not reach:
 * Entra ID bearer tokens, the preview protocol, a token source that fails, a service that
 * hangs up before configuring the session, and an abort.
 */
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkAoai, refusalOutcome } from '../../src/doctor/aoai.js';
import { startFakeRealtime, type FakeRealtime } from '../helpers/fake-realtime.js';

let fake: FakeRealtime | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Accepts TCP connections and never answers; counts accepted and still-open sockets. */
async function silentServer() {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted += 1;
    sockets.add(s);
    s.resume(); // read (and drop) the upgrade request, so the client's FIN is seen
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: (p: string, scheme: string) => `${scheme}://127.0.0.1:${port}${p}`,
    accepted: () => accepted,
    open: () => sockets.size,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

const base = { deployment: 'gpt-realtime', session: { voice: 'verse' }, timeoutMs: 3000 } as const;

describe('checkAoai', () => {
  it('Entra ID: the bearer token is sent and the session is configured', async () => {
    fake = await startFakeRealtime({ protocol: 'ga', bearer: 'entra-token-1' });
    const outcome = await checkAoai({ ...base, endpoint: fake.endpoint, protocol: 'ga', getToken: async () => 'entra-token-1' });
    expect(outcome.status).toBe('pass');
    expect(outcome.message).toContain('voice verse');
    expect(fake.last().headers.authorization).toBe('Bearer entra-token-1');
    expect(fake.last().received[0]).toMatchObject({ type: 'session.update', session: { type: 'realtime', audio: { output: { voice: 'verse' } } } });
  });

  it('Entra ID: a refused token is a 401 with the role hint, a failing credential names az login', async () => {
    fake = await startFakeRealtime({ protocol: 'ga', bearer: 'entra-token-1' });
    const refused = await checkAoai({ ...base, endpoint: fake.endpoint, protocol: 'ga', getToken: async () => 'stale' });
    expect(refused).toMatchObject({ status: 'fail', message: expect.stringContaining('refused the Entra ID token (401)'), hint: expect.stringContaining('Cognitive Services OpenAI User') });
    const noToken = await checkAoai({
      ...base,
      endpoint: fake.endpoint,
      protocol: 'ga',
      getToken: async () => {
        throw new Error('DefaultAzureCredential failed to retrieve a token from the included credentials.\nAttempted credentials: ...');
      },
    });
    expect(noToken.status).toBe('fail');
    expect(noToken.message).toBe('No Entra ID token for Azure OpenAI: DefaultAzureCredential failed to retrieve a token from the included credentials.');
    expect(noToken.hint).toContain('az login');
  });

  it('the preview protocol gets the preview URL and flat session shape', async () => {
    fake = await startFakeRealtime({ protocol: 'preview', apiKey: 'k-1' });
    const outcome = await checkAoai({ ...base, endpoint: fake.endpoint, protocol: 'preview', apiKey: 'k-1' });
    expect(outcome).toMatchObject({ status: 'pass', message: expect.stringContaining('preview Realtime session') });
    expect(fake.last().url).toContain('/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-realtime');
    expect(fake.last().received[0]).toMatchObject({ session: { input_audio_format: 'pcm16' } });
  });

  it('GA settings sent to a preview-only service are refused: the check fails and names the protocol', async () => {
    fake = await startFakeRealtime({ protocol: 'preview', apiKey: 'k-1' });
    const outcome = await checkAoai({ ...base, endpoint: fake.endpoint, protocol: 'ga', apiKey: 'k-1' });
    expect(outcome.status).toBe('fail');
    expect(outcome.message).toMatch(/\(404\)/);
  });

  it('a service that accepts and hangs up before session.updated fails with the realtime-model hint', async () => {
    fake = await startFakeRealtime({ protocol: 'ga', apiKey: 'k-1' });
    fake.hangUpWith = 1008;
    const outcome = await checkAoai({ ...base, endpoint: fake.endpoint, protocol: 'ga', apiKey: 'k-1' });
    expect(outcome).toMatchObject({ status: 'fail', message: expect.stringContaining('closed the Realtime connection (1008 policy violation) before the session was configured') });
    expect(outcome.hint).toContain('realtime model');
  });

  it('an abort ends an attempt the server never answers, and the socket is closed', async () => {
    const silent = await silentServer();
    try {
      const abort = new AbortController();
      const pending = checkAoai({ ...base, endpoint: silent.url('/', 'http'), protocol: 'ga', apiKey: 'k-1', timeoutMs: 30_000, signal: abort.signal });
      await vi.waitFor(() => expect(silent.accepted()).toBe(1));
      abort.abort();
      const outcome = await pending;
      expect(outcome).toMatchObject({ status: 'fail', message: expect.stringContaining('no answer from 127.0.0.1') });
      await vi.waitFor(() => expect(silent.open()).toBe(0));
    } finally {
      await silent.close();
    }
  });
});

describe('refusalOutcome', () => {
  const o = { apiKey: 'k', deployment: 'gpt-realtime', protocol: 'ga' as const };
  it.each([
    [401, 'refused the API key (401)', 'KEY 1'],
    [403, 'denied access (403)', 'Networking'],
    [404, 'no Realtime deployment "gpt-realtime" (404)', 'Deployments'],
    [400, 'refused the GA Realtime request (400)', '--aoai-protocol preview'],
    [429, 'throttling', 'quota'],
    [500, 'answered the upgrade with HTTP 500', 'AZURE_OPENAI_ENDPOINT'],
  ])('%i', (status, message, hint) => {
    const r = refusalOutcome(status, '{"error":{"code":"X"}}', o, 'res.openai.azure.com');
    expect(r.status).toBe('fail');
    expect(r.message).toContain(message);
    expect(r.message).toContain('{"error":{"code":"X"}}');
    expect(r.hint).toContain(hint);
  });
});
