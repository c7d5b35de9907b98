import type { z } from 'zod';

/** What `definePipeline` takes. */
export interface PipelineDefinition<N extends string, I extends z.ZodType, O extends z.ZodType> {
  /**
   * The workflow type: the name of the workflow function that implements the contract, exported from the
   * worker's workflows module (e.g. `'trainAndPromote'`). Renaming it orphans runs in flight.
   */
  name: N;
  /** One line that says what the pipeline does. */
  description?: string;
  /** What a run takes; the client parses an input with it before starting a run, the workflow again. */
  input: I;
  /** What a run returns; `SlipwayClient.result(runId, contract)` parses the result with it. */
  output: O;
  /** The steps the run's progress shows, in order (e.g. `['validate', 'train', 'register', 'approval']`). */
  steps: readonly string[];
}

/**
 * A pipeline contract: the workflow type's name, zod schemas for its input and output, and the steps its
 * progress shows. Contracts are plain data plus schemas, so app code, the CLI and workflow code import the
 * same object: the client checks a run's input before it starts and types its result, and the workflow
 * function implements the contract.
 */
export interface PipelineContract<
  N extends string = string,
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
> {
  readonly name: N;
  readonly description: string;
  readonly input: I;
  readonly output: O;
  readonly steps: readonly string[];
}

/** Any pipeline contract. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPipeline = PipelineContract<string, any, any>;
/** The input a caller passes to a pipeline (before defaults are applied). */
export type PipelineInput<C extends AnyPipeline> = z.input<C['input']>;
/** The input the workflow function works with (after parsing and defaults). */
export type PipelineParsedInput<C extends AnyPipeline> = z.output<C['input']>;
/** What a run of the pipeline returns. */
export type PipelineOutput<C extends AnyPipeline> = z.output<C['output']>;

/**
 * Defines a typed pipeline: the contract between app code that starts runs and the workflow function that
 * runs them. Implement it with a workflow function of the same name that parses its input with the contract:
 *
 * ```ts
 * // contracts.ts (importable anywhere)
 * export const scorePipeline = definePipeline({
 *   name: 'scorePipeline',
 *   description: 'score a dataset with the champion',
 *   input: z.object({ dataset: DatasetRef, threshold: z.number().min(0).max(1).default(0.5) }),
 *   output: z.object({ positives: z.number().int() }),
 *   steps: ['validate', 'score'],
 * });
 *
 * // workflows.ts (workflow sandbox)
 * import { scorePipeline as contract } from './contracts.js';
 * export async function scorePipeline(raw: PipelineInput<typeof contract>): Promise<PipelineOutput<typeof contract>> {
 *   const input = parseWorkflowInput(contract.input, raw, contract.name);
 *   const tracker = new RunTracker(contract.name, contract.steps);
 *   // ...
 * }
 *
 * // app code: the input is checked before the run starts, and the result is typed
 * const { runId } = await slipway.start(scorePipeline, { dataset, threshold: 0.7 });
 * const { positives } = await slipway.result(runId, scorePipeline);
 * ```
 *
 * The name must be a JavaScript identifier, since a workflow's type is the name of its exported function.
 */
export function definePipeline<N extends string, I extends z.ZodType, O extends z.ZodType>(
  definition: PipelineDefinition<N, I, O>,
): PipelineContract<N, I, O> {
  if (!/^[A-Za-z_$][\w$]*$/.test(definition.name)) {
    throw new TypeError(
      `definePipeline: invalid pipeline name "${definition.name}": it is the name of the workflow function, so use letters, digits, "_" and "$" and do not start with a digit`,
    );
  }
  const steps = [...definition.steps];
  const repeated = steps.find((step, i) => steps.indexOf(step) !== i);
  if (repeated !== undefined || steps.some((s) => !s.trim())) {
    throw new TypeError(
      `definePipeline: pipeline "${definition.name}" lists ${repeated === undefined ? 'an empty step name' : `the step "${repeated}" twice`}: steps are the distinct rows of its progress`,
    );
  }
  return Object.freeze({
    name: definition.name,
    description: definition.description ?? definition.name,
    input: definition.input,
    output: definition.output,
    steps: Object.freeze(steps),
  });
}
