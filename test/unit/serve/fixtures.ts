/**
 * Shared fixtures for the model server, deploy and monitor tests: real temp dirs, the real filesystem artifact
 * store and SQLite registry, hand-written logistic-regression models (scored by the real built-in loader) and
 * one test-only model kind whose score is fixed (to reach the server's score checks).
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactRef, DatasetProfile, FeatureSpec, Lineage, RowSchema, ServedRow } from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import { profileRows } from '../../../packages/activities/src/data/profile.js';
import type { ModelServerToken } from '../../../packages/worker/src/config/index.js';
import type {
  ArtifactStore,
  ModelRegistry,
  ModelServerAccess,
  ModelVersionRecord,
  PredictorLoader,
  SerializedModel,
  TypedRow,
} from '../../../packages/activities/src/ports.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import { builtinPredictors } from '../../../packages/activities/src/train/index.js';

/**
 * Every line a model version's served log holds, parsed, oldest first, read straight from its files (every segment
 * of `<home>/serving/<model>/v<version>/`); none when the version never logged a row.
 */
export async function servedLines(home: string, model: string, version: number): Promise<Record<string, unknown>[]> {
  const dir = join(home, 'serving', model, `v${version}`);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines: Record<string, unknown>[] = [];
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    for (const line of text.split('\n'))
      if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
  }
  return lines;
}

/** The features of every test model: one numeric, one categorical; the target is `churned`. */
export const FEATURES: FeatureSpec = { numeric: ['tenure'], categorical: ['plan'], target: 'churned' };

/** The row schema of the test dataset. */
export const SCHEMA: RowSchema = {
  columns: {
    tenure: { type: 'number', nullable: false, integer: false },
    plan: { type: 'string', nullable: false },
    churned: { type: 'boolean', nullable: false },
  },
  allowExtraColumns: true,
};

/** Weights of a logistic model over the test features: bias, standardized tenure, one-hot plan. */
export interface LinearWeights {
  bias: number;
  tenure: number;
  basic: number;
  pro: number;
}

/** Tenure is standardized with this mean and std inside the test models. */
export const TENURE_MEAN = 20;
/** Tenure is standardized with this mean and std inside the test models. */
export const TENURE_STD = 10;

/** A serialized `logistic-regression` model (the built-in kind) with the given weights. */
export function logisticModel(w: LinearWeights): SerializedModel {
  return {
    kind: 'logistic-regression',
    version: 1,
    features: FEATURES,
    target: { column: 'churned', negative: false, positive: true },
    encoding: {
      numeric: [{ column: 'tenure', mean: TENURE_MEAN, std: TENURE_STD }],
      categorical: [{ column: 'plan', categories: ['basic', 'pro'] }],
    },
    featureNames: ['(bias)', 'tenure', 'plan=basic', 'plan=pro'],
    weights: [w.bias, w.tenure, w.basic, w.pro],
    params: {},
    training: { rows: 100, epochs: 10, loss: 0.5 },
  };
}

/** The score `logisticModel(w)` gives a row, computed independently of the loader. */
export function expectedScore(w: LinearWeights, tenure: number, plan: string): number {
  const z =
    w.bias +
    w.tenure * ((tenure - TENURE_MEAN) / TENURE_STD) +
    (plan === 'basic' ? w.basic : plan === 'pro' ? w.pro : 0);
  return 1 / (1 + Math.exp(-z));
}

/** Test-only kind: every row gets the model's fixed `score` (which may be out of range on purpose). */
export const FIXED_SCORE_KIND = 'test-fixed-score';

const loadFixedScore: PredictorLoader = (model) => {
  const score = model['score'];
  if (typeof score !== 'number') throw new TypeError('test-fixed-score model needs a numeric "score"');
  return {
    kind: FIXED_SCORE_KIND,
    task: 'binary',
    classes: [0, 1],
    features: FEATURES,
    predict: (rows) => Promise.resolve(rows.map(() => ({ probabilities: [1 - score, score] }))),
  };
};

/** The loaders the test servers know: the built-ins plus the fixed-score kind. */
export const PREDICTORS: Record<string, PredictorLoader> = { ...builtinPredictors, [FIXED_SCORE_KIND]: loadFixedScore };

/** The control-plane token of every test model server. */
export const TEST_TOKEN: ModelServerToken = {
  value: 'test-model-server-token-0123456789',
  source: 'the test fixture TEST_TOKEN',
};

/** The `Authorization` header that carries {@link TEST_TOKEN}. */
export const AUTH = { authorization: `Bearer ${TEST_TOKEN.value}` } as const;

/** How activities reach a test model server at `url`: with {@link TEST_TOKEN}. */
export function testAccess(url: string): ModelServerAccess {
  return { url, token: () => Promise.resolve(TEST_TOKEN.value) };
}

/** A temp folder; `cleanup()` removes it. */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `slipway-${prefix}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A world for one test file: an artifact store and a registry under one temp folder. */
export interface TestWorld {
  root: string;
  artifacts: ArtifactStore;
  registry: ModelRegistry;
  close(): Promise<void>;
}

/** Opens a fresh artifact store and SQLite registry in a temp folder. */
export async function openWorld(prefix: string): Promise<TestWorld> {
  const dir = await tempDir(prefix);
  const artifacts = createFsArtifactStore(join(dir.path, 'artifacts'));
  const registry = openSqliteRegistry(join(dir.path, 'registry.db'));
  return {
    root: dir.path,
    artifacts,
    registry,
    close: async () => {
      await registry.close();
      await dir.cleanup();
    },
  };
}

/**
 * Deterministic training rows: tenure spread evenly over 0..40, plan 60 % basic / 30 % pro / 10 % enterprise.
 * `shift` moves tenure up; `plan` forces every row's plan.
 */
export function trainingRows(n: number, options: { shift?: number; plan?: string } = {}): TypedRow[] {
  const rows: TypedRow[] = [];
  for (let i = 0; i < n; i++) {
    const plan = options.plan ?? (i % 10 < 6 ? 'basic' : i % 10 < 9 ? 'pro' : 'enterprise');
    rows.push({ tenure: ((i * 7919) % 401) / 10 + (options.shift ?? 0), plan, churned: i % 3 === 0 });
  }
  return rows;
}

/** Registers `model` under `name` with a lineage whose profile is the real profile of `rows`. */
export async function registerModel(
  world: TestWorld,
  name: string,
  model: SerializedModel,
  rows: readonly TypedRow[] = trainingRows(500),
): Promise<{ record: ModelVersionRecord; artifact: ArtifactRef; profile: DatasetProfile }> {
  const artifact = await world.artifacts.putJson(model);
  const profile = profileRows(SCHEMA, rows);
  const profileRef = await world.artifacts.putJson(profile);
  const report = await world.artifacts.putJson({ rows: rows.length, badRows: 0 });
  const lineage: Lineage = {
    datasetUri: 'file:///data/churn.csv',
    datasetDigest: `sha256:${'0'.repeat(64)}`,
    validationReport: report,
    profile: profileRef,
    trainer: 'logistic-regression',
    params: {},
    features: FEATURES,
    codeVersion: 'test',
    workflowId: 'wf-test',
    temporalRunId: 'run-test',
  };
  const { version } = await world.registry.registerVersion({
    name,
    artifact,
    metrics: { accuracy: 0.9 },
    lineage,
    idempotencyKey: `test/${name}/${artifact.digest}`,
  });
  return { record: version, artifact, profile };
}

/** A deployment as answers name it. */
interface Named {
  version: number;
  deploymentId: string;
  artifact?: ArtifactRef;
}

/** A model server answer as the tests read it: every field any route returns, all optional. */
export interface Answer {
  model?: string;
  version?: number;
  deploymentId?: string;
  status?: string;
  outcome?: string;
  reason?: string;
  endedAt?: string;
  previous?: Named | null;
  current?: Named | null;
  stable?: Named | null;
  staged?: (Named & { stagedAt: string }) | null;
  candidate?: Named | null;
  weights?: { stable: number; candidate: number };
  mode?: string;
  ended?: {
    version: number;
    deploymentId: string;
    stagedAt: string;
    endedAt: string;
    outcome: string;
    reason: string;
  }[];
  rolledBack?: { version: number; deploymentId: string };
  task?: string;
  classes?: (string | number | boolean)[];
  predictions?: {
    score?: number;
    label?: string | number | boolean;
    scores?: Record<string, number>;
    value?: number;
  }[];
  total?: number;
  rows?: ServedRow[];
  cursor?: string;
  models?: unknown[];
  error?: { code: string; message: string };
}

/** JSON request helper for the model server. */
export async function call(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Answer }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Answer };
}

/** The model server's routes for one model, called with the test token where the route needs it. */
export function modelRoutes(serverUrl: string, model = 'churn') {
  const base = `${serverUrl}/v1/models/${model}`;
  const deployment = (id: string) => `${base}/deployments/${encodeURIComponent(id)}`;
  const stage = (id: string, version: number, artifact: ArtifactRef) =>
    call(deployment(id), 'PUT', { version, artifact }, AUTH);
  const commit = (id: string) => call(`${deployment(id)}/commit`, 'POST', {}, AUTH);
  return {
    base,
    stage,
    commit,
    smoke: (id: string, instances: unknown[]) => call(`${deployment(id)}/predict`, 'POST', { instances }, AUTH),
    discard: (id: string, reason: string) => call(`${deployment(id)}/discard`, 'POST', { reason }, AUTH),
    rollback: (id: string) => call(`${base}/rollback`, 'POST', { deploymentId: id }, AUTH),
    predict: (instances: unknown[], headers: Record<string, string> = {}) =>
      call(`${base}/predict`, 'POST', { instances }, headers),
    status: () => call(base, 'GET'),
    served: (version: number, query = '') => call(`${base}/versions/${version}/served${query}`, 'GET', undefined, AUTH),
    /** `PUT …/traffic`: gives `candidate` its share (mode `split` unless given). */
    traffic: (candidate: string, weights: { stable: number; candidate: number }, mode?: 'split' | 'shadow') =>
      call(`${base}/traffic`, 'PUT', { candidate, weights, ...(mode === undefined ? {} : { mode }) }, AUTH),
    getTraffic: () => call(`${base}/traffic`, 'GET', undefined, AUTH),
    promote: (id: string) => call(`${deployment(id)}/promote`, 'POST', {}, AUTH),
    abort: (id: string, reason: string) => call(`${deployment(id)}/abort`, 'POST', { reason }, AUTH),
    /** Stages and commits in one go (no smoke check); fails the test when either step is refused. */
    deploy: async (id: string, version: number, artifact: ArtifactRef) => {
      const staged = await stage(id, version, artifact);
      if (staged.status !== 200) throw new Error(`stage ${id}: ${staged.status} ${JSON.stringify(staged.body)}`);
      const committed = await commit(id);
      if (committed.status !== 200)
        throw new Error(`commit ${id}: ${committed.status} ${JSON.stringify(committed.body)}`);
      return committed;
    },
  };
}
