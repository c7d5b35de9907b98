import { randomUUID } from 'node:crypto';
import type {
  FinishRunInput,
  LogMetricSeriesInput,
  LogMetricsInput,
  MetricPoint,
  StartRunInput,
  TrackingRunRecord,
  TrackingRunStatus,
} from '../ports.js';
import { assertSameRun, assertSameRunStart } from './key-conflicts.js';
import type { MetricRow, TrackingQueries } from './sqlite-tracking-queries.js';
import { paramChangedFailure, runNotFound } from './tracking-input.js';

// Each function here runs inside a transaction opened by the caller (sqlite-registry.ts); the SQL lives in
// sqlite-tracking-queries.ts.

/** Starts a run, or returns the one started under the same key. */
export function startRun(
  q: TrackingQueries,
  input: StartRunInput,
  now: string,
): { run: TrackingRunRecord; created: boolean } {
  const existing = q.runByKey(input.idempotencyKey);
  if (existing) {
    assertSameRunStart(input.idempotencyKey, existing, input);
    return { run: loadRun(q, existing.run_id)!, created: false };
  }
  const runId = randomUUID().replaceAll('-', '');
  q.insertRun({
    run_id: runId,
    experiment: input.experiment,
    name: input.name,
    status: 'running',
    started_at: input.startedAt ?? now,
    ended_at: null,
    idempotency_key: input.idempotencyKey,
  });
  for (const [key, value] of Object.entries(input.tags ?? {})) q.insertTag(runId, key, value);
  return { run: loadRun(q, runId)!, created: true };
}

/** Logs parameters once each: the same value again is a no-op, another value a final error. */
export function logParams(q: TrackingQueries, runId: string, params: Record<string, string>): void {
  requireRun(q, runId, 'log parameters of');
  const logged = new Map(q.params(runId).map((row) => [row.key, row.value]));
  for (const [key, value] of Object.entries(params)) {
    const was = logged.get(key);
    if (was === undefined) q.insertParam(runId, key, value);
    else if (was !== value) throw paramChangedFailure(runId, key, was, value);
  }
}

/** Logs scalar metrics at one step, once per idempotency key. */
export function logMetrics(
  q: TrackingQueries,
  input: LogMetricsInput & { step: number },
  now: string,
): { created: boolean } {
  const rows = Object.entries(input.metrics).map(([key, value]) => ({ key, step: input.step, value }));
  return logMetricRows(q, { ...input, kind: 'metrics' }, rows, now);
}

/** Logs one metric's series, once per idempotency key. */
export function logMetricSeries(q: TrackingQueries, input: LogMetricSeriesInput, now: string): { created: boolean } {
  const rows = input.points.map((point) => ({ key: input.key, step: point.step, value: point.value }));
  return logMetricRows(q, { ...input, kind: 'series' }, rows, now);
}

function logMetricRows(
  q: TrackingQueries,
  call: { runId: string; idempotencyKey: string; kind: 'metrics' | 'series' },
  rows: readonly MetricRow[],
  now: string,
): { created: boolean } {
  const existing = q.metricLogByKey(call.idempotencyKey);
  if (existing) {
    assertSameRun(call.idempotencyKey, existing.run_id, call.runId);
    return { created: false };
  }
  requireRun(q, call.runId, 'log metrics of');
  const logId = q.insertMetricLog({
    run_id: call.runId,
    kind: call.kind,
    logged_at: now,
    idempotency_key: call.idempotencyKey,
  });
  for (const row of rows) q.putMetric(call.runId, row, logId);
  return { created: true };
}

/** Ends a running run; a run already ended keeps its first status and end time. */
export function finishRun(q: TrackingQueries, input: FinishRunInput, now: string): void {
  requireRun(q, input.runId, 'finish');
  q.finish(input.runId, input.status, input.endedAt ?? now);
}

/** A run with its tags, params and latest metrics. */
export function loadRun(q: TrackingQueries, runId: string): TrackingRunRecord | undefined {
  const row = q.run(runId);
  if (!row) return undefined;
  const pairs = (rows: readonly { key: string; value: string }[]) =>
    Object.fromEntries(rows.map((r) => [r.key, r.value]));
  return {
    runId: row.run_id,
    experiment: row.experiment,
    name: row.name,
    status: row.status as TrackingRunStatus,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    tags: pairs(q.tags(runId)),
    params: pairs(q.params(runId)),
    metrics: Object.fromEntries(q.latestMetrics(runId).map((m) => [m.key, m.value])),
  };
}

/** One metric's points by ascending step. */
export function metricSeries(q: TrackingQueries, runId: string, key: string): MetricPoint[] {
  return q.series(runId, key).map((row) => ({ step: row.step, value: row.value }));
}

/** Runs with every given tag (and in the experiment, when given), oldest first. */
export function findRuns(
  q: TrackingQueries,
  query: { tags: Record<string, string>; experiment?: string },
): TrackingRunRecord[] {
  const [first, ...rest] = Object.entries(query.tags);
  if (!first) return [];
  const runs = q.runsWithTag(first[0], first[1]).map((id) => loadRun(q, id)!);
  return runs.filter(
    (run) =>
      (query.experiment === undefined || run.experiment === query.experiment) &&
      rest.every(([key, value]) => run.tags[key] === value),
  );
}

function requireRun(q: TrackingQueries, runId: string, action: string): void {
  if (!q.run(runId)) throw runNotFound(runId, action);
}
