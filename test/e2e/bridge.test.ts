// The built CLI as a user runs it: `voicectl bridge` in its own process, real signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAcs, samplesOf, waitFor } from '../helpers/acs-media-client.js';
import { startFakeRealtime, type FakeRealtime } from '../helpers/fake-realtime.js';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/voicectl.js');
const cwd = mkdtempSync(path.join(tmpdir(), 'voicectl-bridge-e2e-'));
let child: ChildProcess | undefined;
let fake: FakeRealtime | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await fake?.close();
  child = undefined;
  fake = undefined;
});

function spawnBridge(args: string[], env: Record<string, string> = {}) {
  const p = spawn(process.execPath, [bin, 'bridge', '--listen', '0', '--host', '127.0.0.1', '--json', '--drain-timeout', '0', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  child = p;
  const out = { stdout: '', stderr: '' };
  p.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  const events = () => out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  return { p, out, exited, events };
}

/** Speech-like test audio: a 140 Hz voice with harmonics and a 4 Hz syllable envelope, 20 ms frames. */
function speechLikeFrames(rate: number, seconds: number): string[] {
  const n = rate / 50;
  const frames: string[] = [];
  for (let f = 0; f < seconds * 50; f++) {
    const b = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) {
      const t = (f * n + i) / rate;
      const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
      let x = 0;
      for (let h = 1; h <= 8; h++) x += Math.sin(2 * Math.PI * 140 * h * t + h) / h;
      b.writeInt16LE(Math.round(6000 * env * x), i * 2);
    }
    frames.push(b.toString('base64'));
  }
  return frames;
}

describe('voicectl bridge (built CLI)', () => {
  it.each([16000, 24000] as const)('echo mode with no configuration returns the caller’s %i Hz audio unchanged; SIGTERM exits 0', async (rate) => {
    const b = spawnBridge([]);
    await waitFor(() => b.out.stdout.includes('bridge.listening'), 'bridge.listening', 10_000);
    const listening = b.events()[0]!;
    expect(b.out.stderr).toContain('Echo mode');
    const acs = await connectAcs(listening.mediaUrl as string);
    const frames = speechLikeFrames(rate, 2);
    acs.sendMetadata(rate);
    for (const f of frames) acs.sendAudio(f);
    await waitFor(() => acs.audio().length === frames.length, 'all frames back');
    expect(samplesOf(acs.audio())).toEqual(samplesOf(frames));
    b.p.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect((await acs.closed).code).toBe(1001);
    expect(b.events().map((e) => e.type)).toEqual(['bridge.listening', 'call.started', 'call.format', 'call.ended', 'bridge.stopped']);
  });

  it('SIGTERM exits 0 even when a caller never answers the close handshake (the drain terminates it)', async () => {
    const b = spawnBridge(['--upstream', 'echo']);
    await waitFor(() => b.out.stdout.includes('bridge.listening'), 'bridge.listening', 10_000);
    const port = b.events()[0]!.port as number;
    const raw = connect(port, '127.0.0.1');
    let reply = '';
    raw.on('data', (d) => (reply += d.toString('latin1')));
    raw.write(
      'GET /ws/media HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await waitFor(() => reply.startsWith('HTTP/1.1 101') && b.out.stdout.includes('call.started'), 'a deaf call');
    b.p.kill('SIGTERM'); // the raw socket never sends its close frame back
    expect(await b.exited).toBe(0);
    expect(b.events().at(-1)).toMatchObject({ type: 'bridge.stopped', totalCalls: 1 });
    raw.destroy();
  });

  it('relays to a GA Realtime server configured through the environment', async () => {
    fake = await startFakeRealtime({ protocol: 'ga', apiKey: 'e2e-key-0000000' });
    const b = spawnBridge([], { AZURE_OPENAI_ENDPOINT: fake.endpoint, AZURE_OPENAI_DEPLOYMENT: 'gpt-realtime', AZURE_OPENAI_API_KEY: 'e2e-key-0000000' });
    await waitFor(() => b.out.stdout.includes('bridge.listening'), 'bridge.listening', 10_000);
    const acs = await connectAcs(b.events()[0]!.mediaUrl as string);
    const frames = speechLikeFrames(24000, 1);
    acs.sendMetadata(24000);
    for (const f of frames) acs.sendAudio(f);
    await waitFor(() => acs.audio().length === frames.length, 'model audio');
    expect(acs.audio()).toEqual(frames);
    expect(fake.last().configured).toBe(true);
    b.p.kill('SIGINT');
    expect(await b.exited).toBe(0);
    expect(b.out.stdout + b.out.stderr).not.toContain('e2e-key-0000000');
  });
});
