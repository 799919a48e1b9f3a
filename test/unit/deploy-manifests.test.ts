/**
 * The Dockerfile and deploy/kubernetes/ agree with the code: ports, probe paths, the stop signal,
 * the drain timeout and the env names come from src/bridge/defaults.ts and src/config/env.ts, so a
 * change on one side fails here until the other follows.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_BRIDGE_PORT, DEFAULT_DRAIN_TIMEOUT_S, DEFAULT_MAX_CALLS, HEALTH_PATH, METRICS_PATH, READY_PATH } from '../../src/bridge/defaults.js';
import { ENV_VARS, type EnvVarSpec } from '../../src/config/env.js';

const root = new URL('../../', import.meta.url);
const read = (p: string): Promise<string> => readFile(new URL(p, root), 'utf8');
/** A manifest file with exactly one document, parsed strictly (a duplicate key is an error). */
async function manifest(name: string): Promise<any> {
  const docs = parseAllDocuments(await read(`deploy/kubernetes/${name}`));
  expect(docs).toHaveLength(1);
  const doc = (docs as Array<{ errors: unknown[]; toJS(): unknown }>)[0]!;
  expect(doc.errors).toEqual([]);
  return doc.toJS();
}

const registered = ENV_VARS as Record<string, EnvVarSpec>;

describe('deploy/kubernetes', () => {
  it('kustomization lists every manifest of the directory, and no Secret values or Redis are bundled', async () => {
    const k = await manifest('kustomization.yaml');
    expect(k.kind).toBe('Kustomization');
    expect([...k.resources].sort()).toEqual(['configmap.yaml', 'deployment.yaml', 'hpa.yaml', 'pdb.yaml', 'service.yaml']);
    const kinds = await Promise.all(k.resources.map(async (r: string) => (await manifest(r)).kind));
    expect(kinds).not.toContain('Secret');
    expect(kinds).not.toContain('StatefulSet');
  });

  it('Deployment: port, probes, preStop and a grace period above preStop + drain timeout', async () => {
    const d = await manifest('deployment.yaml');
    const cm = await manifest('configmap.yaml');
    expect(d.kind).toBe('Deployment');
    const pod = d.spec.template.spec;
    const [c] = pod.containers;
    expect(c.ports).toEqual([{ name: 'http', containerPort: DEFAULT_BRIDGE_PORT, protocol: 'TCP' }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: READY_PATH, port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: HEALTH_PATH, port: 'http' });
    expect(d.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/port': String(DEFAULT_BRIDGE_PORT), 'prometheus.io/path': METRICS_PATH });
    const preStop = c.lifecycle.preStop.exec.command as string[];
    expect(preStop[0]).toBe('sleep');
    const preStopS = Number(preStop[1]);
    expect(preStopS).toBeGreaterThanOrEqual(3);
    expect(cm.data.VOICECTL_DRAIN_TIMEOUT).toBe(String(DEFAULT_DRAIN_TIMEOUT_S));
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(DEFAULT_DRAIN_TIMEOUT_S + preStopS);
    expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    // --max-calls and the CPU request: about 200 calls per requested core.
    const maxCalls = Number(c.args[c.args.indexOf('--max-calls') + 1]);
    expect(maxCalls).toBe(DEFAULT_MAX_CALLS);
    expect(maxCalls / Number(c.resources.requests.cpu)).toBe(200);
    expect(c.resources.limits.cpu).toBeUndefined();
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  });

  it('secrets come from the Secret by name (registered secrets), never from the ConfigMap', async () => {
    const d = await manifest('deployment.yaml');
    const cm = await manifest('configmap.yaml');
    const [c] = d.spec.template.spec.containers;
    const fromSecret = new Map<string, { name: string; key: string; optional?: boolean }>(
      c.env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef]),
    );
    for (const name of ['AZURE_OPENAI_API_KEY', 'VOICECTL_MEDIA_TOKEN', 'AZURE_COMMUNICATION_CONNECTION_STRING', 'VOICECTL_REDIS_URL', 'VOICECTL_WEBHOOK_SECRET', 'TWILIO_AUTH_TOKEN']) {
      expect(fromSecret.get(name), name).toMatchObject({ name: 'voicectl-bridge', key: name });
    }
    for (const [name, ref] of fromSecret) {
      expect(ref, `${name} must come from a secretKeyRef`).toBeDefined();
      // A registered variable referenced as a secret must be one the registry marks secret.
      if (registered[name]) expect(registered[name]!.secret, name).toBe(true);
    }
    expect(c.env.every((e: any) => e.value === undefined)).toBe(true);
    expect(c.envFrom).toEqual([{ configMapRef: { name: cm.metadata.name } }]);
    for (const name of Object.keys(cm.data)) expect(registered[name]?.secret ?? false, `${name} is a secret`).toBe(false);
  });

  it('Service, PodDisruptionBudget and HorizontalPodAutoscaler select the Deployment', async () => {
    const d = await manifest('deployment.yaml');
    const s = await manifest('service.yaml');
    const pdb = await manifest('pdb.yaml');
    const hpa = await manifest('hpa.yaml');
    const podLabels = d.spec.template.metadata.labels;
    expect(d.spec.selector.matchLabels).toEqual(s.spec.selector);
    for (const [k, v] of Object.entries(s.spec.selector)) expect(podLabels[k]).toBe(v);
    expect(s.spec.ports).toEqual([{ name: 'http', port: DEFAULT_BRIDGE_PORT, targetPort: 'http', protocol: 'TCP' }]);
    expect(s.spec.sessionAffinity).toBeUndefined();
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } } }]);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });
});

describe('Dockerfile', () => {
  /** Instructions, with `\` continuations joined and comments dropped. */
  async function instructions(): Promise<Array<{ op: string; args: string }>> {
    const text = (await read('Dockerfile')).replace(/\\\n/g, ' ');
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const [op, ...rest] = l.split(/\s+/);
        return { op: op!.toUpperCase(), args: rest.join(' ') };
      });
  }

  it('multi-stage on node:20-slim, production deps only, non-root, health check, SIGTERM, the bridge on the default port', async () => {
    const ins = await instructions();
    const of = (op: string): string[] => ins.filter((i) => i.op === op).map((i) => i.args);
    expect(of('FROM')).toEqual(['node:20-slim AS build', 'node:20-slim AS runtime']);
    const runtime = ins.slice(ins.findIndex((i) => i.args === 'node:20-slim AS runtime'));
    expect(runtime.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args))).toBe(true);
    expect(runtime.some((i) => i.op === 'COPY' && i.args.startsWith('--from=build /app/dist'))).toBe(true);
    expect(of('USER')).toEqual(['node']);
    expect(of('EXPOSE')).toEqual([String(DEFAULT_BRIDGE_PORT)]);
    expect(of('STOPSIGNAL')).toEqual(['SIGTERM']);
    const [health] = of('HEALTHCHECK');
    expect(health).toContain(`http://127.0.0.1:${DEFAULT_BRIDGE_PORT}${HEALTH_PATH}`);
    expect(health).not.toMatch(/curl|wget/);
    const entry = JSON.parse(of('ENTRYPOINT')[0]!) as string[];
    expect(entry).toEqual(['node', 'bin/voicectl.js', 'bridge', '--listen', String(DEFAULT_BRIDGE_PORT)]);
    // The HEALTHCHECK command is valid JSON exec form.
    expect(JSON.parse(health!.replace(/^.*?CMD /, ''))[0]).toBe('node');
  });

  it('.dockerignore keeps secrets, node_modules and the tests out of the build context', async () => {
    const lines = (await read('.dockerignore')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const must of ['.env', 'node_modules', '.git', 'test', 'dist']) expect(lines).toContain(must);
    for (const needed of ['src', 'bin', 'templates', 'package.json', 'package-lock.json']) expect(lines).not.toContain(needed);
  });
});
