/**
 * An ONNX version on an MLflow registry is an MLflow Model: the real MLflow Python client (`mlflow.pyfunc`) loads
 * `models:/<name>@champion` from the real `mlflow server` and the S3-compatible server, and predicts the same
 * probabilities as Slipway's own ONNX predictor. The model is a scikit-learn pipeline (numeric and string inputs)
 * converted with skl2onnx in the test's Python environment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { failureType, type ArtifactRef, type OnnxModelManifest } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createS3ArtifactStore, type S3ArtifactStore } from '../../packages/activities/src/artifacts/index.js';
import {
  createMlflowRegistry,
  createS3MlflowModelStore,
  type MlflowModelStore,
  type MlflowRegistry,
} from '../../packages/activities/src/registry/index.js';
import type { TypedRow } from '../../packages/activities/src/ports.js';
import { loadOnnxModel, onnxManifestFor } from '../../packages/activities/src/train/index.js';
import { startProjectMlflowServer, type MlflowTestServer } from '../support/mlflow-server.js';
import { runPython, runPythonIn } from '../support/python.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { failureOf, versionInput } from '../unit/registry/registry-fixtures.js';

const HOME = join(import.meta.dirname, '..', '..', '.slipway');
const BUCKET = 'mlflow-models';
const PREFIX = 'slipway';
let s3: S3TestServer;
let mlflow: MlflowTestServer;
let client: S3Client;
let artifacts: S3ArtifactStore;
let store: MlflowModelStore;
let registry: MlflowRegistry;
let workDir: string;

beforeAll(async () => {
  [s3, mlflow] = await Promise.all([
    startS3Server({ home: HOME, onProgress: (m) => console.log(`[s3 server] ${m}`) }),
    startProjectMlflowServer(),
  ]);
  const settings = {
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  };
  client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  artifacts = createS3ArtifactStore({ bucket: BUCKET, prefix: PREFIX, settings });
  store = createS3MlflowModelStore({ bucket: BUCKET, prefix: PREFIX, settings });
  registry = createMlflowRegistry({ trackingUrl: mlflow.url, models: { artifacts, store } });
  workDir = await mkdtemp(join(tmpdir(), 'slipway-mlflow-onnx-'));
}, 900_000);

afterAll(async () => {
  await registry?.close();
  artifacts?.close();
  client?.destroy();
  await Promise.all([s3?.stop(), mlflow?.stop()]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Trains a scikit-learn churn classifier (numeric and string inputs), converts it with skl2onnx, returns rows to score. */
const TRAIN = `
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
rng = np.random.default_rng(7)
n = 600
frame = pd.DataFrame({
    "tenure": rng.uniform(0, 72, n).round(1),
    "charges": rng.uniform(18, 120, n).round(2),
    "plan": rng.choice(["basic", "plus", "premium"], n),
})
logit = -0.05 * frame.tenure + 0.03 * frame.charges + (frame.plan == "basic") * 1.2 - 1.0
churned = (rng.uniform(0, 1, n) < 1 / (1 + np.exp(-logit))).astype(int)
pipe = Pipeline([
    ("prep", ColumnTransformer([
        ("num", StandardScaler(), ["tenure", "charges"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan"]),
    ])),
    ("model", GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=0)),
]).fit(frame, churned)
types = [("tenure", FloatTensorType([None, 1])), ("charges", FloatTensorType([None, 1])), ("plan", StringTensorType([None, 1]))]
onx = to_onnx(pipe, initial_types=types, options={id(pipe.steps[-1][1]): {"zipmap": False}}, target_opset=17)
with open(data["path"], "wb") as f:
    f.write(onx.SerializeToString())
rows = frame.head(200)
result = {"rows": rows.to_dict(orient="records"), "classes": [int(c) for c in pipe.classes_]}
`;

/** Loads `models:/<name>@champion` with MLflow's Python client and predicts a pandas frame of the rows. */
const LOAD_AND_PREDICT = `
import os, mlflow, mlflow.pyfunc, pandas as pd
from mlflow.artifacts import download_artifacts
mlflow.set_tracking_uri(data["trackingUri"])
uri = "models:/" + data["name"] + "@champion"
model = mlflow.pyfunc.load_model(uri)
out = model.predict(pd.DataFrame(data["rows"]))
local = download_artifacts(artifact_uri=uri)
meta = model.metadata
result = {
    "probabilities": out["probabilities"].tolist(),
    "labels": out["label"].tolist(),
    "flavors": sorted(meta.flavors),
    "loader": meta.flavors["python_function"]["loader_module"],
    "inputs": meta.get_input_schema().input_names(),
    "files": sorted(os.listdir(local)),
}
`;

interface Trained {
  rows: TypedRow[];
  classes: number[];
}

async function trainOnnx(): Promise<{ manifest: OnnxModelManifest; manifestRef: ArtifactRef; rows: TypedRow[] }> {
  const path = join(workDir, 'churn.onnx');
  const trained = await runPython<Trained>(TRAIN, { path }, 300_000);
  const model = await artifacts.putFile(path, { mediaType: 'application/octet-stream', extension: '.onnx' });
  const manifest = onnxManifestFor({
    task: 'binary',
    features: { numeric: ['tenure', 'charges'], categorical: ['plan'], target: 'churned' },
    signature: {
      inputs: [
        { name: 'tenure', type: 'float' },
        { name: 'charges', type: 'float' },
        { name: 'plan', type: 'string' },
      ],
      outputs: [
        { name: 'label', type: 'int' },
        { name: 'probabilities', type: 'float' },
      ],
    },
    classes: trained.classes,
    model,
  });
  return { manifest, manifestRef: await artifacts.putJson(manifest), rows: trained.rows };
}

async function sourceOf(name: string, version: number): Promise<string> {
  const answer = (await fetch(`${mlflow.url}/api/2.0/mlflow/model-versions/get?name=${name}&version=${version}`).then(
    (r) => r.json(),
  )) as { model_version: { source: string } };
  return answer.model_version.source;
}

/** Every object below a prefix, with its ETag. */
async function objectsUnder(prefix: string): Promise<Record<string, string>> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return Object.fromEntries((listed.Contents ?? []).map((o) => [o.Key ?? '', o.ETag ?? '']));
}

describe('MLflow registry: an ONNX version is an MLflow Model', () => {
  it('is loaded by mlflow.pyfunc from models:/<name>@champion and predicts what Slipway predicts', async () => {
    const { manifest, manifestRef, rows } = await trainOnnx();
    const { version } = await registry.registerVersion(versionInput('churn-onnx', 'onnx-1', { artifact: manifestRef }));
    // The Slipway manifest stays the version's artifact; its digest is the version's digest.
    expect(version.artifact).toEqual(manifestRef);
    const directory = store.directoryUri(manifestRef.digest);
    expect(await sourceOf('churn-onnx', version.version)).toBe(directory);
    await registry.setAlias('churn-onnx', 'champion', version.version);

    const predictor = await loadOnnxModel(manifest, { artifacts });
    const ours = await predictor.predict(rows);
    const theirs = await runPythonIn<{
      probabilities: number[][];
      labels: number[];
      flavors: string[];
      loader: string;
      inputs: string[];
      files: string[];
    }>(
      mlflow.python,
      LOAD_AND_PREDICT,
      { trackingUri: mlflow.url, name: 'churn-onnx', rows },
      {
        timeoutMs: 300_000,
        env: {
          MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
          AWS_ACCESS_KEY_ID: s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
          AWS_DEFAULT_REGION: s3.region,
        },
      },
    );
    expect(theirs.flavors).toEqual(['onnx', 'python_function']);
    expect(theirs.loader).toBe('mlflow.onnx');
    expect(theirs.inputs).toEqual(['tenure', 'charges', 'plan']);
    // (MLflow's client adds `registered_model_meta` when it downloads a registered model.)
    expect(theirs.files).toEqual(
      expect.arrayContaining(['MLmodel', 'conda.yaml', 'model.onnx', 'python_env.yaml', 'requirements.txt']),
    );
    expect(theirs.probabilities).toHaveLength(rows.length);
    expect(ours).toHaveLength(rows.length);
    let spread = 0;
    theirs.probabilities.forEach((p, i) => {
      const mine = ours[i];
      if (!mine || !('probabilities' in mine)) throw new Error(`row ${i}: Slipway gave no probabilities`);
      expect(p).toHaveLength(2);
      for (let c = 0; c < 2; c++) expect(Math.abs((p[c] ?? NaN) - (mine.probabilities[c] ?? NaN))).toBeLessThan(1e-5);
      spread = Math.max(spread, Math.abs((p[1] ?? 0) - (theirs.probabilities[0]?.[1] ?? 0)));
    });
    // The rows are not all scored alike: equal answers are not a coincidence of a constant model.
    expect(spread).toBeGreaterThan(0.1);
  }, 600_000);

  it('writes the same objects when a registration is retried, and keeps the first MLmodel for the same manifest', async () => {
    const { manifestRef } = await trainOnnx();
    const first = await registry.registerVersion(versionInput('churn-retry', 'retry-1', { artifact: manifestRef }));
    const prefix = `${PREFIX}/mlflow-models/${manifestRef.digest.slice('sha256:'.length)}/`;
    const before = await objectsUnder(prefix);
    expect(Object.keys(before).sort()).toEqual(
      ['MLmodel', 'conda.yaml', 'model.onnx', 'python_env.yaml', 'requirements.txt'].map((f) => prefix + f),
    );
    const again = await registry.registerVersion(versionInput('churn-retry', 'retry-1', { artifact: manifestRef }));
    expect(again).toMatchObject({ created: false, version: { version: first.version.version } });
    // Another version of the same manifest shares the directory; nothing in it is rewritten.
    const other = await registry.registerVersion(versionInput('churn-retry', 'retry-2', { artifact: manifestRef }));
    expect(other.created).toBe(true);
    expect(await sourceOf('churn-retry', other.version.version)).toBe(store.directoryUri(manifestRef.digest));
    expect(await objectsUnder(prefix)).toEqual(before);

    const mlmodel = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${prefix}MLmodel` }));
    const parsed = parse((await mlmodel.Body?.transformToString()) ?? '') as {
      flavors: Record<string, Record<string, unknown>>;
      mlflow_version: string;
    };
    expect(parsed.flavors.onnx).toMatchObject({ data: 'model.onnx', onnx_version: '1.23.2' });
    expect(parsed.flavors.python_function).toMatchObject({ loader_module: 'mlflow.onnx', data: 'model.onnx' });
    expect(parsed.mlflow_version).toMatch(/^3\./);
  }, 600_000);

  it('keeps the artifact URI as the source of a version of another kind', async () => {
    const model = await artifacts.putJson({ kind: 'logistic-regression', weights: [0.5], bias: 0 });
    const { version } = await registry.registerVersion(versionInput('churn-json', 'json-1', { artifact: model }));
    expect(await sourceOf('churn-json', version.version)).toBe(model.uri);
  });

  it('refuses an ONNX manifest that is not valid, naming the field, and registers nothing', async () => {
    const { manifest } = await trainOnnx();
    const { classes: _dropped, ...withoutClasses } = manifest;
    const bad = await artifacts.putJson(withoutClasses);
    const failure = await failureOf(registry.registerVersion(versionInput('churn-bad', 'bad-1', { artifact: bad })));
    expect(failureType(failure)).toBe('SlipwayInvalidInput');
    expect(failure.message).toContain('classes');
    expect(failure.message).toContain(bad.uri);
    expect(await registry.listVersions('churn-bad')).toEqual([]);
  }, 600_000);
});
