/**
 * The world of the train-tracking scenario: a validated synthetic churn dataset, a filesystem artifact store, a
 * real model server (for deploy), and a way to run one attempt of an activity as Temporal would, under a fixed
 * step identity (workflow id, run id, activity id) and with the heartbeat details the previous attempt left.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityCancellationDetails } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Lineage, TrainingResult, ValidationSummary } from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import { createValidateActivity } from '../../../packages/activities/src/steps/validate.js';
import type { ArtifactStore, ModelServerAccess } from '../../../packages/activities/src/ports.js';
import type { DatasetAccess } from '../../../packages/activities/src/sources/index.js';
import { builtinPredictors } from '../../../packages/activities/src/train/index.js';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import { createCsvDir, type CsvDir } from '../data/fixtures.js';
import { TEST_TOKEN, testAccess } from '../serve/fixtures.js';
import { customerCsv, customerFeatures, customerSchema, customers } from './synthetic.js';

/** A workflow run and one of its activities: what every attempt of that activity shares. */
export interface StepId {
  workflowId: string;
  runId: string;
  activityId: string;
}

/** A fresh workflow run (unique ids) with the step ids of its train, register and deploy activities. */
export function newWorkflowRun(label: string) {
  const workflowId = `wf-${label}-${randomUUID().slice(0, 8)}`;
  const runId = randomUUID();
  const step = (activityId: string): StepId => ({ workflowId, runId, activityId });
  return { workflowId, runId, train: step('2'), register: step('3'), deploy: step('4') };
}

/** How one attempt runs. */
export interface AttemptOptions {
  /** 1 for the first attempt. */
  attempt?: number;
  /** The last heartbeat details of the previous attempt (passed through JSON, as Temporal does). */
  heartbeatDetails?: unknown;
  /** The retry policy's maximum attempts (the attempt knows whether it is the last). */
  maximumAttempts?: number;
  /** Called with each heartbeat; may call `crash` or `cancel`. */
  onHeartbeat?: (details: unknown, control: AttemptControl) => void;
}

/** What a heartbeat listener may do to the running attempt. */
export interface AttemptControl {
  /** The worker shuts down (or dies): the activity is cancelled for a reason that a retry follows. */
  crash(): void;
  /** The workflow asks for cancellation: no retry follows. */
  cancel(): void;
}

/** How an attempt ended: its result or its error, and the details of its last heartbeat. */
export interface AttemptOutcome<R> {
  result?: R;
  error?: Error & { type?: string };
  lastHeartbeat: unknown;
}

/** Runs one attempt of `activity(input)` under `step`'s identity. */
export async function runAttempt<I, R>(
  step: StepId,
  activity: (input: I) => Promise<R>,
  input: I,
  options: AttemptOptions = {},
): Promise<AttemptOutcome<R>> {
  const attempt = options.attempt ?? 1;
  const info = {
    activityId: step.activityId,
    workflowExecution: { workflowId: step.workflowId, runId: step.runId },
    workflowType: 'trackingScenario',
    attempt,
    heartbeatDetails: options.heartbeatDetails === undefined ? undefined : roundTrip(options.heartbeatDetails),
    ...(options.maximumAttempts === undefined ? {} : { retryPolicy: { maximumAttempts: options.maximumAttempts } }),
  };
  // Expected failures are asserted on; keep the environment's "Activity failed" warnings out of the output.
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  let lastHeartbeat: unknown;
  const control: AttemptControl = {
    crash: () => env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true })),
    cancel: () => env.cancel('CANCELLED', new ActivityCancellationDetails({ cancelRequested: true })),
  };
  env.on('heartbeat', (details: unknown) => {
    lastHeartbeat = roundTrip(details);
    options.onHeartbeat?.(details, control);
  });
  try {
    const result = await env.run<[I], R, (input: I) => Promise<R>>(activity, input);
    return { result, lastHeartbeat };
  } catch (err) {
    return { error: err as Error & { type?: string }, lastHeartbeat };
  }
}

function roundTrip(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** The dataset, artifact store and model server every scenario test uses. */
export interface TrackingWorld {
  artifacts: ArtifactStore;
  /** Where the world's dataset lives: the dataset root of the activities under test. */
  datasetAccess: DatasetAccess;
  validated: ValidationSummary;
  serverUrl: string;
  /** The model server and its token, as the worker's configuration gives them to the deploy step. */
  modelServer: ModelServerAccess;
  /** The train step's input for `modelName` (default params: 300 epochs). */
  trainInput(modelName: string, params?: Record<string, unknown>): TrainStepInput;
  /** The lineage the pipelines give a version trained by `training` in `workflow`. */
  lineage(workflow: { workflowId: string; runId: string }, training: TrainingResult): Lineage;
  close(): Promise<void>;
}

/** The train step input the scenario uses. */
export interface TrainStepInput {
  dataset: ValidationSummary['dataset'];
  schema: typeof customerSchema;
  features: typeof customerFeatures;
  params: Record<string, unknown>;
  modelName: string;
}

/** Writes and validates 600 synthetic customers and starts a model server on 127.0.0.1. */
export async function openTrackingWorld(): Promise<TrackingWorld> {
  const files: CsvDir = await createCsvDir('slipway-tracking-');
  const storeRoot = await mkdtemp(join(tmpdir(), 'slipway-tracking-store-'));
  const serverHome = await mkdtemp(join(tmpdir(), 'slipway-tracking-serve-'));
  const artifacts = createFsArtifactStore(storeRoot);
  const { uri } = await files.write('churn.csv', customerCsv(customers(600)));
  const validated = await createValidateActivity({ artifacts })({ dataset: { uri }, schema: customerSchema });
  let server: RunningModelServer | undefined;
  try {
    server = await startModelServer({ home: serverHome, artifacts, predictors: builtinPredictors, token: TEST_TOKEN });
  } catch (err) {
    await Promise.all([files.remove(), rm(storeRoot, { recursive: true, force: true })]);
    throw err;
  }
  const running = server;
  return {
    artifacts,
    datasetAccess: { roots: [files.dir], denied: [] },
    validated,
    serverUrl: running.url,
    modelServer: testAccess(running.url),
    trainInput: (modelName, params = {}) => ({
      dataset: validated.dataset,
      schema: customerSchema,
      features: customerFeatures,
      params,
      modelName,
    }),
    lineage: (workflow, training) => ({
      datasetUri: validated.dataset.uri,
      datasetDigest: validated.dataset.digest,
      validationReport: validated.report,
      profile: validated.profile,
      trainer: training.trainer,
      params: training.params,
      features: customerFeatures,
      codeVersion: training.codeVersion,
      workflowId: workflow.workflowId,
      temporalRunId: workflow.runId,
    }),
    async close() {
      await running.close();
      await files.remove();
      await rm(storeRoot, { recursive: true, force: true });
      await rm(serverHome, { recursive: true, force: true });
    },
  };
}
