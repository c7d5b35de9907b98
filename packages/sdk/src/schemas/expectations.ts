import { z } from 'zod';
import { ArtifactRef } from './artifact.js';
import { RowSchema } from './dataset.js';

/** How much a failed expectation matters: an `error` fails validation, a `warning` is only reported. */
export const ExpectationSeverity = z.enum(['error', 'warning']);
/** How much a failed expectation matters. */
export type ExpectationSeverity = z.infer<typeof ExpectationSeverity>;

const common = {
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
export const Expectation = z.discriminatedUnion('expect', [
  z.object({ expect: z.literal('columnExists'), column: z.string().min(1), ...common }),
  z.object({ expect: z.literal('columnType'), ...perValue, type: z.enum(['number', 'integer', 'string', 'boolean']) }),
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
  z.object({ expect: z.literal('inSet'), ...perValue, values: z.array(ScalarValue).min(1) }),
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
]);
/** One declarative check on a dataset. */
export type Expectation = z.infer<typeof Expectation>;
/** An expectation as written by users, before defaults. */
export type ExpectationInput = z.input<typeof Expectation>;

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
  });
/** A set of expectations. */
export type ExpectationSet = z.infer<typeof ExpectationSet>;
/** An expectation set as written by users, before defaults. */
export type ExpectationSetInput = z.input<typeof ExpectationSet>;

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
