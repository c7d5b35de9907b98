import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsArtifactStore } from '../../../../packages/activities/src/artifacts/fs-artifact-store.js';
import type { ArtifactStore, ModelOutput, Predictor } from '../../../../packages/activities/src/ports.js';
import {
  builtinPredictors,
  cachedOnnxSessions,
  onnxManifestFor,
} from '../../../../packages/activities/src/train/index.js';
import { failureType, type OnnxModelManifest } from '../../../../packages/sdk/src/index.js';
import { failureOf } from '../../../support/failures.js';
import { MODEL_ROWS, makeSklearnModels, type SklearnModel } from './sklearn-models.js';

let dir: string;
let store: ArtifactStore;
let models: Awaited<ReturnType<typeof makeSklearnModels>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-onnx-'));
  models = await makeSklearnModels(dir);
  store = createFsArtifactStore(join(dir, 'store'));
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function manifestOf(model: SklearnModel): Promise<OnnxModelManifest> {
  return onnxManifestFor({
    task: model.task,
    features: { numeric: model.numeric, categorical: model.categorical, target: model.target },
    signature: model.signature,
    classes: model.classes,
    model: await store.putBytes(model.onnx, { mediaType: 'application/octet-stream' }),
  });
}

async function load(manifest: unknown, artifacts: ArtifactStore = store): Promise<Predictor> {
  const loader = builtinPredictors.onnx;
  if (loader === undefined) throw new Error('no onnx loader registered');
  return loader(manifest as OnnxModelManifest, { artifacts });
}

/** The largest |a − b| between the predictor's probabilities and scikit-learn's. */
function largestProbabilityGap(outputs: readonly ModelOutput[], expected: number[][]): number {
  let gap = 0;
  outputs.forEach((output, i) => {
    if (!('probabilities' in output)) throw new Error(`row ${i + 1}: no probabilities`);
    const row = expected[i] as number[];
    expect(output.probabilities).toHaveLength(row.length);
    row.forEach((p, k) => (gap = Math.max(gap, Math.abs((output.probabilities[k] as number) - p))));
  });
  return gap;
}

describe('the ONNX predictor on scikit-learn models', () => {
  it.each(['binary', 'multiclass'] as const)(
    '%s: probabilities equal predict_proba on the same float32 inputs within 1e-5 on 1,000 rows',
    async (name) => {
      const model = models[name];
      const predictor = await load(await manifestOf(model));
      expect(predictor).toMatchObject({ kind: 'onnx', task: model.task, classes: model.classes });
      const outputs = await predictor.predict(model.rows);
      expect(outputs).toHaveLength(MODEL_ROWS);
      expect(largestProbabilityGap(outputs, model.expected as number[][])).toBeLessThan(1e-5);
    },
  );

  it('regression: values equal predict on the same float32 inputs within a relative 1e-5 on 1,000 rows', async () => {
    const model = models.regression;
    const manifest = await manifestOf(model);
    expect(manifest.outputs).toEqual({ value: 'variable' });
    const outputs = await (await load(manifest)).predict(model.rows);
    expect(outputs).toHaveLength(MODEL_ROWS);
    const expected = model.expected as number[];
    outputs.forEach((output, i) => {
      if (!('value' in output)) throw new Error(`row ${i + 1}: no value`);
      const want = expected[i] as number;
      expect(Math.abs(output.value - want) / Math.max(1, Math.abs(want))).toBeLessThan(1e-5);
    });
  });

  it('double inputs: a float64 graph is fed float64 values, equal to predict within 1e-9', async () => {
    const model = models.double;
    const manifest = await manifestOf(model);
    expect(manifest.signature.inputs.slice(0, 2).map((i) => i.type)).toEqual(['double', 'double']);
    const outputs = await (await load(manifest)).predict(model.rows);
    const expected = model.expected as number[];
    outputs.forEach((output, i) => {
      if (!('value' in output)) throw new Error(`row ${i + 1}: no value`);
      expect(Math.abs(output.value - (expected[i] as number))).toBeLessThan(1e-9);
    });
    // The same graph declared float is refused at load: its inputs are float64.
    const inputs = manifest.signature.inputs.map((i) => (i.type === 'double' ? { ...i, type: 'float' as const } : i));
    const err = await failureOf(load({ ...manifest, signature: { ...manifest.signature, inputs } }));
    expect((err as Error).message).toMatch(/input "tenure" of the ONNX graph is float64, but the signature says float/);
  });

  it('scores a categorical value the model never saw, and a numeric string, as scikit-learn would', async () => {
    const model = models.binary;
    const predictor = await load(await manifestOf(model));
    const row = model.rows[0] as Record<string, string | number>;
    const [asString] = await predictor.predict([{ ...row, tenure: String(row.tenure) }]);
    const [asNumber] = await predictor.predict([row]);
    expect(asString).toEqual(asNumber);
    const [unseen] = await predictor.predict([{ ...row, plan: 'enterprise' }]);
    expect(unseen && 'probabilities' in unseen && unseen.probabilities).toHaveLength(2);
  });

  it('re-loading the same ONNX bytes reuses the cached session without reading the bytes again', async () => {
    const manifest = await manifestOf(models.multiclass);
    await load(manifest);
    const sessions = cachedOnnxSessions();
    let reads = 0;
    const counting: ArtifactStore = { ...store, getBytes: (ref) => (reads++, store.getBytes(ref)) };
    const again = await load(manifest, counting);
    expect(reads).toBe(0);
    expect(cachedOnnxSessions()).toBe(sessions);
    const [output] = await again.predict(models.multiclass.rows.slice(0, 1));
    expect(output && 'probabilities' in output && output.probabilities).toHaveLength(3);
  });
});

describe('the ONNX loader refuses', () => {
  it('a manifest whose feature is not an input of the signature, naming the feature', async () => {
    const manifest = await manifestOf(models.binary);
    const err = await failureOf(
      load({ ...manifest, features: { ...manifest.features, numeric: [...manifest.features.numeric, 'age'] } }),
    );
    expect(failureType(err)).toBe('SlipwayInvalidInput');
    expect((err as Error).message).toMatch(/signature\.inputs: feature "age" is not a model input/);
  });

  it('a feature the signature declares but the graph does not have, naming the input', async () => {
    const manifest = await manifestOf(models.binary);
    const err = await failureOf(
      load({
        ...manifest,
        features: { ...manifest.features, numeric: [...manifest.features.numeric, 'age'] },
        signature: { ...manifest.signature, inputs: [...manifest.signature.inputs, { name: 'age', type: 'float' }] },
      }),
    );
    expect(failureType(err)).toBe('SlipwayInvalidInput');
    expect((err as Error).message).toMatch(/input "age" is not an input of the ONNX graph/);
  });

  it('a graph input that is not a feature, naming it', async () => {
    const manifest = await manifestOf(models.binary);
    const err = await failureOf(
      load({
        ...manifest,
        features: { ...manifest.features, categorical: ['plan'] },
        signature: { ...manifest.signature, inputs: manifest.signature.inputs.filter((i) => i.name !== 'region') },
      }),
    );
    expect(failureType(err)).toBe('SlipwayInvalidInput');
    expect((err as Error).message).toMatch(/the ONNX graph has input "region", which is not in the signature/);
  });

  it('a signature type the graph does not have (double for a float input), naming the input', async () => {
    const manifest = await manifestOf(models.binary);
    const inputs = manifest.signature.inputs.map((i) => (i.name === 'charges' ? { ...i, type: 'double' as const } : i));
    const err = await failureOf(load({ ...manifest, signature: { ...manifest.signature, inputs } }));
    expect(failureType(err)).toBe('SlipwayInvalidInput');
    expect((err as Error).message).toMatch(
      /input "charges" of the ONNX graph is float32, but the signature says double/,
    );
  });

  it('a signature type that does not fit the feature (a numeric feature with a string input), naming the field', async () => {
    const manifest = await manifestOf(models.binary);
    const inputs = manifest.signature.inputs.map((i) => (i.name === 'tenure' ? { ...i, type: 'string' as const } : i));
    const err = await failureOf(load({ ...manifest, signature: { ...manifest.signature, inputs } }));
    expect(failureType(err)).toBe('SlipwayInvalidInput');
    expect((err as Error).message).toMatch(
      /signature\.inputs\.0\.type: input "tenure" is string, but numeric feature "tenure" needs float or double/,
    );
  });

  it('more classes than the graph has probability columns', async () => {
    const manifest = await manifestOf(models.multiclass);
    const err = await failureOf(load({ ...manifest, classes: [...(manifest.classes ?? []), 'platinum'] }));
    expect(failureType(err)).toBe('SlipwayInvalidInput');
    expect((err as Error).message).toMatch(
      /output "probabilities" of the ONNX graph has 3 probability columns, but the model names 4 classes/,
    );
  });

  it('a probability output the graph does not have, naming it', async () => {
    const manifest = await manifestOf(models.binary);
    const err = await failureOf(load({ ...manifest, outputs: { probabilities: 'output_probability' } }));
    expect((err as Error).message).toMatch(
      /output "output_probability" \(probabilities\) is not an output of the ONNX graph/,
    );
  });

  it('ONNX bytes that do not match the manifest digest (a corrupted file)', async () => {
    const manifest = await manifestOf(models.regression);
    // A model no test loaded yet (the regression graph with a doc_string field appended: protobuf field 6), so
    // that no cached session answers for its digest and the loader must read its bytes.
    const doc = Buffer.from('corrupted-file test');
    const fresh = Buffer.concat([models.regression.onnx, Buffer.from([0x32, doc.length]), doc]);
    const ref = await store.putBytes(fresh);
    const path = fileURLToPath(ref.uri);
    const corrupted = Buffer.from(fresh);
    const middle = corrupted.length >> 1;
    corrupted[middle] = (corrupted[middle] as number) ^ 0xff;
    await chmod(path, 0o644);
    await writeFile(path, corrupted);
    const err = await failureOf(load({ ...manifest, model: ref }));
    expect(failureType(err)).toBe('SlipwayDigestMismatch');
    // The same bytes, intact, load and predict: the refusal was the corruption's.
    await writeFile(path, fresh);
    const [output] = await (await load({ ...manifest, model: ref })).predict(models.regression.rows.slice(0, 1));
    expect(output && 'value' in output && output.value).toBeCloseTo(models.regression.expected[0] as number, 3);
  });

  it('bytes that are not an ONNX model, naming the file', async () => {
    const manifest = await manifestOf(models.regression);
    const junk = await store.putBytes(Buffer.from('this is not an ONNX protobuf, just text'));
    const err = await failureOf(load({ ...manifest, model: junk }));
    expect(failureType(err)).toBe('SlipwayInvalidInput');
    expect((err as Error).message).toContain(`The ONNX file ${junk.uri}`);
    expect((err as Error).message).toMatch(/is not a model ONNX Runtime can load/);
    // A failed load is not cached: loading again reads the bytes again (and fails again).
    let reads = 0;
    const counting: ArtifactStore = { ...store, getBytes: (ref) => (reads++, store.getBytes(ref)) };
    const again = await failureOf(load({ ...manifest, model: junk }, counting));
    expect(reads).toBe(1);
    expect(failureType(again)).toBe('SlipwayInvalidInput');
  });

  it('a manifest of another kind or with a missing field, naming the field', async () => {
    const manifest = await manifestOf(models.binary);
    const { outputs: _outputs, ...withoutOutputs } = manifest;
    const err = await failureOf(load(withoutOutputs));
    expect(failureType(err)).toBe('SlipwayInvalidInput');
    expect((err as Error).message).toMatch(/Not a valid ONNX model manifest: outputs:/);
  });
});

describe('predict refuses a row it cannot read, naming the feature', () => {
  it('a numeric feature that is not a number', async () => {
    const predictor = await load(await manifestOf(models.binary));
    const row = models.binary.rows[0] as Record<string, string | number>;
    const err = await failureOf(predictor.predict([row, { ...row, charges: 'seventy' }]));
    expect((err as Error).message).toMatch(/Row 2: Feature "charges": expected a number, got "seventy"/);
  });

  it('a categorical feature that is an object', async () => {
    const predictor = await load(await manifestOf(models.binary));
    const row = models.binary.rows[0] as Record<string, string | number>;
    const bad = { ...row, plan: { tier: 'pro' } } as unknown as Record<string, string>;
    const err = await failureOf(predictor.predict([bad]));
    expect((err as Error).message).toMatch(/Row 1: Feature "plan": expected a string, number or boolean/);
  });
});
