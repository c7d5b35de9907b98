import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import { FINAL_ERROR_TYPES } from '../errors.js';
import { parseStepInput, parseStepOutput, type AnyStep, type StepInput, type StepOutput } from '../step.js';

/** Per-call-site activity options that override a contract's defaults. */
export type StepOverrides = Partial<
  Pick<
    ActivityOptions,
    'taskQueue' | 'startToCloseTimeout' | 'scheduleToCloseTimeout' | 'heartbeatTimeout' | 'retry' | 'summary'
  >
>;

/** A typed, validated call to a step from workflow code. */
export type StepCall<C extends AnyStep> = (input: StepInput<C>) => Promise<StepOutput<C>>;

/**
 * The activity options a contract and overrides add up to. The retry policy's `nonRetryableErrorTypes` lists the
 * caller's and the contract options' own types and the contract's own `finalErrors`, but not Slipway's final types
 * (`FINAL_ERROR_TYPES`): they would add about 480 bytes to every scheduled activity's history event and to the
 * server's state of the run. Slipway's final types are final where a failure leaves the activity instead:
 * `finalFailure` raises them non-retryable, and `implementStep` and every Slipway worker make one raised retryable
 * non-retryable (`finalWhenTyped`). The field is left out when nothing is listed.
 */
export function stepActivityOptions(contract: AnyStep, overrides: StepOverrides = {}): ActivityOptions {
  const { nonRetryableErrorTypes = [], ...retry } = { ...contract.options.retry, ...overrides.retry };
  const ownFinal = contract.finalErrors.filter((type) => !FINAL_ERROR_TYPES.includes(type));
  const nonRetryable = [...new Set([...nonRetryableErrorTypes, ...ownFinal])];
  return {
    ...contract.options,
    ...overrides,
    summary: overrides.summary ?? contract.description,
    retry: nonRetryable.length > 0 ? { ...retry, nonRetryableErrorTypes: nonRetryable } : retry,
  };
}

/**
 * Binds a step contract for use in workflow code. The returned function validates its input before the
 * activity is scheduled (a bad input fails the run with a non-retryable `SlipwayInvalidInput` that names the
 * step and the field path) and validates the activity's output on return.
 *
 * ```ts
 * const score = useStep(scoreStep, { taskQueue: 'slipway-gpu' });
 * const { positives } = await score({ dataset, threshold: 0.7 });
 * ```
 */
export function useStep<C extends AnyStep>(contract: C, overrides?: StepOverrides): StepCall<C> {
  const activities = proxyActivities<Record<string, (input: unknown) => Promise<unknown>>>(
    stepActivityOptions(contract, overrides),
  );
  const activity = activities[contract.name];
  if (!activity) throw new TypeError(`No activity proxy for step "${contract.name}"`);
  const parseOutput = (output: unknown) => parseStepOutput(contract, output, 'workflow');
  // A continuation rather than async/await: every promise a workflow creates costs a stack trace in Temporal's
  // workflow runtime (~0.05 ms), and an async function with one await makes two where `then` makes one.
  return (input) => {
    let parsed: unknown;
    try {
      parsed = parseStepInput(contract, input, 'workflow');
    } catch (err) {
      // parseStepInput's failure, unchanged, as an async function would reject with it.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(err);
    }
    return activity(parsed).then(parseOutput);
  };
}

/** Typed calls for a record of contracts, keyed like the record. */
export type StepCalls<R extends Record<string, AnyStep>> = { [K in keyof R]: StepCall<R[K]> };

/**
 * Binds several step contracts at once; `overrides` can set options per key.
 *
 * ```ts
 * const { validate, train, register } = useSteps(builtinSteps, { train: { taskQueue: 'slipway-gpu' } });
 * ```
 */
export function useSteps<R extends Record<string, AnyStep>>(
  contracts: R,
  overrides: Partial<Record<keyof R, StepOverrides>> = {},
): StepCalls<R> {
  const calls: Partial<StepCalls<R>> = {};
  for (const key of Object.keys(contracts) as (keyof R)[]) {
    calls[key] = useStep(contracts[key] as R[keyof R], overrides[key]);
  }
  return calls as StepCalls<R>;
}
