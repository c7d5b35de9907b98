/**
 * The one way steps open a dataset's bytes: through the dataset roots of the worker's dependencies.
 */
import type { ActivityDeps } from '../ports.js';
import type { DatasetAccess } from '../sources/dataset-roots.js';
import { guardedSourceOpener } from '../sources/guarded-source.js';
import { openByteSource } from '../sources/open-source.js';
import { openSourceFromEnv, type SourceOpener } from './formats/dataset-rows.js';

/** The dataset access of a library user who configured none: below the working directory, nothing denied. */
export function defaultDatasetAccess(): DatasetAccess {
  return { roots: [process.cwd()], denied: [] };
}

/**
 * Opens datasets the way the built-in steps do, for custom steps to do the same: `file://` and `s3://` (with
 * `deps.s3`, else the environment's S3 settings), each checked against `deps.datasetAccess` (default
 * {@link defaultDatasetAccess}) before a byte is read.
 *
 * ```ts
 * const openSource = datasetSourceOpener(deps);
 * for await (const event of readCsvRows(input.dataset.uri, { schema, openSource })) { … }
 * ```
 */
export function datasetSourceOpener(deps: Pick<ActivityDeps, 'datasetAccess' | 's3'>): SourceOpener {
  const { s3 } = deps;
  const open: SourceOpener = s3 === undefined ? openSourceFromEnv : (uri) => openByteSource(uri, { s3 });
  return guardedSourceOpener(deps.datasetAccess ?? defaultDatasetAccess(), open);
}
