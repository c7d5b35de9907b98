import type { z } from 'zod';
import { SlipwayErrorType, finalFailure } from '../errors.js';
import { describeIssues } from '../step.js';

/**
 * Parses a workflow's input; a bad input fails the run at once (non-retryable `SlipwayInvalidInput`) with
 * every failing field path, instead of failing the workflow task over and over.
 */
export function parseWorkflowInput<S extends z.ZodType>(schema: S, value: unknown, workflow: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `Workflow "${workflow}" got invalid input: ${describeIssues(result.error)}`,
  );
}
