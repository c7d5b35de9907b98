/**
 * The same pipeline with its dataset in S3: a real S3-compatible server (versitygw) on 127.0.0.1, the churn
 * data uploaded gzip-compressed, and a worker configured with the S3 endpoint and keys. Validate and train read
 * `s3://` directly; lineage names the object and the digest of its stored bytes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SlipwayErrorType, failureType, rootMessage, type TrainAndPromoteResult } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DATA_DIR, churnInput } from '../../examples/churn/src/input.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { waitForGate } from '../support/waits.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';

const HOME = resolve(import.meta.dirname, '..', '..', '.slipway');
let s3: S3TestServer;
let h: Harness;
let gz: Buffer;

beforeAll(async () => {
  s3 = await startS3Server({ home: HOME, onProgress: (m) => console.log(`[s3 server] ${m}`) });
  const keys = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { ...keys },
  });
  gz = gzipSync(await readFile(join(DATA_DIR, 'churn.csv')));
  await client.send(new CreateBucketCommand({ Bucket: 'ml-data' }));
  await client.send(new PutObjectCommand({ Bucket: 'ml-data', Key: 'churn/2026-11/churn.csv.gz', Body: gz }));
  // Outside the worker's S3 root (s3://ml-data/churn): a sibling prefix that shares its first letters.
  await client.send(new PutObjectCommand({ Bucket: 'ml-data', Key: 'churn-private/churn.csv.gz', Body: gz }));
  client.destroy();
  h = await startHarness({
    name: 's3',
    s3: { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, ...keys },
    dataRoots: ['s3://ml-data/churn'],
  });
}, 600_000);
afterAll(async () => {
  await h?.stop();
  await s3?.stop();
});

it('trains, approves and deploys from an s3:// gzip dataset, with the object and its digest in the lineage', async () => {
  const dataset = { uri: 's3://ml-data/churn/2026-11/churn.csv.gz' };
  const { runId } = await h.client.start('trainAndPromote', {
    ...churnInput({ serverUrl: h.modelServer.url, modelName: 'churn-s3' }),
    dataset,
  });
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria' });
  const result = await h.client.result<TrainAndPromoteResult>(runId);
  const digest = `sha256:${createHash('sha256').update(gz).digest('hex')}`;
  expect(result).toMatchObject({ status: 'deployed', dataset: { uri: dataset.uri, digest, rows: 2000, badRows: 0 } });
  const registry = openConfiguredRegistry(h.config);
  try {
    expect((await registry.resolve('churn-s3', 'champion'))?.lineage).toMatchObject({
      datasetUri: dataset.uri,
      datasetDigest: digest,
    });
  } finally {
    await registry.close();
  }
});

it('fails a run whose s3:// object is missing, naming bucket and key, and registers nothing', async () => {
  const dataset = { uri: 's3://ml-data/churn/2026-12/churn.csv.gz' };
  const { runId } = await h.client.start('trainAndPromote', {
    ...churnInput({ serverUrl: h.modelServer.url, modelName: 'churn-s3-missing' }),
    dataset,
  });
  const failure = await h.client.result(runId).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failureType(failure)).toBe(SlipwayErrorType.NotFound);
  expect(rootMessage(failure)).toContain('s3://ml-data/churn/2026-12/churn.csv.gz');
});

it('refuses s3:// datasets outside its S3 root: a sibling prefix, and a ".." segment', async () => {
  for (const uri of ['s3://ml-data/churn-private/churn.csv.gz', 's3://ml-data/churn/../churn-private/churn.csv.gz']) {
    const { runId } = await h.client.start('trainAndPromote', {
      ...churnInput({ serverUrl: h.modelServer.url, modelName: 'churn-s3-refused' }),
      dataset: { uri },
    });
    const failure = await h.client.result(runId).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.AccessDenied);
    expect(rootMessage(failure)).toContain(`dataset ${JSON.stringify(uri)}`);
    const steps = (await h.client.status(runId)).progress?.steps ?? [];
    expect(steps.find((s) => s.step === 'validate')?.status).toBe('failed');
  }
});
