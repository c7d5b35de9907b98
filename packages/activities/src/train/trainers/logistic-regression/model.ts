/**
 * The serialized logistic-regression model and its loader. The model carries its feature encoding and target
 * classes, so scoring needs nothing but the model JSON.
 */
import { FeatureSpec, parseOrFail } from '@slipway/sdk';
import { z } from 'zod';
import type { ModelOutput, Predictor, SerializedModel, TypedRow } from '../../../ports.js';
import { BinaryTarget } from '../../binary-target.js';
import { FeatureEncoding, createRowEncoder, encodingDimension } from '../../encoding.js';
import { predictorFeatures } from '../../prediction-row.js';
import { FeatureImputation } from '../../serving-inputs.js';

import { LOGISTIC_REGRESSION } from './name.js';

export { LOGISTIC_REGRESSION };

/** A serialized logistic-regression model (format version 1). */
export const LogisticRegressionModel = z
  .object({
    kind: z.literal(LOGISTIC_REGRESSION),
    version: z.literal(1),
    features: FeatureSpec,
    target: BinaryTarget,
    encoding: FeatureEncoding,
    /** Names of the weights: `(bias)`, numeric columns, then `column=category`. */
    featureNames: z.array(z.string()),
    weights: z.array(z.number()),
    params: z.record(z.string(), z.unknown()),
    training: z.object({
      rows: z.number().int().nonnegative(),
      epochs: z.number().int().nonnegative(),
      loss: z.number(),
    }),
    /** Features that held nulls in training: a null is a value for them; for the others it counts as missing. */
    nullable: z.array(z.string()).optional(),
    /** The value per feature the model fills in when a request leaves it out; absent: every feature is required. */
    imputation: FeatureImputation.optional(),
  })
  .superRefine((m, ctx) => {
    for (const message of servingInputProblems(m)) ctx.addIssue({ code: 'custom', message, path: ['imputation'] });
  })
  .refine((m) => m.weights.length === encodingDimension(m.encoding), {
    message: 'the number of weights does not match the encoding',
    path: ['weights'],
  })
  .refine((m) => m.featureNames.length === m.weights.length, {
    message: 'featureNames and weights differ in length',
    path: ['featureNames'],
  });
/** A serialized logistic-regression model. */
export type LogisticRegressionModel = z.infer<typeof LogisticRegressionModel>;

/** Nullable features and imputation values that name no feature, and numeric features imputed with a non-number. */
function servingInputProblems(m: {
  features: FeatureSpec;
  nullable?: string[] | undefined;
  imputation?: FeatureImputation | undefined;
}): string[] {
  const features = new Set(predictorFeatures(m));
  const problems = (m.nullable ?? [])
    .filter((name) => !features.has(name))
    .map((name) => `nullable names ${JSON.stringify(name)}, which is not a feature of the model`);
  for (const [name, value] of Object.entries(m.imputation?.values ?? {})) {
    if (!features.has(name)) problems.push(`imputes ${JSON.stringify(name)}, which is not a feature of the model`);
    else if (m.features.numeric.includes(name) && typeof value !== 'number')
      problems.push(`imputes numeric feature ${JSON.stringify(name)} with ${JSON.stringify(value)}, not a number`);
  }
  return problems;
}

/** The logistic function, computed without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** `w · x[offset … offset + w.length)`. */
export function dot(weights: ArrayLike<number>, x: ArrayLike<number>, offset = 0): number {
  let sum = 0;
  for (let j = 0; j < weights.length; j++) sum += (weights[j] as number) * (x[offset + j] as number);
  return sum;
}

/**
 * Loads a serialized logistic-regression model. The predictor returns the probability of the model's
 * positive class and declares the model's `nullable` features and `imputation` values (the model server holds
 * requests to them before scoring); `predict` itself encodes a missing feature as null, as training did, and
 * throws a `TypeError` naming a numeric feature that is not a number (or a numeric string). An invalid model fails
 * with `SlipwayInvalidInput`.
 */
export const loadLogisticRegression = (serialized: SerializedModel): Predictor => {
  const model = parseOrFail(
    LogisticRegressionModel,
    serialized,
    `Not a valid ${LOGISTIC_REGRESSION} model (kind ${JSON.stringify(serialized.kind)})`,
    { kind: serialized.kind },
  );
  const weights = Float64Array.from(model.weights);
  const encode = createRowEncoder(model.encoding);
  const x = new Float64Array(weights.length);
  const probability = (row: TypedRow): number => {
    encode(row, x, 0);
    return sigmoid(dot(weights, x));
  };
  return {
    kind: LOGISTIC_REGRESSION,
    task: 'binary',
    features: model.features,
    classes: [model.target.negative, model.target.positive],
    ...(model.nullable ? { nullable: model.nullable } : {}),
    ...(model.imputation ? { imputation: model.imputation.values } : {}),
    predict(rows: readonly TypedRow[]): Promise<ModelOutput[]> {
      return Promise.resolve(
        rows.map((row) => {
          const p = probability(row);
          return { probabilities: [1 - p, p] };
        }),
      );
    },
  };
};
