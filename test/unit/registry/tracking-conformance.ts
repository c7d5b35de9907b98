/**
 * The `ExperimentTracker` half of the registry conformance suite, and the idempotency-under-retry tests. Experiment
 * names and tags are unique per test, so the suite also runs against a server that keeps runs between tests.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import type { ModelRegistry, StartRunInput } from '../../../packages/activities/src/ports.js';
import { failAfterWrite, INJECTED } from './registry-faults.js';
import { failureOf, registerMany, versionInput } from './registry-fixtures.js';

/** A unique experiment name and tag value for one test. */
function scope(): { experiment: string; tag: string } {
  const id = randomUUID().slice(0, 8);
  return { experiment: `conformance-${id}`, tag: `t-${id}` };
}

function runInput(experiment: string, key: string, overrides: Partial<StartRunInput> = {}): StartRunInput {
  return {
    experiment,
    name: 'train',
    tags: { 'slipway.trainer': 'logistic-regression' },
    idempotencyKey: key,
    ...overrides,
  };
}

/** Tests of `startRun`, `logParams`, `logMetrics`, `logMetricSeries`, `finishRun`, `getRun`, `findRuns`. */
export function describeTracking(get: () => ModelRegistry): void {
  describe('experiment tracking', () => {
    it('starts a run once per key and reads it back with its tags', async () => {
      const { experiment } = scope();
      const startedAt = '2030-01-02T03:04:05.678Z';
      const first = await get().startRun(runInput(experiment, `${experiment}/run`, { startedAt }));
      expect(first.created).toBe(true);
      expect(first.run).toMatchObject({ experiment, name: 'train', status: 'running', startedAt, endedAt: null });
      expect(first.run.tags).toEqual({ 'slipway.trainer': 'logistic-regression' });
      expect(first.run.runId).toMatch(/^[A-Za-z0-9_-]+$/);
      const retry = await get().startRun(runInput(experiment, `${experiment}/run`, { startedAt }));
      expect(retry).toEqual({ run: first.run, created: false });
      expect(await get().getRun(first.run.runId)).toEqual(first.run);
    });

    it('logs params once: the same value again is fine, another value is refused', async () => {
      const { run } = await get().startRun(runInput(scope().experiment, randomUUID()));
      await get().logParams(run.runId, { epochs: 300, learningRate: 0.1, balanced: true, trainer: 'lr' });
      await get().logParams(run.runId, { epochs: 300 });
      const failure = await failureOf(get().logParams(run.runId, { epochs: 10 }));
      expect(failure.type).toBe(SlipwayErrorType.InvalidInput);
      expect(failure.message).toContain('epochs');
      const params = (await get().getRun(run.runId))?.params;
      expect(params).toEqual({ epochs: '300', learningRate: '0.1', balanced: 'true', trainer: 'lr' });
    });

    it('logs final metrics and a series once per key; the run shows each metric at its last step', async () => {
      const { run } = await get().startRun(runInput(scope().experiment, randomUUID()));
      const series = { runId: run.runId, key: 'loss', idempotencyKey: `${run.runId}/loss` };
      const points = [3, 1, 2].map((step) => ({ step, value: 1 / step }));
      expect(await get().logMetricSeries({ ...series, points })).toEqual({ created: true });
      expect(await get().logMetricSeries({ ...series, points })).toEqual({ created: false });
      const metrics = { runId: run.runId, metrics: { accuracy: 0.9, auc: 0.95 }, idempotencyKey: `${run.runId}/m` };
      expect(await get().logMetrics(metrics)).toEqual({ created: true });
      expect(await get().logMetrics({ ...metrics, metrics: { accuracy: 0.1 } })).toEqual({ created: false });
      expect(await get().getMetricSeries(run.runId, 'loss')).toEqual(
        [1, 2, 3].map((step) => ({ step, value: 1 / step })),
      );
      expect(await get().getMetricSeries(run.runId, 'nothing')).toEqual([]);
      expect((await get().getRun(run.runId))?.metrics).toEqual({ accuracy: 0.9, auc: 0.95, loss: 1 / 3 });
    });

    it('finishes a run once and keeps its first end', async () => {
      const { run } = await get().startRun(runInput(scope().experiment, randomUUID()));
      const endedAt = '2030-01-02T04:00:00.000Z';
      await get().finishRun({ runId: run.runId, status: 'finished', endedAt });
      await get().finishRun({ runId: run.runId, status: 'failed' });
      expect(await get().getRun(run.runId)).toMatchObject({ status: 'finished', endedAt });
    });

    it('finds runs by tags, oldest first, within an experiment or across all', async () => {
      const { experiment, tag } = scope();
      const start = (key: string, startedAt: string, extra: Record<string, string>) =>
        get().startRun(
          runInput(experiment, `${experiment}/${key}`, { startedAt, tags: { 'slipway.scope': tag, ...extra } }),
        );
      const older = await start('a', '2030-01-01T00:00:00.000Z', { 'slipway.model_digest': 'd1' });
      const newer = await start('b', '2030-01-02T00:00:00.000Z', { 'slipway.model_digest': 'd2' });
      const ids = async (query: Parameters<ModelRegistry['findRuns']>[0]) =>
        (await get().findRuns(query)).map((run) => run.runId);
      expect(await ids({ tags: { 'slipway.scope': tag } })).toEqual([older.run.runId, newer.run.runId]);
      expect(await ids({ tags: { 'slipway.scope': tag, 'slipway.model_digest': 'd2' }, experiment })).toEqual([
        newer.run.runId,
      ]);
      expect(await ids({ tags: { 'slipway.scope': tag }, experiment: `${experiment}-none` })).toEqual([]);
    });

    it('links a version to the run that trained it', async () => {
      const { run } = await get().startRun(runInput(scope().experiment, randomUUID()));
      const { version } = await get().registerVersion(versionInput('churn', 'k1', { trackingRunId: run.runId }));
      expect(version.trackingRunId).toBe(run.runId);
      expect((await get().getVersion('churn', 1))?.trackingRunId).toBe(run.runId);
    });
  });
  describeTrackingErrors(get);
}

function describeTrackingErrors(get: () => ModelRegistry): void {
  describe('experiment tracking errors', () => {
    it('fails with NotFound for a run that does not exist, and returns undefined on read', async () => {
      const missing = 'f'.repeat(32);
      expect(await get().getRun(missing)).toBeUndefined();
      const cases = [
        get().logParams(missing, { a: 1 }),
        get().logMetrics({ runId: missing, metrics: { a: 1 }, idempotencyKey: randomUUID() }),
        get().logMetricSeries({ runId: missing, key: 'loss', points: [], idempotencyKey: randomUUID() }),
        get().finishRun({ runId: missing, status: 'finished' }),
        get().registerVersion(versionInput('churn', 'k', { trackingRunId: missing })),
      ];
      for (const failure of await Promise.all(cases.map(failureOf))) {
        expect(failure.type).toBe(SlipwayErrorType.NotFound);
        expect(failure.message).toContain(missing);
      }
      expect(await get().listVersions('churn')).toEqual([]);
    });

    it('refuses invalid input, naming the field', async () => {
      const { run } = await get().startRun(runInput(scope().experiment, randomUUID()));
      const bad = [
        get().logMetrics({ runId: run.runId, metrics: { accuracy: Number.NaN }, idempotencyKey: 'x' }),
        get().logMetricSeries({
          runId: run.runId,
          key: 'loss',
          points: [
            { step: 1, value: 1 },
            { step: 1, value: 2 },
          ],
          idempotencyKey: 'y',
        }),
        get().logParams(run.runId, { 'bad..name': 1 }),
        get().startRun({ ...runInput('', 'z') }),
      ];
      for (const failure of await Promise.all(bad.map(failureOf)))
        expect(failure.type).toBe(SlipwayErrorType.InvalidInput);
    });

    it('refuses a start key reused for another run name, and a metrics key reused for another run', async () => {
      const { experiment } = scope();
      const key = `${experiment}/start`;
      const { run } = await get().startRun(runInput(experiment, key));
      expect((await failureOf(get().startRun(runInput(experiment, key, { name: 'other' })))).type).toBe(
        SlipwayErrorType.InvalidInput,
      );
      const { run: second } = await get().startRun(runInput(experiment, `${experiment}/second`));
      const logKey = `${experiment}/metrics`;
      await get().logMetrics({ runId: run.runId, metrics: { a: 1 }, idempotencyKey: logKey });
      const failure = await failureOf(
        get().logMetrics({ runId: second.runId, metrics: { a: 1 }, idempotencyKey: logKey }),
      );
      expect(failure.type).toBe(SlipwayErrorType.InvalidInput);
      expect((await get().getRun(second.runId))?.metrics).toEqual({});
    });
  });
}

/**
 * A failure injected after the write and before the return, then a retry with the same key: exactly one
 * version, one alias move, one metric series.
 */
export function describeRetryIdempotency(get: () => ModelRegistry): void {
  describe('idempotency under retry (failure after the write, before the return)', () => {
    it('register: the retry returns the version the lost call created, and there is one', async () => {
      const flaky = failAfterWrite(get(), 'registerVersion');
      await expect(flaky.registerVersion(versionInput('churn', 'wf/run/1'))).rejects.toThrow(INJECTED);
      const retry = await flaky.registerVersion(versionInput('churn', 'wf/run/1'));
      expect(retry).toMatchObject({ created: false, version: { name: 'churn', version: 1 } });
      expect((await get().listVersions('churn')).map((v) => v.version)).toEqual([1]);
    });

    it('keyed alias move: the retry returns the first previous and moves nothing', async () => {
      await registerMany(get(), 'churn', 3);
      await get().setAlias('churn', 'champion', 1);
      const flaky = failAfterWrite(get(), 'setAlias');
      const move = () => flaky.setAlias('churn', 'champion', 2, { idempotencyKey: 'wf/run/deploy' });
      await expect(move()).rejects.toThrow(INJECTED);
      expect(await move()).toEqual({ previous: 1 });
      expect(await get().getAlias('churn', 'champion')).toBe(2);
      // A later move by someone else is not undone by a late retry of the first one.
      await get().setAlias('churn', 'champion', 3);
      expect(await move()).toEqual({ previous: 1 });
      expect(await get().getAlias('churn', 'champion')).toBe(3);
      const reused = await failureOf(get().setAlias('churn', 'candidate', 2, { idempotencyKey: 'wf/run/deploy' }));
      expect(reused.type).toBe(SlipwayErrorType.InvalidInput);
    });

    it('metric series and final metrics: the retry logs nothing more', async () => {
      const { run } = await get().startRun(runInput(scope().experiment, randomUUID()));
      const points = Array.from({ length: 50 }, (_, i) => ({ step: i + 1, value: 1 / (i + 1) }));
      const series = { runId: run.runId, key: 'loss', points, idempotencyKey: `${run.runId}/series` };
      const flakySeries = failAfterWrite(get(), 'logMetricSeries');
      await expect(flakySeries.logMetricSeries(series)).rejects.toThrow(INJECTED);
      expect(await flakySeries.logMetricSeries(series)).toEqual({ created: false });
      expect(await get().getMetricSeries(run.runId, 'loss')).toEqual(points);
      const metrics = { runId: run.runId, metrics: { auc: 0.9 }, idempotencyKey: `${run.runId}/final` };
      const flakyMetrics = failAfterWrite(get(), 'logMetrics');
      await expect(flakyMetrics.logMetrics(metrics)).rejects.toThrow(INJECTED);
      expect(await flakyMetrics.logMetrics(metrics)).toEqual({ created: false });
      expect(await get().getMetricSeries(run.runId, 'auc')).toEqual([{ step: 0, value: 0.9 }]);
    });

    it('start run: the retry returns the run the lost call started', async () => {
      const { experiment, tag } = scope();
      const input = runInput(experiment, `${experiment}/start`, { tags: { 'slipway.scope': tag } });
      const flaky = failAfterWrite(get(), 'startRun');
      await expect(flaky.startRun(input)).rejects.toThrow(INJECTED);
      const retry = await flaky.startRun(input);
      expect(retry.created).toBe(false);
      expect((await get().findRuns({ tags: { 'slipway.scope': tag } })).map((r) => r.runId)).toEqual([retry.run.runId]);
    });
  });
}
