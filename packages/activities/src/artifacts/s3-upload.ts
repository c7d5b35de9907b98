import {
  AbortMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { S3ObjectContext } from '../sources/s3-errors.js';
import { s3ObjectUri, type S3StoreLayout } from './s3-layout.js';
import { s3StoreFailure } from './s3-store-errors.js';
import { CONTENT_CHANGED_ERROR } from './spool.js';

/** What every request of one S3 artifact store needs. */
export interface S3StoreContext {
  readonly client: S3Client;
  readonly layout: S3StoreLayout;
  /** Where requests go (`describeS3Endpoint`), for messages. */
  readonly endpoint: string;
  /** The access key id, when configured explicitly, for messages. */
  readonly accessKeyId: string | undefined;
  /** Objects larger than this go up as multipart uploads. */
  readonly multipartThreshold: number;
  /** The size of each multipart part. */
  readonly partSize: number;
  /** How many parts go up at once. */
  readonly queueSize: number;
}

/** Content to store at a content key: what it hashes to, how big it is, and its bytes (read on demand). */
export interface ObjectContent {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  /** The bytes; called once per upload attempt. */
  readonly body: () => Buffer | Readable;
}

/** The user metadata key (`x-amz-meta-sha256`) that records the hex sha256 of what Slipway stored. */
export const SHA256_METADATA_KEY = 'sha256';

/** The object context of a key, for failures. */
export function objectContext(ctx: S3StoreContext, key: string): S3ObjectContext {
  const { bucket } = ctx.layout;
  return { uri: s3ObjectUri(ctx.layout, key), bucket, key, endpoint: ctx.endpoint, accessKeyId: ctx.accessKeyId };
}

/**
 * Makes sure the content is stored at `key`: nothing is sent when a HeadObject shows an object of the same
 * size that Slipway stored with this digest (a retried or repeated put); otherwise the content is uploaded
 * — over whatever is there, so a truncated or foreign object at a content key is repaired.
 */
export async function ensureObject(ctx: S3StoreContext, key: string, content: ObjectContent): Promise<void> {
  if (await isStored(ctx, key, content)) return;
  await uploadObject(ctx, key, content);
}

/**
 * True when the object at `key` has the content's size and digest metadata. A 404 (no such key, or, from
 * some servers, no such bucket or access key) and a bare 403 (a HEAD response has no error code to tell a
 * denied permission from a bad signature) count as "not stored": the upload that follows fails with a
 * precise error if the store is really unusable.
 */
async function isStored(ctx: S3StoreContext, key: string, content: ObjectContent): Promise<boolean> {
  try {
    const head = await ctx.client.send(new HeadObjectCommand({ Bucket: ctx.layout.bucket, Key: key }));
    const hex = content.digest.slice('sha256:'.length);
    return head.ContentLength === content.size && head.Metadata?.[SHA256_METADATA_KEY] === hex;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || status === 403) return false;
    throw s3StoreFailure(err, objectContext(ctx, key), 'write');
  }
}

/**
 * Uploads the content to `key`: one PutObject carrying the content's sha256 (`x-amz-checksum-sha256`, which
 * the store checks, refusing other bytes with BadDigest), or a multipart upload with a sha256 per part. S3
 * makes an object visible only once its upload is complete, so a reader never sees part of one. When an
 * upload fails, the object may still have been stored by a concurrent writer of the same content: that
 * counts as success. After a multipart upload, incomplete uploads left at the same key by failed attempts
 * are aborted (best effort).
 */
async function uploadObject(ctx: S3StoreContext, key: string, content: ObjectContent): Promise<void> {
  const multipart = content.size > ctx.multipartThreshold;
  try {
    await (multipart ? putMultipart(ctx, key, content) : putSingle(ctx, key, content));
  } catch (err) {
    const storedAnyway = await isStored(ctx, key, content).catch(() => false);
    if (storedAnyway) return;
    throw isContentChanged(err) ? err : s3StoreFailure(err, objectContext(ctx, key), 'write');
  }
  if (multipart) await abortLeftoverUploads(ctx, key);
}

function isContentChanged(err: unknown): boolean {
  const e = err as { name?: string; cause?: { name?: string } } | undefined;
  return e?.name === CONTENT_CHANGED_ERROR || e?.cause?.name === CONTENT_CHANGED_ERROR;
}

function commonParams(ctx: S3StoreContext, key: string, content: ObjectContent) {
  return {
    Bucket: ctx.layout.bucket,
    Key: key,
    ContentLength: content.size,
    ContentType: content.mediaType,
    Metadata: { [SHA256_METADATA_KEY]: content.digest.slice('sha256:'.length) },
  };
}

async function putSingle(ctx: S3StoreContext, key: string, content: ObjectContent): Promise<void> {
  const checksum = Buffer.from(content.digest.slice('sha256:'.length), 'hex').toString('base64');
  await ctx.client.send(
    new PutObjectCommand({ ...commonParams(ctx, key, content), Body: content.body(), ChecksumSHA256: checksum }),
  );
}

async function putMultipart(ctx: S3StoreContext, key: string, content: ObjectContent): Promise<void> {
  const upload = new Upload({
    client: ctx.client,
    params: { ...commonParams(ctx, key, content), Body: content.body(), ChecksumAlgorithm: 'SHA256' },
    partSize: ctx.partSize,
    queueSize: ctx.queueSize,
    leavePartsOnError: false,
  });
  await upload.done();
}

/**
 * Aborts the incomplete multipart uploads at `key`: what earlier attempts left when the store went away
 * mid-upload (their own abort could not reach it). The object is complete by now, so a concurrent writer
 * whose upload this cancels finds it stored and succeeds. Errors are ignored: a leftover upload is never
 * visible as an object, and a bucket lifecycle rule (AbortIncompleteMultipartUpload) reclaims it too.
 */
async function abortLeftoverUploads(ctx: S3StoreContext, key: string): Promise<void> {
  const Bucket = ctx.layout.bucket;
  try {
    const listed = await ctx.client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: key }));
    const leftovers = (listed.Uploads ?? []).filter((u) => u.Key === key && u.UploadId !== undefined);
    await Promise.all(
      leftovers.map((u) =>
        ctx.client
          .send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: u.UploadId }))
          .catch(() => undefined),
      ),
    );
  } catch {
    // best effort, see above
  }
}
