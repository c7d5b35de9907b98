/**
 * The train activity with a configured trainer process: a real Python trainer on the `slipway_trainer` package, run
 * in a `MockActivityEnvironment`: split files, progress heartbeats, checkpoints stored and resumed, Slipway's own
 * held-out metrics, and every way an attempt can fail (exit 2, an invalid result.json, silence for the heartbeat
 * timeout), with nothing left behind.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  FinalErrorType,
  RetryableErrorType,
  SlipwayErrorType,
  TrainingResult,
  type ValidationSummary,
} from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import type { ArtifactStore, SerializedModel } from '../../../packages/activities/src/ports.js';
import { createTrainActivity, type TrainActivityDeps } from '../../../packages/activities/src/steps/train.js';
import { createValidateActivity } from '../../../packages/activities/src/steps/validate.js';
import { builtinPredictors, builtinTrainers } from '../../../packages/activities/src/train/index.js';
import { isProcessRunning } from '../../../packages/activities/src/util/process-alive.js';
import { createCsvDir, rejection, runActivity, type CsvDir } from '../data/fixtures.js';
import { ensurePythonTools } from '../../support/python.js';
import { positiveScore } from '../../support/positive-score.js';
import { customerCsv, customerFeatures, customerSchema, customers } from './synthetic.js';

const TRAINER = resolve(import.meta.dirname, 'fixtures', 'logit_trainer.py');
const features = { ...customerFeatures, categorical: [] };

let python: string;
let files: CsvDir;
let root: string;
let artifacts: ArtifactStore;
let validated: ValidationSummary;
let stepLog: string;
let deps: TrainActivityDeps;

/** Heartbeat details of a process trainer's attempt (the parts these tests read). */
interface Details {
  phase: string;
  step?: number;
  checkpoint?: { uri: string; digest: string; step: number; name: string };
}

beforeAll(async () => {
  python = await ensurePythonTools();
}, 900_000);
beforeEach(async () => {
  files = await createCsvDir('slipway-ptrain-');
  root = await mkdtemp(join(tmpdir(), 'slipway-ptrain-root-'));
  artifacts = createFsArtifactStore(join(root, 'store'));
  stepLog = join(root, 'steps.log');
  const { uri } = await files.write('churn.csv', customerCsv(customers(600)));
  validated = await createValidateActivity({ artifacts })({ dataset: { uri }, schema: customerSchema });
  deps = {
    artifacts,
    trainers: { ...builtinTrainers },
    processTrainers: {
      'py-logit': { command: [python, TRAINER], graceMs: 2000, env: { TRAINER_STEP_LOG: stepLog } },
    },
    predictors: { ...builtinPredictors },
    codeVersion: 'test-1.0.0',
    workRoot: join(root, 'work'),
    heartbeatIntervalMs: 0,
  };
});
afterEach(async () => {
  await files.remove();
  await rm(root, { recursive: true, force: true });
});

function input(params: Record<string, unknown> = {}, more: Record<string, unknown> = {}) {
  return { dataset: validated.dataset, schema: customerSchema, features, trainer: 'py-logit', params, ...more };
}

/** The steps the trainer ran, by process: `[pid, step]` in order. */
async function stepsRun(): Promise<[number, number][]> {
  const text = await readFile(stepLog, 'utf8').catch(() => '');
  return text
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ').map(Number) as [number, number]);
}

/** An activity environment that logs errors only (failed attempts are what several tests expect). */
function mockEnv(info: ConstructorParameters<typeof MockActivityEnvironment>[0] = {}): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
}

async function workRootIsEmpty(): Promise<boolean> {
  return (await readdir(join(root, 'work')).catch(() => [])).length === 0;
}

describe('the train activity with a trainer process', () => {
  it('trains in Python, heartbeats progress and stored checkpoints, and scores the model itself', async () => {
    const env = mockEnv();
    const heartbeats: Details[] = [];
    env.on('heartbeat', (d: Details) => heartbeats.push(d));
    const result = await runActivity(env, createTrainActivity(deps), input({ steps: 12 }));

    expect(TrainingResult.parse(result)).toEqual(result);
    expect(result).toMatchObject({ trainer: 'py-logit', task: 'binary', resumedFromEpoch: 0, params: { steps: 12 } });
    expect(result.trainRows + result.testRows).toBe(600);
    expect(result.testRows).toBeGreaterThan(80);
    expect(Object.keys(result.trainerMetrics ?? {})).toEqual(['loss']);
    // Slipway's own metrics, from the model's predictions on the held-out split.
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
    expect(result.metrics['auc']).toBeGreaterThan(0.75);

    const model = await artifacts.getJson<SerializedModel>(result.model);
    const predictor = await builtinPredictors['logistic-regression']!(model, { artifacts });
    const short = await positiveScore(predictor, { tenure_months: 1, monthly_fee: 99 });
    const long = await positiveScore(predictor, { tenure_months: 59, monthly_fee: 21 });
    expect(short).toBeGreaterThan(long);

    // Each checkpoint goes out as it is stored; later heartbeats keep carrying the latest one.
    const checkpoints = heartbeats.filter((d) => d.checkpoint !== undefined).map((d) => d.checkpoint!);
    expect([...new Set(checkpoints.map((c) => c.step))]).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const last = checkpoints.at(-1)!;
    expect(last.name).toBe('step-12.json');
    expect(JSON.parse((await artifacts.getBytes(last)).toString('utf8'))).toMatchObject({ step: 12 });
    expect(heartbeats.filter((d) => d.phase === 'train').map((d) => d.step)).toContain(12);
    expect((await stepsRun()).map(([, step]) => step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(await workRootIsEmpty()).toBe(true);
  });

  it('resumes a cancelled attempt from the stored checkpoint of its last heartbeat, with no step run twice', async () => {
    const params = { steps: 30, step_seconds: 0.05 };
    const uninterrupted = await createTrainActivity(deps)(input(params));
    await rm(stepLog, { force: true });

    const first = mockEnv();
    let lastDetails: Details | undefined;
    first.on('heartbeat', (d: Details) => {
      lastDetails = d;
      if (d.checkpoint?.step === 8) first.cancel('CANCELLED');
    });
    const err = await rejection(runActivity(first, createTrainActivity(deps), input(params)));
    expect(err.name).toBe('CancelledFailure');
    expect(await workRootIsEmpty()).toBe(true);
    const resumeStep = lastDetails?.checkpoint?.step ?? -1;
    expect(resumeStep).toBeGreaterThanOrEqual(8);
    const firstPids = new Set((await stepsRun()).map(([pid]) => pid));
    for (const pid of firstPids) expect(isProcessRunning(pid)).toBe(false);

    const retry = mockEnv({
      attempt: 2,
      heartbeatDetails: JSON.parse(JSON.stringify(lastDetails)) as unknown,
    });
    const resumed = await runActivity(retry, createTrainActivity(deps), input(params));
    expect(resumed.resumedFromEpoch).toBe(resumeStep);
    // The same model as an uninterrupted run: the checkpoint carried the whole state.
    expect(resumed.model).toEqual(uninterrupted.model);
    expect(resumed.metrics).toEqual(uninterrupted.metrics);
    const steps = (await stepsRun()).map(([, step]) => step);
    expect(steps.filter((s) => s <= resumeStep)).toEqual(Array.from({ length: resumeStep }, (_, i) => i + 1));
    const afterCheckpoint = (await stepsRun()).filter(([pid]) => !firstPids.has(pid)).map(([, s]) => s);
    expect(afterCheckpoint[0]).toBe(resumeStep + 1);
    expect(afterCheckpoint.at(-1)).toBe(30);
  });

  it('fails non-retryably with the message of a trainer that exits 2, leaving nothing behind', async () => {
    const err = await rejection(runActivity(mockEnv(), createTrainActivity(deps), input({ mode: 'exit-2' })));
    expect(err.type).toBe(FinalErrorType.TrainerFailed);
    expect((err as { nonRetryable?: boolean }).nonRetryable).toBe(true);
    expect(err.message).toContain('learning_rate must be positive, got -1');
    expect(await workRootIsEmpty()).toBe(true);
  });

  it('fails with an error naming the file and the field of an invalid result.json', async () => {
    const err = await rejection(
      runActivity(mockEnv(), createTrainActivity(deps), input({ steps: 2, mode: 'bad-result' })),
    );
    expect(err.type).toBe(FinalErrorType.TrainerFailed);
    expect(err.message).toMatch(/result\.json is invalid: .*signature\.inputs\.0\.type/);
    expect(await workRootIsEmpty()).toBe(true);
  });

  it('stops a trainer silent for the heartbeat timeout (retryable), and the retry resumes past it', async () => {
    const first = mockEnv({ heartbeatTimeoutMs: 3000 });
    let lastDetails: Details | undefined;
    first.on('heartbeat', (d: Details) => (lastDetails = d));
    const err = await rejection(runActivity(first, createTrainActivity(deps), input({ steps: 6, mode: 'hang' })));
    expect(err.type).toBe(RetryableErrorType.TrainerCrashed);
    expect((err as { nonRetryable?: boolean }).nonRetryable).toBe(false);
    expect(err.message).toMatch(/no progress for the heartbeat timeout \(3000 ms\)/);
    const [hung] = await stepsRun();
    expect(isProcessRunning(hung![0])).toBe(false);
    expect(lastDetails?.checkpoint?.step).toBe(2);

    const retry = mockEnv({
      attempt: 2,
      heartbeatTimeoutMs: 3000,
      heartbeatDetails: JSON.parse(JSON.stringify(lastDetails)) as unknown,
    });
    const resumed = await runActivity(retry, createTrainActivity(deps), input({ steps: 6, mode: 'hang' }));
    expect(resumed.resumedFromEpoch).toBe(2);
    expect((await stepsRun()).map(([, step]) => step)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses a model of another task than the run asks for', async () => {
    const err = await rejection(createTrainActivity(deps)(input({ steps: 2 }, { task: 'multiclass' })));
    expect(err.type).toBe(SlipwayErrorType.InvalidInput);
    expect(err.message).toContain('made a binary model');
    expect(err.message).toContain('task is multiclass');
  });

  it('lists built-in and configured trainers when the named one is unknown', async () => {
    const err = await rejection(createTrainActivity(deps)(input({}, { trainer: 'py-lgbm' })));
    expect(err.type).toBe(SlipwayErrorType.NotFound);
    expect(err.message).toContain('known trainers: "logistic-regression", "py-logit"');
  });

  it('refuses a task the built-in logistic regression does not train', async () => {
    const err = await rejection(
      createTrainActivity(deps)(input({}, { trainer: 'logistic-regression', task: 'regression' })),
    );
    expect(err.type).toBe(SlipwayErrorType.InvalidInput);
    expect((err as { nonRetryable?: boolean }).nonRetryable).toBe(true);
    expect(err.message).toContain('trains binary models only');
    expect(err.message).toContain('task is regression');
  });
});
