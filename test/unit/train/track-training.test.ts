/**
 * `trackTraining`, the tracking helper for custom train steps: the same run across the attempts of one activity
 * (nothing logged twice), the params, epochs and final metrics of the attempt that succeeds, and a run that ends
 * `failed` when the training fails for good.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import { trackTraining } from '../../../packages/activities/src/index.js';
import { TrainRunTag } from '../../../packages/activities/src/steps/index.js';
import type { ModelRegistry } from '../../../packages/activities/src/ports.js';
import { newWorkflowRun, runAttempt } from './tracking-world.js';

let dir: string;
let registry: ModelRegistry;
const subject = {
  trainer: 'my-xgboost',
  dataset: { uri: 'file:///data/houses.csv', digest: `sha256:${'a'.repeat(64)}` },
  modelName: 'houses',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-track-training-'));
  registry = openSqliteRegistry(join(dir, 'registry.db'));
});
afterAll(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

describe('trackTraining', () => {
  it('keeps one run across retries and logs the succeeding attempt once', async () => {
    const wf = newWorkflowRun('custom');
    let runIds: string[] = [];
    const activity = (fail: boolean) => () =>
      trackTraining(registry, subject, (run) => {
        runIds = [...runIds, run.runId];
        for (let epoch = 0; epoch < 5; epoch++) run.epochs.record(epoch, { loss: 1 / (epoch + 1) });
        if (fail) return Promise.reject(new Error('the GPU fell over'));
        return Promise.resolve({ params: { depth: 6, eta: 0.1 }, metrics: { rmse: 12.5, r2: 0.81 }, extra: 'kept' });
      });
    const first = await runAttempt(wf.train, activity(true), undefined, { attempt: 1, maximumAttempts: 3 });
    expect(first.error?.message).toBe('the GPU fell over');
    const second = await runAttempt(wf.train, activity(false), undefined, { attempt: 2, maximumAttempts: 3 });
    expect(second.error).toBeUndefined();
    expect(new Set(runIds).size).toBe(1);
    expect(second.result).toMatchObject({ extra: 'kept', trackingRunId: runIds[0] });

    const run = await registry.getRun(runIds[0] as string);
    expect(run).toMatchObject({
      experiment: 'houses',
      status: 'finished',
      params: { depth: '6', eta: '0.1' },
      metrics: { rmse: 12.5, r2: 0.81 },
    });
    expect(run?.tags).toMatchObject({
      [TrainRunTag.trainer]: 'my-xgboost',
      [TrainRunTag.workflowId]: wf.workflowId,
      [TrainRunTag.datasetDigest]: subject.dataset.digest,
    });
    expect(run?.tags[TrainRunTag.seed]).toBeUndefined();
    expect((await registry.getMetricSeries(runIds[0] as string, 'loss')).map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
    expect(await registry.findRuns({ tags: { [TrainRunTag.workflowId]: wf.workflowId } })).toHaveLength(1);
  });

  it('ends the run failed when the training fails for good, and rethrows', async () => {
    const wf = newWorkflowRun('custom-final');
    let runId = '';
    const outcome = await runAttempt(
      wf.train,
      () =>
        trackTraining(registry, subject, (run) => {
          runId = run.runId;
          return Promise.reject(finalFailure(SlipwayErrorType.InvalidInput, 'depth must be positive'));
        }),
      undefined,
    );
    expect(outcome.error?.message).toBe('depth must be positive');
    expect((await registry.getRun(runId))?.status).toBe('failed');
  });
});
