import type { Duration, RetryPolicy } from '@temporalio/common';
import type { z } from 'zod';
import { FINAL_ERROR_TYPES, SlipwayErrorType, describeIssues, finalFailure, parseOrFail } from './errors.js';

/** Default activity options a step contract carries; a workflow can override them per call site. */
export interface StepOptions {
  startToCloseTimeout: Duration;
  scheduleToCloseTimeout?: Duration;
  heartbeatTimeout?: Duration;
  retry?: RetryPolicy;
  taskQueue?: string;
}

/** What `defineStep` takes. */
export interface StepDefinition<N extends string, I extends z.ZodType, O extends z.ZodType> {
  /** The activity type name, e.g. `'acme.score'`. Unique per worker. */
  name: N;
  /** One line that says what the step does; shown in status output. */
  description?: string;
  input: I;
  output: O;
  options: StepOptions;
  /**
   * Extra error types (beyond Slipway's own) that must never be retried: listed in the retry policy of every call
   * (`useStep`), and made non-retryable by `implementStep` when raised retryable.
   */
  finalErrors?: readonly string[];
}

/**
 * A step contract: a name, zod schemas for input and output, and default activity options. Contracts are
 * plain data plus schemas, so workflow code and workers import the same object.
 */
export interface StepContract<
  N extends string = string,
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
> {
  readonly name: N;
  readonly description: string;
  readonly input: I;
  readonly output: O;
  readonly options: StepOptions;
  /** Every error type that is final for this step: Slipway's own plus the contract's. */
  readonly finalErrors: readonly string[];
}

/** Any step contract. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = StepContract<string, any, any>;
/** The input a caller passes to a step (before defaults are applied). */
export type StepInput<C extends AnyStep> = z.input<C['input']>;
/** The input an implementation receives (after parsing and defaults). */
export type StepParsedInput<C extends AnyStep> = z.output<C['input']>;
/** The output a step returns after parsing. */
export type StepOutput<C extends AnyStep> = z.output<C['output']>;

/**
 * Defines a typed step.
 *
 * ```ts
 * export const score = defineStep({
 *   name: 'acme.score',
 *   input: z.object({ dataset: DatasetRef, threshold: z.number().min(0).max(1) }),
 *   output: z.object({ scored: DatasetRef, positives: z.number().int() }),
 *   options: { startToCloseTimeout: '10m', retry: { maximumAttempts: 5 } },
 * });
 * ```
 */
export function defineStep<N extends string, I extends z.ZodType, O extends z.ZodType>(
  definition: StepDefinition<N, I, O>,
): StepContract<N, I, O> {
  if (!/^[A-Za-z][\w.-]*$/.test(definition.name)) {
    throw new TypeError(`defineStep: invalid step name "${definition.name}": use letters, digits, ".", "_" and "-"`);
  }
  const finalErrors = [...new Set([...FINAL_ERROR_TYPES, ...(definition.finalErrors ?? [])])];
  return Object.freeze({
    name: definition.name,
    description: definition.description ?? definition.name,
    input: definition.input,
    output: definition.output,
    options: Object.freeze({ ...definition.options }),
    finalErrors: Object.freeze(finalErrors),
  });
}

// Formatting zod issues lives with the errors; re-exported here for the modules that import it from here.
export { describeIssues } from './errors.js';

/** Where a check runs, for error messages. */
export type CheckSite = 'workflow' | 'activity';

/**
 * Parses a step's input; on failure throws a non-retryable `SlipwayInvalidInput` failure naming the step and
 * every failing field path.
 */
export function parseStepInput<C extends AnyStep>(contract: C, value: unknown, site: CheckSite): StepParsedInput<C> {
  const what = `Step "${contract.name}" got invalid input (checked in the ${site})`;
  return parseOrFail(contract.input as z.ZodType, value, what, { step: contract.name }) as StepParsedInput<C>;
}

/** Parses a step's output; on failure throws a non-retryable `SlipwayInvalidOutput` failure. */
export function parseStepOutput<C extends AnyStep>(contract: C, value: unknown, site: CheckSite): StepOutput<C> {
  const schema = contract.output as z.ZodType;
  const result = schema.safeParse(value);
  if (result.success) return result.data as StepOutput<C>;
  throw finalFailure(
    SlipwayErrorType.InvalidOutput,
    `Step "${contract.name}" returned invalid output (checked in the ${site}): ${describeIssues(result.error)}`,
    { step: contract.name },
  );
}
