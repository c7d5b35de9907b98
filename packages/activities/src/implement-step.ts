import { finalWhenTyped, parseStepInput, parseStepOutput, type AnyStep, type StepParsedInput } from '@slipway/sdk';
import type { z } from 'zod';

/** The implementation of a step: parsed input in, output (checked against the contract) out. */
export type StepImplementation<C extends AnyStep> = (input: StepParsedInput<C>) => Promise<z.input<C['output']>>;

/**
 * Binds an implementation to a step contract, giving the activity to register on a worker under the step's
 * name. Input is validated again inside the activity (a caller may not have used `useStep`), output on return;
 * both failures are non-retryable and name the step and the field path. A failure of one of the contract's
 * `finalErrors` (Slipway's own included) that the implementation raised retryable leaves the activity
 * non-retryable (`finalWhenTyped`): the retry policy `useStep` schedules with does not list Slipway's types.
 *
 * ```ts
 * const activities = { ...createActivities(deps), ...implementStep(score, async ({ dataset, threshold }) => ...) };
 * ```
 */
export function implementStep<C extends AnyStep>(
  contract: C,
  implementation: StepImplementation<C>,
): Record<C['name'], (input: unknown) => Promise<z.output<C['output']>>> {
  const activity = async (raw: unknown): Promise<z.output<C['output']>> => {
    const input = parseStepInput(contract, raw, 'activity');
    let output: z.input<C['output']>;
    try {
      output = await implementation(input);
    } catch (err) {
      throw finalWhenTyped(err, contract.finalErrors);
    }
    return parseStepOutput(contract, output, 'activity');
  };
  return { [contract.name]: activity } as Record<C['name'], typeof activity>;
}
