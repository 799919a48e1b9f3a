import { describe, expect, it } from 'vitest';
import { healthDocument } from '../../src/bridge/health.js';
import { registerSecret } from '../../src/core/redact.js';

describe('healthDocument', () => {
  it('reports calls, upstream and a redacted last error; extras cannot replace its fields', () => {
    registerSecret('k3y-V4LUE-12345');
    const doc = healthDocument({
      draining: false, version: '1.2.3', startedAt: 0, now: 61_500, active: 2, total: 7, refused: 1, maxCalls: 200,
      mediaPath: '/ws/media', tokenRequired: true,
      upstream: { kind: 'aoai', endpointHost: 'r.openai.azure.com', deployment: 'gpt-realtime', protocol: 'ga', credentials: 'api-key' },
      lastError: { message: 'refused with api-key=k3y-V4LUE-12345', time: '2026-01-01T00:00:00.000Z' },
      extras: { status: 'hijacked', acs: { callbacks: 3 } },
    });
    expect(doc).toEqual({
      status: 'ok', version: '1.2.3', uptimeSeconds: 61,
      calls: { active: 2, total: 7, refused: 1, max: 200 },
      media: { path: '/ws/media', tokenRequired: true },
      upstream: {
        kind: 'aoai', endpointHost: 'r.openai.azure.com', deployment: 'gpt-realtime', protocol: 'ga', credentials: 'api-key',
        lastError: { message: 'refused with api-key=***', time: '2026-01-01T00:00:00.000Z' },
      },
      acs: { callbacks: 3 },
    });
    expect(JSON.stringify(doc)).not.toContain('k3y-V4LUE-12345');
  });
});
