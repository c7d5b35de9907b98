import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsArtifactStore } from '../../../../packages/activities/src/artifacts/fs-artifact-store.js';
import type { ModelOutput, Predictor, TypedRow } from '../../../../packages/activities/src/ports.js';
import {
  evaluateModel,
  loadOnnxModel,
  onnxManifestFor,
  taskMetrics,
} from '../../../../packages/activities/src/train/index.js';
import { PredictionProfile, failureType, type ClassLabel, type Metrics } from '../../../../packages/sdk/src/index.js';
import { failureOf } from '../../../support/failures.js';
import { runPython } from '../../../support/python.js';
import { MODEL_ROWS, makeSklearnModels, type SklearnModel } from './sklearn-models.js';

let dir: string;
let models: Awaited<ReturnType<typeof makeSklearnModels>>;
const predictors: Partial<Record<'binary' | 'multiclass' | 'regression', Predictor>> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-metrics-'));
  models = await makeSklearnModels(dir);
  const store = createFsArtifactStore(join(dir, 'store'));
  for (const name of ['binary', 'multiclass', 'regression'] as const) {
    const model: SklearnModel = models[name];
    const manifest = onnxManifestFor({
      task: model.task,
      features: { numeric: model.numeric, categorical: model.categorical, target: model.target },
      signature: model.signature,
      classes: model.classes,
      model: await store.putBytes(model.onnx),
    });
    predictors[name] = await loadOnnxModel(manifest, { artifacts: store });
  }
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** scikit-learn's metrics of the same predictions: class indices and probability rows, or values. */
const SKLEARN = String.raw`
import numpy as np
from sklearn import metrics as m
task = data["task"]
if task == "regression":
    y, p = np.array(data["truth"], dtype=float), np.array(data["values"], dtype=float)
    result = {"rmse": m.root_mean_squared_error(y, p), "mae": m.mean_absolute_error(y, p), "r2": m.r2_score(y, p)}
    if np.all(y != 0):
        result["mape"] = m.mean_absolute_percentage_error(y, p)
else:
    y, proba = np.array(data["truth"]), np.array(data["probabilities"], dtype=float)
    k = proba.shape[1]
    if task == "binary":
        pred = (proba[:, 1] >= 0.5).astype(int)
        result = {"accuracy": m.accuracy_score(y, pred), "logLoss": m.log_loss(y, proba, labels=[0, 1]),
                  "f1": m.f1_score(y, pred), "precision": m.precision_score(y, pred), "recall": m.recall_score(y, pred)}
        if len(set(y.tolist())) == 2:
            result["auc"] = m.roc_auc_score(y, proba[:, 1])
    else:
        pred = np.argmax(proba, axis=1)
        result = {"accuracy": m.accuracy_score(y, pred), "macroF1": m.f1_score(y, pred, average="macro"),
                  "logLoss": m.log_loss(y, proba, labels=list(range(k)))}
`;

function sklearnMetrics(task: string, truth: number[], outputs: readonly ModelOutput[]): Promise<Metrics> {
  const probabilities = outputs.map((o) => ('probabilities' in o ? o.probabilities : []));
  const values = outputs.map((o) => ('value' in o ? o.value : Number.NaN));
  return runPython<Metrics>(SKLEARN, task === 'regression' ? { task, truth, values } : { task, truth, probabilities });
}

function expectSameMetrics(ours: Metrics, theirs: Metrics, names?: readonly string[]): void {
  if (names) expect(Object.keys(theirs).sort()).toEqual([...names].sort());
  for (const [name, value] of Object.entries(theirs)) {
    expect(ours[name], name).toBeDefined();
    expect(Math.abs((ours[name] as number) - value), `${name}: ${ours[name]} vs scikit-learn ${value}`).toBeLessThan(
      1e-9,
    );
  }
}

function classIndex(classes: readonly ClassLabel[], truth: readonly (string | number)[]): number[] {
  return truth.map((t) => classes.findIndex((c) => c === t));
}

describe('taskMetrics equals sklearn.metrics on the same predictions within 1e-9', () => {
  it('binary (GradientBoosting + ColumnTransformer): accuracy, AUC, log loss, F1, precision, recall', async () => {
    const model = models.binary;
    const predictor = predictors.binary as Predictor;
    const outputs = await predictor.predict(model.rows);
    const ours = taskMetrics(predictor, model.truth, outputs);
    expect(Object.keys(ours).sort()).toEqual(
      ['accuracy', 'auc', 'f1', 'logLoss', 'positiveRate', 'precision', 'predictedPositiveRate', 'recall'].sort(),
    );
    expect(ours.auc).toBeGreaterThan(0.75); // a real model, not a constant
    const names = ['accuracy', 'auc', 'logLoss', 'f1', 'precision', 'recall'];
    expectSameMetrics(
      ours,
      await sklearnMetrics('binary', classIndex(model.classes ?? [], model.truth), outputs),
      names,
    );
  });

  it('multiclass (string classes): accuracy, macro-F1, log loss', async () => {
    const model = models.multiclass;
    const predictor = predictors.multiclass as Predictor;
    const outputs = await predictor.predict(model.rows);
    const ours = taskMetrics(predictor, model.truth, outputs);
    expect(Object.keys(ours).sort()).toEqual(['accuracy', 'logLoss', 'macroF1']);
    expect(ours.accuracy).toBeGreaterThan(0.6);
    const truth = classIndex(model.classes ?? [], model.truth);
    expect(new Set(truth)).toEqual(new Set([0, 1, 2]));
    expectSameMetrics(ours, await sklearnMetrics('multiclass', truth, outputs), ['accuracy', 'macroF1', 'logLoss']);
  });

  it('regression: RMSE, MAE, R², MAPE', async () => {
    const model = models.regression;
    const predictor = predictors.regression as Predictor;
    const outputs = await predictor.predict(model.rows);
    const ours = taskMetrics(predictor, model.truth, outputs);
    expect(Object.keys(ours).sort()).toEqual(['mae', 'mape', 'r2', 'rmse']);
    expect(ours.r2).toBeGreaterThan(0.6);
    const names = ['rmse', 'mae', 'r2', 'mape'];
    expectSameMetrics(ours, await sklearnMetrics('regression', model.truth as number[], outputs), names);
  });

  it('edge cases: tied scores, a class absent from truth and predictions, probabilities of 0, constant targets', async () => {
    const binary = { task: 'binary' as const, classes: [0, 1] };
    const tied = [0.5, 0.5, 0.2, 0.9, 0.2, 0.5].map((p) => ({ probabilities: [1 - p, p] }));
    const tiedTruth = [0, 1, 0, 1, 1, 0];
    expectSameMetrics(taskMetrics(binary, tiedTruth, tied), await sklearnMetrics('binary', tiedTruth, tied));

    const multi = { task: 'multiclass' as const, classes: ['a', 'b', 'c', 'd'] };
    const rows = [
      [0.7, 0.3, 0, 0],
      [0.1, 0.9, 0, 0],
      [0, 0.2, 0.8, 0],
      [1, 0, 0, 0],
      [0.25, 0.25, 0.25, 0.25],
    ].map((probabilities) => ({ probabilities }));
    const truth = ['a', 'b', 'b', 'c', 'a'];
    const ours = taskMetrics(multi, truth, rows);
    expectSameMetrics(ours, await sklearnMetrics('multiclass', classIndex(multi.classes, truth), rows));

    const regression = { task: 'regression' as const };
    const values = [3, 3.5, 2.5].map((value) => ({ value }));
    const constant = taskMetrics(regression, [3, 3, 3], values);
    expectSameMetrics(constant, await sklearnMetrics('regression', [3, 3, 3], values));
    expect(
      taskMetrics(
        regression,
        [3, 3, 3],
        [3, 3, 3].map((value) => ({ value })),
      ).r2,
    ).toBe(1);
  });
});

describe('taskMetrics matches truth to classes by value', () => {
  it('a CSV-read 1 and a class "1", booleans and "True", numeric strings: the same metrics as exact matches', () => {
    const outputs = [0.2, 0.8, 0.6, 0.3].map((p) => ({ probabilities: [1 - p, p] }));
    const exact = taskMetrics({ task: 'binary', classes: [0, 1] }, [0, 1, 1, 0], outputs);
    expect(taskMetrics({ task: 'binary', classes: ['0', '1'] }, [0, 1, 1, 0], outputs)).toEqual(exact);
    expect(taskMetrics({ task: 'binary', classes: [0, 1] }, ['0', '1.0', ' 1', '0'], outputs)).toEqual(exact);
    expect(taskMetrics({ task: 'binary', classes: [false, true] }, [false, true, true, false], outputs)).toEqual(exact);
    expect(taskMetrics({ task: 'binary', classes: ['False', 'True'] }, [false, true, true, false], outputs)).toEqual(
      exact,
    );
    expect(
      taskMetrics({ task: 'binary', classes: [false, true] }, ['false', 'TRUE', 'true', 'False'], outputs),
    ).toEqual(exact);
  });

  it('refuses a target that is not one of the classes, naming the row and the value', () => {
    const outputs = [0.2, 0.8].map((p) => ({ probabilities: [1 - p, p] }));
    const err = (() => {
      try {
        taskMetrics({ task: 'binary', classes: ['no', 'yes'] }, ['no', 'maybe'], outputs, { target: 'churned' });
      } catch (e) {
        return e;
      }
    })();
    expect(failureType(err)).toBe('SlipwayInvalidInput');
    expect((err as Error).message).toBe(
      `Held-out row 2: target "churned" is "maybe", which is not one of the model's classes ("no", "yes")`,
    );
    expect(() => taskMetrics({ task: 'binary', classes: [0, 1] }, [0, null], outputs)).toThrow(
      /Held-out row 2: the target is null, which is not one of the model's classes \(0, 1\)/,
    );
    // Two classes with the same text: a loose match would be a guess, so it is refused.
    expect(() =>
      taskMetrics(
        { task: 'multiclass', classes: [1, '1', 2] },
        [1, '1.0'],
        [{ probabilities: [1, 0, 0] }, { probabilities: [0, 1, 0] }],
      ),
    ).toThrow(/Held-out row 2: the target is "1\.0"/);
  });

  it('refuses a regression target that is not a number, an output that does not fit the task, and no rows', () => {
    expect(() => taskMetrics({ task: 'regression' }, [1, 'n/a'], [{ value: 1 }, { value: 2 }])).toThrow(
      /Held-out row 2: the target is "n\/a", not a finite number/,
    );
    expect(() =>
      taskMetrics(
        { task: 'binary', classes: [0, 1] },
        [0, 1],
        [{ probabilities: [0.5, 0.5] }, { probabilities: [0.2, 0.2] }],
      ),
    ).toThrow(/held-out row 2 does not fit a binary model: the class probabilities sum to 0\.4/);
    expect(() => taskMetrics({ task: 'regression' }, [1], [{ value: Number.NaN }])).toThrow(/row 1 does not fit/);
    expect(() => taskMetrics({ task: 'regression' }, [], [])).toThrow(/the held-out split is empty/);
  });

  it('leaves MAPE out when a target is 0, and AUC and recall out when the truth holds one class', () => {
    const regression = taskMetrics({ task: 'regression' }, [0, 2, 4], [{ value: 0.5 }, { value: 2 }, { value: 3 }]);
    expect(regression).not.toHaveProperty('mape');
    expect(regression.mae).toBeCloseTo(0.5, 12);
    const oneClass = taskMetrics(
      { task: 'binary', classes: [0, 1] },
      [0, 0],
      [{ probabilities: [0.9, 0.1] }, { probabilities: [0.4, 0.6] }],
    );
    expect(oneClass).not.toHaveProperty('auc');
    expect(oneClass).not.toHaveProperty('recall');
    expect(oneClass).toMatchObject({ precision: 0, f1: 0, accuracy: 0.5 });
  });
});

describe('evaluateModel', () => {
  it.each(['binary', 'multiclass', 'regression'] as const)(
    '%s: scores the rows in batches and returns the task metrics and a valid prediction profile',
    async (name) => {
      const model = models[name];
      const predictor = predictors[name] as Predictor;
      const rows = model.rows.map((row, i) => ({ ...row, y: model.truth[i] as string | number }));
      const { metrics, predictionProfile } = await evaluateModel(predictor, rows, 'y', { batchRows: 300 });
      expect(metrics).toEqual(taskMetrics(predictor, model.truth, await predictor.predict(model.rows)));
      const profile = PredictionProfile.parse(predictionProfile);
      expect(profile.task).toBe(name);
      expect(profile.rows).toBe(MODEL_ROWS);
      if (profile.task === 'regression') {
        expect(profile.value.count).toBe(MODEL_ROWS);
        expect(profile.value.cutPoints.length).toBeGreaterThan(0);
        expect(profile.value.binCounts.reduce((a, b) => a + b, 0)).toBe(MODEL_ROWS);
      } else {
        expect(profile.classes.map((c) => c.label)).toEqual(model.classes);
        expect(profile.classes.reduce((sum, c) => sum + c.predicted, 0)).toBe(MODEL_ROWS);
        expect(profile.classes.reduce((sum, c) => sum + c.meanScore, 0)).toBeCloseTo(1, 5);
        if (profile.task === 'binary') {
          const mean = (model.expected as number[][]).reduce((s, p) => s + (p[1] as number), 0) / MODEL_ROWS;
          expect(profile.score.mean).toBeCloseTo(mean, 5);
          expect(profile.classes[1]?.meanScore).toBeCloseTo(mean, 5);
        }
      }
    },
  );

  it('names the rows and the feature of a row the model cannot read, and stops when aborted', async () => {
    const model = models.binary;
    const predictor = predictors.binary as Predictor;
    const rows: TypedRow[] = model.rows.map((row, i) => ({ ...row, y: model.truth[i] as number }));
    rows[450] = { ...(rows[450] as TypedRow), tenure: 'long' };
    const err = await failureOf(evaluateModel(predictor, rows, 'y', { batchRows: 200 }));
    expect((err as Error).message).toMatch(
      /^Held-out rows 401–600: Row 51: Feature "tenure": expected a number, got "long"/,
    );
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(evaluateModel(predictor, rows, 'y', { signal: controller.signal })).rejects.toThrow('cancelled');
  });
});
