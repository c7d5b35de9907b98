/**
 * `slipway.resolve-dataset` on an `s3://bucket/prefix/` of a real S3-compatible server (versitygw on 127.0.0.1):
 * the newest object directly under the prefix (by modification time, then name) over several listing pages,
 * pinned by the digest of its bytes; nothing matching names the prefix and the pattern; a prefix outside the S3
 * dataset roots is refused.
 */
import { createHash } from 'node:crypto';
import { utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, resolveDatasetStep } from '@slipway/sdk';
import { createS3Client, type S3Settings } from '../../packages/activities/src/sources/index.js';
import { datasetSourceOpener, type DatasetAccess } from '../../packages/activities/src/index.js';
import { createResolveDatasetActivity } from '../../packages/activities/src/steps/resolve-dataset.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { rejection } from '../unit/data/fixtures.js';

const HOME = resolve(import.meta.dirname, '..', '..', '.slipway');
const BUCKET = 'snapshots';
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const T0 = Date.parse('2026-12-01T00:00:00Z');

let server: S3TestServer;
let settings: S3Settings;
let client: S3Client;

/** Puts an object and sets its modification time (minutes after T0) where versitygw keeps it. */
async function put(key: string, body: string, minutes: number): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const when = new Date(T0 + minutes * 60_000);
  await utimes(join(server.dataDir, BUCKET, key), when, when);
}

function activity(access: DatasetAccess, pageSize?: number) {
  const openSource = datasetSourceOpener({ datasetAccess: access, s3: settings });
  return createResolveDatasetActivity({ access, openSource, s3: settings, s3Client: () => client, pageSize });
}

const template = (newestUnder: string, more: Record<string, unknown> = {}) =>
  resolveDatasetStep.input.parse({ template: { newestUnder, ...more } });

beforeAll(async () => {
  server = await startS3Server({ home: HOME, onProgress: (m) => console.log(`[s3 server] ${m}`) });
  settings = {
    endpoint: server.endpoint,
    region: server.region,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
  };
  client = createS3Client(settings);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (let day = 1; day <= 7; day++) await put(`churn/2026-11-0${day}.csv`, `a\n${day}\n`, day);
  // Rewritten last: the newest by modification time, though not by name.
  await put('churn/2026-11-03.csv', 'a\n3 again\n', 50);
  await put('churn/zz-notes.txt', 'newest, but not a csv', 100);
  await put('churn/archive/2027-01-01.csv', 'a\nnested\n', 200); // not directly under the prefix
  await put('other/2027-02-01.csv', 'a\nother\n', 300);
}, 600_000);

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describe('resolve-dataset on an S3 prefix', () => {
  const access: DatasetAccess = { roots: [`s3://${BUCKET}/churn`], denied: [] };

  it('picks the newest matching object directly under the prefix, across listing pages', async () => {
    // Pages of 2 keys: the newest object sits on the last page of the listing.
    const ref = await activity(access, 2)(template(`s3://${BUCKET}/churn/`, { pattern: '*.csv' }));
    expect(ref).toEqual({ uri: `s3://${BUCKET}/churn/2026-11-03.csv`, digest: sha256('a\n3 again\n') });
    // The same newest object: the same ref.
    expect(await activity(access)(template(`s3://${BUCKET}/churn`, { pattern: '*.csv' }))).toEqual(ref);
  });

  it('names the prefix and the pattern when nothing matches', async () => {
    const err = await rejection(activity(access)(template(`s3://${BUCKET}/churn/`, { pattern: '*.parquet' })));
    expect(err).toMatchObject({ type: SlipwayErrorType.NotFound, nonRetryable: true });
    expect(err.message).toContain(`s3://${BUCKET}/churn/`);
    expect(err.message).toContain('"*.parquet"');
  });

  it('refuses a prefix outside the S3 dataset roots', async () => {
    const err = await rejection(activity(access)(template(`s3://${BUCKET}/other/`)));
    expect(err).toMatchObject({ type: SlipwayErrorType.AccessDenied, nonRetryable: true });
    expect(err.message).toContain(`s3://${BUCKET}/other/`);
  });
});
