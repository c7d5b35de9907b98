import { z } from 'zod';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import { parseInput } from './registry-input.js';
import type {
  FinishRunInput,
  LogMetricSeriesInput,
  LogMetricsInput,
  MetricPoint,
  ParamValue,
  StartRunInput,
} from '../ports.js';

/** The longest parameter value tracking keeps (MLflow's limit). */
export const MAX_PARAM_VALUE_LENGTH = 6000;
/** The longest run tag value tracking keeps (MLflow 2.x's limit; 3.x allows 8000). */
export const MAX_RUN_TAG_VALUE_LENGTH = 5000;
/** The most points one `logMetricSeries` call takes. */
export const MAX_SERIES_POINTS = 100_000;

/**
 * Names of parameters, metrics and tags: what MLflow accepts everywhere (letters, digits, `_`, `-`, `.`,
 * space, `:` and `/`; at most 250), without `..`.
 */
const TrackingName = z
  .string()
  .regex(/^[A-Za-z0-9_\-./ :]{1,250}$/, 'expected 1 to 250 letters, digits, "_", "-", ".", " ", ":" or "/"')
  .refine((name) => !name.includes('..'), 'must not contain ".."');

/** Whether `name` is a valid parameter, metric or tag name (what MLflow accepts everywhere; see above). */
export function isTrackingName(name: string): boolean {
  return TrackingName.safeParse(name).success;
}

const RunId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a run id (letters, digits, "_" or "-")');
const IdempotencyKey = z.string().min(1);
const Step = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const FiniteNumber = z.number().refine(Number.isFinite, 'must be a finite number');
const IsoTime = z.iso.datetime({ offset: true });

const StartRunInputSchema = z.object({
  experiment: z.string().min(1).max(500),
  name: z.string().min(1).max(250),
  tags: z.record(TrackingName, z.string().max(MAX_RUN_TAG_VALUE_LENGTH)).optional(),
  startedAt: IsoTime.optional(),
  idempotencyKey: IdempotencyKey,
});

const ParamsSchema = z.record(
  TrackingName,
  z.union([z.string().max(MAX_PARAM_VALUE_LENGTH), z.number().refine(Number.isFinite, 'must be finite'), z.boolean()]),
);

const LogMetricsInputSchema = z.object({
  runId: RunId,
  metrics: z.record(TrackingName, FiniteNumber),
  step: Step.optional(),
  idempotencyKey: IdempotencyKey,
});

const PointsSchema = z
  .array(z.object({ step: Step, value: FiniteNumber }))
  .max(MAX_SERIES_POINTS)
  .refine((points) => new Set(points.map((p) => p.step)).size === points.length, 'steps must be distinct');

const LogMetricSeriesInputSchema = z.object({
  runId: RunId,
  key: TrackingName,
  points: PointsSchema,
  idempotencyKey: IdempotencyKey,
});

const FinishRunInputSchema = z.object({
  runId: RunId,
  status: z.enum(['finished', 'failed', 'killed']),
  endedAt: IsoTime.optional(),
});

/** Validates `startRun` input; fails with `SlipwayInvalidInput` naming every bad field. */
export function parseStartRunInput(value: unknown): StartRunInput {
  return parseInput(StartRunInputSchema, value, 'startRun');
}

/** Validates `logParams` input and turns every value into the string tracking stores. */
export function parseLogParamsInput(
  runId: unknown,
  params: unknown,
): { runId: string; params: Record<string, string> } {
  const parsed = parseInput(z.object({ runId: RunId, params: ParamsSchema }), { runId, params }, 'logParams');
  const strings = Object.entries(parsed.params).map(([key, value]: [string, ParamValue]) => [key, String(value)]);
  return { runId: parsed.runId, params: Object.fromEntries(strings) as Record<string, string> };
}

/** Validates `logMetrics` input (finite values, step ≥ 0). */
export function parseLogMetricsInput(value: unknown): LogMetricsInput & { step: number } {
  const parsed = parseInput(LogMetricsInputSchema, value, 'logMetrics');
  return { ...parsed, step: parsed.step ?? 0 };
}

/** Validates `logMetricSeries` input (finite values, distinct steps) and sorts the points by step. */
export function parseLogMetricSeriesInput(value: unknown): LogMetricSeriesInput {
  const parsed = parseInput(LogMetricSeriesInputSchema, value, 'logMetricSeries');
  const points: MetricPoint[] = [...parsed.points].sort((a, b) => a.step - b.step);
  return { ...parsed, points };
}

/** Validates `finishRun` input. */
export function parseFinishRunInput(value: unknown): FinishRunInput {
  return parseInput(FinishRunInputSchema, value, 'finishRun');
}

/** Validates a run id given to a read (`getRun`, `getMetricSeries`). */
export function parseRunId(runId: unknown): string {
  return parseInput(RunId, runId, 'run lookup');
}

/** Validates the tags of a `findRuns` query (at least one). */
export function parseRunQuery(value: unknown): { tags: Record<string, string>; experiment?: string } {
  const schema = z.object({
    tags: z.record(TrackingName, z.string()).refine((tags) => Object.keys(tags).length > 0, 'name at least one tag'),
    experiment: z.string().min(1).optional(),
  });
  return parseInput(schema, value, 'findRuns');
}

/** A parameter already logged with another value: parameters never change. */
export function paramChangedFailure(runId: string, key: string, was: string, now: string): Error {
  return finalFailure(
    SlipwayErrorType.InvalidInput,
    `Parameter "${key}" of run ${runId} is already ${JSON.stringify(was)}; it cannot become ${JSON.stringify(now)} (parameters never change)`,
    { runId, key },
  );
}

/** A run that does not exist. */
export function runNotFound(runId: string, action: string): Error {
  return finalFailure(SlipwayErrorType.NotFound, `Cannot ${action} run ${runId}: there is no such run`, { runId });
}
