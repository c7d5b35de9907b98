/**
 * The train step's experiment tracking on the MLflow registry adapter, against a real `mlflow server` (SQLite
 * backend, 127.0.0.1): the shared scenario (test/unit/train/train-tracking-scenario.ts), with what MLflow
 * really stores read over its REST API: every logged value of a metric (MLflow keeps duplicates), the keyed
 * alias moves and the marker tags of the keyed metric-logging calls.
 */
import { createMlflowRegistry } from '../../packages/activities/src/registry/index.js';
import { useMlflowServer } from '../support/mlflow-server.js';
import { describeTrainTracking } from '../unit/train/train-tracking-scenario.js';

const fixture = useMlflowServer();

type Tag = { key: string; value: string };

/** Every value MLflow holds for a metric of a run (its history keeps each logged value, also for one step). */
async function storedValues(runId: string, key: string): Promise<number> {
  const answer = (await fixture.client.get('metrics/get-history', {
    run_id: runId,
    metric_key: key,
    max_results: 25_000,
  })) as {
    metrics?: unknown[];
  };
  return answer.metrics?.length ?? 0;
}

/** Keyed alias moves: one `slipway.alias_move.<hash>` tag per move, on the version the alias was moved to. */
async function aliasMoves(name: string, alias: string): Promise<number> {
  const answer = (await fixture.client.get('model-versions/search', {
    filter: `name='${name}'`,
    max_results: 1000,
  })) as {
    model_versions?: { tags?: Tag[] }[];
  };
  const moves = (answer.model_versions ?? []).flatMap((v) => v.tags ?? []).filter((t) => isMoveTag(t, alias));
  return moves.length;
}

function isMoveTag(tag: Tag, alias: string): boolean {
  if (!/^slipway\.alias_move\.[0-9a-f]+$/.test(tag.key)) return false;
  return tag.value.startsWith('slipway-parts:') || (JSON.parse(tag.value) as { alias?: string }).alias === alias;
}

/** Keyed metric-logging calls: each leaves one `slipway.internal.logged.<hash>` marker tag on the run. */
async function metricLogs(runId: string): Promise<number> {
  const answer = (await fixture.client.get('runs/get', { run_id: runId })) as { run: { data: { tags?: Tag[] } } };
  return (answer.run.data.tags ?? []).filter((t) => t.key.startsWith('slipway.internal.logged.')).length;
}

describeTrainTracking('mlflow', () =>
  Promise.resolve({
    registry: createMlflowRegistry({ trackingUrl: fixture.server.url }),
    storedValues,
    aliasMoves,
    metricLogs,
  }),
);
