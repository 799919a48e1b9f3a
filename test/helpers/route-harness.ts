/**
 * The pieces `acs route-calls` tests share: the ARM fake with the Event Grid provider, a fake `az`
 * (AzureCliCredential via DefaultAzureCredential, stubbed into this process's environment: the
 * commands run in-process), and the real bridge (`createCallAutomation` + `startBridge`, composed as
 * `voicectl bridge` composes them) behind a TLS edge.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import { startBridge, type BridgeHandle } from '../../src/bridge/server.js';
import { createCallAutomation, type CallAutomation } from '../../src/calls/index.js';
import { freePort } from '../../src/tunnel/local-port.js';
import { startFakeArm, writeFakeAz, type FakeArm } from './fake-arm.js';
import { fakeEventGrid, type FakeEventGrid, type FakeEventGridOptions } from './fake-event-grid.js';
import { tlsFront, type TlsFront } from './tls-front.js';
import { testCert, type TestCert } from './tls.js';

export const SUB = '11111111-2222-4333-8444-555555555555';

export interface ArmWorld {
  cert: TestCert;
  arm: FakeArm;
  eg: FakeEventGrid;
  /** Connection string of the ACS resource `voice-one` in `rg-voice`. */
  connectionString: string;
  close(): Promise<void>;
}

/** Start the ARM fake (+ Event Grid) with one ACS resource, and point DefaultAzureCredential at a fake `az`. */
export async function startArmWorld(eg: Omit<FakeEventGridOptions, 'subscriptionId' | 'resourceIds'> = {}): Promise<ArmWorld> {
  const cert = await testCert();
  let arm: FakeArm | undefined;
  const grid = fakeEventGrid({
    subscriptionId: SUB,
    resourceIds: () => [...arm!.resources.values()].map((r) => String(r.id)),
    validationCa: cert.cert,
    validationTimeoutMs: 2000,
    ...eg,
  });
  arm = await startFakeArm(cert, { subscriptionId: SUB, resourceGroups: ['rg-voice'], extraRoutes: grid.routes });
  const connectionString = arm.addResource('rg-voice', 'voice-one');
  const azDir = await writeFakeAz({ token: arm.token, expectResource: arm.endpoint });
  vi.stubEnv('PATH', `${azDir}${path.delimiter}${process.env.PATH ?? ''}`);
  vi.stubEnv('AZURE_TOKEN_CREDENTIALS', 'AzureCliCredential');
  return { cert, arm, eg: grid, connectionString, close: () => arm!.close() };
}

export interface BridgeWorld {
  bridge: BridgeHandle;
  ca: CallAutomation;
  front: TlsFront;
  lines: string[];
  close(): Promise<void>;
}

/** The real bridge answering ACS (echo upstream) behind a TLS edge whose origin is CALLBACK_URI_HOST. */
export async function startBridgeWorld(cert: TestCert, connectionString: string, webhookSecret?: string): Promise<BridgeWorld> {
  const lines: string[] = [];
  let front: TlsFront | undefined;
  // The edge's origin is the public host the bridge builds its URLs from: pick the bridge's port first.
  const port = await freePort();
  front = await tlsFront(cert, port);
  const ca = await createCallAutomation({ connectionString, callbackHost: front.origin, ...(webhookSecret ? { webhookSecret } : {}), log: (l) => lines.push(l) });
  const real = await startBridge({
    port,
    host: '127.0.0.1',
    mediaPath: '/ws/media',
    maxCalls: 4,
    upstream: { kind: 'echo' },
    onEvent: () => {},
    drainTimeoutMs: 100,
    routes: ca.routes,
    healthExtras: ca.healthExtras,
  });
  return {
    bridge: real,
    ca,
    front,
    lines,
    close: async () => {
      await ca.close();
      await real.close();
      await front!.close();
    },
  };
}

/** A working directory without an env file. */
export const emptyDir = (): Promise<string> => mkdtemp(path.join(os.tmpdir(), 'voicectl-route-'));
