/**
 * The train step's experiment tracking, against any registry adapter: what a train call logs to its run,
 * retries with the same step identity (after a failure injected between a write and its return, after a
 * worker died mid-training), and the run's end on final failures and cancellation. Each failure-injection
 * flow goes on through register and deploy (each also failing once after its write) and then finds exactly
 * one run, one series with each point once, one version linked to the run, and one alias move.
 *
 * Used by `sqlite-tracking.test.ts` (SQLite) and `test/integration/mlflow-tracking.test.ts` (a real MLflow).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, type TrainingResult } from '@slipway/sdk';
import { createActivities } from '../../../packages/activities/src/create-activities.js';
import { aliasMoveKey, deploymentIdFor } from '../../../packages/activities/src/steps/deploy.js';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import type {
  DirectorySource,
  MetricPoint,
  ModelRegistry,
  TrackingRunRecord,
} from '../../../packages/activities/src/ports.js';
import { createTrainActivity } from '../../../packages/activities/src/steps/train.js';
import { TrainRunTag } from '../../../packages/activities/src/steps/train-tracking.js';
import {
  TRAIN_LOSS_METRIC,
  builtinPredictors,
  createLogisticRegressionTrainer,
} from '../../../packages/activities/src/train/index.js';
import { registeredVersionProof } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import { failAfterWrite, INJECTED } from '../registry/registry-faults.js';
import { newWorkflowRun, openTrackingWorld, runAttempt, type StepId, type TrackingWorld } from './tracking-world.js';

/** A registry on one backend, and what the backend really stores (beyond what the interface reads back). */
export interface TrackingBackend {
  registry: ModelRegistry;
  /** How many values the backend holds for a run's metric, duplicates included (`getMetricSeries` merges them). */
  storedValues(runId: string, key: string): Promise<number>;
  /** How many moves of an alias of a model the backend recorded. */
  aliasMoves(name: string, alias: string): Promise<number>;
  /** How many keyed metric-logging calls (`logMetrics`, `logMetricSeries`) the backend recorded for a run. */
  metricLogs(runId: string): Promise<number>;
}

/** The tracking writes of the train step, in the order it makes them. */
export const TRACKING_WRITES = ['startRun', 'logParams', 'logMetricSeries', 'logMetrics', 'finishRun'] as const;

const CODE_VERSION = 'scenario-1.0.0';
const EPOCHS = 300;

/** Model names are unique per test, so the suite also runs against a server that keeps its data. */
function modelName(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Defines the scenario's tests for one adapter; `open` is called once, before them. */
export function describeTrainTracking(adapter: string, open: () => Promise<TrackingBackend>): void {
  describe(`train step tracking on ${adapter}`, () => {
    let world: TrackingWorld;
    let backend: TrackingBackend;
    /** Keys and a signed directory of people: the deploy re-verifies an approval proof against them. */
    let peopleDir: string;
    let people: TestPeople;
    let directory: DirectorySource;
    /** The series and metrics of an uninterrupted, unfaulted run: what every retried run must end up with. */
    let reference: { series: MetricPoint[]; training: TrainingResult };

    const activities = (registry: ModelRegistry) =>
      createActivities({
        artifacts: world.artifacts,
        registry,
        codeVersion: CODE_VERSION,
        datasetAccess: world.datasetAccess,
        modelServer: world.modelServer,
        directory,
      });
    const train = (registry: ModelRegistry) => activities(registry)['slipway.train'];
    const runsOf = (workflowId: string) =>
      backend.registry.findRuns({ tags: { [TrainRunTag.workflowId]: workflowId } });
    const onlyRun = async (workflowId: string): Promise<TrackingRunRecord> => {
      const runs = await runsOf(workflowId);
      expect(runs, `runs of workflow ${workflowId}`).toHaveLength(1);
      return runs[0] as TrackingRunRecord;
    };

    beforeAll(async () => {
      world = await openTrackingWorld();
      peopleDir = await mkdtemp(join(tmpdir(), 'slipway-tracking-people-'));
      people = await createTestPeople(peopleDir);
      directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
      backend = await open();
      const wf = newWorkflowRun('reference');
      const { result, error } = await runAttempt(wf.train, train(backend.registry), world.trainInput('reference'));
      if (!result) throw error ?? new Error('the reference training returned nothing');
      const runId = result.trackingRunId ?? '';
      reference = { series: await backend.registry.getMetricSeries(runId, TRAIN_LOSS_METRIC), training: result };
    }, 120_000);

    afterAll(async () => {
      await world?.close();
      if (peopleDir) await rm(peopleDir, { recursive: true, force: true });
    });

    it('logs the params, the training loss per epoch and the held-out metrics, and finishes the run', async () => {
      const wf = newWorkflowRun('logs');
      const name = modelName('logs');
      const { result } = await runAttempt(wf.train, train(backend.registry), world.trainInput(name));
      const runId = result?.trackingRunId ?? '';
      const run = await onlyRun(wf.workflowId);
      expect(run.runId).toBe(runId);
      expect(run).toMatchObject({ experiment: name, name: `logistic-regression ${wf.workflowId}`, status: 'finished' });
      expect(run.endedAt).not.toBeNull();
      expect(run.tags).toMatchObject({
        [TrainRunTag.workflowId]: wf.workflowId,
        [TrainRunTag.runId]: wf.runId,
        [TrainRunTag.activityId]: wf.train.activityId,
        [TrainRunTag.model]: name,
        [TrainRunTag.trainer]: 'logistic-regression',
        [TrainRunTag.datasetDigest]: world.validated.dataset.digest,
        [TrainRunTag.datasetUri]: world.validated.dataset.uri,
        [TrainRunTag.codeVersion]: CODE_VERSION,
        [TrainRunTag.seed]: '42',
      });
      expect(run.params).toEqual({
        epochs: '300',
        learningRate: '0.1',
        l2: '0.001',
        maxCategories: '100',
        imputation: 'none',
      });
      const series = await backend.registry.getMetricSeries(runId, TRAIN_LOSS_METRIC);
      expect(series.map((p) => p.step)).toEqual(Array.from({ length: EPOCHS + 1 }, (_, i) => i));
      expect(series[0]?.value).toBeCloseTo(Math.LN2, 12); // zero weights: every example's loss is ln 2
      expect(series.at(-1)?.value).toBeLessThan(0.5);
      expect(run.metrics).toEqual({ ...result?.metrics, [TRAIN_LOSS_METRIC]: series.at(-1)?.value });
      expect(await backend.storedValues(runId, TRAIN_LOSS_METRIC)).toBe(EPOCHS + 1);
      expect(await backend.metricLogs(runId)).toBe(2); // the series, and the final metrics
      expect(series).toEqual(reference.series);
    });

    it('a retry with the same step identity finds the run again and logs nothing twice', async () => {
      const wf = newWorkflowRun('retry');
      const input = world.trainInput(modelName('retry'));
      const first = await runAttempt(wf.train, train(backend.registry), input);
      const runId = first.result?.trackingRunId ?? '';
      const before = await backend.registry.getRun(runId);
      const again = await runAttempt(wf.train, train(backend.registry), input, {
        attempt: 2,
        heartbeatDetails: first.lastHeartbeat,
      });
      expect(again.result).toEqual({ ...first.result, resumedFromEpoch: EPOCHS });
      expect(await onlyRun(wf.workflowId)).toEqual(before);
      expect(await backend.registry.getMetricSeries(runId, TRAIN_LOSS_METRIC)).toEqual(reference.series);
      expect(await backend.storedValues(runId, TRAIN_LOSS_METRIC)).toBe(reference.series.length);
      expect(await backend.metricLogs(runId)).toBe(2);
    });

    it.each(TRACKING_WRITES)(
      'a failure after %s wrote, then retries through register and deploy: one run, series, version, alias move',
      async (write) => {
        const wf = newWorkflowRun(write.toLowerCase());
        const name = modelName('faults');
        const trained = await retriedOnce(wf.train, backend.registry, write, (r) =>
          activities(r)['slipway.train'](world.trainInput(name)),
        );
        const runId = trained.trackingRunId ?? '';
        const run = await onlyRun(wf.workflowId);
        expect(run).toMatchObject({ runId, status: 'finished', metrics: { auc: reference.training.metrics['auc'] } });
        expect(await backend.registry.getMetricSeries(runId, TRAIN_LOSS_METRIC)).toEqual(reference.series);
        expect(await backend.storedValues(runId, TRAIN_LOSS_METRIC)).toBe(reference.series.length);
        expect(await backend.metricLogs(runId)).toBe(2);
        expect(trained.model).toEqual(reference.training.model);

        const registerInput = {
          modelName: name,
          model: trained.model,
          metrics: trained.metrics,
          lineage: world.lineage(wf, trained),
          trackingRunId: runId,
        };
        const registered = await retriedOnce(wf.register, backend.registry, 'registerVersion', (r) =>
          activities(r)['slipway.register'](registerInput),
        );
        expect(registered).toMatchObject({ version: { name, version: 1 }, created: false });
        const versions = await backend.registry.listVersions(name);
        expect(versions.map((v) => [v.version, v.trackingRunId])).toEqual([[1, runId]]);

        const proof = await registeredVersionProof(backend.registry, registered.version, {
          people,
          workflowId: wf.workflowId,
        });
        const deployed = await retriedOnce(wf.deploy, backend.registry, 'setAlias', (r) =>
          activities(r)['slipway.deploy']({ version: registered.version, serverUrl: world.serverUrl, proof }),
        );
        expect(deployed).toMatchObject({ model: name, version: 1, previousVersion: null });
        expect(await backend.registry.getAlias(name, 'champion')).toBe(1);
        expect(await backend.aliasMoves(name, 'champion')).toBe(1);
        // The move was made under the deploy step's key: the same key again changes nothing and answers as the first.
        const key = aliasMoveKey(deploymentIdFor(name, 1, wf.deploy), 'champion');
        expect(await backend.registry.setAlias(name, 'champion', 1, { idempotencyKey: key })).toEqual({
          previous: null,
        });
        const version = await backend.registry.getVersion(name, 1);
        expect(version?.deployments.map((d) => [d.status, d.previousVersion])).toEqual([['deployed', null]]);
      },
    );

    it('a worker that dies mid-training: the retry resumes from the checkpoint and continues the same series', async () => {
      const wf = newWorkflowRun('crash');
      const fast = createTrainActivity({
        artifacts: world.artifacts,
        trainers: { 'logistic-regression': createLogisticRegressionTrainer({ progressIntervalMs: 0 }) },
        predictors: builtinPredictors,
        codeVersion: CODE_VERSION,
        heartbeatIntervalMs: 0,
        tracker: backend.registry,
      });
      const input = world.trainInput(modelName('crash'));
      const first = await runAttempt(wf.train, fast, input, {
        onHeartbeat: (d, control) => {
          if ((d as { epoch?: number }).epoch === 120) control.crash();
        },
      });
      expect(first.error?.name).toBe('CancelledFailure');
      expect((await onlyRun(wf.workflowId)).status).toBe('running');
      const second = await runAttempt(wf.train, fast, input, { attempt: 2, heartbeatDetails: first.lastHeartbeat });
      expect(second.result?.resumedFromEpoch).toBe(120);
      expect(second.result?.model).toEqual(reference.training.model);
      const run = await onlyRun(wf.workflowId);
      expect(run).toMatchObject({ runId: second.result?.trackingRunId, status: 'finished' });
      expect(await backend.registry.getMetricSeries(run.runId, TRAIN_LOSS_METRIC)).toEqual(reference.series);
      expect(await backend.storedValues(run.runId, TRAIN_LOSS_METRIC)).toBe(reference.series.length);
      expect(await backend.metricLogs(run.runId)).toBe(2);
    });

    it('a final failure ends the run as failed, with the params that were asked for', async () => {
      const wf = newWorkflowRun('final');
      const { error } = await runAttempt(wf.train, train(backend.registry), world.trainInput('final', { epochs: 0 }));
      expect(error).toMatchObject({ type: SlipwayErrorType.InvalidInput });
      expect(await onlyRun(wf.workflowId)).toMatchObject({ status: 'failed', params: { epochs: '0' } });
    });

    it('a retryable failure on the last attempt ends the run as failed; a cancel request ends it as killed', async () => {
      const last = newWorkflowRun('last');
      const lastAttempt = await runAttempt(
        last.train,
        train(failAfterWrite(backend.registry, 'logMetrics')),
        world.trainInput('last'),
        { attempt: 3, maximumAttempts: 3 },
      );
      expect(lastAttempt.error?.message).toBe(INJECTED);
      expect((await onlyRun(last.workflowId)).status).toBe('failed');

      const cancelled = newWorkflowRun('cancel');
      const outcome = await runAttempt(cancelled.train, train(backend.registry), world.trainInput('cancel'), {
        onHeartbeat: (_d, control) => control.cancel(),
      });
      expect(outcome.error?.name).toBe('CancelledFailure');
      expect((await onlyRun(cancelled.workflowId)).status).toBe('killed');
    });
  });
}

/**
 * Runs attempt 1 of a step with a registry whose chosen write fails after it happened, expects the injected
 * failure, then runs attempt 2 (with attempt 1's last heartbeat) on the real registry and returns its result.
 */
async function retriedOnce<R>(
  step: StepId,
  registry: ModelRegistry,
  write: keyof ModelRegistry,
  call: (registry: ModelRegistry) => Promise<R>,
): Promise<R> {
  const first = await runAttempt(step, () => call(failAfterWrite(registry, write)), undefined);
  expect(first.error?.message, `attempt 1 of activity ${step.activityId}`).toBe(INJECTED);
  const second = await runAttempt(step, () => call(registry), undefined, {
    attempt: 2,
    heartbeatDetails: first.lastHeartbeat,
  });
  if (second.error) throw second.error;
  return second.result as R;
}
