/**
 * An incremental dataset profiler: feed it typed rows one at a time, get a {@link DatasetProfile} at the end.
 * Memory is bounded whatever the number of rows: numeric columns keep running moments and a t-digest (quantiles,
 * a decile histogram and the digest itself, the reference for drift); string and boolean columns keep
 * Space-Saving counters for their most frequent values and a HyperLogLog sketch for their distinct count.
 */
import type {
  CategoricalColumnProfile,
  ColumnProfile,
  DatasetProfile,
  NumericColumnProfile,
  NumericQuantiles,
  RowSchema,
  TopValue,
} from '@slipway/sdk';
import type { TypedRow } from '../ports.js';
import type { CellValue } from './cell-checker.js';
import { HyperLogLog, SpaceSaving } from '../stats/index.js';
import { hashStringInto, stringHashes } from '../stats/string-hash.js';
import { DECILES, PROFILE_COMPRESSION, createNumericSketch, type NumericSketch } from './numeric-sketch.js';

/** At most this many `topValues` are kept per categorical column. */
export const MAX_TOP_VALUES = 100;

/**
 * Space-Saving counters per categorical column: counts are exact up to this many distinct values; beyond, every
 * value more frequent than 0.1% of the column is kept, its count overstated by at most 0.1% of the column.
 */
export const TOP_VALUE_COUNTERS = 1000;

/** The quantiles a numeric profile reports (the sketch must not be empty). */
function namedQuantiles(sketch: NumericSketch): NumericQuantiles {
  const at = (p: number) => sketch.quantiles([p])[0] ?? Number.NaN;
  return { p1: at(0.01), p5: at(0.05), p25: at(0.25), p50: at(0.5), p75: at(0.75), p95: at(0.95), p99: at(0.99) };
}

/** Accumulates one column. */
interface ColumnAccumulator {
  add(value: TypedRow[string] | undefined): void;
  finish(): ColumnProfile;
}

/**
 * One column of a {@link ColumnBatch}, in row order: typed values, or for a number column doubles with `NaN` for an
 * empty cell (a checked number is always finite).
 */
export type ColumnValues = Float64Array | readonly CellValue[];

/**
 * Rows given column by column: `values[k]` is the schema's `k`-th column (`Object.keys(schema.columns)` order), and
 * only rows `i < length` with `good[i] === 1` are added. A batch's rows go through one column at a time, so each
 * column's sketches stay in the processor's caches while they are updated.
 */
export interface ColumnBatch {
  readonly values: readonly ColumnValues[];
  readonly good: Uint8Array;
  readonly length: number;
}

/** Adds the values of the good rows of one column of a {@link ColumnBatch}, in row order. */
function addColumn(accumulator: ColumnAccumulator, values: ColumnValues, good: Uint8Array, length: number): void {
  for (let i = 0; i < length; i++) if (good[i] === 1) accumulator.add(values[i]);
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
    const base = { kind: 'numeric' as const, count, nulls: this.nulls };
    if (count === 0) {
      return { ...base, min: null, max: null, mean: null, std: null, cutPoints: [], binCounts: [] };
    }
    const cutPoints = [...new Set(this.sketch.quantiles(DECILES))];
    return {
      ...base,
      min: this.min,
      max: this.max,
      mean: this.mean,
      std: count > 1 ? Math.sqrt(this.m2 / (count - 1)) : 0,
      cutPoints,
      binCounts: this.sketch.binCounts(cutPoints),
      quantiles: namedQuantiles(this.sketch),
      digest: { compression: PROFILE_COMPRESSION, centroids: this.sketch.centroids() },
    };
  }
}

/**
 * Value counts of a string or boolean column (booleans are counted as `"true"` / `"false"`). The HyperLogLog sketch
 * starts only when the counters overflow: until then the counters hold every distinct value, which seed it.
 * Booleans are tallied and reach the counters in bulk, before the next other value and at the end: two distinct
 * values never overflow the counters, so this gives the counts one at a time would.
 */
class CategoricalAccumulator implements ColumnAccumulator {
  private nulls = 0;
  private trues = 0;
  private falses = 0;
  private readonly counters = new SpaceSaving(TOP_VALUE_COUNTERS);
  private distinct: HyperLogLog | undefined;

  add(value: TypedRow[string] | undefined): void {
    if (value === null || value === undefined) this.nulls++;
    else if (value === true) this.trues++;
    else if (value === false) this.falses++;
    else {
      this.countBooleans();
      this.count(typeof value === 'string' ? value : String(value), 1);
    }
  }

  private countBooleans(): void {
    if (this.trues > 0) this.count('true', this.trues);
    if (this.falses > 0) this.count('false', this.falses);
    this.trues = 0;
    this.falses = 0;
  }

  private count(key: string, times: number): void {
    if (!this.distinct && this.counters.size === TOP_VALUE_COUNTERS && !this.counters.has(key)) {
      this.distinct = new HyperLogLog();
      for (const { value: seen } of this.counters.top(TOP_VALUE_COUNTERS)) this.distinct.add(seen);
    }
    if (this.distinct === undefined) return this.counters.add(key, times);
    // Both sketches use the same hash of the value: computed once.
    hashStringInto(key);
    this.counters.add(key, times, stringHashes[0]);
    this.distinct.addHashes(stringHashes[0] as number, stringHashes[1] as number);
  }

  finish(): CategoricalColumnProfile {
    this.countBooleans();
    const exact = this.counters.exact;
    const topValues = this.counters
      .top(MAX_TOP_VALUES)
      .map(({ value, count, error }): TopValue => (exact ? { value, count } : { value, count, error }));
    // Once a counter was evicted there are more distinct values than counters, whatever the estimate says.
    const estimate = this.distinct?.estimate() ?? 0;
    const distinct = exact ? this.counters.size : Math.max(TOP_VALUE_COUNTERS + 1, Math.round(estimate));
    return {
      kind: 'categorical',
      count: this.counters.total,
      nulls: this.nulls,
      distinct,
      distinctExact: exact,
      topValues,
      topValuesExact: exact,
    };
  }
}

/** An incremental profiler over the columns of a row schema. */
export interface Profiler {
  /** Adds one typed row (only the schema's columns are read; a missing value counts as null). */
  add(row: TypedRow): void;
  /**
   * Adds one row given as its values in the order of the schema's columns (`Object.keys(schema.columns)`): the
   * same as {@link Profiler.add} with the row object those values make, without building it.
   */
  addValues(values: readonly CellValue[]): void;
  /**
   * Adds the good rows of a {@link ColumnBatch}: the same as {@link Profiler.addValues} with each of them, in row
   * order. Returns how many rows it added.
   */
  addColumns(batch: ColumnBatch): number;
  /** How many rows were added. */
  readonly rows: number;
  /** The profile of every row added so far. */
  finish(): DatasetProfile;
}

/**
 * Creates a profiler for a row schema. Memory per column is bounded (a t-digest of at most 200 centroids plus a
 * 4096-value buffer for a numeric column; {@link TOP_VALUE_COUNTERS} counters and a 16 KiB HyperLogLog for a
 * categorical one), whatever the number of rows. Per column, `count` is the number of non-null values and `nulls`
 * the number of nulls (so `count + nulls` is the number of rows).
 *
 * Numeric columns: exact `min`, `max`, `mean` and `std` (Welford; sample standard deviation, 0 for a single
 * value); from the t-digest, the quantiles p1…p99, deduplicated decile `cutPoints` (so an integer column with few
 * values gets fewer bins; exact for up to about 200 distinct values) and `binCounts` on them (summing exactly to
 * `count`), and the digest's centroids. String and boolean columns: `topValues` (most frequent first, ties by
 * value, at most {@link MAX_TOP_VALUES}) and `distinct`, both exact up to {@link TOP_VALUE_COUNTERS} distinct
 * values; beyond, the counts are Space-Saving upper bounds with their `error`, `distinct` is a HyperLogLog
 * estimate, and `topValuesExact` / `distinctExact` are false.
 */
export function createProfiler(schema: RowSchema): Profiler {
  const columns = new Map<string, ColumnAccumulator>();
  for (const [name, spec] of Object.entries(schema.columns)) {
    columns.set(name, spec.type === 'number' ? new NumericAccumulator() : new CategoricalAccumulator());
  }
  const inOrder = [...columns.values()];
  let rows = 0;
  return {
    add(row) {
      rows++;
      for (const [name, accumulator] of columns) accumulator.add(row[name]);
    },
    addValues(values) {
      rows++;
      for (let k = 0; k < inOrder.length; k++) (inOrder[k] as ColumnAccumulator).add(values[k]);
    },
    addColumns({ values, good, length }) {
      let added = 0;
      for (let i = 0; i < length; i++) if (good[i] === 1) added++;
      rows += added;
      for (let k = 0; k < inOrder.length; k++) {
        const column = values[k];
        if (column === undefined) throw new RangeError(`Profiler.addColumns: no values for column ${k}`);
        addColumn(inOrder[k] as ColumnAccumulator, column, good, length);
      }
      return added;
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
