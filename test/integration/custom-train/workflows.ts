/** A pipeline with a custom train step: validate → acme.train → register (the version links to the tracked run). */
import { registerStep, validateStep } from '@slipway/sdk';
import { parseWorkflowInput, registerInput, useStep, useSteps } from '@slipway/sdk/workflow';
import { CustomTrainInput, acmeTrainStep } from './steps.js';

/** Trains with the custom step and registers the version; returns it with the tracking run id. */
export async function customTrainPipeline(raw: unknown) {
  const input = parseWorkflowInput(CustomTrainInput, raw, 'customTrainPipeline');
  const { validate, register } = useSteps({ validate: validateStep, register: registerStep });
  const train = useStep(acmeTrainStep);
  const validation = await validate({ dataset: input.dataset, schema: input.schema });
  const training = await train({
    dataset: validation.dataset,
    schema: input.schema,
    features: input.features,
    trainer: 'acme-logistic',
    params: input.params,
    modelName: input.modelName,
  });
  const { version } = await register(registerInput(input.modelName, input.features, validation, training));
  return { version, trackingRunId: training.trackingRunId ?? null };
}
