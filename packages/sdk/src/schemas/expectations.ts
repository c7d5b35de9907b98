import { z } from 'zod';
import { SlipwayErrorType, finalFailure } from '../errors.js';
import { ArtifactRef } from './artifact.js';
import { RowSchema } from './dataset.js';
import { rangeProblem, regexProblem } from './rule-checks.js';

/** How much a failed expectation matters: an `error` fails validation, a `warning` is only reported. */
export const ExpectationSeverity = z.enum(['error', 'warning']);
/** How much a failed expectation matters. */
export type ExpectationSeverity = z.infer<typeof ExpectationSeverity>;

const common = {
  /**
   * A name of your own for the expectation (e.g. `plan-known`): its check id in reports and errors. By default
   * the id is the kind and column, e.g. `between(tenure_months)`.
   */
  id: z.string().min(1).max(200).optional(),
  severity: ExpectationSeverity.default('error'),
  /** Why the expectation exists, shown in reports. */
  description: z.string().optional(),
};
const perValue = {
  ...common,
  column: z.string().min(1),
  /** The share (0..1) of non-null values that must pass; 1 means every one. */
  mostly: z.number().min(0).max(1).default(1),
};
const ScalarValue = z.union([z.string(), z.number(), z.boolean()]);

/** One declarative check on a dataset. */
export const Expectation = z
  .discriminatedUnion('expect', [
    z.object({ expect: z.literal('columnExists'), column: z.string().min(1), ...common }),
    z.object({
      expect: z.literal('columnType'),
      ...perValue,
      type: z.enum(['number', 'integer', 'string', 'boolean']),
    }),
    z.object({ expect: z.literal('notNull'), ...perValue }),
    z.object({
      expect: z.literal('between'),
      ...perValue,
      min: z.number().optional(),
      max: z.number().optional(),
      /** Exclude the bounds themselves. */
      strict: z.boolean().default(false),
    }),
    z.object({ expect: z.literal('matches'), ...perValue, pattern: z.string().min(1) }),
    z.object({ expect: z.literal('inSet'), ...perValue, values: z.array(ScalarValue) }),
    z.object({ expect: z.literal('unique'), column: z.string().min(1), ...common }),
    z.object({
      expect: z.literal('rowCount'),
      min: z.number().int().nonnegative().optional(),
      max: z.number().int().nonnegative().optional(),
      ...common,
    }),
    z.object({
      expect: z.literal('distribution'),
      column: z.string().min(1),
      /** PSI (numeric and categorical) or the two-sample Kolmogorov–Smirnov statistic (numeric). */
      metric: z.enum(['psi', 'ks']),
      /** The check fails when the metric exceeds this. */
      threshold: z.number().positive(),
      ...common,
    }),
  ])
  .superRefine((expectation, ctx) => {
    for (const message of expectationProblems(expectation)) ctx.addIssue({ code: 'custom', message });
  });
/** One declarative check on a dataset. */
export type Expectation = z.infer<typeof Expectation>;
/** An expectation as written by users, before defaults. */
export type ExpectationInput = z.input<typeof Expectation>;

/**
 * The id of an expectation in reports and errors: its own `id`, else the kind and column (`between(tenure_months)`)
 * or the kind alone (`rowCount`).
 */
export function expectationId(expectation: { expect: string; id?: string | undefined; column?: string }): string {
  if (expectation.id !== undefined) return expectation.id;
  return expectation.column === undefined ? expectation.expect : `${expectation.expect}(${expectation.column})`;
}

/**
 * What is wrong with an expectation that its shape alone does not say — each would make it pass or fail whatever
 * the data: a `between` or `rowCount` without bounds or with `min > max`, a `matches` pattern that is not a
 * regular expression, an empty `inSet`. Empty when nothing is. Every loader of expectations checks this (it is
 * part of the {@link Expectation} schema).
 */
export function expectationProblems(expectation: Expectation): string[] {
  const problem = expectationProblem(expectation);
  return problem === undefined ? [] : [`${expectation.expect}: ${problem}`];
}

function expectationProblem(expectation: Expectation): string | undefined {
  switch (expectation.expect) {
    case 'between':
      if (expectation.min === undefined && expectation.max === undefined)
        return 'give min, max or both (without bounds every number passes)';
      return rangeProblem(expectation.min, expectation.max, { strict: expectation.strict });
    case 'rowCount':
      if (expectation.min === undefined && expectation.max === undefined)
        return 'give min, max or both (without bounds every dataset passes)';
      return rangeProblem(expectation.min, expectation.max);
    case 'matches':
      return regexProblem(expectation.pattern);
    case 'inSet':
      return expectation.values.length === 0 ? 'values is empty, so no value can pass' : undefined;
    case 'columnExists':
    case 'columnType':
    case 'notNull':
    case 'unique':
    case 'distribution':
      return undefined;
  }
}

/**
 * The reference profile `distribution` expectations compare against: a profile artifact, or the training
 * profile of a registered model's version behind an alias (by default the current champion, so new training
 * data is compared with the data the serving model learned from).
 */
export const ProfileReference = z.union([
  ArtifactRef,
  z.object({ model: z.string().min(1), alias: z.string().min(1).default('champion') }).strict(),
]);
/** The reference profile of `distribution` expectations. */
export type ProfileReference = z.infer<typeof ProfileReference>;

/**
 * A set of expectations, usable from code and from a JSON file. `schema` (optional) types the columns and turns
 * every rule in it into checks; `reference` is the profile that `distribution` expectations compare against.
 */
export const ExpectationSet = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    schema: RowSchema.optional(),
    expectations: z.array(Expectation).default([]),
    reference: ProfileReference.optional(),
  })
  .refine((set) => set.schema !== undefined || set.expectations.length > 0, {
    message: 'an expectation set needs a schema or at least one expectation',
    path: ['expectations'],
  })
  .superRefine((set, ctx) => {
    const first = new Map<string, number>();
    set.expectations.forEach((expectation, index) => {
      if (expectation.id === undefined) return;
      const earlier = first.get(expectation.id);
      if (earlier === undefined) first.set(expectation.id, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['expectations', index, 'id'],
          message: `id is already used by expectations[${earlier}]`,
        });
    });
  });
/** A set of expectations. */
export type ExpectationSet = z.infer<typeof ExpectationSet>;
/** An expectation set as written by users, before defaults. */
export type ExpectationSetInput = z.input<typeof ExpectationSet>;

/**
 * Parses an expectation set read from `source` (a file name, for messages). Its problems are reported together,
 * each expectation by its index and id, e.g.
 * `expectations.json: invalid expectation set: expectations[3] (id "plan-known"): inSet: values is empty, …`.
 *
 * @throws a final `SlipwayInvalidInput` failure naming `source` and every problem.
 */
export function parseExpectationSet(value: unknown, source: string): ExpectationSet {
  const parsed = ExpectationSet.safeParse(value);
  if (parsed.success) return parsed.data;
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `${source}: invalid expectation set: ${describeExpectationSetIssues(parsed.error, value)}`,
    { source, issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
  );
}

/**
 * The issues of an expectation set, one per `; `, each expectation named by its index and id (read from the raw
 * `value`), other fields by their path. At most `limit` issues are listed.
 */
export function describeExpectationSetIssues(error: z.ZodError, value: unknown, limit = 10): string {
  const raw = (value as { expectations?: unknown } | null)?.expectations;
  const lines = error.issues.slice(0, limit).map((issue) => {
    const [head, index, ...rest] = issue.path;
    if (head !== 'expectations' || typeof index !== 'number') {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path}: ${issue.message}`;
    }
    const id = rawExpectationId(Array.isArray(raw) ? raw[index] : undefined);
    const field = rest.length > 0 ? `${rest.map(String).join('.')}: ` : '';
    return `expectations[${index}]${id === undefined ? '' : ` (id ${JSON.stringify(id)})`}: ${field}${issue.message}`;
  });
  const more = error.issues.length > limit ? `; and ${error.issues.length - limit} more` : '';
  return lines.join('; ') + more;
}

function rawExpectationId(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const { expect, id, column } = raw as { expect?: unknown; id?: unknown; column?: unknown };
  if (typeof id === 'string' && id !== '') return id;
  if (typeof expect !== 'string') return undefined;
  return expectationId({ expect, ...(typeof column === 'string' ? { column } : {}) });
}

/** One sample failure of a check: where, which column, the offending value and why. */
export const CheckSample = z.object({
  position: z.string(),
  column: z.string().optional(),
  value: z.string().optional(),
  message: z.string(),
});
/** One sample failure of a check. */
export type CheckSample = z.infer<typeof CheckSample>;

/** The outcome of one expectation. */
export const CheckResult = z.object({
  /** A stable id such as `between(tenure_months)`. */
  id: z.string(),
  expect: z.string(),
  column: z.string().optional(),
  severity: ExpectationSeverity,
  passed: z.boolean(),
  /** Values (or rows) the check looked at, and how many failed. */
  evaluated: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** What was measured, e.g. `{ psi: 0.31 }`, `{ rows: 2000 }`, `{ duplicates: 3 }`. */
  observed: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
  samples: z.array(CheckSample).default([]),
  description: z.string().optional(),
  /** True when the check could not run and was not counted (e.g. no champion to compare with yet). */
  skipped: z.boolean().optional(),
});
/** The outcome of one expectation. */
export type CheckResult = z.infer<typeof CheckResult>;
