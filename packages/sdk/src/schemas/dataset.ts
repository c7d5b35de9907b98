import { z } from 'zod';
import { Digest } from './artifact.js';

/** Supported dataset formats. */
export const DatasetFormat = z.enum(['csv']);
/** Supported dataset formats. */
export type DatasetFormat = z.infer<typeof DatasetFormat>;

/**
 * A reference to a dataset. `uri` is a `file://` URI; `digest` is the sha256 of its bytes, filled in by the
 * validate step, so that every later step and the registry name exactly the bytes that were checked.
 */
export const DatasetRef = z.object({
  uri: z.string().regex(/^file:\/\//, 'expected a file:// URI'),
  format: DatasetFormat.default('csv'),
  digest: Digest.optional(),
});
/** A reference to a dataset (URI, format, and the sha256 of its bytes once known). */
export type DatasetRef = z.infer<typeof DatasetRef>;

const columnBase = { nullable: z.boolean().default(false) };

/** The rule for one column of a row schema. */
export const ColumnSpec = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('number'),
    ...columnBase,
    integer: z.boolean().default(false),
    min: z.number().optional(),
    max: z.number().optional(),
  }),
  z.object({
    type: z.literal('string'),
    ...columnBase,
    values: z.array(z.string()).min(1).optional(),
    pattern: z.string().optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('boolean'), ...columnBase }),
]);
/** The rule for one column of a row schema. */
export type ColumnSpec = z.infer<typeof ColumnSpec>;
/** A column rule as written by users, before defaults are applied. */
export type ColumnSpecInput = z.input<typeof ColumnSpec>;

/**
 * A row schema as data: it travels through workflow history and is turned into a zod schema inside the
 * validate activity. Every column listed must be present in the header.
 */
export const RowSchema = z.object({
  columns: z
    .record(z.string().min(1), ColumnSpec)
    .refine((c) => Object.keys(c).length > 0, 'a row schema needs at least one column'),
  allowExtraColumns: z.boolean().default(true),
});
/** A row schema as data (column name → rule). */
export type RowSchema = z.infer<typeof RowSchema>;
/** A row schema as written by users, before defaults are applied. */
export type RowSchemaInput = z.input<typeof RowSchema>;

/** Profile of a numeric column: moments and a histogram on fixed cut points (the reference for drift). */
export const NumericColumnProfile = z.object({
  kind: z.literal('numeric'),
  count: z.number().int().nonnegative(),
  nulls: z.number().int().nonnegative(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  /** Ascending cut points; bin i holds values in (cut[i-1], cut[i]], the last bin everything above. */
  cutPoints: z.array(z.number()),
  /** Counts per bin; `cutPoints.length + 1` entries. */
  binCounts: z.array(z.number().int().nonnegative()),
});
/** Profile of a numeric column. */
export type NumericColumnProfile = z.infer<typeof NumericColumnProfile>;

/** Profile of a categorical (string or boolean) column: counts per value. */
export const CategoricalColumnProfile = z.object({
  kind: z.literal('categorical'),
  count: z.number().int().nonnegative(),
  nulls: z.number().int().nonnegative(),
  distinct: z.number().int().nonnegative(),
  /** Most frequent values first. */
  topValues: z.array(z.object({ value: z.string(), count: z.number().int().nonnegative() })),
});
/** Profile of a categorical column. */
export type CategoricalColumnProfile = z.infer<typeof CategoricalColumnProfile>;

/** Profile of one column. */
export const ColumnProfile = z.discriminatedUnion('kind', [NumericColumnProfile, CategoricalColumnProfile]);
/** Profile of one column. */
export type ColumnProfile = z.infer<typeof ColumnProfile>;

/** Per-column profile of a dataset; stored as an artifact and used as the reference for drift. */
export const DatasetProfile = z.object({
  rows: z.number().int().nonnegative(),
  columns: z.record(z.string(), ColumnProfile),
});
/** Per-column profile of a dataset. */
export type DatasetProfile = z.infer<typeof DatasetProfile>;
