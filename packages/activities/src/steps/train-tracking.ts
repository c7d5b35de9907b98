/**
 * The train activity's experiment-tracking run: started once per step (the run is found again on a retry),
 * tagged with the workflow, run, dataset and trainer; at the end the trainer's params (flattened to strings),
 * the per-epoch series and the held-out metrics are logged and the run is finished. Every write carries an
 * idempotency key derived from the workflow id, run id and activity id (never the attempt), so retries, even
 * after a worker died mid-training, log nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { FINAL_ERROR_TYPES, failureType, type Metrics, type TrainTracking } from '@slipway/sdk';
import type { ExperimentTracker, TrackingRunStatus } from '../ports.js';
import { MAX_PARAM_VALUE_LENGTH, MAX_RUN_TAG_VALUE_LENGTH, isTrackingName } from '../registry/tracking-input.js';
import { currentActivityInfo, currentStepIdentity, type StepIdentity } from '../util/idempotency.js';
import type { EpochSeries } from '../train/epoch-series.js';

/** The tags Slipway puts on every training run (searchable with `ExperimentTracker.findRuns`). */
export const TrainRunTag = {
  workflowId: 'slipway.workflow_id',
  runId: 'slipway.run_id',
  activityId: 'slipway.activity_id',
  workflowType: 'slipway.workflow_type',
  model: 'slipway.model',
  trainer: 'slipway.trainer',
  datasetUri: 'slipway.dataset_uri',
  datasetDigest: 'slipway.dataset_digest',
  seed: 'slipway.seed',
  testFraction: 'slipway.test_fraction',
  codeVersion: 'slipway.code_version',
} as const;

/** The experiment runs go to when neither the input nor the workflow names one. */
export const DEFAULT_EXPERIMENT = 'slipway';

/**
 * What a tracking run is filed under: the train step's input, or what a custom train step says about its training
 * (see `trackTraining`). Only the trainer and the dataset are required.
 */
export interface TrainingSubject {
  /** The trainer's name (tag `slipway.trainer`; part of the default run name). */
  trainer: string;
  /** The pinned dataset trained on. */
  dataset: { uri: string; digest: string };
  /** The model being trained: names the experiment (default: the workflow type). */
  modelName?: string | undefined;
  seed?: number | undefined;
  testFraction?: number | undefined;
  /** Overrides of how the run is filed (experiment, run name, extra tags). */
  tracking?: TrainTracking | undefined;
}

type TrainInput = TrainingSubject;

/** What a finished training logs to its run. */
export interface TrainingOutcome {
  /** The parameters the trainer used, defaults included. */
  params: Record<string, unknown>;
  /** The held-out metrics. */
  metrics: Metrics;
  /** The per-epoch series the trainer recorded. */
  series: Pick<EpochSeries, 'points'>;
}

/** The tracking run of one train step. */
export interface TrainingRun {
  readonly runId: string;
  /** Logs params, series and final metrics, then finishes the run; each write happens once across retries. */
  complete(outcome: TrainingOutcome): Promise<void>;
  /**
   * Ends the run when `err` ends the step: `killed` for a cancel request, `failed` for a final error, on the
   * last attempt or outside an activity; otherwise (a retry follows) the run stays `running` for it. Tracking
   * errors here are swallowed: the step's own error is the one to report.
   */
  fail(err: unknown, requested: Record<string, unknown>): Promise<void>;
}

/** The idempotency keys of one step's tracking writes: `<workflowId>/<runId>/<activityId>/tracking/…`. */
export function trackingKeys(base: string) {
  return {
    run: `${base}/tracking/run`,
    metrics: `${base}/tracking/metrics`,
    series: (metric: string) => `${base}/tracking/series/${metric}`,
  };
}

/** Starts (or, on a retry, finds again) the tracking run of the current train step (built-in or custom). */
export async function startTrainingRun(
  tracker: ExperimentTracker,
  input: TrainInput,
  codeVersion: string,
): Promise<TrainingRun> {
  const identity = currentStepIdentity();
  const base = identity ? `${identity.workflowId}/${identity.runId}/${identity.activityId}` : `train/${randomUUID()}`;
  const keys = trackingKeys(base);
  const { run } = await tracker.startRun({
    experiment: experimentOf(input),
    name: runNameOf(input, identity),
    tags: runTags(input, identity, codeVersion),
    idempotencyKey: keys.run,
  });
  const runId = run.runId;
  return {
    runId,
    async complete({ params, metrics, series }) {
      await tracker.logParams(runId, flattenParams(params));
      for (const [key, points] of series.points()) {
        await tracker.logMetricSeries({ runId, key, points, idempotencyKey: keys.series(key) });
      }
      await tracker.logMetrics({ runId, metrics, idempotencyKey: keys.metrics });
      await tracker.finishRun({ runId, status: 'finished' });
    },
    async fail(err, requested) {
      const status = endStatus(err, identity !== undefined);
      if (status === undefined) return;
      // What was asked for, so a failed run still shows it (best effort: a conflicting value is left alone).
      await tracker.logParams(runId, flattenParams(requested)).catch(() => undefined);
      await tracker.finishRun({ runId, status }).catch(() => undefined);
    },
  };
}

function experimentOf(input: TrainInput): string {
  return input.tracking?.experiment ?? input.modelName ?? currentActivityInfo()?.workflowType ?? DEFAULT_EXPERIMENT;
}

function runNameOf(input: TrainInput, identity: StepIdentity | undefined): string {
  const name = input.tracking?.runName ?? `${input.trainer} ${identity?.workflowId ?? randomUUID().slice(0, 8)}`;
  return name.slice(0, 250);
}

function runTags(input: TrainInput, identity: StepIdentity | undefined, codeVersion: string): Record<string, string> {
  const T = TrainRunTag;
  const own: Record<string, string | undefined> = {
    [T.workflowId]: identity?.workflowId,
    [T.runId]: identity?.runId,
    [T.activityId]: identity?.activityId,
    [T.workflowType]: currentActivityInfo()?.workflowType,
    [T.model]: input.modelName,
    [T.trainer]: input.trainer,
    [T.datasetUri]: input.dataset.uri,
    [T.datasetDigest]: input.dataset.digest,
    [T.seed]: input.seed === undefined ? undefined : String(input.seed),
    [T.testFraction]: input.testFraction === undefined ? undefined : String(input.testFraction),
    [T.codeVersion]: codeVersion,
  };
  const tags: Record<string, string> = { ...input.tracking?.tags };
  for (const [key, value] of Object.entries(own)) {
    if (value !== undefined && value !== '') tags[key] = value.slice(0, MAX_RUN_TAG_VALUE_LENGTH);
  }
  return tags;
}

/**
 * Trainer params as tracking stores them: nested objects flattened to dotted names (`optimizer.beta1`), every
 * value a string (arrays and other values as JSON), names made valid (other characters become `_`), values cut
 * to the longest tracking keeps; `undefined` values are left out.
 */
export function flattenParams(params: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawKey, value] of Object.entries(params)) {
    const key = `${prefix}${rawKey}`;
    if (value === undefined) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      Object.assign(out, flattenParams(value as Record<string, unknown>, `${key}.`));
      continue;
    }
    out[paramName(key)] = paramText(value).slice(0, MAX_PARAM_VALUE_LENGTH);
  }
  return out;
}

function paramText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function paramName(key: string): string {
  if (isTrackingName(key)) return key;
  const cleaned = key
    .replace(/[^A-Za-z0-9_\-./ :]/g, '_')
    .replaceAll('..', '._')
    .slice(0, 250);
  return cleaned === '' ? '_' : cleaned;
}

/** How a failure ends the run, or undefined when a retry will continue it. */
function endStatus(err: unknown, inActivity: boolean): Exclude<TrackingRunStatus, 'running'> | undefined {
  if (cancelRequested()) return 'killed';
  const final =
    (err as { nonRetryable?: unknown } | null)?.nonRetryable === true ||
    FINAL_ERROR_TYPES.includes(failureType(err) ?? '');
  return final || !inActivity || isLastAttempt() ? 'failed' : undefined;
}

function cancelRequested(): boolean {
  try {
    return Context.current().cancellationDetails?.cancelRequested === true;
  } catch {
    return false;
  }
}

function isLastAttempt(): boolean {
  const info = currentActivityInfo();
  const max = info?.retryPolicy?.maximumAttempts ?? 0;
  return info !== undefined && max > 0 && info.attempt >= max;
}
