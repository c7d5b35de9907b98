import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
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

/** The activity options a contract and overrides add up to; final error types are never retried. */
export function stepActivityOptions(contract: AnyStep, overrides: StepOverrides = {}): ActivityOptions {
  const retry = { ...contract.options.retry, ...overrides.retry };
  const nonRetryable = new Set([...(retry.nonRetryableErrorTypes ?? []), ...contract.finalErrors]);
  return {
    ...contract.options,
    ...overrides,
    summary: overrides.summary ?? contract.description,
    retry: { ...retry, nonRetryableErrorTypes: [...nonRetryable] },
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
  return async (input) => {
    const parsed = parseStepInput(contract, input, 'workflow');
    const output = await activity(parsed);
    return parseStepOutput(contract, output, 'workflow');
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
