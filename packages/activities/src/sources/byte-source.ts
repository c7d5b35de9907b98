/**
 * Where a dataset's stored bytes come from. A `ByteSource` gives the bytes exactly as stored (compressed or
 * not): the dataset digest is the sha256 of these bytes. Adapters: the local filesystem (`file://`) and S3 or
 * any S3-compatible store (`s3://bucket/key`).
 */
import type { Readable } from 'node:stream';

/** The stored bytes of one dataset object. */
export interface ByteSource {
  /** The dataset URI this source reads. */
  readonly uri: string;
  /** A short name for messages: the local path, or `s3://bucket/key`. */
  readonly displayName: string;
  /** The size in bytes. A missing object fails with `SlipwayNotFound` naming it. */
  size(): Promise<number>;
  /** Streams the bytes from `start` (default 0) to the end; aborts with `signal`. */
  stream(options?: { start?: number; signal?: AbortSignal }): Promise<Readable>;
  /** Reads the bytes in `[start, end)` (Parquet reads its footer and row groups this way). */
  read(start: number, end: number): Promise<Uint8Array>;
}
