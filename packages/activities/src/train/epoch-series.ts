/**
 * The per-epoch metric series of one training run, kept small whatever the number of epochs: every epoch is
 * kept while the series is short; when the points exceed the budget, every other one is dropped and only
 * every 2nd (then 4th, 8th, …) epoch is kept from then on, plus the last epoch recorded. The state is small JSON
 * that travels in the train activity's heartbeats next to the checkpoint, so a retry resumed from that
 * checkpoint continues the very series an uninterrupted run would have recorded.
 */
import { SlipwayErrorType, finalFailure, type Metrics } from '@slipway/sdk';
import { z } from 'zod';
import type { EpochMetrics, MetricPoint } from '../ports.js';
import { isTrackingName } from '../registry/tracking-input.js';

/** Points kept across all the metrics of one series by default (about 12 kB of heartbeat JSON per metric). */
export const DEFAULT_EPOCH_SERIES_POINTS = 500;
/** The most metric names a trainer may record per epoch. */
export const MAX_EPOCH_METRICS = 16;

/** The state of an {@link EpochSeries} as it goes into a heartbeat: `[epoch, value]` pairs per metric. */
export const EpochSeriesState = z.object({
  /** Only epochs that are multiples of the stride are kept (besides each metric's last point). */
  stride: z.number().int().positive(),
  series: z.record(z.string(), z.array(z.tuple([z.number().int().nonnegative(), z.number()]))),
});
/** The state of an {@link EpochSeries} as it goes into a heartbeat. */
export type EpochSeriesState = z.infer<typeof EpochSeriesState>;

/** The sampled series a trainer records into (see `EpochMetrics`), with its heartbeat state and its points. */
export interface EpochSeries extends EpochMetrics {
  /** The state to heartbeat, or undefined while nothing was recorded. */
  state(): EpochSeriesState | undefined;
  /** Each metric's points by ascending epoch, for `ExperimentTracker.logMetricSeries`. */
  points(): Map<string, MetricPoint[]>;
}

/** Options of {@link createEpochSeries}. */
export interface EpochSeriesOptions {
  /** Points kept across all metrics, at least 2; default {@link DEFAULT_EPOCH_SERIES_POINTS}. */
  maxPoints?: number;
  /** The state a previous attempt heartbeated (anything else, or an invalid state, starts empty). */
  resume?: unknown;
}

interface Line {
  /** Points at multiples of the stride. */
  kept: MetricPoint[];
  /** The latest point when its epoch is not a multiple of the stride. */
  tail: MetricPoint | undefined;
}

function badMetric(message: string, details: object): never {
  throw finalFailure(SlipwayErrorType.InvalidInput, `Trainer epoch metrics: ${message}`, details);
}

/** Creates an empty series, or the one a previous attempt's heartbeat state describes. */
export function createEpochSeries(options: EpochSeriesOptions = {}): EpochSeries {
  const maxPoints = options.maxPoints ?? DEFAULT_EPOCH_SERIES_POINTS;
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(`createEpochSeries: maxPoints must be an integer of at least 2, got ${maxPoints}`);
  }
  const resumed = EpochSeriesState.safeParse(options.resume);
  if (resumed.success) {
    try {
      return SampledSeries.restore(maxPoints, resumed.data);
    } catch {
      // A state this code cannot take (another trainer's metric names, …): start the series afresh.
    }
  }
  return new SampledSeries(maxPoints);
}

class SampledSeries implements EpochSeries {
  private readonly lines = new Map<string, Line>();
  private stride = 1;
  private lastEpoch = -1;

  constructor(private readonly maxPoints: number) {}

  /** Replays a heartbeated state: the stride first, then every point in epoch order. */
  static restore(maxPoints: number, state: EpochSeriesState): SampledSeries {
    const series = new SampledSeries(maxPoints);
    const byEpoch = new Map<number, Metrics>();
    for (const [key, pairs] of Object.entries(state.series)) {
      for (const [epoch, value] of pairs) byEpoch.set(epoch, { ...byEpoch.get(epoch), [key]: value });
    }
    series.stride = state.stride;
    for (const epoch of [...byEpoch.keys()].sort((a, b) => a - b)) series.record(epoch, byEpoch.get(epoch) ?? {});
    return series;
  }

  wants(epoch: number): boolean {
    return epoch % this.stride === 0;
  }

  record(epoch: number, metrics: Metrics): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0) badMetric(`epoch must be an integer ≥ 0, got ${epoch}`, { epoch });
    if (epoch <= this.lastEpoch) this.rewind(epoch);
    this.lastEpoch = epoch;
    for (const [key, value] of Object.entries(metrics)) {
      if (!Number.isFinite(value)) continue;
      const line = this.lineOf(key);
      const point = { step: epoch, value };
      line.tail = undefined;
      if (epoch % this.stride === 0) line.kept.push(point);
      else line.tail = point;
    }
    this.compact();
  }

  points(): Map<string, MetricPoint[]> {
    const out = new Map<string, MetricPoint[]>();
    for (const [key, line] of this.lines) {
      const all = line.tail === undefined ? [...line.kept] : [...line.kept, line.tail];
      if (all.length > 0) out.set(key, all);
    }
    return out;
  }

  state(): EpochSeriesState | undefined {
    const series = this.points();
    if (series.size === 0) return undefined;
    const pairs = [...series].map(([key, list]) => [key, list.map((p): [number, number] => [p.step, p.value])]);
    return { stride: this.stride, series: Object.fromEntries(pairs) as EpochSeriesState['series'] };
  }

  private lineOf(key: string): Line {
    let line = this.lines.get(key);
    if (line === undefined) {
      if (!isTrackingName(key)) badMetric(`${JSON.stringify(key)} is not a valid metric name`, { metric: key });
      if (this.lines.size >= MAX_EPOCH_METRICS) {
        badMetric(`at most ${MAX_EPOCH_METRICS} metrics, got one more: ${JSON.stringify(key)}`, { metric: key });
      }
      line = { kept: [], tail: undefined };
      this.lines.set(key, line);
    }
    return line;
  }

  /** Drops every point at `epoch` or later: the trainer went back (restarted from an earlier checkpoint). */
  private rewind(epoch: number): void {
    let empty = true;
    for (const line of this.lines.values()) {
      line.kept = line.kept.filter((p) => p.step < epoch);
      if (line.tail !== undefined && line.tail.step >= epoch) line.tail = undefined;
      if (line.kept.length > 0 || line.tail !== undefined) empty = false;
    }
    if (empty) this.stride = 1;
  }

  /** Doubles the stride until the kept points fit the budget; a dropped last point stays as the tail. */
  private compact(): void {
    const total = () => [...this.lines.values()].reduce((n, line) => n + line.kept.length, 0);
    while (total() > this.maxPoints) {
      this.stride *= 2;
      for (const line of this.lines.values()) {
        const last = line.kept.at(-1);
        line.kept = line.kept.filter((p) => p.step % this.stride === 0);
        const dropped = last !== undefined && line.kept.at(-1) !== last;
        if (dropped && (line.tail === undefined || line.tail.step < last.step)) line.tail = last;
      }
    }
  }
}
