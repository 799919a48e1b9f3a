// A rolling restart as Kubernetes does it: the built CLI in its own process, a real SIGTERM
// while calls are up. Readiness turns 503 at once, new media sockets get 1013, active calls keep
// relaying until they end on their own (or the drain timeout closes them with 1001), exit 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAcs, numberedFrames, waitFor } from '../helpers/acs-media-client.js';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/voicectl.js');
const cwd = mkdtempSync(path.join(tmpdir(), 'voicectl-drain-e2e-'));
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

function spawnBridge(args: string[]) {
  const p = spawn(process.execPath, [bin, 'bridge', '--listen', '0', '--host', '127.0.0.1', '--json', '--upstream', 'echo', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '' },
  });
  child = p;
  const out = { stdout: '', stderr: '' };
  p.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  const events = () => out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  return { p, out, exited, events };
}

const ready = async (base: string): Promise<{ status: number; body: Record<string, any> }> => {
  const res = await fetch(`${base}/api/ready`);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe('voicectl bridge: drain on SIGTERM (built CLI)', () => {
  it('active calls keep relaying until they end on their own; new ones get 1013; /api/ready is 503; exit 0 when the last one ends', async () => {
    const b = spawnBridge(['--drain-timeout', '30']);
    await waitFor(() => b.out.stdout.includes('bridge.listening'), 'bridge.listening', 10_000);
    const listening = b.events()[0]!;
    const base = (listening.healthUrl as string).replace('/api/health', '');
    expect(await ready(base)).toEqual({ status: 200, body: { ready: true } });
    const calls = await Promise.all([connectAcs(listening.mediaUrl as string), connectAcs(listening.mediaUrl as string)]);
    for (const c of calls) c.sendMetadata(24000);
    const frames = numberedFrames(24000, 20);
    calls[0]!.sendAudio(frames[0]!);
    await waitFor(() => calls[0]!.audio().length === 1, 'first frame echoed');
    b.p.kill('SIGTERM');
    await waitFor(() => b.out.stderr.includes('draining'), 'draining notice');
    expect((await ready(base)).body).toMatchObject({ ready: false, reason: 'draining' });
    const late = await connectAcs(listening.mediaUrl as string);
    expect((await late.closed).code).toBe(1013);
    for (const f of frames.slice(1, 10)) calls[0]!.sendAudio(f); // still relayed during the drain
    await waitFor(() => calls[0]!.audio().length === 10, 'frames relayed while draining');
    expect(calls[0]!.audio()).toEqual(frames.slice(0, 10));
    calls[0]!.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(b.p.exitCode).toBeNull(); // one call is still up: the bridge waits
    calls[1]!.close();
    expect(await b.exited).toBe(0);
    const types = b.events().map((e) => e.type);
    expect(types.filter((t) => t === 'call.started')).toHaveLength(2); // the 1013 one was never a call
    expect(types).toContain('bridge.draining');
    const endCodes = b.events().filter((e) => e.type === 'call.ended').map((e) => e.closeCode);
    expect(endCodes).toHaveLength(2);
    expect(endCodes).not.toContain(1001); // both ended on their own
    expect(types.at(-1)).toBe('bridge.stopped');
  });

  it('with a short --drain-timeout the calls still up are closed with 1001 at the timeout; a second signal ends the drain at once', async () => {
    const b = spawnBridge(['--drain-timeout', '1']);
    await waitFor(() => b.out.stdout.includes('bridge.listening'), 'bridge.listening', 10_000);
    const acs = await connectAcs(b.events()[0]!.mediaUrl as string);
    acs.sendMetadata(24000);
    const t0 = Date.now();
    b.p.kill('SIGTERM');
    expect((await acs.closed).code).toBe(1001);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(await b.exited).toBe(0);

    const c = spawnBridge(['--drain-timeout', '60']);
    await waitFor(() => c.out.stdout.includes('bridge.listening'), 'bridge.listening', 10_000);
    const acs2 = await connectAcs(c.events()[0]!.mediaUrl as string);
    acs2.sendMetadata(24000);
    c.p.kill('SIGTERM');
    await waitFor(() => c.out.stderr.includes('draining'), 'draining notice');
    const t1 = Date.now();
    c.p.kill('SIGTERM');
    expect((await acs2.closed).code).toBe(1001);
    expect(await c.exited).toBe(0);
    expect(Date.now() - t1).toBeLessThan(5000);
  });
});
