/**
 * The S3 artifact store against a real S3-compatible server (versitygw on 127.0.0.1, which verifies SigV4
 * and checksums): the `ArtifactStore` conformance suite, the start-up check (wrong credentials, missing
 * bucket, dead endpoint, through `createSlipwayWorker` too), and the server dying in the middle of a
 * multipart upload.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SlipwayErrorType, type ArtifactRef } from '@slipway/sdk';
import {
  checkArtifactStore,
  createS3ArtifactStore,
  openArtifactStore,
  type S3ArtifactStore,
} from '../../packages/activities/src/artifacts/index.js';
import { SourceErrorType, createS3Client, type S3Settings } from '../../packages/activities/src/sources/index.js';
import { loadConfig } from '../../packages/worker/src/config/index.js';
import { createSlipwayWorker } from '../../packages/worker/src/worker/create-worker.js';
import { freePort } from '../../packages/worker/src/dev-server/ports.js';
import {
  chunked,
  describeArtifactStoreConformance,
  failureOf,
  fingerprint,
  flipFirstByte,
  patternBytes,
  sha256,
} from '../support/artifact-store-conformance.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const HOME = resolve(import.meta.dirname, '..', '..', '.slipway');
const BUCKET = 'artifacts';
const OTHER_BUCKET = 'artifacts-other';
const MIB = 1024 * 1024;
/** Small multipart sizes, so the multi-MB conformance cases go up in several parts. */
const MULTIPART = { multipartThreshold: 5 * MIB, partSize: 5 * MIB };

let server: S3TestServer;
let settings: S3Settings;
let admin: S3Client;

function settingsOf(s: S3TestServer): S3Settings {
  return { endpoint: s.endpoint, region: s.region, accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey };
}

/** The key of an `s3://bucket/key` URI in `bucket`. */
function keyOf(ref: Pick<ArtifactRef, 'uri'>, bucket = BUCKET): string {
  expect(ref.uri.startsWith(`s3://${bucket}/`)).toBe(true);
  return ref.uri.slice(`s3://${bucket}/`.length);
}

/** Keys under `prefix/`, and keys of incomplete multipart uploads there, relative to the prefix. */
async function namesUnder(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const objects = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${prefix}/` }));
  return [
    ...(objects.Contents ?? []).map((o) => o.Key ?? ''),
    ...(uploads.Uploads ?? []).map((u) => `(incomplete upload) ${u.Key ?? ''}`),
  ]
    .map((name) => name.replace(`${prefix}/`, ''))
    .sort();
}

beforeAll(async () => {
  // The first run on a machine builds versitygw with Go (a few minutes), hence the long timeout.
  server = await startS3Server({ home: HOME, onProgress: (m) => console.log(`[s3 server] ${m}`) });
  settings = settingsOf(server);
  admin = createS3Client(settings);
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await admin.send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }));
}, 600_000);

afterAll(async () => {
  admin?.destroy();
  await server?.stop();
});

describeArtifactStoreConformance('S3 (versitygw)', () => {
  const prefix = `conformance/${randomUUID()}`;
  const stores: S3ArtifactStore[] = [];
  const open = (bucket = BUCKET): S3ArtifactStore => {
    const store = createS3ArtifactStore({ bucket, prefix, settings, ...MULTIPART });
    stores.push(store);
    return store;
  };
  // versitygw's POSIX backend keeps each object as a plain file at <data dir>/<bucket>/<key>.
  const backingFile = (ref: ArtifactRef): string => join(server.dataDir, BUCKET, keyOf(ref));
  return Promise.resolve({
    store: open(),
    sibling: () => open(),
    foreign: () => open(OTHER_BUCKET),
    uriOf: (hex, extension = '') => `s3://${BUCKET}/${prefix}/sha256/${hex.slice(0, 2)}/${hex}${extension}`,
    listObjects: () => namesUnder(admin, BUCKET, prefix),
    async writeStamp(ref) {
      const stats = await stat(backingFile(ref));
      return `${stats.ino}:${stats.mtimeMs}`;
    },
    corrupt: (ref) => flipFirstByte(backingFile(ref)),
    truncate: (ref) => truncate(backingFile(ref), Math.floor(ref.size / 2)),
    remove: async (ref) => void (await admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: keyOf(ref) }))),
    refusedUris: (ref) => [
      ['the same key in another bucket', ref.uri.replace(`s3://${BUCKET}/`, `s3://${OTHER_BUCKET}/`)],
      ['the same name under another prefix', ref.uri.replace(`/${prefix}/`, `/${prefix}-x/`)],
      ['a .. segment (S3 keys are literal)', ref.uri.replace('/sha256/', '/sha256/../sha256/')],
      ['a percent-encoded key', ref.uri.replace('/sha256/', '%2Fsha256%2F')],
      ['the object over HTTP', `${server.endpoint}/${BUCKET}/${keyOf(ref)}`],
      ['an s3 URI without the prefix', `s3://${BUCKET}/${keyOf(ref).slice(prefix.length + 1)}`],
    ],
    cleanup() {
      for (const store of stores) store.close();
      return Promise.resolve();
    },
  });
});

describe('S3 artifact store specifics', () => {
  it('records the sha256 the store verified, and repairs an object overwritten with other bytes', async () => {
    const store = createS3ArtifactStore({ bucket: BUCKET, prefix: `specifics/${randomUUID()}`, settings });
    try {
      const bytes = Buffer.from('weights v1');
      const ref = await store.putBytes(bytes, { mediaType: 'application/x-model' });
      const key = keyOf(ref);
      const head = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
      expect(head.ChecksumSHA256).toBe(Buffer.from(ref.digest.slice(7), 'hex').toString('base64'));
      expect(head.Metadata).toEqual({ sha256: ref.digest.slice(7) });
      expect(head.ContentType).toBe('application/x-model');
      // Someone overwrites the content key with other bytes of the same length: reads refuse them …
      await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('weights v2') }));
      await expect(store.getBytes(ref)).rejects.toMatchObject({
        type: SlipwayErrorType.DigestMismatch,
        message: expect.stringContaining(`Artifact s3://${BUCKET}/${key} is corrupted`),
      });
      // … and putting the content again puts it back (the foreign object lacks the digest metadata).
      expect(await store.putBytes(bytes)).toEqual({ ...ref, mediaType: 'application/octet-stream' });
      expect(await store.getBytes(ref)).toEqual(bytes);
    } finally {
      store.close();
    }
  });

  it('leaves one object and no incomplete uploads after concurrent multipart puts of the same content', async () => {
    const prefix = `concurrent/${randomUUID()}`;
    const stores = [0, 1, 2].map(() => createS3ArtifactStore({ bucket: BUCKET, prefix, settings, ...MULTIPART }));
    try {
      const bytes = patternBytes(16 * MIB, 11);
      const refs = await Promise.all(stores.flatMap((s) => [s.putStream(chunked(bytes)), s.putBytes(bytes)]));
      for (const ref of refs) expect(ref).toEqual(refs[0]);
      const hex = sha256(bytes).slice(7);
      expect(await namesUnder(admin, BUCKET, prefix)).toEqual([`sha256/${hex.slice(0, 2)}/${hex}`]);
      expect(fingerprint(await stores[0]!.getBytes(refs[0]!))).toEqual(fingerprint(bytes));
    } finally {
      for (const store of stores) store.close();
    }
  });
});

describe('S3 artifact store start-up check', () => {
  it('passes for a usable store, with or without a prefix', async () => {
    await checkArtifactStore(openArtifactStore(`s3://${BUCKET}/some/prefix/`, { s3: settings }));
    await checkArtifactStore(openArtifactStore(`s3://${BUCKET}`, { s3: settings }));
  });

  it('fails with a final AccessDenied for a wrong secret or an unknown access key', async () => {
    const wrongSecret = openArtifactStore(`s3://${BUCKET}/p`, { s3: { ...settings, secretAccessKey: 'wrong' } });
    await expect(checkArtifactStore(wrongSecret)).rejects.toMatchObject({
      type: SlipwayErrorType.AccessDenied,
      nonRetryable: true,
      message: expect.stringMatching(
        new RegExp(
          `^S3 at ${server.endpoint} rejected the credentials \\(access key ${server.accessKeyId}\\) listing ` +
            `s3://${BUCKET}/p/: SignatureDoesNotMatch`,
        ),
      ),
    });
    const unknownKey = openArtifactStore(`s3://${BUCKET}/p`, { s3: { ...settings, accessKeyId: 'AKIAUNKNOWN' } });
    await expect(checkArtifactStore(unknownKey)).rejects.toMatchObject({
      type: SlipwayErrorType.AccessDenied,
      message: expect.stringMatching(/rejected the credentials \(access key AKIAUNKNOWN\).*XAdminUserNotFound/),
    });
  });

  it('fails with a final NotFound for a missing bucket and a retryable Unreachable for a dead endpoint', async () => {
    const missing = openArtifactStore('s3://no-such-bucket/p', { s3: settings });
    await expect(checkArtifactStore(missing)).rejects.toMatchObject({
      type: SlipwayErrorType.NotFound,
      nonRetryable: true,
      message: `Cannot list s3://no-such-bucket/p/: there is no bucket "no-such-bucket" at ${server.endpoint}`,
    });
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const dead = openArtifactStore(`s3://${BUCKET}/p`, { s3: { ...settings, endpoint } });
    await expect(checkArtifactStore(dead)).rejects.toMatchObject({
      type: SourceErrorType.Unreachable,
      nonRetryable: false,
      message: expect.stringMatching(new RegExp(`^Cannot reach the S3 endpoint ${endpoint} to list .*ECONNREFUSED`)),
    });
  });

  it('stops createSlipwayWorker before it polls when the configured store rejects the credentials', async () => {
    const home = await mkdtemp(join(tmpdir(), 'slipway-s3-worker-'));
    try {
      const config = loadConfig({
        cwd: home,
        env: {},
        overrides: {
          home,
          artifacts: `s3://${BUCKET}/worker`,
          s3: { ...settings, secretAccessKey: 'wrong' },
          temporal: { address: inject('temporalAddress'), namespace: inject('temporalNamespace') },
        },
      });
      expect(config.artifacts).toBe(`s3://${BUCKET}/worker`);
      await expect(createSlipwayWorker({ config })).rejects.toMatchObject({
        type: SlipwayErrorType.AccessDenied,
        message: expect.stringContaining(`rejected the credentials (access key ${server.accessKeyId}) listing`),
      });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

/**
 * Kills the server as soon as the first part of a multipart upload through `client` is stored, so the other
 * parts and the completion cannot happen. Returns whether it has struck.
 */
function killAfterFirstPart(client: S3Client, s3: S3TestServer): () => boolean {
  let killed = false;
  const middleware =
    <Args, Result>(next: (args: Args) => Promise<Result>, context: { commandName?: string }) =>
    async (args: Args): Promise<Result> => {
      const result = await next(args);
      if (!killed && context.commandName === 'UploadPartCommand') {
        killed = true;
        await s3.kill();
      }
      return result;
    };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'killAfterFirstPart' });
  return () => killed;
}

describe('S3 artifact store faults', () => {
  let s3: S3TestServer;
  let s3Admin: S3Client;
  let spoolDir: string;

  beforeAll(async () => {
    s3 = await startS3Server({ home: HOME });
    s3Admin = createS3Client(settingsOf(s3));
    await s3Admin.send(new CreateBucketCommand({ Bucket: 'faults' }));
    spoolDir = await mkdtemp(join(tmpdir(), 'slipway-spool-'));
  });

  afterAll(async () => {
    s3Admin?.destroy();
    await s3?.stop();
    if (spoolDir !== undefined) await rm(spoolDir, { recursive: true, force: true });
  });

  it('fails retryably when the server dies mid-upload, shows no partial object, and a retried put succeeds', async () => {
    const client = createS3Client(settingsOf(s3));
    const struck = killAfterFirstPart(client, s3);
    const store = createS3ArtifactStore({
      bucket: 'faults',
      prefix: 'models',
      client,
      settings: settingsOf(s3),
      spoolDir,
      ...MULTIPART,
    });
    const bytes = patternBytes(24 * MIB, 5);
    const name = `sha256/${sha256(bytes).slice(7, 9)}/${sha256(bytes).slice(7)}`;
    try {
      const started = Date.now();
      const failure = await failureOf(store.putStream(chunked(bytes)));
      expect(struck()).toBe(true);
      expect(failure).toMatchObject({
        type: SourceErrorType.Unreachable,
        nonRetryable: false,
        message: expect.stringContaining(
          `Cannot reach the S3 endpoint ${s3.endpoint} to write s3://faults/models/${name}`,
        ),
      });
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(await readdir(spoolDir)).toEqual([]);

      await s3.restart();
      // Nothing at the content key: only the upload the dead server could not abort, which no reader sees.
      await expect(
        s3Admin.send(new HeadObjectCommand({ Bucket: 'faults', Key: `models/${name}` })),
      ).rejects.toMatchObject({
        $metadata: { httpStatusCode: 404 },
      });
      expect(await namesUnder(s3Admin, 'faults', 'models')).toEqual([`(incomplete upload) ${name}`]);

      // What Temporal does next: the activity runs again, and the put succeeds and cleans up.
      const ref = await store.putStream(chunked(bytes));
      expect(ref).toEqual({
        uri: `s3://faults/models/${name}`,
        digest: sha256(bytes),
        size: bytes.length,
        mediaType: 'application/octet-stream',
      });
      expect(fingerprint(await store.getBytes(ref))).toEqual(fingerprint(bytes));
      expect(await namesUnder(s3Admin, 'faults', 'models')).toEqual([name]);
      expect(await readdir(spoolDir)).toEqual([]);
    } finally {
      client.destroy();
    }
  });
});
