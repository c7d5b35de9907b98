/**
 * The profile of a model's predictions on the held-out split, stored with each version: the reference that
 * prediction drift is measured against, as a dataset profile is the reference of feature drift. Numeric
 * distributions (a binary model's positive-class score, a regressor's value) are numeric column profiles: decile
 * cut points with their bin counts (for PSI), quantiles and the t-digest (for KS), computed by the same profiler.
 */
import { z } from 'zod';
import { NumericColumnProfile } from './dataset.js';
import { ClassLabel } from './model.js';

/** How often a classifier predicted one class on the held-out split, and the mean score it gave that class. */
export const PredictedClassProfile = z
  .object({
    label: ClassLabel,
    /** Rows whose prediction (the most probable class; binary: the positive one at score ≥ 0.5) is this class. */
    predicted: z.number().int().nonnegative(),
    /** `predicted` over all rows. */
    share: z.number().min(0).max(1),
    /** The mean probability the model gave this class, over all rows. */
    meanScore: z.number().min(0).max(1),
  })
  .strict();
/** How often a classifier predicted one class, and its mean score. */
export type PredictedClassProfile = z.infer<typeof PredictedClassProfile>;

const rows = z.number().int().positive();

/**
 * The distribution of a model's predictions on the held-out split, by task: binary — the predicted classes and the
 * positive-class score's distribution; multiclass — the share of each predicted class and each class's mean score;
 * regression — the predicted value's distribution.
 */
export const PredictionProfile = z.discriminatedUnion('task', [
  z
    .object({
      task: z.literal('binary'),
      rows,
      /** Negative then positive class. */
      classes: z.array(PredictedClassProfile).length(2),
      /** The distribution of the positive class's score. */
      score: NumericColumnProfile,
    })
    .strict(),
  z
    .object({
      task: z.literal('multiclass'),
      rows,
      /** In the model's class order. */
      classes: z.array(PredictedClassProfile).min(2),
    })
    .strict(),
  z
    .object({
      task: z.literal('regression'),
      rows,
      /** The distribution of the predicted value. */
      value: NumericColumnProfile,
    })
    .strict(),
]);
/** The distribution of a model's predictions on the held-out split. */
export type PredictionProfile = z.infer<typeof PredictionProfile>;
