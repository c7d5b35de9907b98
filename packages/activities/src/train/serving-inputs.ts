/**
 * What a trained linear model declares about its inputs, for the model server to hold requests to: the features
 * that held nulls in training (a null is then a value the model learned with), and, when the trainer is asked to,
 * the value it imputes per feature when a request leaves one out.
 */
import type { FeatureSpec } from '@slipway/sdk';
import { z } from 'zod';
import type { TypedRow } from '../ports.js';
import { categoryOf, numericFeature, type FeatureEncoding } from './encoding.js';

/** How a trainer fills features a request leaves out: `none` (refuse such requests) or `mean` (see {@link fitServingInputs}). */
export const ImputationStrategy = z.enum(['none', 'mean']);
/** How a trainer fills features a request leaves out. */
export type ImputationStrategy = z.infer<typeof ImputationStrategy>;

/** The `imputation` section of a model: how its values were chosen, and the value per feature. */
export const FeatureImputation = z.object({
  strategy: ImputationStrategy.exclude(['none']),
  values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
/** The `imputation` section of a model. */
export type FeatureImputation = z.infer<typeof FeatureImputation>;

/** What {@link fitServingInputs} finds. */
export interface ServingInputs {
  /** Features with a null (or blank) value in some training row; absent when there are none. */
  nullable?: string[];
  /** Present when the strategy is not `none`. */
  imputation?: FeatureImputation;
}

/**
 * The serving inputs of a model trained on `rows`. With `mean`, a numeric feature imputes its training mean (as
 * fitted in `encoding`) and a categorical one its most frequent training category; a feature without a single
 * training value gets no imputation value (a request missing it is refused).
 */
export function fitServingInputs(
  rows: readonly TypedRow[],
  features: FeatureSpec,
  encoding: FeatureEncoding,
  strategy: ImputationStrategy,
): ServingInputs {
  const hasNull = (feature: string, numeric: boolean) =>
    rows.some((row) => (numeric ? numericFeature(feature, row[feature]) : categoryOf(row[feature])) === null);
  const nullable = [
    ...features.numeric.filter((f) => hasNull(f, true)),
    ...features.categorical.filter((f) => hasNull(f, false)),
  ];
  const result: ServingInputs = nullable.length > 0 ? { nullable } : {};
  if (strategy === 'none') return result;
  const values: FeatureImputation['values'] = {};
  for (const { column, mean } of encoding.numeric) {
    if (rows.some((row) => numericFeature(column, row[column]) !== null)) values[column] = mean;
  }
  for (const { column, categories } of encoding.categorical) {
    const top = categories[0];
    if (top !== undefined) values[column] = top;
  }
  return { ...result, imputation: { strategy, values } };
}
