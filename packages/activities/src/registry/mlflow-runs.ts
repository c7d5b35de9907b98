import type { MetricPoint, StartRunInput, TrackingRunRecord, TrackingRunStatus } from '../ports.js';
import { isRetryableMlflowFailure, unlessMlflowError } from './mlflow-client.js';
import type { MlflowContext } from './mlflow-context.js';
import { MlflowAnswer, parseAnswer, tagMap, type MlflowMetric, type MlflowRun } from './mlflow-schemas.js';
import { RunTag, chunkedTags, filterLiteral, fullKeyHash, tagEquals } from './mlflow-tags.js';
import { assertSameRunStart } from './key-conflicts.js';
import { MAX_RUN_TAG_VALUE_LENGTH, runNotFound } from './tracking-input.js';

// Experiments and runs: resolving experiment names, fetching, searching and converting runs. The writes
// that log to a run are in mlflow-run-logging.ts.

const PAGE_SIZE = 1000;

/** The id of an experiment, created when missing (a concurrent create is tolerated). */
export function experimentId(ctx: MlflowContext, name: string): Promise<string> {
  let id = ctx.experimentIds.get(name);
  if (id === undefined) {
    id = findOrCreateExperiment(ctx, name);
    ctx.experimentIds.set(name, id);
    id.catch(() => ctx.experimentIds.delete(name));
  }
  return id;
}

async function findOrCreateExperiment(ctx: MlflowContext, name: string): Promise<string> {
  const found = await findExperiment(ctx, name);
  if (found !== undefined) return found;
  const created = await unlessMlflowError(ctx.client.post('experiments/create', { name }), 'RESOURCE_ALREADY_EXISTS');
  if (created !== undefined)
    return parseAnswer(MlflowAnswer.createdExperiment, created, 'create experiment').experiment_id;
  const raced = await findExperiment(ctx, name);
  if (raced === undefined) throw new Error(`MLflow experiment "${name}" exists but cannot be read`);
  return raced;
}

/** The id of an experiment, or undefined when there is none by that name. */
export async function findExperiment(ctx: MlflowContext, name: string): Promise<string | undefined> {
  const answer = await unlessMlflowError(
    ctx.client.get('experiments/get-by-name', { experiment_name: name }),
    'RESOURCE_DOES_NOT_EXIST',
  );
  return answer === undefined
    ? undefined
    : parseAnswer(MlflowAnswer.experiment, answer, 'get experiment').experiment.experiment_id;
}

function experimentName(ctx: MlflowContext, id: string): Promise<string> {
  let name = ctx.experimentNames.get(id);
  if (name === undefined) {
    name = ctx.client
      .get('experiments/get', { experiment_id: id })
      .then((answer) => parseAnswer(MlflowAnswer.experiment, answer, 'get experiment').experiment.name);
    ctx.experimentNames.set(id, name);
    name.catch(() => ctx.experimentNames.delete(id));
  }
  return name;
}

/** A run, or undefined when there is none with that id. */
export async function fetchRun(ctx: MlflowContext, runId: string): Promise<MlflowRun | undefined> {
  const answer = await unlessMlflowError(ctx.client.get('runs/get', { run_id: runId }), 'RESOURCE_DOES_NOT_EXIST');
  return answer === undefined ? undefined : parseAnswer(MlflowAnswer.run, answer, 'get run').run;
}

/** A run, or a final `SlipwayNotFound`. */
export async function requireRun(ctx: MlflowContext, runId: string, action: string): Promise<MlflowRun> {
  const run = await fetchRun(ctx, runId);
  if (!run) throw runNotFound(runId, action);
  return run;
}

/** Runs of the given experiments matching a filter, oldest first, following the pages. */
export async function searchRuns(ctx: MlflowContext, experimentIds: string[], filter: string): Promise<MlflowRun[]> {
  const runs: MlflowRun[] = [];
  let pageToken: string | undefined;
  do {
    const answer = await ctx.client.post('runs/search', {
      experiment_ids: experimentIds,
      filter,
      max_results: PAGE_SIZE,
      order_by: ['attributes.start_time ASC'],
      ...(pageToken === undefined ? {} : { page_token: pageToken }),
    });
    const page = parseAnswer(MlflowAnswer.runs, answer, 'search runs');
    runs.push(...page.runs);
    pageToken = page.next_page_token || undefined;
  } while (pageToken !== undefined);
  return runs;
}

/** Starts a run, or returns the one started under the same key (searched in the experiment). */
export async function startRun(
  ctx: MlflowContext,
  input: StartRunInput,
): Promise<{ run: TrackingRunRecord; created: boolean }> {
  const experiment = await experimentId(ctx, input.experiment);
  const hash = fullKeyHash(input.idempotencyKey);
  const withKey = () => searchRuns(ctx, [experiment], tagEquals(RunTag.keyHash, `'${hash}'`));
  const existing = (await withKey())[0];
  if (existing) return adoptRun(ctx, input, existing, false);
  let created: MlflowRun;
  try {
    created = await createRun(ctx, experiment, input, hash);
  } catch (err) {
    const found = isRetryableMlflowFailure(err) ? (await withKey().catch(() => []))[0] : undefined;
    if (!found) throw err;
    return adoptRun(ctx, input, found, true);
  }
  // Two starts with one key raced: the oldest run is kept, ours deleted.
  const winner = (await withKey())[0] ?? created;
  if (winner.info.run_id === created.info.run_id) return adoptRun(ctx, input, created, true);
  await unlessMlflowError(ctx.client.post('runs/delete', { run_id: created.info.run_id }), 'RESOURCE_DOES_NOT_EXIST');
  return adoptRun(ctx, input, winner, false);
}

async function createRun(ctx: MlflowContext, experiment: string, input: StartRunInput, hash: string) {
  const tags = [
    ...Object.entries(input.tags ?? {}).map(([key, value]) => ({ key, value })),
    { key: RunTag.keyHash, value: hash },
    ...chunkedTags(RunTag.key, input.idempotencyKey, MAX_RUN_TAG_VALUE_LENGTH),
  ];
  const answer = await ctx.client.post('runs/create', {
    experiment_id: experiment,
    run_name: input.name,
    start_time: Date.parse(input.startedAt ?? ctx.now().toISOString()),
    tags,
  });
  return parseAnswer(MlflowAnswer.run, answer, 'create run').run;
}

async function adoptRun(ctx: MlflowContext, input: StartRunInput, run: MlflowRun, created: boolean) {
  const record = await toRunRecord(ctx, run);
  assertSameRunStart(input.idempotencyKey, record, input);
  return { run: record, created };
}

const STATUS: Record<string, TrackingRunStatus> = {
  RUNNING: 'running',
  SCHEDULED: 'running',
  FINISHED: 'finished',
  FAILED: 'failed',
  KILLED: 'killed',
};

/** A Slipway run record of an MLflow run: MLflow's own tags (`mlflow.*`) and Slipway's internal ones left out. */
export async function toRunRecord(ctx: MlflowContext, run: MlflowRun): Promise<TrackingRunRecord> {
  const { info, data } = run;
  const visible = data.tags.filter((t) => !t.key.startsWith('mlflow.') && !t.key.startsWith(RunTag.prefix));
  return {
    runId: info.run_id,
    experiment: await experimentName(ctx, info.experiment_id),
    name: info.run_name,
    status: STATUS[info.status] ?? 'running',
    startedAt: new Date(info.start_time ?? 0).toISOString(),
    endedAt: info.end_time === undefined ? null : new Date(info.end_time).toISOString(),
    tags: Object.fromEntries(visible.map((t) => [t.key, t.value])),
    params: Object.fromEntries(data.params.map((p) => [p.key, p.value])),
    metrics: Object.fromEntries(data.metrics.map((m) => [m.key, m.value])),
  };
}

/** Runs carrying every tag (those with quotes in their value are matched here, not by MLflow), oldest first. */
export async function findRuns(
  ctx: MlflowContext,
  query: { tags: Record<string, string>; experiment?: string },
): Promise<TrackingRunRecord[]> {
  const ids =
    query.experiment === undefined ? await allExperimentIds(ctx) : await experimentIdIfAny(ctx, query.experiment);
  if (ids.length === 0) return [];
  const entries = Object.entries(query.tags);
  const clauses = entries.flatMap(([key, value]) => {
    const literal = filterLiteral(value);
    return literal === undefined ? [] : [tagEquals(key, literal)];
  });
  const runs = await searchRuns(ctx, ids, clauses.join(' AND '));
  const matching = runs.filter((run) => {
    const tags = tagMap(run.data.tags);
    return entries.every(([key, value]) => tags.get(key) === value);
  });
  return Promise.all(matching.map((run) => toRunRecord(ctx, run)));
}

async function experimentIdIfAny(ctx: MlflowContext, name: string): Promise<string[]> {
  const id = await findExperiment(ctx, name);
  return id === undefined ? [] : [id];
}

async function allExperimentIds(ctx: MlflowContext): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const answer = await ctx.client.get('experiments/search', { max_results: PAGE_SIZE, page_token: pageToken });
    const page = parseAnswer(MlflowAnswer.experiments, answer, 'search experiments');
    ids.push(...page.experiments.map((e) => e.experiment_id));
    pageToken = page.next_page_token || undefined;
  } while (pageToken !== undefined);
  return ids;
}

/** Every value of a metric, one per step (the last logged when a step has several), by ascending step. */
export async function metricHistory(ctx: MlflowContext, runId: string, key: string): Promise<MetricPoint[]> {
  const values: MlflowMetric[] = [];
  let pageToken: string | undefined;
  do {
    const answer = await unlessMlflowError(
      ctx.client.get('metrics/get-history', {
        run_id: runId,
        metric_key: key,
        max_results: 25_000,
        page_token: pageToken,
      }),
      'RESOURCE_DOES_NOT_EXIST',
    );
    if (answer === undefined) return [];
    const page = parseAnswer(MlflowAnswer.metricHistory, answer, 'get metric history');
    values.push(...page.metrics);
    pageToken = page.next_page_token || undefined;
  } while (pageToken !== undefined);
  const byStep = new Map<number, MlflowMetric>();
  for (const m of values) {
    const seen = byStep.get(m.step);
    if (!seen || m.timestamp >= seen.timestamp) byStep.set(m.step, m);
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step).map((m) => ({ step: m.step, value: m.value }));
}
