import { parseStepInput, parseStepOutput, type AnyStep, type StepParsedInput } from '@slipway/sdk';
import type { z } from 'zod';

/** The implementation of a step: parsed input in, output (checked against the contract) out. */
export type StepImplementation<C extends AnyStep> = (input: StepParsedInput<C>) => Promise<z.input<C['output']>>;

/**
 * Binds an implementation to a step contract, giving the activity to register on a worker under the step's
 * name. Input is validated again inside the activity (a caller may not have used `useStep`), output on return;
 * both failures are non-retryable and name the step and the field path.
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
    const output = await implementation(input);
    return parseStepOutput(contract, output, 'activity');
  };
  return { [contract.name]: activity } as Record<C['name'], typeof activity>;
}
