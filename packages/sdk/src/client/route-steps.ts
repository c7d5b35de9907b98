import type { AnyPipeline } from '../pipeline.js';
import { StepQueues, withStepQueues } from '../step-queues.js';
import { describeIssues } from '../step.js';
import { ClientErrorCode, SlipwayClientError } from './errors.js';

/**
 * A run's input with the client's default step queues applied (see `withStepQueues`: the input's own routing
 * wins); as given for a pipeline named without its contract (its steps are unknown here) or with no defaults.
 * Malformed defaults are refused (`InvalidInput`, naming the step), before anything starts.
 */
export function routedInput(pipeline: AnyPipeline | string, input: unknown, queues: StepQueues | undefined): unknown {
  if (queues === undefined || typeof pipeline === 'string') return input;
  const parsed = StepQueues.safeParse(queues);
  if (!parsed.success) {
    throw new SlipwayClientError(ClientErrorCode.InvalidInput, `stepQueues: ${describeIssues(parsed.error)}`);
  }
  return withStepQueues(pipeline, input, parsed.data);
}
