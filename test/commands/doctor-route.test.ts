/**
 * `voicectl doctor` (acs group) with ARM settings: the Event Grid IncomingCall route read from the
 * ARM fake is healthy when it points at CALLBACK_URI_HOST with the bridge's secret, and red with the
 * fix when the tunnel host changed, the subscription is missing, or Azure sign-in is absent.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clearRegisteredSecrets } from '../../src/core/redact.js';
import type { CheckResult } from '../../src/doctor/types.js';
import { emptyDir, startArmWorld, startBridgeWorld, SUB, type ArmWorld, type BridgeWorld } from '../helpers/route-harness.js';
import { runVoicectl } from '../helpers/run-cli.js';

let world: ArmWorld;
let b: BridgeWorld;
let cwd: string;
const settings = (extra: Record<string, string> = {}): Record<string, string> => ({
  AZURE_SUBSCRIPTION_ID: SUB,
  AZURE_ARM_ENDPOINT: world.arm.endpoint,
  AZURE_COMMUNICATION_CONNECTION_STRING: world.connectionString,
  CALLBACK_URI_HOST: b.front.origin,
  NODE_EXTRA_CA_CERTS: world.cert.caFile,
  NO_PROXY: '127.0.0.1,localhost',
  ...extra,
});

async function routeCheck(extra: Record<string, string> = {}): Promise<CheckResult> {
  const r = await runVoicectl(['doctor', '--only', 'acs', '--timeout', '8000', '--json'], { env: settings(extra), cwd });
  const checks = (JSON.parse(r.stdout) as { checks: CheckResult[] }).checks;
  const found = checks.find((c) => c.name === 'incoming-call route');
  if (!found) throw new Error(`no route check in ${r.stdout}\n${r.stderr}`);
  return found;
}

beforeAll(async () => {
  world = await startArmWorld();
  b = await startBridgeWorld(world.cert, world.connectionString);
  cwd = await emptyDir();
});
afterAll(async () => {
  await b.close();
  await world.close();
  vi.unstubAllEnvs();
  clearRegisteredSecrets();
});

describe('doctor: the IncomingCall route', () => {
  it('missing subscription: red, naming route-calls', async () => {
    const c = await routeCheck();
    expect(c).toMatchObject({ group: 'acs', status: 'fail', message: 'voice-one has no Event Grid system topic: incoming calls are not routed anywhere' });
    expect(c.hint).toContain('voicectl acs route-calls');
  });

  it('after route-calls: healthy; after the tunnel host changed: red with the fix; another secret: red', async () => {
    expect((await runVoicectl(['acs', 'route-calls'], { env: settings(), cwd })).code).toBe(0);
    const host = new URL(b.front.origin).host;
    const ok = await routeCheck();
    expect(ok).toMatchObject({ status: 'pass', message: `IncomingCall (all numbers) → ${host}/api/incomingCall (Succeeded)` });

    const stale = await routeCheck({ CALLBACK_URI_HOST: 'https://new-words-here.trycloudflare.com' });
    expect(stale).toMatchObject({
      status: 'fail',
      message: `IncomingCall goes to ${host}, but CALLBACK_URI_HOST is new-words-here.trycloudflare.com: calls ring into a stale tunnel`,
    });
    expect(stale.hint).toContain('voicectl tunnel up --write-env --route-calls');

    const rekeyed = await routeCheck({ VOICECTL_WEBHOOK_SECRET: 'another-secret-value' });
    expect(rekeyed.status).toBe('fail');
    expect(rekeyed.message).toContain("does not carry the bridge's ?code= secret");
  });

  it('not signed in to Azure: skipped with the fix, not red', async () => {
    vi.stubEnv('AZURE_TOKEN_CREDENTIALS', 'EnvironmentCredential');
    try {
      const c = await routeCheck();
      expect(c.status).toBe('skip');
      expect(c.message).toMatch(/^not checked: /);
    } finally {
      vi.stubEnv('AZURE_TOKEN_CREDENTIALS', 'AzureCliCredential');
    }
  });
});
