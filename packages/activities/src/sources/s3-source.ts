import { GetObjectCommand, HeadObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { Readable, addAbortSignal } from 'node:stream';
import type { ByteSource } from './byte-source.js';
import { s3Failure, type S3ObjectContext } from './s3-errors.js';
import { createS3Client, describeS3Endpoint, type S3Settings } from './s3-settings.js';
import { checkOffset, checkRange, pastTheEnd } from './source-errors.js';
import { parseS3Uri } from './s3-uri.js';

export { parseS3Uri, type S3Location } from './s3-uri.js';

/** Options of {@link createS3ByteSource}. */
export interface S3ByteSourceOptions {
  /** Where the store is and how to sign in (default: the AWS SDK's defaults). */
  settings?: S3Settings;
  /** A client to reuse; by default one is made from `settings`. */
  client?: S3Client;
}

/**
 * A `ByteSource` for an object in S3 or an S3-compatible store: `HeadObject` for the size, `GetObject`
 * with a `Range` for `read` and `stream({ start })`. Once the source has seen the object's ETag, later
 * requests carry `If-Match`, so an object replaced mid-read fails (retryably) instead of mixing versions.
 * Failures name the object and the endpoint (see `s3Failure`).
 *
 * ```ts
 * const source = createS3ByteSource('s3://datasets/churn.csv.gz', {
 *   settings: { endpoint: 'http://127.0.0.1:7070', region: 'us-east-1' },
 * });
 * const size = await source.size();
 * const stream = await source.stream({ start: 0 });
 * ```
 */
export function createS3ByteSource(uri: string, options: S3ByteSourceOptions = {}): ByteSource {
  const settings = options.settings ?? {};
  const client = options.client ?? createS3Client(settings);
  const object: S3ObjectContext = {
    uri,
    ...parseS3Uri(uri),
    endpoint: describeS3Endpoint(settings),
    accessKeyId: settings.accessKeyId,
  };
  const reader = new S3ObjectReader(client, object);
  return {
    uri,
    displayName: uri,
    size: async () => (await reader.head()).size,
    stream: async (streamOptions = {}) => reader.stream(streamOptions.start ?? 0, streamOptions.signal),
    read: async (start, end) => reader.read(start, end),
  };
}

/** What a source remembers about its object after the first answer. */
interface ObjectVersion {
  size: number;
  etag: string | undefined;
}

class S3ObjectReader {
  private version: ObjectVersion | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly object: S3ObjectContext,
  ) {}

  async head(): Promise<ObjectVersion> {
    if (this.version !== undefined) return this.version;
    const { bucket, key } = this.object;
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      this.version = { size: response.ContentLength ?? 0, etag: response.ETag };
      return this.version;
    } catch (err) {
      throw await this.headFailure(err);
    }
  }

  /**
   * A HEAD response has no body, so its error has no code: a 404 does not say whether the key or the bucket
   * is missing (or, with some servers, the access key), a 403 not whether the signature or the permission
   * failed. A one-byte GET of the same object answers with a code.
   */
  private async headFailure(err: unknown): Promise<unknown> {
    const status = statusOf(err);
    if (status === undefined || status < 400 || status >= 500) return s3Failure(err, this.object);
    const { bucket, key } = this.object;
    const probe = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: 'bytes=0-0' })).then(
      async (response) => {
        await response.Body?.transformToByteArray();
        return undefined;
      },
      (probeErr: unknown) => probeErr,
    );
    return s3Failure(statusOf(probe) === undefined ? err : probe, this.object);
  }

  async stream(start: number, signal: AbortSignal | undefined): Promise<Readable> {
    checkOffset(this.object.uri, start);
    signal?.throwIfAborted();
    if (start > 0) {
      const { size } = await this.head();
      if (start > size) throw pastTheEnd(this.object.uri, start, start, size);
      if (start === size) return Readable.from([]);
    }
    const response = await this.get(start > 0 ? `bytes=${start}-` : undefined, signal);
    if (this.version === undefined && start === 0) {
      this.version = { size: response.ContentLength ?? 0, etag: response.ETag };
    }
    const body = bodyOf(response);
    return signal === undefined ? body : addAbortSignal(signal, body);
  }

  async read(start: number, end: number): Promise<Uint8Array> {
    checkRange(this.object.uri, start, end);
    if (end === start) return new Uint8Array(0);
    const { size } = await this.head();
    if (end > size) throw pastTheEnd(this.object.uri, start, end, size);
    const response = await this.get(`bytes=${start}-${end - 1}`, undefined);
    let bytes: Buffer;
    try {
      bytes = Buffer.concat((await bodyOf(response).toArray()) as Buffer[]);
    } catch (err) {
      throw s3Failure(err, this.object); // e.g. the connection was reset mid-body
    }
    if (bytes.length !== end - start) throw pastTheEnd(this.object.uri, start, end, start + bytes.length);
    return bytes;
  }

  private async get(range: string | undefined, signal: AbortSignal | undefined): Promise<GetObjectCommandOutput> {
    const { bucket, key } = this.object;
    const etag = this.version?.etag;
    const command = new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(range === undefined ? {} : { Range: range }),
      ...(etag === undefined ? {} : { IfMatch: etag }),
    });
    try {
      return await this.client.send(command, signal === undefined ? {} : { abortSignal: signal });
    } catch (err) {
      throw s3Failure(err, this.object);
    }
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** The response body as a Node.js stream (in Node.js the SDK returns an `IncomingMessage`). */
function bodyOf(response: GetObjectCommandOutput): Readable {
  const body = response.Body;
  if (body instanceof Readable) return body;
  if (body === undefined) return Readable.from([]);
  throw new TypeError('the S3 client returned a response body that is not a Node.js stream');
}
