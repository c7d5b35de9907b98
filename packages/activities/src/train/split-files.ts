/**
 * The pinned dataset as two local split files for a trainer process (trainer protocol: CSV, columns numeric,
 * categorical, target), written by streaming: each good row with a target value is assigned to the training or the
 * held-out split by a seeded draw made in file order, so the split is the same on every machine and every retry
 * and needs no row in memory. Digests and row counts are computed while the files are written.
 */
import { join } from 'node:path';
import { SlipwayErrorType, finalFailure, type ClassLabel, type FeatureSpec, type ModelTask } from '@slipway/sdk';
import type { TypedRow } from '../ports.js';
import type { ActivityHooks } from '../data/activity-context.js';
import type { SourceOpener } from '../data/formats/dataset-rows.js';
import { openCsvSplitWriter, type WrittenSplitFile } from './csv-split-writer.js';
import { mulberry32 } from './prng.js';
import { forEachTrainingRow, type TrainHeartbeats, type TrainingDataInput } from './training-data.js';

/** The most distinct target values a classification target may have (more is not a class label). */
export const MAX_CLASSES = 1000;

/** What {@link writeSplitFiles} writes. */
export interface SplitFilesInput extends TrainingDataInput {
  task: ModelTask;
  seed: number;
  /** The share of rows held out, in (0, 1). */
  testFraction: number;
}

/** Options of {@link writeSplitFiles}. */
export interface SplitFilesOptions {
  hooks: ActivityHooks;
  heartbeats: Pick<TrainHeartbeats, 'reading'>;
  openSource?: SourceOpener | undefined;
  /** Called with each held-out row, in file order (the train step keeps them to score the model). */
  onHeldOut?: ((row: TypedRow) => void) | undefined;
}

/** The two split files, and the classes the training split holds (classification). */
export interface SplitFiles {
  train: WrittenSplitFile;
  heldout: WrittenSplitFile;
  /** Classification: the distinct target values of the training split, sorted (see {@link sortClasses}). */
  classes: ClassLabel[] | undefined;
  /** The features that hold a null (an empty cell) in the training split, in feature order. */
  nullable: string[];
}

/** The columns of a split file, in the protocol's order: numeric features, categorical features, target. */
export function splitColumns(features: FeatureSpec): string[] {
  return [...features.numeric, ...features.categorical, features.target];
}

/**
 * Sorts class labels as scikit-learn's `np.unique` would for one type: numbers by value, strings by code point,
 * `false` before `true`; labels of mixed types by type (booleans, numbers, strings).
 */
export function sortClasses(labels: Iterable<ClassLabel>): ClassLabel[] {
  const rank = (v: ClassLabel): number => (typeof v === 'boolean' ? 0 : typeof v === 'number' ? 1 : 2);
  return [...labels].sort((a, b) => {
    const byType = rank(a) - rank(b);
    if (byType !== 0) return byType;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const x = String(a);
    const y = String(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * Streams the pinned dataset (digest checked at the end) into `<dir>/train.csv` and `<dir>/heldout.csv`. A row
 * goes to the held-out split when its seeded draw is below `testFraction`. Failures (final `SlipwayInvalidInput`):
 * a split that ends up empty, a classification target with more than {@link MAX_CLASSES} values or fewer than 2
 * in the training split, a binary target with more than 2; the dataset's own failures as `forEachTrainingRow` throws them.
 */
export async function writeSplitFiles(
  input: SplitFilesInput,
  dir: string,
  options: SplitFilesOptions,
): Promise<SplitFiles> {
  const columns = splitColumns(input.features);
  const train = await openCsvSplitWriter(join(dir, 'train.csv'), columns);
  const heldout = await openCsvSplitWriter(join(dir, 'heldout.csv'), columns).catch(async (err: unknown) => {
    await train.abort();
    throw err;
  });
  const random = mulberry32(input.seed);
  const classes = input.task === 'regression' ? undefined : new Set<ClassLabel>();
  const target = input.features.target;
  const featureColumns = columns.slice(0, -1);
  const nulls = new Set<string>();
  try {
    await forEachTrainingRow(
      input,
      options.hooks,
      options.heartbeats,
      async (row) => {
        if (random() < input.testFraction) {
          options.onHeldOut?.(row);
          return heldout.write(row);
        }
        if (classes !== undefined) addClass(classes, row[target] as ClassLabel, target);
        for (const column of featureColumns) if (row[column] === null) nulls.add(column);
        return train.write(row);
      },
      options.openSource,
    );
  } catch (err) {
    await Promise.all([train.abort(), heldout.abort()]);
    throw err;
  }
  const files = { train: await train.close(), heldout: await heldout.close() };
  checkSplits(files, input, classes);
  const nullable = featureColumns.filter((column) => nulls.has(column));
  return { ...files, classes: classes && sortClasses(classes), nullable };
}

function addClass(classes: Set<ClassLabel>, value: ClassLabel, target: string): void {
  classes.add(value);
  if (classes.size > MAX_CLASSES) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Target column "${target}" has more than ${MAX_CLASSES} distinct values in the training split: it is not a class label (a regression target? set task: "regression")`,
      { column: target },
    );
  }
}

function checkSplits(
  files: { train: WrittenSplitFile; heldout: WrittenSplitFile },
  input: SplitFilesInput,
  classes: Set<ClassLabel> | undefined,
): void {
  const { train, heldout } = files;
  if (train.rows === 0 || heldout.rows === 0) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Training needs good rows with a target value on both sides of the split; the seeded split (seed ${input.seed}, testFraction ${input.testFraction}) gave ${train.rows} training and ${heldout.rows} held-out rows`,
      { trainRows: train.rows, testRows: heldout.rows },
    );
  }
  if (input.task === 'binary' && classes !== undefined && classes.size > 2) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `A binary task needs exactly 2 classes; target column "${input.features.target}" holds ${classes.size} in the training split (a multiclass task?)`,
      { column: input.features.target, classes: [...classes].slice(0, 20) },
    );
  }
  if (classes !== undefined && classes.size < 2) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `A ${input.task} task needs at least 2 classes; target column "${input.features.target}" holds ${classes.size} in the training split`,
      { column: input.features.target, classes: [...classes] },
    );
  }
}
