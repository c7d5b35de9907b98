/**
 * The churn pipeline, unchanged, on the backends a team already runs: the registry in a real `mlflow server`
 * and every artifact (datasets' reports and profiles, the model, model cards, the audit mirror) in a real
 * S3-compatible server, both on 127.0.0.1. The worker and the model server are configured exactly as
 * `slipway.config.json` would configure them; the CLI reads the same backends.
 */
import { resolve } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { TrainAndPromoteResult } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { createMlflowClient, type MlflowClient } from '../../packages/activities/src/registry/index.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startProjectMlflowServer, type MlflowTestServer } from '../support/mlflow-server.js';
import { runCli } from '../support/processes.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { waitForGate } from '../support/waits.js';

const HOME = resolve(import.meta.dirname, '..', '..', '.slipway');
const BUCKET = 'ml-artifacts';
let s3: S3TestServer;
let mlflow: MlflowTestServer;
let mlflowClient: MlflowClient;
let h: Harness;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  [s3, mlflow] = await Promise.all([
    startS3Server({ home: HOME, onProgress: (m) => console.log(`[s3 server] ${m}`) }),
    startProjectMlflowServer(),
  ]);
  mlflowClient = createMlflowClient(mlflow.url);
  const settings = { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true };
  const keys = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  const client = new S3Client({ ...settings, credentials: { ...keys } });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
  const artifacts = `s3://${BUCKET}/slipway`;
  h = await startHarness({
    name: 'mlflow-s3',
    s3: { ...settings, ...keys },
    config: { registry: mlflow.registryUrl, artifacts },
  });
  env = {
    SLIPWAY_REGISTRY: mlflow.registryUrl,
    SLIPWAY_ARTIFACTS: artifacts,
    SLIPWAY_S3_ENDPOINT: s3.endpoint,
    SLIPWAY_S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    // The signed directory of people: audit verify checks the decisions' signatures against it.
    ...h.people!.env,
  };
}, 900_000);

afterAll(async () => {
  await h?.stop();
  await Promise.all([s3?.stop(), mlflow?.stop()]);
});

async function runToDeployment(modelName: string): Promise<TrainAndPromoteResult> {
  const { runId } = await h.client.start('trainAndPromote', churnInput({ serverUrl: h.modelServer.url, modelName }));
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria', comment: 'holds up on MLflow + S3' });
  return h.client.result<TrainAndPromoteResult>(runId);
}

it('trains, approves and deploys with the registry in MLflow and the artifacts in S3', async () => {
  const result = await runToDeployment('churn');
  expect(result.status).toBe('deployed');

  const registry = openConfiguredRegistry(h.config);
  try {
    const champion = await registry.resolve('churn', 'champion');
    expect(champion?.version).toBe(result.version.version);
    expect(champion?.artifact.uri).toMatch(new RegExp(`^s3://${BUCKET}/slipway/sha256/`));
    expect(champion?.approvals[0]?.decisions[0]).toMatchObject({ approver: 'maria' });
    expect(champion?.deployments.at(-1)).toMatchObject({ status: 'deployed', alias: 'champion' });
    // The run that trained it is an MLflow run, with the trainer's params, final metrics and the loss per epoch.
    const run = await registry.getRun(champion?.trackingRunId ?? 'none');
    expect(run).toMatchObject({ status: 'finished', experiment: 'churn', metrics: { auc: result.metrics.auc } });
    expect(Object.keys(run?.params ?? {})).toEqual(expect.arrayContaining(['epochs', 'learningRate']));
    const loss = await registry.getMetricSeries(champion?.trackingRunId ?? 'none', 'trainLoss');
    expect(loss.length).toBeGreaterThan(10);
    expect(loss.at(-1)?.value).toBeLessThan(loss[0]?.value ?? 0);
  } finally {
    await registry.close();
  }
  // MLflow itself holds the version, its alias and its Slipway tags: what a team sees in the MLflow UI.
  const answer = (await mlflowClient.get('registered-models/alias', { name: 'churn', alias: 'champion' })) as {
    model_version: { version: string; source: string; tags?: { key: string }[] };
  };
  expect(answer.model_version.version).toBe(String(result.version.version));
  expect(answer.model_version.source).toMatch(/^s3:\/\//);
  expect(answer.model_version.tags?.some((t) => t.key.startsWith('slipway.'))).toBe(true);
});

it('keeps the artifacts and the audit mirror in the bucket, and the CLI reads the same backends', async () => {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'slipway/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
    expect(keys.some((k) => k.startsWith('slipway/sha256/') && k.endsWith('.md'))).toBe(true);
    expect(keys.filter((k) => k.startsWith('slipway/audit/')).length).toBeGreaterThanOrEqual(4);
  } finally {
    client.destroy();
  }

  const show = await runCli(['--home', h.home, 'models', 'show', 'churn@champion'], env);
  expect(show.code, show.output).toBe(0);
  expect(show.output).toContain('maria');
  expect(show.output).toMatch(/s3:\/\/ml-artifacts\/slipway\/sha256\//);

  const compare = await runCli(['--home', h.home, 'runs', 'compare', 'churn@1', 'churn@champion'], env);
  expect(compare.code, compare.output).toBe(0);
  expect(compare.output).toMatch(/learningRate/);

  const verify = await runCli(['--home', h.home, 'audit', 'verify'], env);
  expect(verify.code, verify.output).toBe(0);
  expect(verify.output).toMatch(/mirror s3:\/\/ml-artifacts\/slipway\/audit\/.*match the local log/);
});

it('refuses to start a worker whose MLflow registry does not answer, naming the setting', async () => {
  const dead = await runCli(['--home', h.home, '--task-queue', 'never-polled', 'worker'], {
    ...env,
    SLIPWAY_REGISTRY: 'mlflow+http://127.0.0.1:9',
    TEMPORAL_ADDRESS: h.config.temporal.address,
  });
  expect(dead.code).not.toBe(0);
  expect(dead.output).toContain('the configured registry mlflow+http://127.0.0.1:9 cannot be used');
  expect(dead.output).toContain('does not answer');
});

it('audit verify exits 2 when the S3 mirror cannot be read, after checking the local chain', async () => {
  await s3.kill();
  const verify = await runCli(['--home', h.home, 'audit', 'verify'], env);
  expect(verify.code, verify.output).toBe(2);
  expect(verify.output).toContain('intact');
  expect(verify.output).toMatch(/cannot read the S3 mirror: Cannot reach the S3 endpoint/);
  await s3.restart();
});
