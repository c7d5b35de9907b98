/**
 * The newest dataset in a place: the newest regular file directly in a `file://` directory (inside the dataset
 * roots), or the newest object directly under an `s3://bucket/prefix/` (inside an S3 dataset root), newest by
 * modification time, then by name (the greatest name wins a tie), optionally only names matching a glob. Names
 * starting with `.` (hidden and in-progress files) are skipped unless the pattern starts with `.` too.
 *
 * ```ts
 * const newest = await findNewestObject({ under: 's3://ml/snapshots/', pattern: '*.parquet', access, s3 });
 * // { uri: 's3://ml/snapshots/2026-12-03.parquet', name: '2026-12-03.parquet', modifiedMs: …, size: … }
 * ```
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import {
  ANYWHERE,
  checkDatasetAccess,
  describeDatasetRoots,
  parseDatasetRoot,
  s3KeyProblem,
  s3RootCovers,
  type DatasetAccess,
} from './dataset-roots.js';
import { namePattern } from './name-pattern.js';
import { s3Failure } from './s3-errors.js';
import { describeS3Endpoint, type S3Settings } from './s3-settings.js';

/** One file or object found in a listing. */
export interface ListedObject {
  /** `file://…` (below the real path of the directory) or `s3://bucket/key`. */
  readonly uri: string;
  /** The base name the pattern was matched against. */
  readonly name: string;
  /** Last modification, in ms since the epoch. */
  readonly modifiedMs: number;
  readonly size: number;
}

/** What {@link findNewestObject} looks in. */
export interface NewestObjectQuery {
  /** A `file://` directory or an `s3://bucket/prefix/`. */
  readonly under: string;
  /** A glob on the base name (see `namePattern`); every name when absent. */
  readonly pattern?: string | undefined;
  /** The dataset roots: the directory or prefix must lie inside them. */
  readonly access: DatasetAccess;
  /** How S3 is reached (named in messages). */
  readonly s3?: S3Settings | undefined;
  /** The S3 client a prefix is listed with (called only for `s3://`). */
  readonly s3Client: () => S3Client;
  /** Keys per listing page (default: the store's, 1000 on S3). */
  readonly pageSize?: number | undefined;
}

/**
 * The newest matching file or object under `query.under`.
 *
 * @throws a final `SlipwayAccessDenied` when the directory or prefix lies outside the dataset roots (nothing is
 *   listed), `SlipwayNotFound` when it does not exist or holds nothing matching (naming it and the pattern),
 *   `SlipwayInvalidInput` when a `file://` URI is not a directory; S3 failures as `s3Failure` maps them.
 */
export async function findNewestObject(query: NewestObjectQuery): Promise<ListedObject> {
  const matches = namePattern(query.pattern ?? '*');
  const showHidden = (query.pattern ?? '').startsWith('.');
  const wanted = (name: string) => (showHidden || !name.startsWith('.')) && matches(name);
  const listed = /^s3:\/\//i.test(query.under)
    ? await listS3Prefix(query, wanted)
    : await listDirectory(query.under, query.access, wanted);
  const newest = listed.reduce<ListedObject | undefined>(
    (best, item) => (isNewer(item, best) ? item : best),
    undefined,
  );
  if (newest === undefined) {
    const what = query.pattern === undefined ? 'no file' : `no file matching ${JSON.stringify(query.pattern)}`;
    throw finalFailure(SlipwayErrorType.NotFound, `There is ${what} in ${query.under}: nothing to resolve it to`, {
      under: query.under,
      ...(query.pattern === undefined ? {} : { pattern: query.pattern }),
    });
  }
  return newest;
}

/** Newer: later modification time, or the same time and a greater name. */
function isNewer(item: ListedObject, than: ListedObject | undefined): boolean {
  if (than === undefined) return true;
  if (item.modifiedMs !== than.modifiedMs) return item.modifiedMs > than.modifiedMs;
  return item.name > than.name;
}

async function listDirectory(
  uri: string,
  access: DatasetAccess,
  wanted: (name: string) => boolean,
): Promise<ListedObject[]> {
  if (!/^file:\/\//i.test(uri)) {
    throw finalFailure(SlipwayErrorType.InvalidInput, `${uri} is neither a file:// directory nor s3://bucket/prefix/`, {
      under: uri,
    });
  }
  const allowed = await checkDatasetAccess(uri, access);
  if (allowed.kind !== 'file') throw new Error(`unreachable: ${uri} checked as S3`);
  const directory = await stat(allowed.path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
      throw finalFailure(SlipwayErrorType.NotFound, `The directory ${allowed.path} (${uri}) does not exist`, {
        under: uri,
      });
    }
    throw err;
  });
  if (!directory.isDirectory()) {
    throw finalFailure(SlipwayErrorType.InvalidInput, `${allowed.path} (${uri}) is not a directory`, { under: uri });
  }
  const entries = await readdir(allowed.path, { withFileTypes: true });
  const listed: ListedObject[] = [];
  for (const entry of entries) {
    if (!(entry.isFile() || entry.isSymbolicLink()) || !wanted(entry.name)) continue;
    const path = join(allowed.path, entry.name);
    // A file removed since the listing, or a dangling link, is not a candidate.
    const stats = await stat(path).catch(() => undefined);
    if (stats?.isFile() !== true) continue;
    listed.push({ uri: pathToFileURL(path).href, name: entry.name, modifiedMs: stats.mtimeMs, size: stats.size });
  }
  return listed;
}

/** `s3://bucket/prefix/` as a bucket and a key prefix ending in `/` (empty for the whole bucket). */
function parseS3Prefix(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/i.exec(uri);
  if (match?.[1] === undefined) {
    throw finalFailure(SlipwayErrorType.InvalidInput, `${uri} is not an S3 prefix: expected s3://bucket/prefix/`, {
      under: uri,
    });
  }
  const rest = match[2] ?? '';
  return { bucket: match[1], prefix: rest === '' || rest.endsWith('/') ? rest : `${rest}/` };
}

/** Refuses a prefix outside the S3 dataset roots before anything is listed (a listing shows names). */
function checkS3PrefixAccess(uri: string, bucket: string, prefix: string, access: DatasetAccess): void {
  const key = prefix.replace(/\/$/, '');
  const problem = key === '' ? undefined : s3KeyProblem(key);
  const refuse = (why: string) =>
    finalFailure(SlipwayErrorType.AccessDenied, `The prefix ${JSON.stringify(uri)} is refused: ${why}`, {
      under: uri,
      roots: access.roots,
    });
  if (problem !== undefined) throw refuse(`it ${problem}`);
  if (access.roots === ANYWHERE) return;
  const covered = access.roots.some((entry) => {
    const root = parseDatasetRoot(entry);
    return root.kind === 's3' && (root.prefix === '' || (key !== '' && s3RootCovers(root, { bucket, key })));
  });
  if (!covered) {
    throw refuse(
      `it is outside the dataset roots (${describeDatasetRoots(access)}); add a root to data.roots (or SLIPWAY_DATA_ROOTS)`,
    );
  }
}

async function listS3Prefix(query: NewestObjectQuery, wanted: (name: string) => boolean): Promise<ListedObject[]> {
  const { bucket, prefix } = parseS3Prefix(query.under);
  checkS3PrefixAccess(query.under, bucket, prefix, query.access);
  const client = query.s3Client();
  const context = { uri: query.under, bucket, key: prefix, endpoint: describeS3Endpoint(query.s3 ?? {}) };
  const listed: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await client
      .send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          Delimiter: '/',
          ContinuationToken: token,
          ...(query.pageSize === undefined ? {} : { MaxKeys: query.pageSize }),
        }),
      )
      .catch((err: unknown) => {
        throw s3Failure(err, context);
      });
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? '';
      const name = key.slice(prefix.length);
      if (name === '' || name.includes('/') || !wanted(name)) continue;
      const modifiedMs = object.LastModified?.getTime() ?? 0;
      listed.push({ uri: `s3://${bucket}/${key}`, name, modifiedMs, size: object.Size ?? 0 });
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return listed;
}
