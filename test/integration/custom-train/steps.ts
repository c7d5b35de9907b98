/**
 * A user's own train step (same input as the built-in one, the built-in step's result out), and the input of the
 * pipeline that trains with it: what a team writes to train with its own code.
 */
import { DatasetRef, FeatureSpec, ModelName, RowSchema, TrainingResult, defineStep, trainStep } from '@slipway/sdk';
import { z } from 'zod';

/** The custom train step: trains with the user's code inside a tracked run (`trackTraining`). */
export const acmeTrainStep = defineStep({
  name: 'acme.train',
  input: trainStep.input,
  output: TrainingResult,
  options: { startToCloseTimeout: '5m', retry: { maximumAttempts: 3 } },
});

/** Input of `customTrainPipeline`. */
export const CustomTrainInput = z.object({
  modelName: ModelName,
  dataset: DatasetRef,
  schema: RowSchema,
  features: FeatureSpec,
  params: z.record(z.string(), z.unknown()).default({}),
});
