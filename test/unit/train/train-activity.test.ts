import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { PredictionProfile, SlipwayErrorType, TrainingResult, type ValidationSummary } from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import type { ArtifactStore, SerializedModel, Trainer } from '../../../packages/activities/src/ports.js';
import { createTrainActivity, type TrainActivityDeps } from '../../../packages/activities/src/steps/train.js';
import { createValidateActivity } from '../../../packages/activities/src/steps/validate.js';
import {
  builtinPredictors,
  builtinTrainers,
  createLogisticRegressionTrainer,
  type TrainHeartbeatDetails,
} from '../../../packages/activities/src/train/index.js';
import { createCsvDir, rejection, runActivity, type CsvDir } from '../data/fixtures.js';
import { customerCsv, customerFeatures, customerSchema, customers } from './synthetic.js';
import { positiveScore } from '../../support/positive-score.js';

const schema = customerSchema;
const features = customerFeatures;

let files: CsvDir;
let storeRoot: string;
let artifacts: ArtifactStore;
let validated: ValidationSummary;
let deps: TrainActivityDeps;

beforeEach(async () => {
  files = await createCsvDir('slipway-train-');
  storeRoot = await mkdtemp(join(tmpdir(), 'slipway-train-store-'));
  artifacts = createFsArtifactStore(storeRoot);
  const { uri } = await files.write('churn.csv', customerCsv(customers(600)));
  validated = await createValidateActivity({ artifacts })({ dataset: { uri }, schema });
  deps = {
    artifacts,
    trainers: { ...builtinTrainers },
    predictors: { ...builtinPredictors },
    codeVersion: 'test-1.0.0',
  };
});
afterEach(async () => {
  await files.remove();
  await rm(storeRoot, { recursive: true, force: true });
});

function input(params: Record<string, unknown> = {}) {
  return { dataset: validated.dataset, schema, features, params };
}

describe('createTrainActivity', () => {
  it('trains on the pinned dataset, scores the held-out split and stores a loadable model', async () => {
    const env = new MockActivityEnvironment();
    const heartbeats: TrainHeartbeatDetails[] = [];
    env.on('heartbeat', (d: TrainHeartbeatDetails) => heartbeats.push(d));
    const result = await runActivity(env, createTrainActivity(deps), input());

    expect(TrainingResult.parse(result)).toEqual(result);
    expect(result).toMatchObject({
      trainer: 'logistic-regression',
      trainRows: 480,
      testRows: 120,
      resumedFromEpoch: 0,
      codeVersion: 'test-1.0.0',
    });
    expect(result.trackingRunId).toBeUndefined(); // no tracker in these deps: nothing is tracked
    expect(result.task).toBe('binary');
    // The profile of the model's held-out predictions is stored: the reference of prediction drift.
    expect(PredictionProfile.parse(await artifacts.getJson(result.predictionProfile!)).task).toBe('binary');
    expect(result.params).toEqual({
      epochs: 300,
      learningRate: 0.1,
      l2: 0.001,
      maxCategories: 100,
      imputation: 'none',
    });
    expect(result.metrics['auc']).toBeGreaterThan(0.85);
    expect(result.metrics['accuracy']).toBeGreaterThan(0.7);
    expect(result.metrics['logLoss']).toBeLessThan(0.6);
    expect(result.metrics['positiveRate']).toBeGreaterThan(0);
    expect(Object.keys(result.metrics).sort()).toEqual([
      'accuracy',
      'auc',
      'f1',
      'logLoss',
      'positiveRate',
      'precision',
      'predictedPositiveRate',
      'recall',
    ]);

    const model = await artifacts.getJson<SerializedModel>(result.model);
    const predictor = await builtinPredictors['logistic-regression']!(model, { artifacts });
    const p = await positiveScore(predictor, { tenure_months: 2, monthly_fee: 95, plan: 'basic' });
    const q = await positiveScore(predictor, { tenure_months: 58, monthly_fee: 25, plan: 'pro' });
    expect(p).toBeGreaterThan(0.8);
    expect(q).toBeLessThan(0.2);

    const last = heartbeats.at(-1);
    expect(last).toMatchObject({ phase: 'train', epoch: 300, totalEpochs: 300 });
    expect(last?.checkpoint).toMatchObject({ kind: 'logistic-regression', epoch: 300 });
  });

  it('is deterministic: two runs store the same model and report the same metrics', async () => {
    const train = createTrainActivity(deps);
    const a = await train(input({ epochs: 100 }));
    const b = await train(input({ epochs: 100 }));
    expect(b).toEqual(a);
    const otherSeed = await train({ ...input({ epochs: 100 }), seed: 7 });
    expect(otherSeed.model.digest).not.toBe(a.model.digest);
  });

  it('resumes a cancelled attempt from the checkpoint in its last heartbeat and ends with the same model', async () => {
    const fast: TrainActivityDeps = {
      ...deps,
      trainers: { 'logistic-regression': createLogisticRegressionTrainer({ progressIntervalMs: 0 }) },
      heartbeatIntervalMs: 0,
    };
    const uninterrupted = await createTrainActivity(fast)(input({ epochs: 250 }));

    const first = new MockActivityEnvironment();
    let lastDetails: TrainHeartbeatDetails | undefined;
    first.on('heartbeat', (d: TrainHeartbeatDetails) => {
      lastDetails = d;
      if (d.phase === 'train' && d.epoch === 120) first.cancel('CANCELLED');
    });
    const err = await rejection(runActivity(first, createTrainActivity(fast), input({ epochs: 250 })));
    expect(err.name).toBe('CancelledFailure');
    expect(lastDetails).toMatchObject({ phase: 'train', epoch: 120, checkpoint: { epoch: 120 } });

    const retry = new MockActivityEnvironment({
      attempt: 2,
      heartbeatDetails: JSON.parse(JSON.stringify(lastDetails)) as unknown,
    });
    const retryHeartbeats: TrainHeartbeatDetails[] = [];
    retry.on('heartbeat', (d: TrainHeartbeatDetails) => retryHeartbeats.push(d));
    const resumed = await runActivity(retry, createTrainActivity(fast), input({ epochs: 250 }));
    expect(resumed.resumedFromEpoch).toBe(120);
    expect(resumed.model).toEqual(uninterrupted.model);
    expect(resumed.metrics).toEqual(uninterrupted.metrics);
    // Heartbeats of the retry keep carrying the inherited checkpoint until training reports a newer one.
    expect(retryHeartbeats.filter((d) => d.phase === 'train').map((d) => d.epoch)[0]).toBe(121);
  });

  it('fails with DigestMismatch when the file changed since it was validated', async () => {
    const { path } = files.file('churn.csv');
    await appendFile(path, 'c9999,3,50,basic,yes\n');
    const err = await rejection(createTrainActivity(deps)(input()));
    expect(err).toMatchObject({ type: SlipwayErrorType.DigestMismatch, nonRetryable: true });
    expect(err.message).toContain(
      `Dataset ${path} changed since it was validated: expected ${validated.dataset.digest}`,
    );
  });

  it('drops bad rows and rows without a target', async () => {
    const { uri } = await files.write(
      'holes.csv',
      customerCsv(customers(100)) + 'x1,abc,20,basic,yes\nx2,5,20,basic,\nx3,7,30,pro,no\n',
    );
    const pinned = await createValidateActivity({ artifacts })({ dataset: { uri }, schema, maxBadRowShare: 0.1 });
    const result = await createTrainActivity(deps)({
      dataset: pinned.dataset,
      schema,
      features,
      params: { epochs: 20 },
    });
    expect(result.trainRows + result.testRows).toBe(101);
    expect(result.testRows).toBe(20);
  });

  it('fails with NotFound listing the known trainers', async () => {
    const err = await rejection(createTrainActivity(deps)({ ...input(), trainer: 'xgboost' }));
    expect(err).toMatchObject({ type: SlipwayErrorType.NotFound, nonRetryable: true });
    expect(err.message).toBe('Unknown trainer "xgboost"; known trainers: "logistic-regression"');
  });

  it('fails with NotFound when no loader knows the model kind', async () => {
    const odd: Trainer = {
      name: 'odd',
      train: () => Promise.resolve({ model: { kind: 'odd-kind' }, params: {}, resumedFromEpoch: 0 }),
    };
    const err = await rejection(createTrainActivity({ ...deps, trainers: { odd } })({ ...input(), trainer: 'odd' }));
    expect(err).toMatchObject({ type: SlipwayErrorType.NotFound });
    expect(err.message).toBe('No model loader for kind "odd-kind"; known kinds: "logistic-regression", "onnx"');
  });

  it('fails with InvalidInput on a non-binary target, naming the column and the values', async () => {
    const err = await rejection(
      createTrainActivity(deps)({ ...input(), features: { numeric: ['tenure_months'], target: 'plan' } }),
    );
    expect(err).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect(err.message).toMatch(
      /^Target column "plan" must be binary .*found more than two distinct values; values found: /,
    );
    for (const value of ['"basic"', '"pro"', '"team"']) expect(err.message).toContain(value);
  });

  it('fails with InvalidInput on features that do not match the schema, and on bad params', async () => {
    const train = createTrainActivity(deps);
    const unknown = await rejection(train({ ...input(), features: { numeric: ['age'], target: 'churned' } }));
    expect(unknown).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect(unknown.message).toContain('column "age" is not in the row schema');
    const wrongType = await rejection(train({ ...input(), features: { numeric: ['plan'], target: 'churned' } }));
    expect(wrongType.message).toContain('numeric feature "plan" is a string column');
    const twice = await rejection(
      train({
        ...input(),
        features: { numeric: ['tenure_months'], categorical: ['tenure_months'], target: 'churned' },
      }),
    );
    expect(twice.message).toContain('column "tenure_months" is listed more than once');
    const params = await rejection(train(input({ learningRate: 0 })));
    expect(params).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect(params.message).toContain('learningRate');
  });

  it('refuses an input without a pinned digest', async () => {
    const err = await rejection(
      createTrainActivity(deps)({ ...input(), dataset: { uri: validated.dataset.uri } } as never),
    );
    expect(err).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect(err.message).toContain('dataset.digest');
  });
});
