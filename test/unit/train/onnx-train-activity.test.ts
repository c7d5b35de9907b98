/**
 * The train activity with a scikit-learn trainer process that exports ONNX: multiclass and regression models are
 * stored as ONNX manifests, loaded through the ONNX predictor, and scored by Slipway on the held-out split, with
 * metrics that agree with scikit-learn's own on the same split, and a stored prediction profile.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  OnnxModelManifest,
  PredictionProfile,
  TrainingResult,
  type RowSchemaInput,
  type ValidationSummary,
} from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import type { ArtifactStore } from '../../../packages/activities/src/ports.js';
import { createTrainActivity, type TrainActivityDeps } from '../../../packages/activities/src/steps/train.js';
import { createValidateActivity } from '../../../packages/activities/src/steps/validate.js';
import { builtinPredictors, builtinTrainers } from '../../../packages/activities/src/train/index.js';
import { createCsvDir, type CsvDir } from '../data/fixtures.js';
import { ensurePythonTools } from '../../support/python.js';
import { customerCsv, customerSchema, customers } from './synthetic.js';

const TRAINER = resolve(import.meta.dirname, 'fixtures', 'sklearn_trainer.py');
/** The same customers, with the churn flag as an ordinary (non-null) boolean feature. */
const schema: RowSchemaInput = {
  columns: { ...customerSchema.columns, churned: { type: 'boolean' } },
};

let python: string;
let files: CsvDir;
let root: string;
let artifacts: ArtifactStore;
let validated: ValidationSummary;
let deps: TrainActivityDeps;

beforeAll(async () => {
  python = await ensurePythonTools();
}, 900_000);
beforeEach(async () => {
  files = await createCsvDir('slipway-onnx-train-');
  root = await mkdtemp(join(tmpdir(), 'slipway-onnx-train-root-'));
  artifacts = createFsArtifactStore(join(root, 'store'));
  const { uri } = await files.write('customers.csv', customerCsv(customers(800)));
  validated = await createValidateActivity({ artifacts })({ dataset: { uri }, schema });
  deps = {
    artifacts,
    trainers: { ...builtinTrainers },
    processTrainers: { sklearn: { command: [python, TRAINER], graceMs: 2000 } },
    predictors: { ...builtinPredictors },
    codeVersion: 'test-1.0.0',
    workRoot: join(root, 'work'),
  };
});
afterEach(async () => {
  await files.remove();
  await rm(root, { recursive: true, force: true });
});

async function manifestOf(result: TrainingResult): Promise<OnnxModelManifest> {
  return OnnxModelManifest.parse(await artifacts.getJson(result.model));
}

describe('the train activity with an ONNX trainer process', () => {
  it('trains a multiclass model: an ONNX manifest with the sorted classes, metrics equal to scikit-learn`s', async () => {
    const features = { numeric: ['tenure_months', 'monthly_fee'], categorical: ['churned'], target: 'plan' };
    const result = TrainingResult.parse(
      await createTrainActivity(deps)({
        dataset: validated.dataset,
        schema,
        features,
        trainer: 'sklearn',
        task: 'multiclass',
      }),
    );
    expect(result.task).toBe('multiclass');
    const manifest = await manifestOf(result);
    expect(manifest).toMatchObject({ kind: 'onnx', task: 'multiclass', classes: ['basic', 'pro', 'team'] });
    expect(manifest.outputs.probabilities).toBe('probabilities');
    expect(manifest.model.uri).toMatch(/\.onnx$/);
    expect((await artifacts.getBytes(manifest.model)).length).toBe(manifest.model.size);

    expect(Object.keys(result.metrics)).toEqual(expect.arrayContaining(['accuracy', 'macroF1', 'logLoss']));
    // Slipway scored the ONNX model itself: the same accuracy as scikit-learn on the same held-out rows.
    expect(result.metrics['accuracy']).toBeCloseTo(result.trainerMetrics?.['heldout_accuracy'] ?? NaN, 9);
    expect(result.metrics['macroF1']).toBeCloseTo(result.trainerMetrics?.['heldout_macro_f1'] ?? NaN, 9);

    const profile = PredictionProfile.parse(await artifacts.getJson(result.predictionProfile!));
    expect(profile.task).toBe('multiclass');
  });

  it('trains a regression model: RMSE and MAE from the ONNX predictions agree with scikit-learn`s', async () => {
    const features = { numeric: ['tenure_months'], categorical: ['plan'], target: 'monthly_fee' };
    const result = await createTrainActivity(deps)({
      dataset: validated.dataset,
      schema,
      features,
      trainer: 'sklearn',
      task: 'regression',
    });
    const manifest = await manifestOf(result);
    expect(manifest).toMatchObject({ kind: 'onnx', task: 'regression', outputs: { value: 'variable' } });
    expect(manifest.classes).toBeUndefined();
    expect(Object.keys(result.metrics)).toEqual(expect.arrayContaining(['rmse', 'mae', 'r2', 'mape']));
    // float32 inputs and outputs in ONNX: agreement to about 1e-5 relative.
    const rmse = result.trainerMetrics?.['heldout_rmse'] ?? NaN;
    expect(Math.abs((result.metrics['rmse'] ?? NaN) - rmse) / rmse).toBeLessThan(1e-4);
    const mae = result.trainerMetrics?.['heldout_mae'] ?? NaN;
    expect(Math.abs((result.metrics['mae'] ?? NaN) - mae) / mae).toBeLessThan(1e-4);
    expect(PredictionProfile.parse(await artifacts.getJson(result.predictionProfile!)).task).toBe('regression');
  });
});
