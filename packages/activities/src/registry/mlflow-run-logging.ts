import type { FinishRunInput, LogMetricSeriesInput, LogMetricsInput, MetricPoint } from '../ports.js';
import { isRetryableMlflowFailure } from './mlflow-client.js';
import type { MlflowContext } from './mlflow-context.js';
import { fetchRun, metricHistory, requireRun, searchRuns } from './mlflow-runs.js';
import { tagMap, type MlflowRun } from './mlflow-schemas.js';
import { RunTag, keyHash } from './mlflow-tags.js';
import { assertSameRun } from './key-conflicts.js';
import { paramChangedFailure } from './tracking-input.js';

// Writes to an MLflow run through `runs/log-batch` (at most 1000 metrics and 100 params or tags a request).

const METRICS_PER_BATCH = 1000;
const PARAMS_PER_BATCH = 100;

/** Logs parameters; those already logged with the same value are skipped, another value is a final error. */
export async function logParams(ctx: MlflowContext, runId: string, params: Record<string, string>): Promise<void> {
  const run = await requireRun(ctx, runId, 'log parameters of');
  const logged = tagMap(run.data.params);
  const fresh: { key: string; value: string }[] = [];
  for (const [key, value] of Object.entries(params)) {
    const was = logged.get(key);
    if (was === undefined) fresh.push({ key, value });
    else if (was !== value) throw paramChangedFailure(runId, key, was, value);
  }
  for (let i = 0; i < fresh.length; i += PARAMS_PER_BATCH) {
    await ctx.client.post('runs/log-batch', { run_id: runId, params: fresh.slice(i, i + PARAMS_PER_BATCH) });
  }
}

type Point = { key: string; step: number; value: number };

/** Logs scalar metrics at one step, once per key. */
export function logMetrics(
  ctx: MlflowContext,
  input: LogMetricsInput & { step: number },
): Promise<{ created: boolean }> {
  const points = Object.entries(input.metrics).map(([key, value]) => ({ key, step: input.step, value }));
  return logOnce(ctx, input, points);
}

/** Logs a metric series, once per key; steps the run already has for that metric are not logged again. */
export function logMetricSeries(ctx: MlflowContext, input: LogMetricSeriesInput): Promise<{ created: boolean }> {
  const points = input.points.map((p: MetricPoint) => ({ key: input.key, step: p.step, value: p.value }));
  return logOnce(ctx, input, points, input.key);
}

/**
 * The marker tag `slipway.internal.logged.<hash>` goes in the same `log-batch` request as the last values
 * (MLflow writes metrics before tags), so a run with the marker has every value. A retry finds the marker and
 * logs nothing; after a request whose answer was lost, the run is read again before the failure is thrown.
 */
async function logOnce(
  ctx: MlflowContext,
  call: { runId: string; idempotencyKey: string },
  points: Point[],
  seriesKey?: string,
): Promise<{ created: boolean }> {
  const marker = `${RunTag.logged}${keyHash(call.idempotencyKey)}`;
  const run = await requireRun(ctx, call.runId, 'log metrics of');
  if (tagMap(run.data.tags).has(marker)) return { created: false };
  await assertKeyUnusedElsewhere(ctx, run, marker, call.idempotencyKey);
  // A series partly logged by an earlier attempt keeps the steps it has.
  const have = seriesKey === undefined ? [] : await metricHistory(ctx, call.runId, seriesKey);
  const steps = new Set(have.map((p) => p.step));
  const todo = points.filter((p) => !steps.has(p.step));
  try {
    await sendMetrics(ctx, call.runId, todo, { key: marker, value: call.idempotencyKey.slice(0, 5000) });
  } catch (err) {
    if (!isRetryableMlflowFailure(err)) throw err;
    const after = await fetchRun(ctx, call.runId).catch(() => undefined);
    if (!after || !tagMap(after.data.tags).has(marker)) throw err;
  }
  return { created: true };
}

async function sendMetrics(
  ctx: MlflowContext,
  runId: string,
  points: Point[],
  marker: { key: string; value: string },
): Promise<void> {
  const timestamp = ctx.now().getTime();
  const metrics = points.map((p) => ({ key: p.key, value: p.value, step: p.step, timestamp }));
  const batches = Math.max(1, Math.ceil(metrics.length / METRICS_PER_BATCH));
  for (let b = 0; b < batches; b++) {
    const last = b === batches - 1;
    await ctx.client.post('runs/log-batch', {
      run_id: runId,
      metrics: metrics.slice(b * METRICS_PER_BATCH, (b + 1) * METRICS_PER_BATCH),
      ...(last ? { tags: [marker] } : {}),
    });
  }
}

/** A metrics key already used on another run of the same experiment is a caller bug, not a retry. */
async function assertKeyUnusedElsewhere(ctx: MlflowContext, run: MlflowRun, marker: string, key: string) {
  const others = await searchRuns(ctx, [run.info.experiment_id], `tags.\`${marker}\` LIKE '%'`);
  const other = others.find((r) => r.info.run_id !== run.info.run_id);
  if (other) assertSameRun(key, other.info.run_id, run.info.run_id);
}

const END_STATUS = { finished: 'FINISHED', failed: 'FAILED', killed: 'KILLED' } as const;

/** Ends a running run; a run already ended keeps its status and end time. */
export async function finishRun(ctx: MlflowContext, input: FinishRunInput): Promise<void> {
  const run = await requireRun(ctx, input.runId, 'finish');
  if (run.info.status !== 'RUNNING' && run.info.status !== 'SCHEDULED') return;
  await ctx.client.post('runs/update', {
    run_id: input.runId,
    status: END_STATUS[input.status],
    end_time: Date.parse(input.endedAt ?? ctx.now().toISOString()),
  });
}
