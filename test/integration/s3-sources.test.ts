/**
 * The s3:// paths against a real S3-compatible server (versitygw on 127.0.0.1, which verifies SigV4):
 * sizes, ranged reads and streams of plain and gzip objects, the errors a user meets (missing object,
 * wrong credentials, server down), and `slipway data snapshot s3://…` through the built CLI.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, datasetEncoding } from '@slipway/sdk';
import {
  SourceErrorType,
  decompressed,
  openByteSource,
  type S3Settings,
} from '../../packages/activities/src/sources/index.js';
import { runCli } from '../support/processes.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const HOME = resolve(import.meta.dirname, '..', '..', '.slipway');
const BUCKET = 'datasets';
const csv =
  'customer_id,tenure,plan,churned\n' +
  Array.from({ length: 20_000 }, (_, i) => `${i},${i % 72},${['basic', 'pro', 'team'][i % 3]},${i % 7 === 0}`).join(
    '\n',
  ) +
  '\n';
const gz = gzipSync(csv);
/** Over the CLI's progress threshold (16 MiB), uploaded in 5 MiB multipart parts. */
const big = randomBytes(17 * 1024 * 1024);

/** Length and sha256 of some bytes: compares large buffers fast, and says how they differ in length. */
function fingerprint(bytes: Uint8Array): { length: number; sha256: string } {
  return { length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

let server: S3TestServer;
let settings: S3Settings;
let work: string;

const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function clientFor(s: S3Settings): S3Client {
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s.accessKeyId ?? '', secretAccessKey: s.secretAccessKey ?? '' },
  });
}

async function bytesOf(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The environment a `slipway` child process reads its S3 settings from. */
function cliEnv(s: S3Settings): NodeJS.ProcessEnv {
  return {
    SLIPWAY_S3_ENDPOINT: '',
    AWS_ENDPOINT_URL: s.endpoint,
    AWS_REGION: s.region,
    AWS_ACCESS_KEY_ID: s.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

beforeAll(async () => {
  // The first run on a machine builds versitygw with Go (a few minutes), hence the long timeout.
  server = await startS3Server({ home: HOME, onProgress: (m) => console.log(`[s3 server] ${m}`) });
  settings = {
    endpoint: server.endpoint,
    region: server.region,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
  };
  work = await mkdtemp(join(tmpdir(), 'slipway-s3-it-'));
  const client = clientFor(settings);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain/churn.csv', Body: csv }));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'gz/churn.csv.gz', Body: gz }));
  await new Upload({
    client,
    params: { Bucket: BUCKET, Key: 'big/blob.csv', Body: big },
    partSize: 5 * 1024 * 1024,
  }).done();
  client.destroy();
}, 600_000);

afterAll(async () => {
  await server?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('S3 byte source against versitygw', () => {
  it('gives the size, exact ranges and streams from an offset of a plain object', async () => {
    const source = openByteSource(`s3://${BUCKET}/plain/churn.csv`, { s3: settings });
    const bytes = Buffer.from(csv);
    expect(source.displayName).toBe(`s3://${BUCKET}/plain/churn.csv`);
    expect(await source.size()).toBe(bytes.length);
    expect(fingerprint(await source.read(0, 32))).toEqual(fingerprint(bytes.subarray(0, 32)));
    expect(fingerprint(await source.read(1_000, 250_001))).toEqual(fingerprint(bytes.subarray(1_000, 250_001)));
    expect((await source.read(7, 7)).length).toBe(0);
    expect(fingerprint(await bytesOf(await source.stream()))).toEqual(fingerprint(bytes));
    expect(fingerprint(await bytesOf(await source.stream({ start: 123_457 })))).toEqual(
      fingerprint(bytes.subarray(123_457)),
    );
    expect((await bytesOf(await source.stream({ start: bytes.length }))).length).toBe(0);
    await expect(source.read(bytes.length - 1, bytes.length + 1)).rejects.toMatchObject({
      type: SlipwayErrorType.InvalidInput,
      message: expect.stringContaining(`it has only ${bytes.length} bytes`),
    });
  });

  it('streams the stored gzip bytes (digest over them) and decompresses them after hashing', async () => {
    const source = openByteSource(`s3://${BUCKET}/gz/churn.csv.gz`, { s3: settings });
    expect(await source.size()).toBe(gz.length);
    const hash = createHash('sha256');
    const hashed = (await source.stream()).map((chunk: Buffer) => {
      hash.update(chunk);
      return chunk;
    });
    expect(await text(decompressed(hashed, 'gzip', source.displayName))).toBe(csv);
    expect(`sha256:${hash.digest('hex')}`).toBe(sha256(gz));
  });

  it('fails on a missing object or bucket with a final NotFound naming bucket, key and endpoint', async () => {
    const missing = openByteSource(`s3://${BUCKET}/nope/missing.csv`, { s3: settings });
    for (const call of [() => missing.size(), () => missing.stream(), () => missing.read(0, 10)]) {
      await expect(call()).rejects.toMatchObject({
        type: SlipwayErrorType.NotFound,
        nonRetryable: true,
        message:
          `S3 object s3://${BUCKET}/nope/missing.csv does not exist: no key "nope/missing.csv" in bucket ` +
          `"${BUCKET}" at ${server.endpoint}`,
      });
    }
    const noBucket = openByteSource('s3://no-such-bucket/a.csv', { s3: settings });
    for (const call of [() => noBucket.size(), () => noBucket.stream()]) {
      await expect(call()).rejects.toMatchObject({
        type: SlipwayErrorType.NotFound,
        message: expect.stringContaining(`there is no bucket "no-such-bucket" at ${server.endpoint}`),
      });
    }
  });

  it('fails with a final credentials error when the server rejects the signature or the key', async () => {
    const wrongSecret = { ...settings, secretAccessKey: `${settings.secretAccessKey ?? ''}x` };
    const source = openByteSource(`s3://${BUCKET}/plain/churn.csv`, { s3: wrongSecret });
    const rejected = {
      type: SourceErrorType.AccessDenied,
      nonRetryable: true,
      message: expect.stringMatching(
        new RegExp(`^S3 at ${server.endpoint} rejected the credentials \\(access key ${server.accessKeyId}\\)`),
      ),
    };
    const withCode = { ...rejected, message: expect.stringContaining('SignatureDoesNotMatch') };
    await expect(source.size()).rejects.toMatchObject(withCode); // HEAD: a bare 403, then a probe for the code
    await expect(source.stream()).rejects.toMatchObject(withCode);
    const unknownKey = openByteSource(`s3://${BUCKET}/plain/churn.csv`, {
      s3: { ...settings, accessKeyId: 'AKIAUNKNOWN' },
    });
    for (const call of [() => unknownKey.size(), () => unknownKey.stream(), () => unknownKey.read(0, 10)]) {
      await expect(call()).rejects.toMatchObject({
        type: SourceErrorType.AccessDenied,
        // AWS says InvalidAccessKeyId (403); versitygw says XAdminUserNotFound (404).
        message: expect.stringMatching(
          /rejected the credentials \(access key AKIAUNKNOWN\).*(InvalidAccessKeyId|XAdminUserNotFound)/,
        ),
      });
    }
  });

  it('fails retryably when the object is replaced between reads, rather than mixing two versions', async () => {
    const client = clientFor(settings);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'mutable.csv', Body: 'a\n1\n' }));
    const source = openByteSource(`s3://${BUCKET}/mutable.csv`, { s3: settings });
    expect(await source.size()).toBe(4);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'mutable.csv', Body: 'a\n2\n' }));
    client.destroy();
    await expect(source.read(0, 4)).rejects.toMatchObject({
      type: SourceErrorType.StoreError,
      nonRetryable: false,
      message: expect.stringContaining(
        `s3://${BUCKET}/mutable.csv at ${server.endpoint} changed while it was being read`,
      ),
    });
    const fresh = openByteSource(`s3://${BUCKET}/mutable.csv`, { s3: settings });
    expect(Buffer.from(await fresh.read(0, 4)).toString()).toBe('a\n2\n');
  });

  it('fails with a retryable error naming the endpoint once the server is down', async () => {
    // This one keeps its metadata in a sidecar directory, the set-up used where the filesystem has no xattrs.
    const shortLived = await startS3Server({ home: HOME, metadata: 'sidecar' });
    try {
      expect(shortLived.metadata).toBe('sidecar');
      const s: S3Settings = {
        endpoint: shortLived.endpoint,
        region: shortLived.region,
        accessKeyId: shortLived.accessKeyId,
        secretAccessKey: shortLived.secretAccessKey,
      };
      const client = clientFor(s);
      await client.send(new CreateBucketCommand({ Bucket: 'short-lived' }));
      await client.send(new PutObjectCommand({ Bucket: 'short-lived', Key: 'k.csv', Body: 'a\n1\n' }));
      client.destroy();
      expect(await openByteSource('s3://short-lived/k.csv', { s3: s }).size()).toBe(4);
      await shortLived.stop();
      const started = Date.now();
      await expect(openByteSource('s3://short-lived/k.csv', { s3: s }).size()).rejects.toMatchObject({
        type: SourceErrorType.Unreachable,
        nonRetryable: false,
        message: expect.stringMatching(
          new RegExp(
            `^Cannot reach the S3 endpoint ${shortLived.endpoint} to read s3://short-lived/k\\.csv: ECONNREFUSED`,
          ),
        ),
      });
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await shortLived.stop();
    }
  });
});

describe('slipway data snapshot s3://…', () => {
  it('copies the stored bytes into the artifact store and prints the same immutable ref every time', async () => {
    const home = join(work, 'home');
    const args = ['--home', home, 'data', 'snapshot', `s3://${BUCKET}/gz/churn.csv.gz`];
    const first = await runCli(args, cliEnv(settings));
    expect(first.output).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    const ref = parseRef(first.output);
    expect(ref).toEqual({
      uri: expect.stringMatching(/^file:\/\/.*\/artifacts\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}\.csv\.gz$/),
      digest: sha256(gz),
      format: 'csv',
      compression: 'gzip',
      size: gz.length,
    });
    expect(fileURLToPath(ref.uri).startsWith(join(home, 'artifacts'))).toBe(true);
    const stored = await readFile(fileURLToPath(ref.uri));
    expect(stored.equals(gz)).toBe(true);
    expect(sha256(stored)).toBe(ref.digest);
    expect(datasetEncoding({ uri: ref.uri })).toMatchObject({ format: 'csv', compression: 'gzip' });
    expect(first.output).toContain('use this reference as the "dataset"');

    const again = await runCli(args, cliEnv(settings));
    expect(again.code).toBe(0);
    expect(parseRef(again.output)).toEqual(ref);
  });

  it('shows progress for a large copy', async () => {
    const result = await runCli(
      ['--home', join(work, 'home-big'), 'data', 'snapshot', `s3://${BUCKET}/big/blob.csv`],
      cliEnv(settings),
    );
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/copied 25% \(.* of 17\.0 MiB\)/);
    expect(result.output).toMatch(/copied 100% \(17\.0 MiB of 17\.0 MiB\)/);
    const ref = parseRef(result.output);
    expect(ref).toMatchObject({ digest: sha256(big), size: big.length, format: 'csv', compression: 'none' });
    expect((await readFile(fileURLToPath(ref.uri))).equals(big)).toBe(true);
  });

  it('exits 1 naming the object when it is missing, and names rejected credentials', async () => {
    const missing = await runCli(['--home', work, 'data', 'snapshot', `s3://${BUCKET}/nope.csv`], cliEnv(settings));
    expect(missing.code).toBe(1);
    expect(missing.output).toContain(`error: S3 object s3://${BUCKET}/nope.csv does not exist`);
    const denied = await runCli(['--home', work, 'data', 'snapshot', `s3://${BUCKET}/plain/churn.csv`], {
      ...cliEnv(settings),
      AWS_SECRET_ACCESS_KEY: 'wrong',
    });
    expect(denied.code).toBe(1);
    expect(denied.output).toContain(`error: S3 at ${server.endpoint} rejected the credentials`);
  });
});

/** The JSON object the CLI printed (stdout), among its other lines (stderr). */
function parseRef(output: string): { uri: string; digest: string; [key: string]: unknown } {
  const json = /^\{$[\s\S]*?^\}$/m.exec(output)?.[0];
  if (json === undefined) throw new Error(`no JSON ref in the output:\n${output}`);
  return JSON.parse(json) as { uri: string; digest: string };
}
