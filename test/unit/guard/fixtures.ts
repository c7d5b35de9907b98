/**
 * Fixtures of the guard-check tests: a real model server on a clock the test moves (served rows and the request
 * record are stamped by it, so windows are exact), versions registered with the real profile of their training
 * rows and the real held-out prediction profile of their model, and served traffic.
 */
import type { ArtifactRef, DriftPolicyInput, Lineage } from '@slipway/sdk';
import { evaluateModel } from '../../../packages/activities/src/train/metrics-evaluate.js';
import { profileRows } from '../../../packages/activities/src/data/profile.js';
import type { ModelVersionRecord, SerializedModel, TypedRow } from '../../../packages/activities/src/ports.js';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import {
  FEATURES,
  PREDICTORS,
  SCHEMA,
  TEST_TOKEN,
  call,
  logisticModel,
  modelRoutes,
  tempDir,
  trainingRows,
  type LinearWeights,
  type TestWorld,
} from '../serve/fixtures.js';

/** The weights of the test champion: score rises with tenure. */
export const WEIGHTS: LinearWeights = { bias: 0, tenure: 1.5, basic: 0, pro: 1 };

/** A clock a test moves by hand. */
export interface TestClock {
  now: () => Date;
  /** Moves the clock on by `ms` and answers the new time as ISO 8601. */
  advance: (ms: number) => string;
  iso: () => string;
}

/** A clock starting at `start`. */
export function testClock(start = '2026-03-01T00:00:00.000Z'): TestClock {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
      return new Date(t).toISOString();
    },
    iso: () => new Date(t).toISOString(),
  };
}

/** A model server whose served log and request record run on `clock`. */
export async function startClockedServer(
  world: TestWorld,
  clock: TestClock,
): Promise<{ server: RunningModelServer; cleanup: () => Promise<void> }> {
  const home = await tempDir('guard-home');
  const server = await startModelServer({
    home: home.path,
    artifacts: world.artifacts,
    predictors: PREDICTORS,
    token: TEST_TOKEN,
    servedLog: { now: clock.now },
  });
  return {
    server,
    cleanup: async () => {
      await server.close();
      await home.cleanup();
    },
  };
}

/**
 * Registers a logistic model under `name` with the real profile of its training rows and, unless `withPrediction`
 * is false, the real profile of its predictions on them (what the train step stores as the held-out profile).
 */
export async function registerGuarded(
  world: TestWorld,
  name: string,
  options: { weights?: LinearWeights; rows?: TypedRow[]; withPrediction?: boolean } = {},
): Promise<{ record: ModelVersionRecord; artifact: ArtifactRef; model: SerializedModel }> {
  const rows = options.rows ?? trainingRows(1000);
  const model = logisticModel(options.weights ?? WEIGHTS);
  const artifact = await world.artifacts.putJson(model);
  const profile = await world.artifacts.putJson(profileRows(SCHEMA, rows));
  const report = await world.artifacts.putJson({ rows: rows.length, badRows: 0 });
  let predictionProfile: ArtifactRef | undefined;
  if (options.withPrediction !== false) {
    const predictor = await PREDICTORS['logistic-regression']!(model, { artifacts: world.artifacts });
    const evaluation = await evaluateModel(predictor, rows, 'churned');
    predictionProfile = await world.artifacts.putJson(evaluation.predictionProfile);
  }
  const lineage: Lineage = {
    datasetUri: 'file:///data/churn.csv',
    datasetDigest: `sha256:${'0'.repeat(64)}`,
    validationReport: report,
    profile,
    trainer: 'logistic-regression',
    params: {},
    features: FEATURES,
    codeVersion: 'test',
    workflowId: 'wf-test',
    temporalRunId: 'run-test',
    task: 'binary',
    ...(predictionProfile ? { predictionProfile } : {}),
  };
  const { version } = await world.registry.registerVersion({
    name,
    artifact,
    metrics: { accuracy: 0.9 },
    lineage,
    idempotencyKey: `test/${name}/${artifact.digest}/${String(options.withPrediction)}`,
  });
  return { record: version, artifact, model };
}

/** Deploys a registered version on the server and makes it the champion. */
export async function deployChampion(
  world: TestWorld,
  serverUrl: string,
  name: string,
  registered: { record: ModelVersionRecord; artifact: ArtifactRef },
): Promise<void> {
  const answer = await modelRoutes(serverUrl, name).deploy(
    `d${registered.record.version}`,
    registered.record.version,
    registered.artifact,
  );
  if (answer.status !== 200) throw new Error(`deploy answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  await world.registry.setAlias(name, 'champion', registered.record.version);
}

/** Serves the features of `rows` to `name` in requests of at most 100 rows. */
export async function serveRows(serverUrl: string, name: string, rows: readonly TypedRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    const instances = rows.slice(i, i + 100).map(({ tenure, plan }) => ({ tenure, plan }));
    const answer = await call(`${serverUrl}/v1/models/${name}/predict`, 'POST', { instances });
    if (answer.status !== 200) throw new Error(`predict answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
}

/** A policy for the tests: small windows, PSI on both kinds. */
export const POLICY: DriftPolicyInput = { minSamples: 100, maxRows: 10_000 };
