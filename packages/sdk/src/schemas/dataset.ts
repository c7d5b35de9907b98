import { z } from 'zod';
import { Digest } from './artifact.js';
import { rangeProblem, regexProblem } from './rule-checks.js';

/** Supported dataset formats. */
export const DatasetFormat = z.enum(['csv', 'jsonl', 'parquet']);
/** Supported dataset formats. */
export type DatasetFormat = z.infer<typeof DatasetFormat>;

/** How a dataset's stored bytes are compressed. */
export const DatasetCompression = z.enum(['none', 'gzip']);
/** How a dataset's stored bytes are compressed. */
export type DatasetCompression = z.infer<typeof DatasetCompression>;

/** CSV dialect options. */
export const CsvOptions = z.object({
  /** One character between fields (default `,`; use `\t` for TSV). */
  delimiter: z.string().length(1).default(','),
  /** The quote character (default `"`). */
  quote: z.string().length(1).default('"'),
});
/** CSV dialect options. */
export type CsvOptions = z.infer<typeof CsvOptions>;

/**
 * A reference to a dataset: a `file://` or `s3://bucket/key` URI, its format and compression (inferred from
 * the name when absent: `.csv`, `.tsv`, `.jsonl`/`.ndjson`, `.parquet`, each optionally `.gz`), and `digest`,
 * the sha256 of the stored bytes, filled in by the validate step (or `slipway data snapshot`) so that every
 * later step and the registry name exactly the bytes that were checked.
 */
export const DatasetRef = z.object({
  uri: z.string().regex(/^(file:\/\/|s3:\/\/[^/]+\/.+)/, 'expected a file:// URI or s3://bucket/key'),
  format: DatasetFormat.optional(),
  compression: DatasetCompression.optional(),
  csv: CsvOptions.optional(),
  digest: Digest.optional(),
});
/** A reference to a dataset (URI, format, compression, and the sha256 of its bytes once known). */
export type DatasetRef = z.infer<typeof DatasetRef>;

const FORMAT_BY_EXTENSION: ReadonlyArray<[RegExp, DatasetFormat]> = [
  [/\.(csv|tsv|txt)$/i, 'csv'],
  [/\.(jsonl|ndjson)$/i, 'jsonl'],
  [/\.parquet$/i, 'parquet'],
];

/**
 * The format, compression and CSV options a dataset is read with: as given, else inferred from its name.
 * Throws a `TypeError` naming the URI when the format cannot be inferred.
 */
export function datasetEncoding(ref: DatasetRef): {
  format: DatasetFormat;
  compression: DatasetCompression;
  csv: CsvOptions;
} {
  const name = ref.uri.replace(/[?#].*$/, '');
  const compression = ref.compression ?? (/\.gz$/i.test(name) ? 'gzip' : 'none');
  const stem = compression === 'gzip' ? name.replace(/\.gz$/i, '') : name;
  const format = ref.format ?? FORMAT_BY_EXTENSION.find(([pattern]) => pattern.test(stem))?.[1];
  if (!format) {
    throw new TypeError(
      `cannot tell the format of ${ref.uri} from its name: set dataset.format to csv, jsonl or parquet`,
    );
  }
  const delimiter = /\.tsv$/i.test(stem) ? '\t' : ',';
  return { format, compression, csv: CsvOptions.parse({ delimiter, ...ref.csv }) };
}

const columnBase = { nullable: z.boolean().default(false) };

/** The rule for one column of a row schema. */
export const ColumnSpec = z
  .discriminatedUnion('type', [
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
  ])
  .superRefine((spec, ctx) => {
    for (const message of columnSpecProblems(spec)) ctx.addIssue({ code: 'custom', message });
  });
/** The rule for one column of a row schema. */
export type ColumnSpec = z.infer<typeof ColumnSpec>;
/**
 * What is wrong with a column rule that its shape alone does not say: a `min`..`max` or `minLength`..`maxLength`
 * range no value can satisfy, a `pattern` that is not a regular expression (compiled as the validate step does,
 * with the `u` flag). Empty when nothing is.
 */
export function columnSpecProblems(spec: {
  type: string;
  min?: number | undefined;
  max?: number | undefined;
  pattern?: string | undefined;
  minLength?: number | undefined;
  maxLength?: number | undefined;
}): string[] {
  const problems = [
    rangeProblem(spec.min, spec.max),
    rangeProblem(spec.minLength, spec.maxLength, { names: ['minLength', 'maxLength'] }),
    spec.pattern === undefined ? undefined : regexProblem(spec.pattern, 'u'),
  ];
  return problems.filter((p): p is string => p !== undefined);
}

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

/** One t-digest centroid of a numeric profile: `count` values with mean `mean`. */
export const DigestCentroid = z.object({
  mean: z.number(),
  count: z.number().int().positive(),
  /** True when every value in the centroid equals `mean` (a point mass, known exactly). */
  point: z.boolean(),
});
/** One t-digest centroid of a numeric profile. */
export type DigestCentroid = z.infer<typeof DigestCentroid>;

/** At most this many t-digest centroids are stored per numeric column. */
export const MAX_DIGEST_CENTROIDS = 200;

/**
 * The distribution of a numeric column as a merging t-digest: centroids by ascending mean, with the column's
 * `min` and `max` as the ends. Enough to compare the column with served values (KS) without the raw data.
 */
export const NumericDigest = z.object({
  /** The t-digest compression δ it was built with (at most δ + 1 centroids). */
  compression: z.number().positive(),
  centroids: z.array(DigestCentroid).max(MAX_DIGEST_CENTROIDS),
});
/** The distribution of a numeric column as a t-digest. */
export type NumericDigest = z.infer<typeof NumericDigest>;

/** Quantiles of a numeric column (from its t-digest: within a fraction of a percent of rank of the exact ones). */
export const NumericQuantiles = z.object({
  p1: z.number(),
  p5: z.number(),
  p25: z.number(),
  p50: z.number(),
  p75: z.number(),
  p95: z.number(),
  p99: z.number(),
});
/** Quantiles of a numeric column. */
export type NumericQuantiles = z.infer<typeof NumericQuantiles>;

/**
 * Profile of a numeric column: moments and a histogram on fixed cut points (the reference for drift), plus, in
 * profiles written since the t-digest profiler, quantiles and the digest itself. `count`, `nulls`, `min`, `max`,
 * `mean` and `std` are exact; cut points, bin counts and quantiles come from the digest.
 */
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
  /** Counts per bin; `cutPoints.length + 1` entries summing to `count` (empty when `count` is 0). */
  binCounts: z.array(z.number().int().nonnegative()),
  /** Quantiles; absent when the column has no values (or in older profiles). */
  quantiles: NumericQuantiles.optional(),
  /** The t-digest of the values; absent when the column has no values (or in older profiles). */
  digest: NumericDigest.optional(),
});
/** Profile of a numeric column. */
export type NumericColumnProfile = z.infer<typeof NumericColumnProfile>;

/** One of the most frequent values of a categorical column. */
export const TopValue = z.object({
  value: z.string(),
  /** Its count: exact when the profile's `topValuesExact` is not false, otherwise an upper bound. */
  count: z.number().int().nonnegative(),
  /** When counts are approximate: by how much `count` may overstate the true count (`count − error ≤ true`). */
  error: z.number().int().nonnegative().optional(),
});
/** One of the most frequent values of a categorical column. */
export type TopValue = z.infer<typeof TopValue>;

/** Profile of a categorical (string or boolean) column: counts per value. */
export const CategoricalColumnProfile = z.object({
  kind: z.literal('categorical'),
  count: z.number().int().nonnegative(),
  nulls: z.number().int().nonnegative(),
  /** Number of distinct values: exact unless `distinctExact` is false (then a HyperLogLog estimate, ±1–2%). */
  distinct: z.number().int().nonnegative(),
  /** False when `distinct` is an estimate; absent in older profiles, where it was exact. */
  distinctExact: z.boolean().optional(),
  /** Most frequent values first. */
  topValues: z.array(TopValue),
  /** False when the counts of `topValues` are Space-Saving upper bounds (too many distinct values to count all). */
  topValuesExact: z.boolean().optional(),
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
