/**
 * The real @azure/arm-communication SDK against the loopback ARM fake: the create runs
 * through checkNameAvailability, PUT and Azure-AsyncOperation polling; failures map to codes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAcsService, type AcsServiceOptions } from '../../src/acs/service.js';
import { startFakeArm, type FakeArm } from '../helpers/fake-arm.js';
import { testCert, type TestCert } from '../helpers/tls.js';

// The Azure pipeline honours HTTPS_PROXY even for loopback; keep these requests direct.
vi.stubEnv('NO_PROXY', '127.0.0.1,localhost');

const SUB = '11111111-2222-4333-8444-555555555555';
let cert: TestCert;
let fake: FakeArm;
let failing: FakeArm;

const credentialFor = (token: string) => ({
  getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
});
const opts = (f: FakeArm, token = f.token): AcsServiceOptions => ({
  subscriptionId: SUB,
  endpoint: f.endpoint,
  credential: credentialFor(token),
  tlsCa: cert.cert,
});

beforeAll(async () => {
  cert = await testCert();
  fake = await startFakeArm(cert, { subscriptionId: SUB, resourceGroups: ['rg-voice'], takenNames: ['contoso-acs'] });
  failing = await startFakeArm(cert, {
    subscriptionId: SUB,
    resourceGroups: ['rg-voice'],
    failCreateWith: { code: 'QuotaExceeded', message: 'Subscription quota exceeded' },
  });
});
afterAll(async () => {
  await fake.close();
  await failing.close();
});

describe('ACS resource through ARM (fake)', () => {
  it('checks the name, creates via the long-running operation, shows and lists keys', async () => {
    const svc = openAcsService(opts(fake));
    const steps: string[] = [];
    const info = await svc.create({ name: 'voicectl-acs', resourceGroup: 'rg-voice' }, { onStep: (s) => steps.push(s) });
    expect(info).toMatchObject({
      name: 'voicectl-acs',
      resourceGroup: 'rg-voice',
      subscriptionId: SUB,
      location: 'global',
      dataLocation: 'United States',
      hostName: 'voicectl-acs.unitedstates.communication.azure.com',
      endpoint: 'https://voicectl-acs.unitedstates.communication.azure.com/',
      provisioningState: 'Succeeded',
    });
    expect(info.immutableResourceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(steps[0]).toContain('Checking that the name "voicectl-acs" is available');
    const methods = fake.requests.map((r) => `${r.method} ${r.url.split('?')[0]!.split('/').slice(-2).join('/')}`);
    expect(methods).toEqual([
      'POST Microsoft.Communication/checkNameAvailability',
      'PUT communicationServices/voicectl-acs',
      expect.stringMatching(/^GET operationStatuses\//),
      expect.stringMatching(/^GET operationStatuses\//),
      'GET communicationServices/voicectl-acs',
    ]);
    const put = fake.requests.find((r) => r.method === 'PUT')!;
    expect(JSON.parse(put.body)).toEqual({ location: 'global', properties: { dataLocation: 'United States' } });

    await expect(svc.show('rg-voice', 'voicectl-acs')).resolves.toMatchObject({ provisioningState: 'Succeeded' });
    const keys = await svc.keys('rg-voice', 'voicectl-acs');
    expect(keys).toEqual(fake.keys.get('rg-voice/voicectl-acs'));
    expect(keys.primaryConnectionString).toMatch(/^endpoint=https:\/\/voicectl-acs\.unitedstates\.communication\.azure\.com\/;accesskey=/);
  });

  it('a taken name stops before the PUT', async () => {
    const before = fake.requests.length;
    await expect(openAcsService(opts(fake)).create({ name: 'contoso-acs', resourceGroup: 'rg-voice' })).rejects.toMatchObject({
      code: 'VOICECTL_ACS_NAME_TAKEN',
      exitCode: 1,
      // ARM's own "The name contoso-acs is already taken." would say it twice
      message: 'The name "contoso-acs" is already taken.',
    });
    expect(fake.requests.slice(before).map((r) => r.method)).toEqual(['POST']);
  });

  it('an invalid name is a usage error', async () => {
    await expect(openAcsService(opts(fake)).create({ name: '9bad_name', resourceGroup: 'rg-voice' })).rejects.toMatchObject({
      code: 'VOICECTL_ACS_NAME_INVALID',
      exitCode: 2,
    });
  });

  it('a missing resource group is named', async () => {
    await expect(openAcsService(opts(fake)).create({ name: 'new-acs', resourceGroup: 'rg-nope' })).rejects.toMatchObject({
      code: 'VOICECTL_ARM_NOT_FOUND',
      message: expect.stringContaining("Resource group 'rg-nope' could not be found."),
      hint: expect.stringContaining('az group create'),
    });
  });

  it('a rejected token is a sign-in problem', async () => {
    await expect(openAcsService(opts(fake, 'stale-token')).show('rg-voice', 'voicectl-acs')).rejects.toMatchObject({
      code: 'VOICECTL_AZURE_LOGIN',
      message: expect.stringContaining('401 InvalidAuthenticationToken'),
    });
  });

  it('a failed provisioning (quota) carries the operation error', async () => {
    await expect(openAcsService(opts(failing)).create({ name: 'quota-acs', resourceGroup: 'rg-voice' })).rejects.toMatchObject({
      code: 'VOICECTL_ACS_PROVISIONING_FAILED',
      message: expect.stringContaining('Subscription quota exceeded'),
      hint: expect.stringContaining('quota'),
    });
  });

  it('show of an unknown resource is not found', async () => {
    await expect(openAcsService(opts(fake)).show('rg-voice', 'nope')).rejects.toMatchObject({ code: 'VOICECTL_ARM_NOT_FOUND' });
  });

  it('an interrupted create is a CancelledError (exit 130)', async () => {
    const ac = new AbortController();
    const slow = await startFakeArm(cert, { subscriptionId: SUB, resourceGroups: ['rg-voice'], runningPolls: 100 });
    const p = openAcsService({ ...opts(slow), pollIntervalMs: 20 }).create(
      { name: 'slow-acs', resourceGroup: 'rg-voice' },
      { signal: ac.signal, onStep: (s) => (s.startsWith('Creating') ? setTimeout(() => ac.abort(), 50) : undefined) },
    );
    await expect(p).rejects.toMatchObject({ code: 'VOICECTL_INTERRUPTED', exitCode: 130 });
    await slow.close();
  });
});
