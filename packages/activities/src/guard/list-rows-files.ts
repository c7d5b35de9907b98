/**
 * The files a `rows` monitor source reads: every JSON lines or Parquet file under a `file://` directory (inside the
 * dataset roots) or an `s3://bucket/prefix/`, in name order. The directory or prefix is checked against the
 * dataset roots before anything is listed; each file is checked again when it is opened.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import {
  ANYWHERE,
  checkDatasetAccess,
  describeDatasetRoots,
  parseDatasetRoot,
  s3RootCovers,
  type DatasetAccess,
} from '../sources/dataset-roots.js';
import { s3Failure } from '../sources/s3-errors.js';
import { createS3Client, describeS3Endpoint, type S3Settings } from '../sources/s3-settings.js';

/** A served-rows file format. */
export type RowsFormat = 'jsonl' | 'parquet';

/** One file to read: its URI and format. */
export interface RowsFile {
  uri: string;
  format: RowsFormat;
}

const BY_EXTENSION: readonly [RegExp, RowsFormat][] = [
  [/\.(jsonl|ndjson)(\.gz)?$/i, 'jsonl'],
  [/\.parquet$/i, 'parquet'],
];

/**
 * The format of a file in a rows source: `format` when the source names one (then every file but hidden ones,
 * `.name`, and markers such as `_SUCCESS` is read as that format), else by extension (`.jsonl`, `.ndjson`, either
 * `.gz`, `.parquet`); undefined for a file that is skipped.
 */
export function rowsFormatOf(name: string, format: RowsFormat | undefined): RowsFormat | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base.startsWith('.') || base.startsWith('_')) return undefined;
  if (format) return format;
  return BY_EXTENSION.find(([pattern]) => pattern.test(base))?.[1];
}

/** What {@link listRowsFiles} needs. */
export interface ListRowsOptions {
  access: DatasetAccess;
  s3: S3Settings;
  format?: RowsFormat | undefined;
  signal?: AbortSignal;
}

/**
 * Lists the files of a rows source, in name order.
 *
 * @throws a final `SlipwayAccessDenied` failure when the directory or prefix is outside the dataset roots, and a
 *   final `SlipwayInvalidInput` failure when it holds no file to read.
 */
export async function listRowsFiles(uri: string, options: ListRowsOptions): Promise<RowsFile[]> {
  const files = uri.startsWith('s3://') ? await listS3(uri, options) : await listDirectory(uri, options);
  if (files.length === 0) {
    const what = options.format ? `${options.format} file` : '.jsonl, .ndjson or .parquet file';
    throw finalFailure(SlipwayErrorType.InvalidInput, `The rows source ${uri} holds no ${what}: nothing to check`, {
      field: 'source.uri',
      uri,
    });
  }
  return files;
}

async function listDirectory(uri: string, options: ListRowsOptions): Promise<RowsFile[]> {
  const allowed = await checkDatasetAccess(uri, options.access);
  if (allowed.kind !== 'file') throw new TypeError(`expected a file:// directory, got ${uri}`);
  let entries;
  try {
    entries = await readdir(allowed.path, { recursive: true, withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const type = code === 'ENOENT' ? SlipwayErrorType.NotFound : SlipwayErrorType.InvalidInput;
    const reason = code === 'ENOTDIR' ? 'is not a directory' : `cannot be listed (${code ?? String(err)})`;
    throw finalFailure(type, `The rows source ${uri} ${reason}`, { field: 'source.uri', uri });
  }
  const files: RowsFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const format = rowsFormatOf(path.slice(allowed.path.length), options.format);
    if (format) files.push({ uri: pathToFileURL(path).href, format });
  }
  return files.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

async function listS3(uri: string, options: ListRowsOptions): Promise<RowsFile[]> {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match?.[1]) throw finalFailure(SlipwayErrorType.InvalidInput, `${uri} is not an s3://bucket/prefix/`, { uri });
  const bucket = match[1];
  const prefix = match[2] ?? '';
  await checkPrefixAccess(uri, bucket, prefix, options.access);
  const client = createS3Client(options.s3);
  const files: RowsFile[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        { abortSignal: options.signal },
      );
      for (const object of page.Contents ?? []) {
        const format = object.Key ? rowsFormatOf(object.Key.slice(prefix.length), options.format) : undefined;
        if (format && object.Key) files.push({ uri: `s3://${bucket}/${object.Key}`, format });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  } catch (err) {
    throw s3Failure(err, { uri, bucket, key: prefix, endpoint: describeS3Endpoint(options.s3) });
  } finally {
    client.destroy();
  }
  return files.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

/** The prefix must lie inside an S3 dataset root (the whole bucket needs a root covering the whole bucket). */
async function checkPrefixAccess(uri: string, bucket: string, prefix: string, access: DatasetAccess): Promise<void> {
  if (prefix !== '') {
    await checkDatasetAccess(uri, access);
    return;
  }
  if (access.roots === ANYWHERE) return;
  const covered = access.roots.some((entry) => {
    const root = parseDatasetRoot(entry);
    return root.kind === 's3' && s3RootCovers(root, { bucket, key: '' });
  });
  if (covered) return;
  throw finalFailure(
    SlipwayErrorType.AccessDenied,
    `rows source ${JSON.stringify(uri)} is outside the dataset roots (${describeDatasetRoots(access)}); add a root ` +
      'to data.roots (or SLIPWAY_DATA_ROOTS)',
    { uri, roots: access.roots },
  );
}
