/**
 * The MLflow registry adapter against a real `mlflow server` (SQLite backend, 127.0.0.1): the whole registry
 * conformance suite (with the audit anchor's), how Slipway's records look in MLflow, answers lost after a write,
 * the server going down during a register, and how the audit anchor (keys, heads, pending registrations) is kept.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureType } from '@slipway/sdk';
import {
  MlflowFailureType,
  checkRegistry,
  createMlflowRegistry,
  openRegistry,
} from '../../packages/activities/src/registry/index.js';
import { loadAuditSigner, openAuditLog, verifyAuditLog, withAudit } from '../../packages/activities/src/audit/index.js';
import { freePort, LOOPBACK } from '../../packages/worker/src/dev-server/ports.js';
import { useMlflowServer } from '../support/mlflow-server.js';
import { crashAfterAudit } from '../unit/audit/audit-fixtures.js';
import { describeRegistryConformance } from '../unit/registry/registry-conformance.js';
import { failureOf, versionInput } from '../unit/registry/registry-fixtures.js';
import { canonicalJson } from '../../packages/activities/src/util/digest.js';

const fixture = useMlflowServer();

/** Deletes every registered model (with its versions): the conformance suite starts each test with none. */
async function deleteAllModels(): Promise<void> {
  const answer = (await fixture.client.get('registered-models/search', { max_results: 1000 })) as {
    registered_models?: { name: string }[];
  };
  for (const model of answer.registered_models ?? []) {
    await fixture.client.delete('registered-models/delete', { name: model.name });
  }
}

describeRegistryConformance('mlflow', async () => {
  await deleteAllModels();
  return createMlflowRegistry({ trackingUrl: fixture.server.url });
});

describe('MLflow registry: Slipway concepts in MLflow', () => {
  it('keeps a version as an MLflow model version with tags, an MLflow alias and the run that trained it', async () => {
    await deleteAllModels();
    const registry = createMlflowRegistry({ trackingUrl: fixture.server.url });
    const { run } = await registry.startRun({ experiment: 'concepts', name: 'train', idempotencyKey: 'concepts/run' });
    const input = versionInput('churn', 'concepts/v1', { trackingRunId: run.runId });
    await registry.registerVersion(input);
    await registry.setAlias('churn', 'champion', 1);
    const raw = (await fixture.client.get('model-versions/get', { name: 'churn', version: '1' })) as {
      model_version: { source: string; run_id: string; tags: { key: string; value: string }[]; aliases: string[] };
    };
    const tags = new Map(raw.model_version.tags.map((t) => [t.key, t.value]));
    expect(raw.model_version.aliases).toEqual(['champion']);
    expect(raw.model_version.run_id).toBe(run.runId);
    expect(raw.model_version.source).toBe(`slipway-artifact:/sha256/${'a'.repeat(64)}`);
    expect(JSON.parse(tags.get('slipway.lineage') ?? '')).toEqual(input.lineage);
    expect(JSON.parse(tags.get('slipway.metrics') ?? '')).toEqual(input.metrics);
    expect(tags.get('slipway.idempotency_key')).toBe('concepts/v1');
  });

  it('reads a version registered before Lineage.runId became temporalRunId (lineage tag with runId)', async () => {
    await deleteAllModels();
    const registry = createMlflowRegistry({ trackingUrl: fixture.server.url });
    const input = versionInput('churn', 'legacy/v1');
    await registry.registerVersion(input);
    // Write the lineage tag the way versions registered before the rename were tagged.
    const { temporalRunId, ...rest } = input.lineage;
    const legacy = canonicalJson({ ...rest, runId: temporalRunId });
    await fixture.client.post('model-versions/set-tag', {
      name: 'churn',
      version: '1',
      key: 'slipway.lineage',
      value: legacy,
    });
    const raw = (await fixture.client.get('model-versions/get', { name: 'churn', version: '1' })) as {
      model_version: { tags: { key: string; value: string }[] };
    };
    expect(raw.model_version.tags.find((t) => t.key === 'slipway.lineage')?.value).toContain('"runId":"run-1"');
    const record = await createMlflowRegistry({ trackingUrl: fixture.server.url }).getVersion('churn', 1);
    expect(record?.lineage).toEqual(input.lineage);
    expect(record?.lineage).not.toHaveProperty('runId');
  });

  it('splits tag values longer than the limit into parts and reads them back', async () => {
    await deleteAllModels();
    const registry = createMlflowRegistry({ trackingUrl: fixture.server.url, tagValueLimit: 100 });
    const input = versionInput('churn', 'long', {
      metrics: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`m${i}`, i])),
    });
    const { version } = await registry.registerVersion(input);
    expect(version.metrics).toEqual(input.metrics);
    await registry.recordDeployment({
      name: 'churn',
      version: 1,
      deploymentId: 'd',
      serverUrl: 'http://127.0.0.1:1',
      alias: 'champion',
      previousVersion: null,
      status: 'failed',
      detail: 'x'.repeat(450),
      idempotencyKey: 'long-deploy',
    });
    const stored = await createMlflowRegistry({ trackingUrl: fixture.server.url }).getVersion('churn', 1);
    expect(stored?.lineage).toEqual(input.lineage);
    expect(stored?.deployments[0]?.detail).toBe('x'.repeat(450));
    const raw = (await fixture.client.get('model-versions/get', { name: 'churn', version: '1' })) as {
      model_version: { tags: { key: string; value: string }[] };
    };
    expect(raw.model_version.tags.every((t) => t.value.length <= 100)).toBe(true);
    expect(raw.model_version.tags.some((t) => t.key === 'slipway.lineage.part-001')).toBe(true);
  });
});

/** A `fetch` that makes the request, then reports a dropped connection for the first call matching `path`. */
function losingAnswerOnce(path: string): { fetch: typeof fetch; lost: () => number } {
  let lost = 0;
  const lossy: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (lost === 0 && url.includes(path)) {
      lost++;
      await response.text();
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      });
    }
    return response;
  };
  return { fetch: lossy, lost: () => lost };
}

describe('MLflow registry: answers lost after the write', () => {
  it('register: finds the version the lost create made, and creates no second one', async () => {
    await deleteAllModels();
    const lossy = losingAnswerOnce('model-versions/create');
    const registry = createMlflowRegistry({ trackingUrl: fixture.server.url, fetch: lossy.fetch });
    const result = await registry.registerVersion(versionInput('churn', 'lost/1'));
    expect(lossy.lost()).toBe(1);
    expect(result).toMatchObject({ created: true, version: { version: 1 } });
    expect((await registry.registerVersion(versionInput('churn', 'lost/1'))).created).toBe(false);
    expect((await registry.listVersions('churn')).map((v) => v.version)).toEqual([1]);
  });

  it('metrics: finds the marker of the lost log-batch; MLflow holds each point once', async () => {
    const lossy = losingAnswerOnce('runs/log-batch');
    const registry = createMlflowRegistry({ trackingUrl: fixture.server.url, fetch: lossy.fetch });
    const { run } = await registry.startRun({
      experiment: 'lost',
      name: 'train',
      idempotencyKey: `lost/${Date.now()}`,
    });
    const points = Array.from({ length: 30 }, (_, i) => ({ step: i + 1, value: i }));
    const series = { runId: run.runId, key: 'loss', points, idempotencyKey: `${run.runId}/loss` };
    expect(await registry.logMetricSeries(series)).toEqual({ created: true });
    expect(lossy.lost()).toBe(1);
    expect(await registry.logMetricSeries(series)).toEqual({ created: false });
    const history = (await fixture.client.get('metrics/get-history', { run_id: run.runId, metric_key: 'loss' })) as {
      metrics: unknown[];
    };
    expect(history.metrics).toHaveLength(30);
  });
});

describe('MLflow registry: errors and start-up checks', () => {
  it('an unreachable server is a retryable failure naming the URL; a 4xx answer is final', async () => {
    const url = `http://${LOOPBACK}:${await freePort()}`;
    const failure = await failureOf(createMlflowRegistry({ trackingUrl: url }).listModels());
    expect(failure.type).toBe(MlflowFailureType.Unreachable);
    expect((failure as { nonRetryable?: boolean }).nonRetryable).toBe(false);
    expect(failure.message).toContain(url);
    const rejected = await failureOf(
      fixture.client.get('model-versions/get', { name: 'churn', version: 'not-a-number' }),
    );
    expect(rejected.type).toBe(MlflowFailureType.Rejected);
    expect((rejected as { nonRetryable?: boolean }).nonRetryable).toBe(true);
  });

  it('checkRegistry passes for the server, and fails clearly for a closed port or a server that is not MLflow', async () => {
    await checkRegistry(openRegistry(fixture.server.registryUrl));
    const closed = `http://${LOOPBACK}:${await freePort()}`;
    const down = await failureOf(checkRegistry(openRegistry(`mlflow+${closed}`)));
    expect(down.message).toContain(closed);
    expect(down.message).toMatch(/does not answer/);
    const other: Server = createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>no</h1>'),
    );
    await new Promise<void>((done) => other.listen(0, LOOPBACK, done));
    try {
      const port = (other.address() as { port: number }).port;
      const wrong = await failureOf(checkRegistry(openRegistry(`mlflow+http://${LOOPBACK}:${port}`)));
      expect(wrong.message).toMatch(/does not answer like an MLflow tracking server/);
      expect((wrong as { nonRetryable?: boolean }).nonRetryable).toBe(true);
    } finally {
      await new Promise((done) => other.close(done));
    }
  });
});

describe('MLflow registry: the server down during register', () => {
  it('fails retryably while it is down, and the retry registers exactly one version once it is back', async () => {
    await deleteAllModels();
    const registry = createMlflowRegistry({ trackingUrl: fixture.server.url, timeoutMs: 5_000 });
    await registry.registerVersion(versionInput('churn', 'before-outage'));
    await fixture.server.halt();
    try {
      const failure = await failureOf(registry.registerVersion(versionInput('churn', 'during-outage')));
      expect(failure.type).toBe(MlflowFailureType.Unreachable);
      expect(failureType(failure)).toBe(MlflowFailureType.Unreachable);
      expect(failure.message).toContain(fixture.server.url);
    } finally {
      await fixture.server.start();
    }
    const retry = await registry.registerVersion(versionInput('churn', 'during-outage'));
    expect(retry).toMatchObject({ created: true, version: { version: 2 } });
    expect((await registry.registerVersion(versionInput('churn', 'during-outage'))).created).toBe(false);
    expect((await registry.listVersions('churn')).map((v) => v.version)).toEqual([1, 2]);
  });
});

describe('MLflow registry: the audit anchor in MLflow', () => {
  const head = { logId: 'host-mlflow', seq: 7, hash: `sha256:${'7'.repeat(64)}` };

  it('keeps an audited registration invisible until its audit line is written, then tags it with the head', async () => {
    await deleteAllModels();
    const registry = createMlflowRegistry({ trackingUrl: fixture.server.url });
    const crash = () => Promise.reject(new Error('crashed before the audit line'));
    await expect(registry.registerVersion(versionInput('churn', 'audited/1'), { audit: crash })).rejects.toThrow(
      'crashed before the audit line',
    );
    const tagsOf = async () => {
      const raw = (await fixture.client.get('model-versions/get', { name: 'churn', version: '1' })) as {
        model_version: { tags: { key: string; value: string }[] };
      };
      return new Map(raw.model_version.tags.map((t) => [t.key, t.value]));
    };
    expect((await tagsOf()).has('slipway.schema')).toBe(false);
    expect(await registry.listVersions('churn')).toEqual([]);
    expect(await registry.resolve('churn', 'latest')).toBeUndefined();
    const retry = await registry.registerVersion(versionInput('churn', 'audited/1'), {
      audit: () => Promise.resolve(head),
    });
    expect(retry).toMatchObject({ created: true, version: { name: 'churn', version: 1 } });
    const tags = await tagsOf();
    expect(tags.get('slipway.schema')).toBe('1');
    expect(JSON.parse(tags.get('slipway.audit_head') ?? '')).toEqual(head);
    expect(await registry.auditHead(head.logId)).toEqual(head);
  });

  it('keeps the public keys as tags of the slipway-audit-keys experiment', async () => {
    const home = await mkdtemp(join(tmpdir(), 'slipway-mlflow-keys-'));
    try {
      const signer = await loadAuditSigner(join(home, 'audit-key.pem'));
      const registry = createMlflowRegistry({ trackingUrl: fixture.server.url });
      await registry.registerAuditKey({ logId: 'host-keys', keyId: signer.keyId, publicKey: signer.publicKey });
      const answer = (await fixture.client.get('experiments/get-by-name', {
        experiment_name: 'slipway-audit-keys',
      })) as {
        experiment: { tags: { key: string; value: string }[] };
      };
      const tag = answer.experiment.tags.find((t) => t.value.includes(signer.keyId));
      expect(tag?.key).toMatch(/^slipway\.audit_key\.[0-9a-f]{16}\.[0-9a-f]{16}$/);
      expect(JSON.parse(tag?.value ?? '')).toMatchObject({ logId: 'host-keys', publicKey: signer.publicKey });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('applies, with the pending line, a registration that crashed between its audit line and MLflow', async () => {
    await deleteAllModels();
    const home = await mkdtemp(join(tmpdir(), 'slipway-mlflow-audit-'));
    try {
      const registry = createMlflowRegistry({ trackingUrl: fixture.server.url });
      const log = openAuditLog(join(home, 'audit.log'));
      await expect(
        withAudit(crashAfterAudit(registry), log).registerVersion(versionInput('churn', 'k1')),
      ).rejects.toThrow('crashed after the audit line');
      expect(await verifyAuditLog(log.path, registry)).toMatchObject({ ok: true, entries: 1, pending: [1] });
      expect(await registry.listVersions('churn')).toEqual([]);
      const audited = withAudit(registry, log);
      expect(await audited.registerVersion(versionInput('churn', 'k1'))).toMatchObject({ created: true });
      await audited.setAlias('churn', 'champion', 1);
      expect(await verifyAuditLog(log.path, registry)).toMatchObject({
        ok: true,
        entries: 2,
        pending: [],
        registryHead: { seq: 2 },
      });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
