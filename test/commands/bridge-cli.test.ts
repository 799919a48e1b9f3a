// `voicectl bridge` in-process through the CLI: options, notices, NDJSON, signals, config errors.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAcs, numberedFrames, waitFor } from '../helpers/acs-media-client.js';
import { startFakeRealtime } from '../helpers/fake-realtime.js';
import { runVoicectl, startCli, type RunHandle } from '../helpers/run-cli.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'voicectl-bridge-'));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function start(argv: string[], env: Record<string, string> = {}): RunHandle {
  const h = startCli(['bridge', '--listen', '0', '--host', '127.0.0.1', '--drain-timeout', '0', ...argv], { env, cwd });
  cleanups.push(async () => {
    if (h.signalHandlers() > 0) h.signal('SIGTERM');
    await h.done;
  });
  return h;
}

async function listening(h: RunHandle): Promise<{ port: number; mediaUrl: string }> {
  await waitFor(() => h.stdout.text.includes('bridge.listening'), 'bridge.listening event');
  const ev = h.stdout.events().find((e) => e.type === 'bridge.listening')!;
  return { port: ev.port as number, mediaUrl: ev.mediaUrl as string };
}

describe('voicectl bridge', () => {
  it('with no configuration: echo mode announced on stderr, open-socket notice, human log lines, SIGTERM exits 0', async () => {
    const h = start([]);
    await waitFor(() => h.stderr.text.includes('bridge listening on'), 'listening line');
    expect(h.stderr.text).toContain('Echo mode: no AZURE_OPENAI_ENDPOINT is configured');
    expect(h.stderr.text).toContain('are open to anyone who finds their URL');
    expect(h.stderr.text).not.toContain('***'); // no notice mangled by the redaction of token=
    expect(h.stdout.text).toBe('');
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(h.stderr.text)![1]);
    const acs = await connectAcs(`ws://127.0.0.1:${port}/ws/media`);
    acs.sendMetadata(24000);
    acs.sendAudio(numberedFrames(24000, 1)[0]!);
    await waitFor(() => acs.audio().length === 1, 'echo');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^voicectl_bridge_calls_total\{source="acs"\} 1$/m);
    expect(metrics).toMatch(/^voicectl_bridge_calls_active\{source="acs"\} 1$/m);
    expect(metrics).toContain('process_cpu_seconds_total');
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
    expect((await acs.closed).code).toBe(1001);
    expect(h.stderr.text).toMatch(/call c1-\w+ ended after [\d.]+ s \(close 1001 bridge shutting down\): 1 frames in, 1 out/);
    expect(h.signalHandlers()).toBe(0);
  });

  it('--json: NDJSON events on stdout (bridge.listening, call.started, call.ended, bridge.stopped), notices stay on stderr', async () => {
    const h = start(['--json', '--upstream', 'echo']);
    const { mediaUrl } = await listening(h);
    expect(h.stderr.text).toContain('Echo mode (--upstream echo)');
    const acs = await connectAcs(mediaUrl);
    acs.sendMetadata(24000);
    acs.sendAudio(numberedFrames(24000, 1)[0]!);
    await waitFor(() => acs.audio().length === 1, 'echo');
    acs.close();
    await waitFor(() => h.stdout.text.includes('call.ended'), 'call.ended');
    h.signal('SIGINT');
    expect(await h.done).toBe(0);
    const events = h.stdout.events();
    expect(events.map((e) => e.type)).toEqual(['bridge.listening', 'call.started', 'call.format', 'call.ended', 'bridge.stopped']);
    for (const e of events) expect(e).toMatchObject({ version: 1, time: expect.any(String) });
    expect(events[0]).toMatchObject({ upstream: 'echo', maxCalls: 200, mediaTokenRequired: false });
    expect(events[3]).toMatchObject({ framesIn: 1, framesOut: 1, closeCode: 1000, connectionId: 'conn-1' });
  });

  it.each(['ga', 'preview'] as const)('relays to Azure OpenAI (%s) configured by environment; the key never reaches the output', async (protocol) => {
    const KEY = 'aoai-key-SECRET-42424242';
    const TOKEN = 'media-SECRET-token-5555';
    const fake = await startFakeRealtime({ protocol, apiKey: KEY, deployment: 'my-rt' });
    cleanups.push(() => fake.close());
    const h = start(['--json', '--aoai-protocol', protocol], {
      AZURE_OPENAI_ENDPOINT: fake.endpoint, AZURE_OPENAI_DEPLOYMENT: 'my-rt', AZURE_OPENAI_API_KEY: KEY,
      AOAI_VOICE: 'verse', AOAI_INSTRUCTIONS: 'Answer in one sentence.', VOICECTL_MEDIA_TOKEN: TOKEN,
    });
    const { mediaUrl } = await listening(h);
    const acs = await connectAcs(`${mediaUrl}?token=${TOKEN}`);
    const frames = numberedFrames(24000, 5);
    acs.sendMetadata(24000);
    for (const f of frames) acs.sendAudio(f);
    await waitFor(() => acs.audio().length === 5, 'model audio');
    expect(acs.audio()).toEqual(frames);
    expect(fake.last().received[0]!.session.instructions).toBe('Answer in one sentence.');
    // a model error that quotes the key: the NDJSON event carries it masked
    fake.last().ws.send(JSON.stringify({ type: 'error', error: { code: 'x', message: `bad key ${KEY}` } }));
    await waitFor(() => h.stdout.text.includes('upstream.error'), 'upstream.error event');
    expect(h.stdout.events().find((e) => e.type === 'upstream.error')).toMatchObject({ message: 'bad key ***', fatal: false });
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
    expect(h.stdout.events()[0]).toMatchObject({ upstream: 'aoai', deployment: 'my-rt', protocol, mediaTokenRequired: true });
    expect(h.stderr.text).not.toContain('open to anyone');
    for (const text of [h.stdout.text, h.stderr.text]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(TOKEN);
    }
  });

  it('AOAI_INSTRUCTIONS_FILE is read relative to the working directory', async () => {
    writeFileSync(path.join(cwd, 'instructions.txt'), 'From the file.\n');
    const fake = await startFakeRealtime({ protocol: 'ga', apiKey: 'k-12345678' });
    cleanups.push(() => fake.close());
    const h = start(['--json'], {
      AZURE_OPENAI_ENDPOINT: fake.endpoint, AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime', AZURE_OPENAI_API_KEY: 'k-12345678',
      AOAI_INSTRUCTIONS_FILE: 'instructions.txt',
    });
    const { mediaUrl } = await listening(h);
    const acs = await connectAcs(mediaUrl);
    acs.sendMetadata(24000);
    await waitFor(() => fake.sessions.length === 1 && fake.last().configured, 'configured session');
    expect(fake.last().received[0]!.session.instructions).toBe('From the file.');
  });
});

describe('voicectl bridge: errors', () => {
  it.each([
    [['--upstream', 'aoai'], {}, 'Missing Azure OpenAI endpoint for --upstream aoai: set AZURE_OPENAI_ENDPOINT'],
    [[], { AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com' }, 'Missing Realtime deployment name for --upstream aoai: set AZURE_OPENAI_DEPLOYMENT'],
    [[], { AZURE_OPENAI_ENDPOINT: 'r.openai.azure.com', AZURE_OPENAI_DEPLOYMENT: 'd', AZURE_OPENAI_API_KEY: 'k' }, 'AZURE_OPENAI_ENDPOINT is not an https:// or wss:// URL'],
    [[], { AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_DEPLOYMENT: 'd', AOAI_INSTRUCTIONS_FILE: 'nope.txt' }, 'Cannot read AOAI_INSTRUCTIONS_FILE'],
    [['--listen', 'http'], {}, "option '--listen <port>' argument 'http' is invalid. --listen must be an integer from 0 to 65535."],
    [['--max-calls', '0'], {}, '--max-calls must be an integer from 1 to 100000.'],
    [['--upstream', 'openai'], {}, "argument 'openai' is invalid. Allowed choices are aoai, echo."],
    [['--media-path', 'ws/media'], {}, 'must be a URL path starting with /'],
  ] as const)('%j %j → exit 2: %s', async (argv, env, message) => {
    const r = await runVoicectl(['bridge', '--listen', '0', ...argv], { env, cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('hint:');
  });

  it('--transcripts pointing at a file is exit 1 naming the flag; a relative directory is created under the working directory', async () => {
    writeFileSync(path.join(cwd, 'not-a-dir'), '');
    const r = await runVoicectl(['bridge', '--listen', '0', '--host', '127.0.0.1', '--transcripts', 'not-a-dir', '--json'], { cwd });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).error).toMatchObject({ code: 'VOICECTL_TRANSCRIPTS_DIR', hint: expect.stringContaining('--transcripts') });
    const h = start(['--json', '--upstream', 'echo', '--transcripts', 'tx']);
    await listening(h);
    expect(statSync(path.join(cwd, 'tx')).isDirectory()).toBe(true);
  });

  it('a port in use is exit 1 naming the port, as JSON under --json', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as { port: number }).port;
    const r = await runVoicectl(['bridge', '--listen', String(port), '--host', '127.0.0.1', '--json'], { cwd });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(doc).toEqual({
      ok: false,
      error: { code: 'VOICECTL_BRIDGE_LISTEN', message: `Cannot listen on 127.0.0.1:${port}: EADDRINUSE`, hint: expect.stringContaining('--listen') },
    });
  });
});
