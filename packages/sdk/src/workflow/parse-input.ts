import type { z } from 'zod';
import { parseOrFail } from '../errors.js';

/**
 * Parses a workflow's input; a bad input fails the run at once (non-retryable `SlipwayInvalidInput`) with
 * every failing field path, instead of failing the workflow task over and over.
 */
export function parseWorkflowInput<S extends z.ZodType>(schema: S, value: unknown, workflow: string): z.output<S> {
  return parseOrFail(schema, value, `Workflow "${workflow}" got invalid input`);
}
