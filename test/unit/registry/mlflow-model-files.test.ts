/**
 * The MLflow Model directory of an ONNX version: the files (as `mlflow.onnx.save_model` writes them), the
 * signature by task, idempotent writes, which artifacts become MLflow Models, and the refusals.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { failureType, type OnnxModelManifest } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import type { ArtifactStore } from '../../../packages/activities/src/ports.js';
import {
  MlflowFailureType,
  createMlflowClient,
  type MlflowClient,
} from '../../../packages/activities/src/registry/mlflow-client.js';
import {
  DEFAULT_MLFLOW_ONNX_ENVIRONMENT,
  environmentFiles,
  mlflowOnnxSignature,
  mlmodelFile,
  type MlflowModelFile,
} from '../../../packages/activities/src/registry/mlflow-model-files.js';
import type { MlflowModelStore } from '../../../packages/activities/src/registry/mlflow-model-store.js';
import {
  mlflowVersionSource,
  writeMlflowOnnxModel,
} from '../../../packages/activities/src/registry/mlflow-onnx-source.js';
import { createLocalMlflowModelStore } from '../../../packages/activities/src/registry/mlflow-model-store.js';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LOOPBACK } from '../../../packages/worker/src/dev-server/ports.js';
import { failureOf } from './registry-fixtures.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const MODEL_REF = { uri: 'file:///models/x.onnx', digest: `sha256:${'cd'.repeat(32)}`, size: 10 };
const ENVIRONMENT = { ...DEFAULT_MLFLOW_ONNX_ENVIRONMENT, mlflow: '3.17.2' };

function manifest(task: OnnxModelManifest['task'], overrides: Partial<OnnxModelManifest> = {}): OnnxModelManifest {
  const classifier = task !== 'regression';
  return {
    kind: 'onnx',
    task,
    features: { numeric: ['tenure', 'charges'], categorical: ['plan'], target: 'y' },
    ...(classifier ? { classes: task === 'binary' ? [0, 1] : ['a', 'b', 'c'] } : {}),
    signature: {
      inputs: [
        { name: 'tenure', type: 'float' },
        { name: 'charges', type: 'double' },
        { name: 'plan', type: 'string' },
      ],
      outputs: classifier
        ? [
            { name: 'label', type: task === 'binary' ? 'int' : 'string' },
            { name: 'probabilities', type: 'float' },
          ]
        : [{ name: 'variable', type: 'float' }],
    },
    outputs: classifier ? { label: 'label', probabilities: 'probabilities' } : { value: 'variable' },
    model: MODEL_REF,
    ...overrides,
  };
}

describe('MLflow Model files of an ONNX model', () => {
  it('declares one [-1, 1] tensor per graph input and the outputs the manifest names, by task', () => {
    const binary = mlflowOnnxSignature(manifest('binary'));
    expect(JSON.parse(binary.inputs)).toEqual([
      { name: 'tenure', type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 1] } },
      { name: 'charges', type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 1] } },
      { name: 'plan', type: 'tensor', 'tensor-spec': { dtype: 'object', shape: [-1, 1] } },
    ]);
    // Stored as Python's json.dumps writes it.
    expect(binary.inputs).toMatch(/^\[\{"name": "tenure", "type": "tensor", "tensor-spec": \{"dtype": "float32"/);
    expect(JSON.parse(binary.outputs)).toEqual([
      { name: 'label', type: 'tensor', 'tensor-spec': { dtype: 'int64', shape: [-1] } },
      { name: 'probabilities', type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 2] } },
    ]);
    const multiclass = JSON.parse(mlflowOnnxSignature(manifest('multiclass')).outputs) as unknown[];
    expect(multiclass).toEqual([
      { name: 'label', type: 'tensor', 'tensor-spec': { dtype: 'object', shape: [-1] } },
      { name: 'probabilities', type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 3] } },
    ]);
    expect(JSON.parse(mlflowOnnxSignature(manifest('regression')).outputs)).toEqual([
      { name: 'variable', type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 1] } },
    ]);
  });

  it('writes MLmodel with the onnx and python_function flavors, sorted keys, and a uuid from the digest', () => {
    const at = new Date('2026-12-02T17:22:41.603Z');
    const text = mlmodelFile({
      manifest: manifest('binary'),
      manifestDigest: DIGEST,
      onnxSize: 4103,
      environment: ENVIRONMENT,
      createdAt: at,
    });
    const model = parse(text) as Record<string, unknown>;
    expect(Object.keys(model)).toEqual([...Object.keys(model)].sort());
    expect(model).toMatchObject({
      flavors: {
        onnx: { code: null, data: 'model.onnx', onnx_session_options: null, onnx_version: '1.23.2' },
        python_function: {
          data: 'model.onnx',
          env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
          loader_module: 'mlflow.onnx',
          python_version: '3.11',
        },
      },
      mlflow_version: '3.17.2',
      model_id: null,
      model_size_bytes: 4103,
      model_uuid: 'ab'.repeat(16),
      signature: { ...mlflowOnnxSignature(manifest('binary')), params: null },
      utc_time_created: '2026-12-02 17:22:41.603000',
    });
    const again = mlmodelFile({
      manifest: manifest('binary'),
      manifestDigest: DIGEST,
      onnxSize: 4103,
      environment: ENVIRONMENT,
      createdAt: at,
    });
    expect(again).toBe(text);
  });

  it('pins the environment MLflow records, with the versions the install script puts next to MLflow', async () => {
    const files = Object.fromEntries(environmentFiles(ENVIRONMENT).map((f) => [f.name, f.bytes.toString('utf8')]));
    expect(files['requirements.txt']).toBe('mlflow==3.17.2\nnumpy==2.4.6\nonnx==1.23.2\nonnxruntime==1.31.1');
    expect(parse(files['python_env.yaml'] ?? '')).toEqual({
      python: '3.11',
      build_dependencies: ['pip', 'setuptools', 'wheel'],
      dependencies: ['-r requirements.txt'],
    });
    expect(parse(files['conda.yaml'] ?? '')).toEqual({
      channels: ['conda-forge'],
      dependencies: ['python=3.11', 'pip', { pip: files['requirements.txt']?.split('\n') }],
      name: 'mlflow-env',
    });
    const script = await readFile(resolve(import.meta.dirname, '../../../scripts/install-mlflow.sh'), 'utf8');
    expect(script).toContain(`onnx==${DEFAULT_MLFLOW_ONNX_ENVIRONMENT.onnx} `);
    expect(script).toContain(`onnxruntime==${DEFAULT_MLFLOW_ONNX_ENVIRONMENT.onnxruntime} `);
  });
});

/** An MLflow Model store in memory, counting the writes that changed something. */
function memoryStore(): MlflowModelStore & { files: Map<string, Buffer>; changes: number } {
  const files = new Map<string, Buffer>();
  const store = {
    files,
    changes: 0,
    location: 'memory://mlflow-models',
    directoryUri: (digest: string) => `memory://mlflow-models/${digest.slice(7)}`,
    has: (digest: string, name: string) => Promise.resolve(files.has(`${digest}/${name}`)),
    put: (digest: string, file: MlflowModelFile) => {
      const key = `${digest}/${file.name}`;
      if (!files.get(key)?.equals(file.bytes)) store.changes++;
      files.set(key, file.bytes);
      return Promise.resolve();
    },
    close: () => undefined,
  };
  return store;
}

describe('mlflowVersionSource', () => {
  let dir: string;
  let artifacts: ArtifactStore;
  const client = { version: () => Promise.resolve('3.17.2') } as MlflowClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-mlflow-model-'));
    artifacts = createFsArtifactStore(dir);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function onnxManifestRef(overrides: Partial<OnnxModelManifest> = {}) {
    const model = await artifacts.putBytes(Buffer.from('not really onnx, but bytes'), { extension: '.onnx' });
    return artifacts.putJson(manifest('binary', { model, ...overrides }));
  }

  it('writes the directory of an ONNX manifest and names it; a retry writes the same objects and keeps MLmodel', async () => {
    const store = memoryStore();
    const ref = await onnxManifestRef();
    let clock = new Date('2026-12-02T10:00:00Z');
    const ctx = { client, now: () => clock, models: { artifacts, store } };
    expect(await mlflowVersionSource(ctx, 'churn', ref)).toBe(store.directoryUri(ref.digest));
    expect([...store.files.keys()].map((k) => k.split('/')[1]).sort()).toEqual([
      'MLmodel',
      'conda.yaml',
      'model.onnx',
      'python_env.yaml',
      'requirements.txt',
    ]);
    expect(store.files.get(`${ref.digest}/model.onnx`)?.toString()).toBe('not really onnx, but bytes');
    const written = new Map(store.files);
    const changes = store.changes;
    clock = new Date('2026-12-03T10:00:00Z');
    expect(await mlflowVersionSource(ctx, 'churn', ref)).toBe(store.directoryUri(ref.digest));
    expect(store.changes).toBe(changes);
    expect(store.files).toEqual(written);
  });

  it('keeps the artifact URI for other kinds, non-JSON artifacts, and registries without MLflow Models', async () => {
    const store = memoryStore();
    const ctx = { client, now: () => new Date(), models: { artifacts, store } };
    const json = await artifacts.putJson({ kind: 'logistic-regression', weights: [1] });
    expect(await mlflowVersionSource(ctx, 'churn', json)).toBe(`slipway-artifact:/${json.digest.replace(':', '/')}`);
    const onnx = await onnxManifestRef();
    const bytes = await artifacts.putBytes(Buffer.from('{"kind":"onnx"}'));
    expect(await mlflowVersionSource(ctx, 'churn', bytes)).toBe(`slipway-artifact:/${bytes.digest.replace(':', '/')}`);
    expect(await mlflowVersionSource({ client, now: () => new Date() }, 'churn', onnx)).toBe(
      `slipway-artifact:/${onnx.digest.replace(':', '/')}`,
    );
    expect(store.changes).toBe(0);
  });

  it('refuses an invalid ONNX manifest, naming the field and the artifact, and writes nothing', async () => {
    const store = memoryStore();
    const ref = await onnxManifestRef({ outputs: { label: 'label' } });
    const failure = await failureOf(
      mlflowVersionSource({ client, now: () => new Date(), models: { artifacts, store } }, 'churn', ref),
    );
    expect(failureType(failure)).toBe('SlipwayInvalidInput');
    expect(failure.message).toContain('outputs.probabilities');
    expect(failure.message).toContain(ref.uri);
    expect(store.changes).toBe(0);
  });

  it('refuses a manifest whose ONNX reference does not match its digest (the store checks it), and writes nothing', async () => {
    const store = memoryStore();
    const model = await artifacts.putBytes(Buffer.from('the real bytes'));
    const other = await artifacts.putBytes(Buffer.from('other bytes'));
    const ref = await artifacts.putJson(manifest('binary', { model: { ...model, digest: other.digest } }));
    const failure = await failureOf(
      mlflowVersionSource({ client, now: () => new Date(), models: { artifacts, store } }, 'churn', ref),
    );
    expect(failureType(failure)).toBe('SlipwayInvalidInput');
    expect(failure.message).toContain('refusing to read it');
    expect(store.changes).toBe(0);
  });
});

describe('writeMlflowOnnxModel into a local folder', () => {
  it('writes the directory of a manifest, and refuses an artifact that is not one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-mlflow-local-'));
    try {
      const artifacts = createFsArtifactStore(join(dir, 'artifacts'));
      const model = await artifacts.putBytes(Buffer.from('onnx bytes'));
      const ref = await artifacts.putJson(manifest('regression', { model }));
      const store = createLocalMlflowModelStore(join(dir, 'models'));
      const uri = await writeMlflowOnnxModel({ artifacts, store, manifest: ref, environment: ENVIRONMENT });
      expect(uri).toBe(store.directoryUri(ref.digest));
      const folder = fileURLToPath(uri);
      expect((await readdir(folder)).sort()).toEqual([
        'MLmodel',
        'conda.yaml',
        'model.onnx',
        'python_env.yaml',
        'requirements.txt',
      ]);
      expect(await readFile(join(folder, 'model.onnx'), 'utf8')).toBe('onnx bytes');
      const other = await artifacts.putJson({ kind: 'logistic-regression', weights: [1] });
      const failure = await failureOf(
        writeMlflowOnnxModel({ artifacts, store, manifest: other, environment: ENVIRONMENT }),
      );
      expect(failureType(failure)).toBe('SlipwayInvalidInput');
      expect(failure.message).toContain(other.uri);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('MLflow client: the server version', () => {
  it('reads the version, and refuses an answer that is not one, naming the URL', async () => {
    let answer = '3.17.2';
    const server = createServer((_req, res) => res.end(answer));
    await new Promise<void>((done) => server.listen(0, LOOPBACK, done));
    try {
      const url = `http://${LOOPBACK}:${(server.address() as AddressInfo).port}`;
      expect(await createMlflowClient(url).version()).toBe('3.17.2');
      answer = '<html>not mlflow</html>';
      const failure = await failureOf(createMlflowClient(url).version());
      expect(failureType(failure)).toBe(MlflowFailureType.BadResponse);
      expect(failure.message).toContain(`${url}/version`);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});
