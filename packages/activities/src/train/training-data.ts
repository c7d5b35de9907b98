/**
 * The train activity's I/O with Temporal and the dataset: heartbeats that always carry the latest training
 * checkpoint (so a retry resumes from it, even if it dies while re-reading the data), and the re-read of the
 * pinned dataset with its digest check.
 */
import {
  SlipwayErrorType,
  finalFailure,
  type FeatureSpec,
  type Metrics,
  type PinnedDatasetRef,
  type RowSchema,
} from '@slipway/sdk';
import type { TrainingProgress, TypedRow } from '../ports.js';
import { createThrottle, throwIfAborted, type ActivityHooks } from '../data/activity-context.js';
import { readDatasetRows, type SourceOpener } from '../data/formats/dataset-rows.js';
import type { EpochSeries, EpochSeriesState } from './epoch-series.js';

/** The details of every train-activity heartbeat. */
export interface TrainHeartbeatDetails {
  phase: 'read' | 'train';
  /** Rows and bytes read so far (read phase). */
  rows?: number;
  bytes?: number;
  /** Training progress (train phase). */
  epoch?: number;
  totalEpochs?: number;
  loss?: number;
  /** A trainer process's last reported step, and the metrics it reported with it (train phase). */
  step?: number;
  metrics?: Metrics;
  /** The latest checkpoint known: reported by the trainer, or inherited from a previous attempt. */
  checkpoint?: unknown;
  /** The per-epoch metric series so far (when the run is tracked), consistent with `checkpoint`. */
  series?: EpochSeriesState;
}

/** Heartbeats of one train attempt. */
export interface TrainHeartbeats {
  /** The checkpoint the previous attempt's last heartbeat carried, if any. */
  readonly resumeCheckpoint: unknown;
  /** Reports reading progress (throttled). */
  reading(rows: number, bytes: number): void;
  /** Reports training progress (throttled; the final epoch always goes out). */
  progress(update: TrainingProgress): void;
  /**
   * Reports a trainer process's progress line (throttled). With `checkpoint` (a checkpoint just stored), that
   * becomes the latest checkpoint and the heartbeat goes out at once.
   */
  step(update: TrainerStepUpdate, checkpoint?: unknown): void;
}

/** A trainer process's progress, as its heartbeats carry it. */
export interface TrainerStepUpdate {
  step: number;
  epoch?: number | undefined;
  metrics?: Metrics | undefined;
}

/** Read-phase heartbeats go out at most this often, in milliseconds. */
export const READ_HEARTBEAT_INTERVAL_MS = 1000;
/** Train-phase heartbeats go out at most this often, in milliseconds. */
export const TRAIN_HEARTBEAT_INTERVAL_MS = 200;

/** The checkpoint inside heartbeat details of a previous attempt, if any. */
export function checkpointFromDetails(details: unknown): unknown {
  if (details === null || typeof details !== 'object') return undefined;
  return (details as { checkpoint?: unknown }).checkpoint;
}

/** The per-epoch series state inside heartbeat details of a previous attempt, if any (not yet validated). */
export function seriesFromDetails(details: unknown): unknown {
  if (details === null || typeof details !== 'object') return undefined;
  return (details as { series?: unknown }).series;
}

/**
 * Creates the heartbeats of one train attempt; training progress goes out at most every `trainIntervalMs`.
 * Every heartbeat carries the latest checkpoint and, when given, the state of the epoch series.
 */
export function createTrainHeartbeats(
  hooks: ActivityHooks,
  trainIntervalMs = TRAIN_HEARTBEAT_INTERVAL_MS,
  series?: Pick<EpochSeries, 'state'>,
): TrainHeartbeats {
  const resumeCheckpoint = checkpointFromDetails(hooks.heartbeatDetails);
  let latest = resumeCheckpoint;
  const readThrottle = createThrottle(READ_HEARTBEAT_INTERVAL_MS);
  const trainThrottle = createThrottle(trainIntervalMs);
  const send = (details: TrainHeartbeatDetails): void => {
    const state = series?.state();
    hooks.heartbeat({
      ...details,
      ...(latest === undefined ? {} : { checkpoint: latest }),
      ...(state === undefined ? {} : { series: state }),
    });
  };
  return {
    resumeCheckpoint,
    reading(rows, bytes) {
      if (readThrottle.ready()) send({ phase: 'read', rows, bytes });
    },
    progress(update) {
      latest = update.checkpoint;
      if (update.epoch >= update.totalEpochs || trainThrottle.ready()) {
        send({ phase: 'train', epoch: update.epoch, totalEpochs: update.totalEpochs, loss: update.loss });
      }
    },
    step(update, checkpoint) {
      if (checkpoint !== undefined) latest = checkpoint;
      if (checkpoint !== undefined || trainThrottle.ready()) {
        send({
          phase: 'train',
          step: update.step,
          ...(update.epoch === undefined ? {} : { epoch: update.epoch }),
          ...(update.metrics === undefined ? {} : { metrics: update.metrics }),
        });
      }
    },
  };
}

/** What {@link readTrainingRows} reads. */
export interface TrainingDataInput {
  dataset: PinnedDatasetRef;
  schema: RowSchema;
  features: FeatureSpec;
}

function project(row: TypedRow, columns: readonly string[]): TypedRow {
  const out: TypedRow = {};
  for (const column of columns) out[column] = row[column] ?? null;
  return out;
}

/**
 * Re-reads the pinned dataset (any format: CSV, JSON lines, Parquet; plain or gzip): keeps the good rows that
 * have a target value, projected onto the feature and target columns, and fails with `SlipwayDigestMismatch`
 * when the stored bytes no longer hash to `dataset.digest`. Reading heartbeats rows and stored bytes; a retry
 * reads from the start again (the digest needs every byte), while training resumes from its checkpoint.
 */
export async function readTrainingRows(
  input: TrainingDataInput,
  hooks: ActivityHooks,
  heartbeats: TrainHeartbeats,
  openSource?: SourceOpener,
): Promise<TypedRow[]> {
  const rows: TypedRow[] = [];
  await forEachTrainingRow(input, hooks, heartbeats, (row) => void rows.push(row), openSource);
  return rows;
}

/**
 * Streams the pinned dataset's good rows that have a target value, projected onto the feature and target columns,
 * to `onRow` (awaited, one at a time, in file order), then checks the digest of every byte read: the rows are only
 * trustworthy once this resolves (`SlipwayDigestMismatch` otherwise). Holds no rows itself.
 */
export async function forEachTrainingRow(
  input: TrainingDataInput,
  hooks: ActivityHooks,
  heartbeats: Pick<TrainHeartbeats, 'reading'>,
  onRow: (row: TypedRow) => void | Promise<void>,
  openSource?: SourceOpener,
): Promise<void> {
  const { features } = input;
  const columns = [...features.numeric, ...features.categorical, features.target];
  const checked = readDatasetRows(input.dataset, {
    schema: input.schema,
    signal: hooks.signal,
    ...(openSource === undefined ? {} : { openSource }),
  });
  const { reader } = checked;
  let seen = 0;
  for await (const event of checked) {
    seen++;
    if (event.ok && event.row[features.target] !== null) await onRow(project(event.row, columns));
    if (seen % 256 === 0) heartbeats.reading(seen, reader.progress().bytesRead);
  }
  throwIfAborted(hooks.signal);
  const digest = reader.digest();
  if (digest !== input.dataset.digest) {
    throw finalFailure(
      SlipwayErrorType.DigestMismatch,
      `Dataset ${reader.source.displayName} changed since it was validated: expected ${input.dataset.digest}, its bytes now hash to ${digest}`,
      { uri: input.dataset.uri, expected: input.dataset.digest, actual: digest },
    );
  }
}
