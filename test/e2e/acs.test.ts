/**
 * `voicectl acs create|show|keys` from the built CLI against the ARM fake. Sign-in is the
 * shipped DefaultAzureCredential, limited to AzureCliCredential with AZURE_TOKEN_CREDENTIALS
 * and served by a fake `az` on PATH; the test CA is trusted via NODE_EXTRA_CA_CERTS.
 * Run `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeArm, writeFakeAz, type FakeArm } from '../helpers/fake-arm.js';
import { testCert, type TestCert } from '../helpers/tls.js';

const run = promisify(execFile);
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/voicectl.js');
const SUB = '11111111-2222-4333-8444-555555555555';
let cert: TestCert;
let arm: FakeArm;
let azDir: string;
let loggedOutAz: string;

async function voicectl(args: string[], o: { cwd: string; env?: Record<string, string>; az?: string }) {
  const env = {
    PATH: `${o.az ?? azDir}:${process.env.PATH ?? ''}`,
    NODE_EXTRA_CA_CERTS: cert.caFile,
    NO_PROXY: '127.0.0.1,localhost',
    AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
    AZURE_SUBSCRIPTION_ID: SUB,
    ...o.env,
  };
  const started = Date.now();
  try {
    const argv = args.includes('--arm-endpoint') ? args : [...args, '--arm-endpoint', arm.endpoint];
    const r = await run(process.execPath, [bin, ...argv], { env, cwd: o.cwd });
    return { code: 0, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr, ms: Date.now() - started };
  }
}
const tmp = () => mkdtemp(path.join(os.tmpdir(), 'voicectl-e2e-acs-'));

beforeAll(async () => {
  cert = await testCert();
  arm = await startFakeArm(cert, { subscriptionId: SUB, resourceGroups: ['rg-voice'], takenNames: ['taken-acs'] });
  azDir = await writeFakeAz({ token: arm.token, expectResource: arm.endpoint });
  loggedOutAz = await writeFakeAz({ token: arm.token, expectResource: arm.endpoint, loggedIn: false });
});
afterAll(() => arm.close());

describe('acs against the ARM fake (built CLI)', () => {
  it('create --write-env: resource created, .env updated in place (0600), other lines kept', async () => {
    const cwd = await tmp();
    await writeFile(path.join(cwd, '.env'), '# my settings\nAOAI_VOICE=alloy\n');
    const r = await voicectl(['acs', 'create', '-n', 'voice-one', '-g', 'rg-voice', '--write-env'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created voice-one in rg-voice');
    expect(r.stdout).toContain('endpoint:      https://voice-one.unitedstates.communication.azure.com/');
    const keys = arm.keys.get('rg-voice/voice-one')!;
    const resourceId = (arm.resources.get('rg-voice/voice-one')!.properties as { immutableResourceId: string }).immutableResourceId;
    const text = await readFile(path.join(cwd, '.env'), 'utf8');
    expect(text).toBe(
      `# my settings\nAOAI_VOICE=alloy\nAZURE_COMMUNICATION_CONNECTION_STRING=${keys.primaryConnectionString}\nACS_RESOURCE_ID=${resourceId}\n`,
    );
    expect((await stat(path.join(cwd, '.env'))).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain(keys.primaryKey);
    expect(arm.requests.filter((q) => q.method === 'PUT')).toHaveLength(1);
  });

  it('create --json; show --json; keys --json', async () => {
    const cwd = await tmp();
    const c = await voicectl(['acs', 'create', '-n', 'voice-two', '-g', 'rg-voice', '--data-location', 'Europe', '--json'], { cwd });
    expect(c.code).toBe(0);
    const doc = JSON.parse(c.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ name: 'voice-two', resourceGroup: 'rg-voice', subscriptionId: SUB, dataLocation: 'Europe', provisioningState: 'Succeeded', envFile: null });

    const s = await voicectl(['acs', 'show', '-n', 'voice-two', '-g', 'rg-voice', '--json'], { cwd });
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ hostName: 'voice-two.unitedstates.communication.azure.com', immutableResourceId: doc.immutableResourceId });

    const k = await voicectl(['acs', 'keys', '-n', 'voice-two', '-g', 'rg-voice', '--json'], { cwd });
    expect(k.code).toBe(0);
    expect(JSON.parse(k.stdout)).toEqual({ name: 'voice-two', resourceGroup: 'rg-voice', ...arm.keys.get('rg-voice/voice-two') });
  });

  it('keys --write-env refuses to replace a different value without --force, then keeps a backup', async () => {
    const cwd = await tmp();
    const old = 'AZURE_COMMUNICATION_CONNECTION_STRING=endpoint=https://old.communication.azure.com/;accesskey=b2xk\n';
    await writeFile(path.join(cwd, '.env'), old);
    const refused = await voicectl(['acs', 'keys', '-n', 'voice-two', '-g', 'rg-voice', '--write-env'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already sets AZURE_COMMUNICATION_CONNECTION_STRING to another value');
    expect(await readFile(path.join(cwd, '.env'), 'utf8')).toBe(old);

    const forced = await voicectl(['acs', 'keys', '-n', 'voice-two', '-g', 'rg-voice', '--write-env', '--force', '--json'], { cwd });
    expect(forced.code).toBe(0);
    const written = JSON.parse(forced.stdout) as { envFile: { backup: string; updated: string[] } };
    expect(written.envFile.updated).toEqual(['AZURE_COMMUNICATION_CONNECTION_STRING']);
    expect(await readFile(written.envFile.backup, 'utf8')).toBe(old);
    expect((await readdir(cwd)).filter((f) => f.startsWith('.env.bak-'))).toHaveLength(1);
    expect(await readFile(path.join(cwd, '.env'), 'utf8')).toContain(arm.keys.get('rg-voice/voice-two')!.primaryConnectionString);
  });

  it('a taken name: exit 1 with the reason, nothing created', async () => {
    const puts = arm.requests.filter((q) => q.method === 'PUT').length;
    const r = await voicectl(['acs', 'create', '-n', 'taken-acs', '-g', 'rg-voice', '--json'], { cwd: await tmp() });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'VOICECTL_ACS_NAME_TAKEN' } });
    expect(arm.requests.filter((q) => q.method === 'PUT')).toHaveLength(puts);
    const human = await voicectl(['acs', 'create', '-n', 'taken-acs', '-g', 'rg-voice'], { cwd: await tmp() });
    expect(human.code).toBe(1);
    expect(`${human.stdout}${human.stderr}`.match(/already taken/g)).toHaveLength(1);
    expect(human.stderr).toContain('Error: The name "taken-acs" is already taken.\nhint: Names are global across Azure');
  });

  it('not logged in: exit 1 telling to run az login, in seconds', async () => {
    const r = await voicectl(['acs', 'show', '-n', 'voice-two', '-g', 'rg-voice'], { cwd: await tmp(), az: loggedOutAz });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: No Azure sign-in available for Azure Resource Manager: /);
    expect(r.stderr).toContain('hint: Run `az login`');
    expect(r.ms).toBeLessThan(10_000);
  });

  it('an unreachable ARM endpoint: exit 1 naming the host, in seconds', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const az = await writeFakeAz({ token: arm.token, expectResource: `https://127.0.0.1:${port}` });
    const r = await voicectl(['acs', 'keys', '-n', 'x', '-g', 'rg-voice', '--arm-endpoint', `https://127.0.0.1:${port}`], { cwd: await tmp(), az });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: Cannot connect to Azure Resource Manager at 127.0.0.1:${port} (ECONNREFUSED).`);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('no subscription: exit 2 naming the flag and the variable', async () => {
    const r = await voicectl(['acs', 'show', '-n', 'x', '-g', 'rg-voice'], { cwd: await tmp(), env: { AZURE_SUBSCRIPTION_ID: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing Azure subscription id: pass --subscription or set AZURE_SUBSCRIPTION_ID');
  });
});
