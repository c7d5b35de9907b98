/**
 * The `slipway.resolve-dataset` activity: a dataset template (`newestUnder` a `file://` directory or an
 * `s3://bucket/prefix/`, optionally a name `pattern`) resolved to its newest dataset and pinned by the sha256 of its
 * stored bytes, so that every later step (and every retry) reads the same bytes. The directory or prefix must lie
 * inside the worker's dataset roots, and the chosen dataset is read through them too.
 */
import {
  type DatasetRef,
  SlipwayErrorType,
  datasetEncoding,
  finalFailure,
  retryableFailure,
  type StepParsedInput,
  type resolveDatasetStep,
} from '@slipway/sdk';
import type { S3Client } from '@aws-sdk/client-s3';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { currentActivityHooks, createThrottle, type ActivityHooks } from '../data/activity-context.js';
import { contentChunks, type StoredBytesState } from '../data/formats/stored-bytes.js';
import type { SourceOpener } from '../data/formats/dataset-rows.js';
import type { DatasetAccess } from '../sources/dataset-roots.js';
import { findNewestObject, type ListedObject } from '../sources/newest-object.js';
import type { S3Settings } from '../sources/s3-settings.js';

/** What the activity needs: the dataset roots, how to read (through them) and how to list S3. */
export interface ResolveDatasetDeps {
  access: DatasetAccess;
  /** Opens a dataset's bytes through the dataset roots (`datasetSourceOpener(deps)`). */
  openSource: SourceOpener;
  s3?: S3Settings | undefined;
  s3Client: () => S3Client;
  /** Keys per S3 listing page (default: the store's). */
  pageSize?: number | undefined;
  /** Heartbeats and cancellation (default: the current activity's). */
  hooks?: () => ActivityHooks;
}

/** The resolved dataset: the template's reading options and the newest dataset's URI and digest. */
export type ResolvedDataset = DatasetRef & { digest: `sha256:${string}` };

/**
 * Creates the activity. It lists the directory or prefix (refused before listing when outside the dataset roots),
 * picks the newest matching file (by modification time, then by name), reads its bytes once to hash them
 * (heartbeating `{ uri, bytes }`), and fails with a retryable `SlipwaySourceError` when the file changed while it
 * was read. Nothing matching fails with a final `SlipwayNotFound` naming the place and the pattern; a dataset whose
 * format cannot be told from its name (and the template names none) with `SlipwayInvalidInput`.
 */
export function createResolveDatasetActivity(deps: ResolveDatasetDeps) {
  return async ({ template }: StepParsedInput<typeof resolveDatasetStep>): Promise<ResolvedDataset> => {
    const newest = await findNewestObject({
      under: template.newestUnder,
      pattern: template.pattern,
      access: deps.access,
      s3: deps.s3,
      s3Client: deps.s3Client,
      pageSize: deps.pageSize,
    });
    const ref: DatasetRef = {
      uri: newest.uri,
      ...(template.format ? { format: template.format } : {}),
      ...(template.compression ? { compression: template.compression } : {}),
      ...(template.csv ? { csv: template.csv } : {}),
    };
    checkEncoding(ref, template.newestUnder);
    const digest = await digestOf(newest, deps);
    return { ...ref, digest };
  };
}

/** The format must be known before the dataset is used: from the template, or from the file's name. */
function checkEncoding(ref: DatasetRef, under: string): void {
  try {
    datasetEncoding(ref);
  } catch (err) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `The newest dataset under ${under} is ${ref.uri}, but ${err instanceof Error ? err.message : String(err)} ` +
        '(the template\'s "format")',
      { uri: ref.uri, under },
    );
  }
}

/** The sha256 of the stored bytes, read through the dataset roots; a file that changed meanwhile is read again. */
async function digestOf(newest: ListedObject, deps: ResolveDatasetDeps): Promise<`sha256:${string}`> {
  const hooks = (deps.hooks ?? currentActivityHooks)();
  const source = deps.openSource(newest.uri);
  const state: StoredBytesState = { bytesRead: 0, digest: undefined };
  const throttle = createThrottle(5_000);
  for await (const _chunk of contentChunks(source, 'none', state, hooks.signal)) {
    if (throttle.ready()) hooks.heartbeat({ uri: newest.uri, bytes: state.bytesRead });
  }
  const changed = state.bytesRead !== newest.size || (await modifiedSince(newest));
  if (changed || state.digest === undefined) {
    throw retryableFailure(
      SlipwayErrorType.SourceStoreError,
      `The dataset ${newest.uri} changed while it was read (listed with ${newest.size} bytes, read ${state.bytesRead}); ` +
        'it is resolved again',
      { uri: newest.uri },
    );
  }
  return state.digest;
}

/** Whether a local file's modification time differs from the listing's (S3 objects are pinned by their size). */
async function modifiedSince(listed: ListedObject): Promise<boolean> {
  if (!listed.uri.startsWith('file:')) return false;
  const now = await stat(fileURLToPath(listed.uri)).catch(() => undefined);
  return now?.mtimeMs !== listed.modifiedMs;
}
