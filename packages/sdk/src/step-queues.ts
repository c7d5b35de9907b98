import { z } from 'zod';
import type { AnyPipeline } from './pipeline.js';
import { builtinPipelines } from './pipelines/builtin.js';
import { TaskQueueName } from './schemas/task-queue.js';

/**
 * The steps a pipeline's input may route or tune: the keys its `stepOptions` takes (e.g. `train` for
 * `trainAndPromote`); none for a pipeline without `stepOptions`.
 */
export function pipelineStepNames(contract: AnyPipeline): readonly string[] {
  const shape = (contract.input as { shape?: Record<string, unknown> }).shape;
  let schema = shape?.stepOptions;
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) schema = schema.unwrap();
  if (!(schema instanceof z.ZodRecord)) return [];
  const keys = schema.keyType as unknown;
  return keys instanceof z.ZodEnum ? (keys.options as string[]) : [];
}

/** Every step name a built-in pipeline's input may route, sorted. */
export function builtinPipelineStepNames(): string[] {
  return [...new Set(Object.values(builtinPipelines).flatMap((p) => pipelineStepNames(p)))].sort();
}

/**
 * A default task queue per pipeline step, for every run a client or `slipway run` starts (`stepQueues` in
 * `slipway.config.json`, the client option `stepQueues`): e.g. `{ "train": "slipway-gpu" }`. A step name that no
 * built-in pipeline has is refused, naming it and listing the steps; queue names are checked as `TaskQueueName`.
 */
export const StepQueues = z.record(z.string(), TaskQueueName).superRefine((queues, ctx) => {
  const known = builtinPipelineStepNames();
  for (const step of Object.keys(queues)) {
    if (known.includes(step)) continue;
    ctx.addIssue({
      code: 'custom',
      path: [step],
      message: `unknown step ${JSON.stringify(step)}: the steps Slipway's pipelines route are ${known.join(', ')}`,
    });
  }
});
/** A default task queue per pipeline step. */
export type StepQueues = z.infer<typeof StepQueues>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The run input with `queues` as the task queue of each of the pipeline's steps that the input does not route
 * itself (`stepOptions.<step>.taskQueue` in the input wins). Steps the pipeline does not have are left out (a
 * `train` queue means nothing to `rolloutVersion`), and an input that is not an object, or whose `stepOptions` is
 * malformed, is returned as it is (the contract then refuses it). The model guardian's input routes the
 * `trainAndPromote` its retrain runs (`retrain.input`) as well: that input is signed with the guardian's start, so
 * it is routed here, before the start is signed.
 */
export function withStepQueues(contract: AnyPipeline, input: unknown, queues: StepQueues): unknown {
  const routed = withOwnStepQueues(contract, input, queues);
  if (contract.name !== builtinPipelines.modelGuardian.name || !isObject(routed) || !isObject(routed.retrain)) {
    return routed;
  }
  const retrain = routed.retrain;
  const retrainInput = withOwnStepQueues(builtinPipelines.trainAndPromote, retrain.input, queues);
  return retrainInput === retrain.input ? routed : { ...routed, retrain: { ...retrain, input: retrainInput } };
}

/** The input with `queues` written into its own `stepOptions` (see `withStepQueues`). */
function withOwnStepQueues(contract: AnyPipeline, input: unknown, queues: StepQueues): unknown {
  if (!isObject(input)) return input;
  const given = input.stepOptions ?? {};
  if (!isObject(given)) return input;
  const steps = pipelineStepNames(contract);
  const routed: Record<string, unknown> = { ...given };
  let changed = false;
  for (const [step, taskQueue] of Object.entries(queues)) {
    const options = routed[step] ?? {};
    if (!steps.includes(step) || !isObject(options) || options.taskQueue !== undefined) continue;
    routed[step] = { ...options, taskQueue };
    changed = true;
  }
  return changed ? { ...input, stepOptions: routed } : input;
}
