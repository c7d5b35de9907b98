import type { ArtifactRef } from '@slipway/sdk';
import { Digest, SlipwayErrorType, finalFailure } from '@slipway/sdk';
import { OBJECT_EXTENSION_PATTERN, checkObjectExtension } from './fs-layout.js';

/**
 * Where an S3 artifact store keeps its objects: `s3://<bucket>/<prefix>/sha256/<first 2 hex>/<64 hex>[extension]`
 * (without a prefix, `s3://<bucket>/sha256/…`).
 */
export interface S3StoreLayout {
  readonly bucket: string;
  /** The key prefix, without leading or trailing `/`; empty for the bucket's root. */
  readonly prefix: string;
  /** `s3://bucket/prefix` (or `s3://bucket`): the store's location, for messages. */
  readonly location: string;
}

/**
 * What a bucket name may be (the S3 rules for new buckets): 3–63 lowercase letters, digits, dots and
 * hyphens, starting and ending with a letter or digit.
 */
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** One segment of a key prefix: letters, digits and the characters S3 calls safe, `=` and `+`. */
const PREFIX_SEGMENT_PATTERN = /^[A-Za-z0-9!_.*'()=+-]{1,255}$/;

/**
 * The layout of a store in `bucket` under `prefix`. The bucket must follow the S3 naming rules; the prefix
 * may have leading and trailing slashes (dropped), and is made of segments of letters, digits and
 * `!_.*'()=+-` other than `.` and `..`. Anything else fails with `SlipwayInvalidInput`.
 */
export function s3StoreLayout(bucket: string, prefix = ''): S3StoreLayout {
  const trimmed = trimSlashes(prefix);
  const problem = s3LayoutProblem(bucket, prefix);
  if (problem !== undefined) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `The S3 artifact store location bucket ${JSON.stringify(bucket)}, prefix ${JSON.stringify(prefix)} is not valid: ${problem}`,
      { bucket, prefix },
    );
  }
  return { bucket, prefix: trimmed, location: trimmed === '' ? `s3://${bucket}` : `s3://${bucket}/${trimmed}` };
}

/** Why `bucket` and `prefix` cannot make a store layout, or `undefined` when they can. */
export function s3LayoutProblem(bucket: string, prefix = ''): string | undefined {
  return bucketProblem(bucket) ?? prefixProblem(trimSlashes(prefix));
}

function trimSlashes(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

function bucketProblem(bucket: string): string | undefined {
  if (BUCKET_PATTERN.test(bucket) && !bucket.includes('..')) return undefined;
  return 'a bucket name is 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
}

function prefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const bad = prefix.split('/').find((s) => !PREFIX_SEGMENT_PATTERN.test(s) || s === '.' || s === '..');
  if (bad === undefined) return undefined;
  return (
    `the prefix segment ${JSON.stringify(bad)} is not allowed: segments are letters, digits and !_.*'()=+-, ` +
    'never empty, "." or ".."'
  );
}

/** The key under which the object with this digest (validated) and extension (validated) is stored. */
export function objectKey(layout: S3StoreLayout, digest: string, extension = ''): string {
  checkDigest(digest);
  checkObjectExtension(extension);
  const hex = digest.slice('sha256:'.length);
  const name = `sha256/${hex.slice(0, 2)}/${hex}${extension}`;
  return layout.prefix === '' ? name : `${layout.prefix}/${name}`;
}

/** `s3://bucket/key`. */
export function s3ObjectUri(layout: S3StoreLayout, key: string): string {
  return `s3://${layout.bucket}/${key}`;
}

/**
 * The key of the object a reference names. Refuses (`SlipwayInvalidInput`) a reference whose `uri` is not
 * exactly `s3://<this bucket>/<the key of its digest>`, optionally followed by a valid extension: another
 * bucket, another prefix, another object, a `..` segment (S3 keys are literal, so it would name another
 * object) or another scheme are all refused.
 */
export function keyOfRef(layout: S3StoreLayout, ref: Pick<ArtifactRef, 'uri' | 'digest'>): string {
  const bare = objectKey(layout, ref.digest);
  const bareUri = s3ObjectUri(layout, bare);
  const extension = ref.uri.startsWith(bareUri) ? ref.uri.slice(bareUri.length) : undefined;
  if (extension === undefined || !(extension === '' || OBJECT_EXTENSION_PATTERN.test(extension))) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Artifact uri ${JSON.stringify(ref.uri)} does not point at ${bareUri}, where digest ${ref.digest} is stored ` +
        `in the artifact store ${layout.location}; refusing to read it`,
      { uri: ref.uri, digest: ref.digest, expectedUri: bareUri },
    );
  }
  return bare + extension;
}

function checkDigest(digest: string): void {
  if (Digest.safeParse(digest).success) return;
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `Artifact digest ${JSON.stringify(digest)} is not valid: expected "sha256:" followed by 64 lowercase hex digits`,
    { digest },
  );
}
