import type { S3Client } from '@aws-sdk/client-s3';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import { canonicalJson } from '../util/digest.js';
import type { ByteSource } from './byte-source.js';
import { createFileByteSource } from './file-source.js';
import { createS3ByteSource } from './s3-source.js';
import { createS3Client, type S3Settings } from './s3-settings.js';

/** Options of {@link openByteSource}. */
export interface OpenByteSourceOptions {
  /** How to reach S3 for `s3://` URIs (default: the AWS SDK's defaults, which read `AWS_*` variables). */
  s3?: S3Settings;
}

/**
 * The byte source of a dataset URI: `file://…` (a local file) or `s3://bucket/key` (S3 or an S3-compatible
 * store, per `options.s3`). Opening does no I/O; the first call on the source does. Any other URI fails with
 * `SlipwayInvalidInput`. S3 clients are shared between sources with equal settings.
 *
 * ```ts
 * const source = openByteSource('s3://datasets/churn.csv.gz', { s3: s3SettingsFromEnv() });
 * const ref = await artifacts.putStream(await source.stream(), { extension: '.csv.gz' });
 * ```
 */
export function openByteSource(uri: string, options: OpenByteSourceOptions = {}): ByteSource {
  if (/^file:\/\//i.test(uri)) return createFileByteSource(uri);
  if (/^s3:\/\//i.test(uri)) {
    const settings = options.s3 ?? {};
    return createS3ByteSource(uri, { settings, client: sharedS3Client(settings) });
  }
  throw finalFailure(SlipwayErrorType.InvalidInput, `Cannot read ${uri}: expected a file:// URI or s3://bucket/key`, {
    uri,
  });
}

/** At most this many clients are kept; a worker normally uses one. */
const MAX_SHARED_CLIENTS = 8;
const sharedClients = new Map<string, S3Client>();

/** The S3 client for `settings`, shared with every byte source (and listing) using equal settings. */
export function sharedS3Client(settings: S3Settings): S3Client {
  const key = canonicalJson(settings);
  const existing = sharedClients.get(key);
  if (existing !== undefined) return existing;
  const client = createS3Client(settings);
  // Forget the oldest; sources still holding it keep working, and its idle sockets close on their own.
  const oldest = sharedClients.size >= MAX_SHARED_CLIENTS ? sharedClients.keys().next().value : undefined;
  if (oldest !== undefined) sharedClients.delete(oldest);
  sharedClients.set(key, client);
  return client;
}
