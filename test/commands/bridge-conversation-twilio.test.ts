// Barge-in truncation on Twilio Media Streams: the play position comes from echoed marks (marks
// echoed because of a clear prove nothing). audio_end_ms is checked against what the fake Twilio
// really played. Through `voicectl bridge` in-process, fake Realtime answering in μ-law.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/acs-media-client.js';
import { startFakeRealtime } from '../helpers/fake-realtime.js';
import { callBridgeAsTwilio } from '../helpers/fake-twilio-media.js';
import { startCli } from '../helpers/run-cli.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'voicectl-twilio-conv-'));
const KEY = 'test-aoai-key-0123456789';
const TOKEN = 'twilio-auth-token-0123456789abcdef';
const HOST = 'bridge.example.trycloudflare.com';
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('barge-in truncation, Twilio Media Streams (mark echoes)', () => {
  it('truncates to what Twilio played (±30 ms)', async () => {
    const fake = await startFakeRealtime({ protocol: 'ga', apiKey: KEY, echo: false });
    cleanups.push(() => fake.close());
    const h = startCli(['bridge', '--listen', '0', '--host', '127.0.0.1', '--drain-timeout', '0', '--json'], {
      env: { AZURE_OPENAI_ENDPOINT: fake.endpoint, AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime', AZURE_OPENAI_API_KEY: KEY, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_PUBLIC_HOST: HOST },
      cwd,
    });
    cleanups.push(async () => {
      if (h.signalHandlers() > 0) h.signal('SIGTERM');
      await h.done;
    });
    await waitFor(() => h.stdout.text.includes('bridge.listening'), 'bridge.listening');
    const port = h.stdout.events().find((e) => e.type === 'bridge.listening')!.port as number;
    const c = await callBridgeAsTwilio({ port, publicHost: HOST, authToken: TOKEN });
    cleanups.push(() => c.ws.close());
    c.sendStart();
    await waitFor(() => fake.sessions.length === 1 && fake.last().configured, 'μ-law session');
    const { itemId } = fake.respond({ ms: 3000 });
    await new Promise((r) => setTimeout(r, 800));
    fake.userTurn();
    const s = fake.last();
    await waitFor(() => s.received.some((e) => e.type === 'conversation.item.truncate'), 'truncate');
    await new Promise((r) => setTimeout(r, 100));
    const heard = c.played().length / 8;
    const truncate = s.received.find((e) => e.type === 'conversation.item.truncate')!;
    expect(truncate).toMatchObject({ item_id: itemId, content_index: 0 });
    expect(heard).toBeGreaterThan(500);
    expect(Math.abs(truncate.audio_end_ms - heard)).toBeLessThanOrEqual(30);
    expect(s.errors).toEqual([]);
  });
});
