/**
 * The profile of a model's predictions (see the sdk's `PredictionProfile`), accumulated batch by batch: class
 * counts and score sums for a classifier, the dataset profiler's numeric column (decile cut points and bin counts,
 * quantiles, t-digest) for a binary model's positive-class score and a regressor's value.
 */
import { RowSchema, type NumericColumnProfile, type PredictionProfile } from '@slipway/sdk';
import type { ModelOutput, Predictor } from '../ports.js';
import { createProfiler, type Profiler } from '../data/profile.js';
import { argmax } from './model-output.js';

/** Accumulates the profile of a model's predictions. */
export interface PredictionProfiler {
  /** Adds outputs of the model (already checked against its task). */
  add(outputs: readonly ModelOutput[]): void;
  /** The profile of everything added; a final error when nothing was. */
  finish(): PredictionProfile;
}

const COLUMN = 'prediction';
const NUMERIC = RowSchema.parse({ columns: { [COLUMN]: { type: 'number' } } });

function numericProfile(profiler: Profiler): NumericColumnProfile {
  return profiler.finish().columns[COLUMN] as NumericColumnProfile;
}

/** A {@link PredictionProfiler} for `predictor`'s task and classes. */
export function createPredictionProfiler(predictor: Pick<Predictor, 'task' | 'classes'>): PredictionProfiler {
  const numeric = createProfiler(NUMERIC);
  const classes = predictor.classes ?? [];
  const predicted = new Float64Array(classes.length);
  const scoreSums = new Float64Array(classes.length);
  let rows = 0;
  const addClassifier = (probabilities: readonly number[]): void => {
    for (let k = 0; k < classes.length; k++) scoreSums[k]! += probabilities[k] as number;
    const score = probabilities[1] as number;
    predicted[predictor.task === 'binary' ? (score >= 0.5 ? 1 : 0) : argmax(probabilities)]! += 1;
    if (predictor.task === 'binary') numeric.addValues([score]);
  };
  return {
    add(outputs) {
      for (const output of outputs) {
        rows++;
        if ('value' in output) numeric.addValues([output.value]);
        else addClassifier(output.probabilities);
      }
    },
    finish() {
      if (rows === 0) throw new RangeError('a prediction profile needs at least one prediction');
      if (predictor.task === 'regression') return { task: 'regression', rows, value: numericProfile(numeric) };
      const perClass = classes.map((label, k) => ({
        label,
        predicted: predicted[k] as number,
        share: (predicted[k] as number) / rows,
        meanScore: Math.min(1, Math.max(0, (scoreSums[k] as number) / rows)),
      }));
      return predictor.task === 'binary'
        ? { task: 'binary', rows, classes: perClass, score: numericProfile(numeric) }
        : { task: 'multiclass', rows, classes: perClass };
    },
  };
}
