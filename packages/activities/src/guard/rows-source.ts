/**
 * The `rows` monitor source: served rows written as JSON lines or Parquet files under a directory or an S3
 * prefix (a model served outside Slipway), each row holding its features, a timestamp column and, optionally, the
 * prediction. Every file is read through the worker's dataset roots with the dataset readers of `../data`.
 */
import { SlipwayErrorType, finalFailure, type FeatureRow } from '@slipway/sdk';
import type { ModelVersionRecord } from '../ports.js';
import type { ActivityHooks } from '../data/activity-context.js';
import { throwIfAborted } from '../data/activity-context.js';
import { datasetSourceOpener, defaultDatasetAccess } from '../data/dataset-opener.js';
import { openRowReader } from '../data/formats/open-row-reader.js';
import { describePosition, type RawCell, type RowPosition } from '../data/row-batch.js';
import { s3SettingsFromEnv } from '../sources/s3-settings.js';
import type { CheckInput, CheckRows } from './check-source.js';
import type { GuardCheckActivityDeps } from './guard-check.js';
import { comparedFeatures } from './verdict.js';
import { listRowsFiles, type RowsFile } from './list-rows-files.js';
import type { PredictionValue } from './prediction-drift.js';
import { NewestByTime, inWindow, windowBounds, type WindowBounds } from './window-rows.js';

type RowsSource = Extract<CheckInput['source'], { kind: 'rows' }>;

/** One served row read from a file. */
interface FileRow {
  features: FeatureRow;
  prediction: PredictionValue | undefined;
}

/** Where a cell was read, for messages. */
interface CellPlace {
  file: string;
  position: RowPosition;
}

/**
 * Reads the rows of the window from every file of the source: rows with `from < ts ≤ to`, the newest
 * `policy.maxRows` of them by timestamp, each row's values of the version's features and its prediction (the
 * `predictionColumn`, when the source names one; rows whose cell is null have none).
 *
 * @throws a final `SlipwayAccessDenied` failure for a directory or prefix outside the dataset roots, and a final
 *   `SlipwayInvalidInput` failure naming the file and line of a row without a readable timestamp, or a row the
 *   reader could not parse.
 */
export async function readRowsSource(
  deps: GuardCheckActivityDeps,
  input: CheckInput,
  source: RowsSource,
  record: ModelVersionRecord,
  hooks: ActivityHooks,
): Promise<CheckRows> {
  const access = deps.datasetAccess ?? defaultDatasetAccess();
  const s3 = deps.s3 ?? s3SettingsFromEnv();
  const files = await listRowsFiles(source.uri, { access, s3, format: source.format, signal: hooks.signal });
  const open = datasetSourceOpener({ datasetAccess: access, s3 });
  const kept = new NewestByTime<FileRow>(input.policy.maxRows);
  const bounds = windowBounds(input.window);
  const features = comparedFeatures(record.lineage.features);
  for (const file of files) {
    await readFile(file, open, { source, bounds, features, kept, hooks });
  }
  const rows = kept.toArray();
  return {
    rows: rows.map((row) => row.features),
    predictions: rows.flatMap((row) => (row.prediction === undefined ? [] : [row.prediction])),
    imputedRows: 0,
    windowRows: kept.seen,
    window: { ...(input.window.from ? { from: input.window.from } : {}), to: input.window.to },
    description: `${source.uri} (${files.length} ${source.format ?? 'JSON lines/Parquet'} file${files.length === 1 ? '' : 's'}, timestamp column "${source.timestampColumn}")`,
    health: null,
    features: record.lineage.features,
  };
}

interface ReadContext {
  source: RowsSource;
  bounds: WindowBounds;
  features: readonly string[];
  kept: NewestByTime<FileRow>;
  hooks: ActivityHooks;
}

async function readFile(file: RowsFile, open: ReturnType<typeof datasetSourceOpener>, ctx: ReadContext) {
  const reader = openRowReader({ uri: file.uri, format: file.format }, open(file.uri), { signal: ctx.hooks.signal });
  const name = reader.source.displayName;
  for await (const batch of reader) {
    throwIfAborted(ctx.hooks.signal);
    const bad = batch.malformed[0];
    if (bad) {
      throw finalFailure(SlipwayErrorType.InvalidInput, `${name} ${describePosition(bad.position)}: ${bad.message}`, {
        uri: file.uri,
        ...bad.position,
      });
    }
    const column = new Map(batch.columns.map((c, i) => [c, i] as const));
    const tsAt = column.get(ctx.source.timestampColumn);
    const predictionAt =
      ctx.source.predictionColumn === undefined ? undefined : column.get(ctx.source.predictionColumn);
    batch.rows.forEach((cells, i) => {
      const place = { file: name, position: batch.positions[i] as RowPosition };
      const time = timeOf(tsAt === undefined ? undefined : cells[tsAt], ctx.source.timestampColumn, place);
      if (!inWindow(ctx.bounds, time)) return;
      const features: FeatureRow = {};
      for (const feature of ctx.features) {
        const at = column.get(feature);
        features[feature] = valueOf(at === undefined ? null : cells[at]);
      }
      const prediction = predictionAt === undefined ? undefined : (valueOf(cells[predictionAt]) ?? undefined);
      ctx.kept.add(time, { features, prediction });
    });
    ctx.hooks.heartbeat({ stage: 'read', file: file.uri, rows: reader.progress().rowsRead });
  }
}

/** A feature or prediction cell as a served value (INT64 as a number, missing as null). */
function valueOf(cell: RawCell): string | number | boolean | null {
  if (cell === undefined || cell === null) return null;
  if (typeof cell === 'bigint') return Number(cell);
  return cell;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A row's time: an ISO 8601 string with its offset, or epoch milliseconds.
 *
 * @throws a final `SlipwayInvalidInput` failure naming the file, line and column.
 */
function timeOf(cell: RawCell, column: string, place: CellPlace): number {
  if (typeof cell === 'number' && Number.isFinite(cell)) return cell;
  if (typeof cell === 'bigint') return Number(cell);
  if (typeof cell === 'string' && ISO_TIME.test(cell)) {
    const time = Date.parse(cell);
    if (!Number.isNaN(time)) return time;
  }
  const held = cell === undefined ? 'has no value' : `holds ${JSON.stringify(cell)}`;
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `${place.file} ${describePosition(place.position)}: the timestamp column "${column}" ${held}, not an ISO 8601 ` +
      'time with its offset or epoch milliseconds',
    { file: place.file, column, ...place.position },
  );
}
