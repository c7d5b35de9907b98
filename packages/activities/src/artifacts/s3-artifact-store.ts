import { GetObjectCommand, ListObjectsV2Command, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactRef } from '@slipway/sdk';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { PutOptions } from '../ports.js';
import type { S3ObjectContext } from '../sources/s3-errors.js';
import { s3Failure } from '../sources/s3-errors.js';
import { createS3Client, describeS3Endpoint, type S3Settings } from '../sources/s3-settings.js';
import { sha256Digest, sha256OfFile } from '../util/digest.js';
import {
  DEFAULT_MEDIA_TYPE,
  DigestCounter,
  JSON_MEDIA_TYPE,
  digestMismatch,
  jsonBytes,
  parseJsonArtifact,
  type CheckableArtifactStore,
} from './artifact-common.js';
import { checkObjectExtension } from './fs-layout.js';
import { keyOfRef, objectKey, s3ObjectUri, s3StoreLayout } from './s3-layout.js';
import { s3StoreFailure } from './s3-store-errors.js';
import { ensureObject, objectContext, type S3StoreContext } from './s3-upload.js';
import { spoolHashing, verifiedFileStream } from './spool.js';

/** Options of {@link createS3ArtifactStore}. */
export interface S3ArtifactStoreOptions {
  /** The bucket; it must exist. */
  bucket: string;
  /** A key prefix the store keeps its objects under (default: the bucket's root). */
  prefix?: string;
  /** Where the store is and how to sign in (default: the AWS SDK's defaults). */
  settings?: S3Settings;
  /**
   * A client to use instead of one made from `settings` (the caller keeps ownership); `settings` then only
   * name the endpoint and access key in messages.
   */
  client?: S3Client;
  /** Where `putStream` copies a stream while hashing it (default: `<os temp dir>/slipway-spool`). */
  spoolDir?: string;
  /** Objects larger than this go up as multipart uploads (default 16 MiB). */
  multipartThreshold?: number;
  /** The size of each multipart part, at least 5 MiB (default 8 MiB). */
  partSize?: number;
  /** How many parts go up at once (default 4). */
  queueSize?: number;
}

/** An artifact store in S3 or an S3-compatible store (see {@link createS3ArtifactStore}). */
export interface S3ArtifactStore extends CheckableArtifactStore {
  readonly bucket: string;
  /** The key prefix, without leading or trailing `/` (empty for the bucket's root). */
  readonly prefix: string;
  /** Releases the connections of the client the store made (not of a client it was given). */
  close(): void;
}

const MIB = 1024 * 1024;
/** The smallest part S3 accepts in a multipart upload (except the last). */
const MIN_PART_SIZE = 5 * MIB;

/**
 * The artifact store for S3 and S3-compatible stores (MinIO, versitygw, Ceph, R2 …): content-addressed
 * objects at `s3://<bucket>/<prefix>/sha256/<first 2 hex>/<64 hex>` (followed by the `extension` a put asks
 * for), referenced by that URI.
 *
 * - Objects go to their content key only once their digest is known, and S3 shows an object only once its
 *   upload is complete, so a reader never sees a partial object. `putStream` copies the stream to a local
 *   spool file (in `spoolDir`, deleted afterwards) while hashing it. Files up to `multipartThreshold` are
 *   read into memory and stored like bytes; larger ones are hashed, then streamed up, and the upload fails
 *   before it completes if the bytes sent no longer hash to that digest (the file changed meanwhile).
 * - Single-request uploads carry the content's sha256 (`x-amz-checksum-sha256`), which the store verifies;
 *   multipart uploads (`@aws-sdk/lib-storage`, above `multipartThreshold`) carry a sha256 per part. The
 *   client keeps the AWS SDK's default checksum settings (`WHEN_SUPPORTED`: streamed bodies go
 *   `aws-chunked` with a checksum trailer), which S3, versitygw and current S3-compatible stores decode and
 *   verify. For an old gateway that stores the chunk framing instead, pass a `client` made with
 *   `requestChecksumCalculation: 'WHEN_REQUIRED'`: the explicit sha256 checksums are still sent.
 * - A put whose content is already stored (HeadObject: same size, same digest metadata) sends nothing, so
 *   retries are idempotent; incomplete multipart uploads left by failed attempts are aborted afterwards.
 * - Every read re-hashes the bytes: a corrupted object fails with `SlipwayDigestMismatch` and is never
 *   returned; a missing one with `SlipwayNotFound`. A reference whose `uri` is not exactly this store's key
 *   for its digest (another bucket or prefix, a `..` segment) is refused with `SlipwayInvalidInput`.
 * - Failures name the object and the endpoint, typed as for S3 datasets (`s3Failure`): unreachable or
 *   throttled → retryable; rejected credentials, missing bucket → final.
 *
 * The credentials need `s3:GetObject`, `s3:PutObject`, `s3:ListBucket` (for the start-up `check`), and
 * ideally `s3:ListBucketMultipartUploads` and `s3:AbortMultipartUpload` (to clean up after failed uploads).
 *
 * ```ts
 * const store = createS3ArtifactStore({ bucket: 'ml-artifacts', prefix: 'slipway', settings: s3SettingsFromEnv() });
 * await store.check(); // a clear error now rather than mid-run
 * const ref = await store.putJson({ weights: [0.1, 0.2] }); // ref.uri = 's3://ml-artifacts/slipway/sha256/…'
 * ```
 */
export function createS3ArtifactStore(options: S3ArtifactStoreOptions): S3ArtifactStore {
  const ctx = storeContext(options);
  const spoolDir = options.spoolDir ?? join(tmpdir(), 'slipway-spool');
  const { layout } = ctx;
  // Every method is async so that every failure, even a synchronous one, arrives as a rejection.
  return {
    bucket: layout.bucket,
    prefix: layout.prefix,
    location: layout.location,
    putBytes: async (bytes, putOptions) => putBytes(ctx, asBuffer(bytes), putOptions),
    putJson: async (value) => putBytes(ctx, jsonBytes(value), { mediaType: JSON_MEDIA_TYPE }),
    putFile: async (path, putOptions) => putFile(ctx, path, putOptions),
    putStream: async (source, putOptions) => putStream(ctx, source, spoolDir, putOptions),
    getBytes: async (ref) => getBytes(ctx, ref),
    async getJson<T = unknown>(ref: Pick<ArtifactRef, 'uri' | 'digest'>): Promise<T> {
      return parseJsonArtifact(await getBytes(ctx, ref), ref.digest) as T;
    },
    check: async () => check(ctx),
    close: () => {
      if (options.client === undefined) ctx.client.destroy();
    },
  };
}

/** The same memory seen as a Buffer (no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function storeContext(options: S3ArtifactStoreOptions): S3StoreContext {
  const layout = s3StoreLayout(options.bucket, options.prefix);
  const partSize = options.partSize ?? 8 * MIB;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `The S3 artifact store ${layout.location} was given a part size of ${partSize} bytes: S3 needs at least 5 MiB`,
      { partSize },
    );
  }
  const settings = options.settings ?? {};
  return {
    client: options.client ?? createS3Client(settings),
    layout,
    endpoint: describeS3Endpoint(settings),
    accessKeyId: settings.accessKeyId,
    multipartThreshold: options.multipartThreshold ?? 16 * MIB,
    partSize,
    queueSize: options.queueSize ?? 4,
  };
}

function makeRef(ctx: S3StoreContext, key: string, digest: string, size: number, options?: PutOptions): ArtifactRef {
  return { uri: s3ObjectUri(ctx.layout, key), digest, size, mediaType: options?.mediaType ?? DEFAULT_MEDIA_TYPE };
}

async function putBytes(ctx: S3StoreContext, bytes: Buffer, options?: PutOptions): Promise<ArtifactRef> {
  const digest = sha256Digest(bytes);
  const key = objectKey(ctx.layout, digest, options?.extension);
  const mediaType = options?.mediaType ?? DEFAULT_MEDIA_TYPE;
  await ensureObject(ctx, key, { digest, size: bytes.length, mediaType, body: () => bytes });
  return makeRef(ctx, key, digest, bytes.length, options);
}

/**
 * Stores a local file. Small files are read into memory and stored like bytes (a retried request resends
 * exactly them); large ones are hashed first, then streamed up, checked against that digest as they go.
 */
async function putLocalFile(
  ctx: S3StoreContext,
  path: string,
  known: { digest: string; size: number } | undefined,
  options?: PutOptions,
): Promise<ArtifactRef> {
  const size = known?.size ?? (await stat(path)).size;
  if (size <= ctx.multipartThreshold) return putBytes(ctx, await readFile(path), options);
  const hashed = known ?? (await sha256OfFile(path));
  const key = objectKey(ctx.layout, hashed.digest, options?.extension);
  const mediaType = options?.mediaType ?? DEFAULT_MEDIA_TYPE;
  const body = () => verifiedFileStream(path, hashed.digest, hashed.size);
  await ensureObject(ctx, key, { ...hashed, mediaType, body });
  return makeRef(ctx, key, hashed.digest, hashed.size, options);
}

async function putFile(ctx: S3StoreContext, path: string, options?: PutOptions): Promise<ArtifactRef> {
  checkObjectExtension(options?.extension);
  try {
    return await putLocalFile(ctx, path, undefined, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw finalFailure(SlipwayErrorType.NotFound, `Cannot store file ${path}: it does not exist`, { path });
    }
    throw err;
  }
}

async function putStream(
  ctx: S3StoreContext,
  source: AsyncIterable<Uint8Array>,
  spoolDir: string,
  options?: PutOptions,
): Promise<ArtifactRef> {
  checkObjectExtension(options?.extension);
  const spooled = await spoolHashing(source, spoolDir);
  try {
    return await putLocalFile(ctx, spooled.path, spooled, options);
  } finally {
    await spooled.remove();
  }
}

async function getBytes(ctx: S3StoreContext, ref: Pick<ArtifactRef, 'uri' | 'digest'>): Promise<Buffer> {
  const key = keyOfRef(ctx.layout, ref);
  const object = objectContext(ctx, key);
  let response: GetObjectCommandOutput;
  try {
    const command = new GetObjectCommand({ Bucket: ctx.layout.bucket, Key: key });
    response = await ctx.client.send(withoutResponseChecksum(command));
  } catch (err) {
    if ((err as { Code?: string } | undefined)?.Code !== 'NoSuchKey') throw s3Failure(err, object);
    throw finalFailure(
      SlipwayErrorType.NotFound,
      `Artifact ${ref.digest} was not found in the artifact store ${ctx.layout.location} at ${ctx.endpoint} ` +
        `(looked for ${object.uri})`,
      { digest: ref.digest, uri: object.uri, endpoint: ctx.endpoint },
    );
  }
  return readVerified(response, object, ref.digest);
}

/**
 * A GetObject without the SDK's own response check (`x-amz-checksum-mode`, on by default since the SDK's
 * `WHEN_SUPPORTED` default): the sha256 of the whole body against the reference's digest is the check. The
 * SDK's check destroys the stream on a mismatch, dropping the last bytes, so a corrupted object would be
 * reported as a (retryable) read error instead of a digest mismatch naming the digest its bytes have.
 */
function withoutResponseChecksum(command: GetObjectCommand): GetObjectCommand {
  const dropChecksumMode =
    <Args extends { input: { ChecksumMode?: unknown } }, Result>(next: (args: Args) => Promise<Result>) =>
    (args: Args): Promise<Result> => {
      delete args.input.ChecksumMode;
      return next(args);
    };
  command.middlewareStack.addRelativeTo(dropChecksumMode, {
    name: 'slipwayDropChecksumMode',
    relation: 'after',
    toMiddleware: 'flexibleChecksumsInputMiddleware',
  });
  return command;
}

/**
 * Reads a response body, hashing it: bytes that do not hash to `digest` are a final `SlipwayDigestMismatch`
 * and are never returned. A body cut short (the connection dropped) is a read failure, retryable.
 */
async function readVerified(
  response: GetObjectCommandOutput,
  object: S3ObjectContext,
  digest: string,
): Promise<Buffer> {
  const counter = new DigestCounter();
  const chunks: Buffer[] = [];
  try {
    // In Node.js the body is a Readable (an IncomingMessage).
    for await (const chunk of (response.Body ?? []) as AsyncIterable<Buffer>) {
      counter.update(chunk);
      chunks.push(chunk);
    }
  } catch (err) {
    throw s3Failure(err, object);
  }
  const actual = counter.digest();
  if (actual !== digest) throw digestMismatch(object.uri, digest, actual);
  return Buffer.concat(chunks, counter.size);
}

/** Lists one key under the prefix: proves the endpoint answers, the credentials sign, and the bucket exists. */
async function check(ctx: S3StoreContext): Promise<void> {
  const { bucket, prefix, location } = ctx.layout;
  const listed = prefix === '' ? '' : `${prefix}/`;
  try {
    await ctx.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: listed, MaxKeys: 1 }));
  } catch (err) {
    const object = { uri: `${location}/`, bucket, key: listed, endpoint: ctx.endpoint, accessKeyId: ctx.accessKeyId };
    throw s3StoreFailure(err, object, 'list');
  }
}
