/**
 * Declarative expectations over a dataset: presence and type of columns, nullability, ranges, patterns,
 * allowed values, uniqueness (exact, in bounded memory), row counts, and distributions against a reference
 * profile. Each is an error or a warning; the runner reports every check with counts and sample failures.
 *
 * ```ts
 * const runner = createExpectationRunner(ExpectationSet.parse(json).expectations, { reference });
 * for await (const batch of reader) await runner.observe(batch);
 * const checks = await runner.finish();
 * ```
 *
 * @packageDocumentation
 */
export { createExpectationRunner, type ExpectationRunner, type ExpectationRunnerOptions } from './runner.js';
export { schemaExpectations } from './schema-expectations.js';
export { checkId, type CheckContext, type CheckEvaluator } from './check.js';
export { UNIQUE_BUFFER_RECORDS, decodePosition, encodePosition } from './unique.js';
export { booleanOfCell, isNullCell, numberOfCell, textOfCell } from './values.js';
export { resolveReferenceProfile, type ResolvedReference } from './reference.js';
