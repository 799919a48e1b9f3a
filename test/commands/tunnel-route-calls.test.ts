/**
 * `voicectl tunnel up --route-calls`: the real bridge behind a TLS edge gets its IncomingCall route
 * through the ARM fake; a new tunnel (the ngrok stand-in announcing a second TLS edge to the same
 * bridge) moves the subscription to its host, Event Grid's validation reaching the bridge through it.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clearRegisteredSecrets } from '../../src/core/redact.js';
import { alive } from '../helpers/process.js';
import { emptyDir, startArmWorld, startBridgeWorld, SUB, type ArmWorld, type BridgeWorld } from '../helpers/route-harness.js';
import { runVoicectl, startCli, type RunHandle } from '../helpers/run-cli.js';
import { tlsFront, type TlsFront } from '../helpers/tls-front.js';

const BIN = fileURLToPath(new URL('../fixtures/bin', import.meta.url));
let world: ArmWorld;
let b: BridgeWorld;
let edge2: TlsFront;
let cwd: string;
let dir: string;

beforeAll(async () => {
  world = await startArmWorld();
  b = await startBridgeWorld(world.cert, world.connectionString);
  edge2 = await tlsFront(world.cert, b.bridge.port);
  cwd = await emptyDir();
  dir = await mkdtemp(path.join(os.tmpdir(), 'voicectl-tunnel-route-'));
});
afterAll(async () => {
  await edge2.close();
  await b.close();
  await world.close();
  vi.unstubAllEnvs();
  clearRegisteredSecrets();
});

const settings = (): Record<string, string> => ({
  AZURE_SUBSCRIPTION_ID: SUB,
  AZURE_ARM_ENDPOINT: world.arm.endpoint,
  AZURE_COMMUNICATION_CONNECTION_STRING: world.connectionString,
  CALLBACK_URI_HOST: b.front.origin,
  NODE_EXTRA_CA_CERTS: world.cert.caFile,
  NO_PROXY: '127.0.0.1,localhost',
});

function tunnelUp(env: Record<string, string>, n: number): { h: RunHandle; pidFile: string } {
  const pidFile = path.join(dir, `pid-${n}`);
  const h = startCli(['tunnel', 'up', '--provider', 'ngrok', '--port', String(b.bridge.port), '--route-calls', '--no-probe', '--json'], {
    cwd,
    env: {
      ...env,
      PATH: `${BIN}${path.delimiter}${process.env.PATH}`,
      HOME: dir,
      NGROK_AUTHTOKEN: 'ngrok-test-token',
      FAKE_NGROK_URL: edge2.origin,
      FAKE_TUNNEL_DELAY_MS: '5',
      FAKE_TUNNEL_PIDFILE: pidFile,
    },
  });
  return { h, pidFile };
}

async function until(what: string, check: () => boolean, h: RunHandle): Promise<void> {
  for (let i = 0; i < 750; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}\nstdout: ${h.stdout.text}\nstderr: ${h.stderr.text}`);
}

describe('tunnel up --route-calls', () => {
  it('moves voicectl\'s IncomingCall subscription to the new tunnel host; Event Grid validates it through the new edge', async () => {
    const first = await runVoicectl(['acs', 'route-calls', '--phone-number', '+14255550123'], { env: settings(), cwd });
    expect(first.code).toBe(0);
    const key = 'rg-voice/voice-one-events/voicectl-incoming';
    expect(world.eg.subscriptions.get(key)!.endpointUrl).toBe(b.ca.eventGridUrl);

    const { h, pidFile } = tunnelUp(settings(), 1);
    await until('tunnel.route', () => h.stdout.text.includes('"type":"tunnel.route"'), h);
    const code = new URL(b.ca.eventGridUrl).searchParams.get('code')!;
    const route = h.stdout.events().find((e) => e.type === 'tunnel.route')!;
    const newHost = new URL(edge2.origin).host;
    expect(route).toMatchObject({ ok: true, action: 'updated', endpoint: `${edge2.origin}/api/incomingCall?code=***`, previousHost: new URL(b.front.origin).host });
    // The endpoint moved, with the bridge's own secret, and kept the number filter.
    const stored = world.eg.subscriptions.get(key)!;
    expect(stored.endpointUrl).toBe(`https://${newHost}/api/incomingCall?code=${code}`);
    expect((stored.resource.properties as any).filter.advancedFilters[0].values).toEqual(['+14255550123']);
    expect(world.eg.validations.at(-1)).toEqual({ url: stored.endpointUrl, ok: true, reason: 'answered' });
    expect(h.stdout.text + h.stderr.text).not.toContain(code);
    expect(alive(Number(await readFile(pidFile, 'utf8')))).toBe(true);
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });

  it('without ARM settings the step fails with the fix and the tunnel stays up', async () => {
    const { AZURE_SUBSCRIPTION_ID: _drop, ...rest } = settings();
    const { h, pidFile } = tunnelUp(rest, 2);
    await until('tunnel.route', () => h.stdout.text.includes('"type":"tunnel.route"'), h);
    const route = h.stdout.events().find((e) => e.type === 'tunnel.route')!;
    expect(route).toMatchObject({ ok: false, code: 'VOICECTL_MISSING_VALUE' });
    expect(String(route.message)).toContain('AZURE_SUBSCRIPTION_ID');
    expect(h.stderr.text).toContain('The tunnel stays up');
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(Number(await readFile(pidFile, 'utf8')))).toBe(true);
    expect(h.stdout.text).not.toContain('tunnel.stopped');
    h.signal('SIGTERM');
    expect(await h.done).toBe(0);
  });
});
