import type { AnyPipeline } from '../pipeline.js';
import { builtinPipeline } from '../pipelines/builtin.js';
import { StepQueues, withStepQueues } from '../step-queues.js';
import { describeIssues } from '../step.js';
import { ClientErrorCode, SlipwayClientError } from './errors.js';

/**
 * A run's input with the client's default step queues applied (see `withStepQueues`: the input's own routing
 * wins, and the model guardian's retrain input is routed too). Every start that signs a pipeline input routes it
 * here: `start`, `deploy`, `rollback`, `guard.start` and schedules. A pipeline named without its contract is
 * routed by the built-in contract of that name; the input of any other name (a custom pipeline, whose steps are
 * unknown here) is returned as given, as it is with no defaults. Malformed defaults are refused (`InvalidInput`,
 * naming the step), before anything starts.
 */
export function routedInput(pipeline: AnyPipeline | string, input: unknown, queues: StepQueues | undefined): unknown {
  if (queues === undefined) return input;
  const parsed = StepQueues.safeParse(queues);
  if (!parsed.success) {
    throw new SlipwayClientError(ClientErrorCode.InvalidInput, `stepQueues: ${describeIssues(parsed.error)}`);
  }
  const contract = typeof pipeline === 'string' ? builtinPipeline(pipeline) : pipeline;
  return contract === undefined ? input : withStepQueues(contract, input, parsed.data);
}
