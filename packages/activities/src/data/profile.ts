/**
 * An incremental dataset profiler: feed it typed rows one at a time, get a {@link DatasetProfile} at the end.
 * Numeric columns get moments plus a decile histogram (the reference for drift); string and boolean columns
 * get value counts.
 */
import type {
  CategoricalColumnProfile,
  ColumnProfile,
  DatasetProfile,
  NumericColumnProfile,
  RowSchema,
} from '@slipway/sdk';
import type { TypedRow } from '../ports.js';
import { DECILES, createNumericSketch, type NumericSketch } from './numeric-sketch.js';

/** At most this many `topValues` are kept per categorical column. */
export const MAX_TOP_VALUES = 100;

/** Accumulates one column. */
interface ColumnAccumulator {
  add(value: TypedRow[string] | undefined): void;
  finish(): ColumnProfile;
}

/** Running moments (Welford), min and max of a numeric column, plus its sketch for quantiles. */
class NumericAccumulator implements ColumnAccumulator {
  private nulls = 0;
  private mean = 0;
  private m2 = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly sketch: NumericSketch = createNumericSketch();

  add(value: TypedRow[string] | undefined): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.nulls++;
      return;
    }
    this.sketch.add(value);
    const n = this.sketch.count;
    const delta = value - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  finish(): NumericColumnProfile {
    const count = this.sketch.count;
    const cutPoints = [...new Set(this.sketch.quantiles(DECILES))];
    return {
      kind: 'numeric',
      count,
      nulls: this.nulls,
      min: count > 0 ? this.min : null,
      max: count > 0 ? this.max : null,
      mean: count > 0 ? this.mean : null,
      std: count > 1 ? Math.sqrt(this.m2 / (count - 1)) : count === 1 ? 0 : null,
      cutPoints,
      binCounts: count > 0 ? this.sketch.binCounts(cutPoints) : [],
    };
  }
}

/** Value counts of a string or boolean column (booleans are counted as `"true"` / `"false"`). */
class CategoricalAccumulator implements ColumnAccumulator {
  private nulls = 0;
  private count = 0;
  private readonly counts = new Map<string, number>();

  add(value: TypedRow[string] | undefined): void {
    if (value === null || value === undefined) {
      this.nulls++;
      return;
    }
    const key = String(value);
    this.count++;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  finish(): CategoricalColumnProfile {
    const topValues = [...this.counts]
      .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, MAX_TOP_VALUES)
      .map(([value, count]) => ({ value, count }));
    return { kind: 'categorical', count: this.count, nulls: this.nulls, distinct: this.counts.size, topValues };
  }
}

/** An incremental profiler over the columns of a row schema. */
export interface Profiler {
  /** Adds one typed row (only the schema's columns are read; a missing value counts as null). */
  add(row: TypedRow): void;
  /** How many rows were added. */
  readonly rows: number;
  /** The profile of every row added so far. */
  finish(): DatasetProfile;
}

/**
 * Creates a profiler for a row schema. Per column, `count` is the number of non-null values and `nulls` the
 * number of nulls (so `count + nulls` is the number of rows). Numeric columns: `min`, `max`, `mean`, `std`
 * (sample standard deviation, 0 for a single value), deduplicated decile `cutPoints` (observed values, so an
 * integer column with few values gets fewer bins) and `binCounts` on them. String and boolean columns:
 * `distinct` and `topValues` (most frequent first, ties by value, at most {@link MAX_TOP_VALUES}).
 */
export function createProfiler(schema: RowSchema): Profiler {
  const columns = new Map<string, ColumnAccumulator>();
  for (const [name, spec] of Object.entries(schema.columns)) {
    columns.set(name, spec.type === 'number' ? new NumericAccumulator() : new CategoricalAccumulator());
  }
  let rows = 0;
  return {
    add(row) {
      rows++;
      for (const [name, accumulator] of columns) accumulator.add(row[name]);
    },
    get rows() {
      return rows;
    },
    finish() {
      const profiles: Record<string, ColumnProfile> = {};
      for (const [name, accumulator] of columns) profiles[name] = accumulator.finish();
      return { rows, columns: profiles };
    },
  };
}

/** Profiles a list of typed rows in one call (see {@link createProfiler}). */
export function profileRows(schema: RowSchema, rows: Iterable<TypedRow>): DatasetProfile {
  const profiler = createProfiler(schema);
  for (const row of rows) profiler.add(row);
  return profiler.finish();
}
