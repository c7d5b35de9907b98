import { describe, expect, it } from 'vitest';
import { FeatureSpec, SlipwayErrorType } from '@slipway/sdk';
import type { SerializedModel, TrainerContext, TrainingProgress } from '../../../packages/activities/src/ports.js';
import {
  LogisticRegressionModel,
  auc,
  builtinPredictors,
  builtinTrainers,
  createLogisticRegressionTrainer,
  labelsOf,
  loadLogisticRegression,
  logisticRegressionTrainer,
  sigmoid,
} from '../../../packages/activities/src/train/index.js';
import { customerRows, customers } from './synthetic.js';
import { positiveScore } from '../../support/positive-score.js';

const features = FeatureSpec.parse({
  numeric: ['tenure_months', 'monthly_fee'],
  categorical: ['plan'],
  target: 'churned',
});
const rows = customerRows(customers(400));

function context(overrides: Partial<TrainerContext> = {}, progress: TrainingProgress[] = []): TrainerContext {
  return {
    checkpoint: undefined,
    progress: (p) => progress.push(p),
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { type?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { type?: string };
  }
  throw new Error('expected a rejection');
}

describe('logistic-regression trainer', () => {
  it('learns the synthetic churn signal and serializes a self-contained model', async () => {
    const result = await logisticRegressionTrainer.train({ rows, features, params: {}, seed: 1 }, context());
    const model = LogisticRegressionModel.parse(result.model);
    expect(result.params).toEqual({
      epochs: 300,
      learningRate: 0.1,
      l2: 0.001,
      maxCategories: 100,
      imputation: 'none',
    });
    expect(result.resumedFromEpoch).toBe(0);
    expect(model.target).toEqual({ column: 'churned', negative: false, positive: true });
    expect(model.featureNames.slice(0, 3)).toEqual(['(bias)', 'tenure_months', 'monthly_fee']);
    expect(model.featureNames.slice(3).sort()).toEqual(['plan=basic', 'plan=pro', 'plan=team']);
    // Tenure lowers churn, fees raise it: the signs the data was generated with.
    expect(model.weights[1]).toBeLessThan(0);
    expect(model.weights[2]).toBeGreaterThan(0);
    const predictor = loadLogisticRegression(JSON.parse(JSON.stringify(result.model)) as SerializedModel);
    const scores = await Promise.all(rows.map((row) => positiveScore(predictor, row)));
    expect(auc(labelsOf(model.target, rows), scores)).toBeGreaterThan(0.85);
  });

  it('is deterministic: the same rows and params give the same weights, bit for bit', async () => {
    const a = await logisticRegressionTrainer.train({ rows, features, params: { epochs: 50 }, seed: 1 }, context());
    const b = await logisticRegressionTrainer.train({ rows, features, params: { epochs: 50 }, seed: 2 }, context());
    expect(b.model).toEqual(a.model);
  });

  it('resumes from a checkpoint taken when training was interrupted, ending exactly where an uninterrupted run ends', async () => {
    const trainer = createLogisticRegressionTrainer({ progressIntervalMs: 0 });
    const input = { rows, features, params: { epochs: 200 }, seed: 1 };
    const uninterrupted = await trainer.train(input, context());

    const controller = new AbortController();
    const seen: TrainingProgress[] = [];
    const interrupted = trainer.train(
      input,
      context({
        signal: controller.signal,
        progress: (p) => {
          seen.push(p);
          if (p.epoch === 73) controller.abort(new Error('worker shut down'));
        },
      }),
    );
    expect((await rejection(interrupted)).message).toBe('worker shut down');
    expect(seen.at(-1)?.epoch).toBe(73);

    // The checkpoint travels as JSON (a heartbeat payload) before the retry gets it.
    const checkpoint: unknown = JSON.parse(JSON.stringify(seen.at(-1)?.checkpoint));
    const after: TrainingProgress[] = [];
    const resumed = await trainer.train(input, context({ checkpoint }, after));
    expect(resumed.resumedFromEpoch).toBe(73);
    expect(after[0]?.epoch).toBe(74);
    expect(after.at(-1)).toMatchObject({ epoch: 200, totalEpochs: 200 });
    expect(resumed.model).toEqual(uninterrupted.model);
  });

  it('extends a finished run: a checkpoint after 80 epochs resumes a 200-epoch run', async () => {
    const progress: TrainingProgress[] = [];
    await logisticRegressionTrainer.train({ rows, features, params: { epochs: 80 }, seed: 1 }, context({}, progress));
    const last = progress.at(-1);
    expect(last).toMatchObject({ epoch: 80, totalEpochs: 80 });
    expect(last?.loss).toBeGreaterThan(0);
    const full = await logisticRegressionTrainer.train({ rows, features, params: { epochs: 200 }, seed: 1 }, context());
    const resumed = await logisticRegressionTrainer.train(
      { rows, features, params: { epochs: 200 }, seed: 1 },
      context({ checkpoint: last?.checkpoint }),
    );
    expect(resumed.resumedFromEpoch).toBe(80);
    expect(resumed.model).toEqual(full.model);
  });

  it('ignores a checkpoint that belongs to other data or params, or is malformed', async () => {
    const progress: TrainingProgress[] = [];
    await logisticRegressionTrainer.train({ rows, features, params: { epochs: 20 }, seed: 1 }, context({}, progress));
    const checkpoint = progress.at(-1)?.checkpoint;
    const other = customerRows(customers(300, 99));
    const cases: [unknown, Record<string, unknown>, typeof rows][] = [
      [checkpoint, { epochs: 40 }, other],
      [checkpoint, { epochs: 40, l2: 0.5 }, rows],
      [{ ...(checkpoint as object), weights: [1, 2] }, { epochs: 40 }, rows],
      [{ ...(checkpoint as object), epoch: 41 }, { epochs: 40 }, rows],
      ['garbage', { epochs: 40 }, rows],
    ];
    for (const [candidate, params, data] of cases) {
      const result = await logisticRegressionTrainer.train(
        { rows: data, features, params, seed: 1 },
        context({ checkpoint: candidate }),
      );
      expect(result.resumedFromEpoch).toBe(0);
    }
  });

  it('yields to the event loop, so an abort from a timer stops a long run', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by timer')), 30);
    const started = Date.now();
    const err = await rejection(
      logisticRegressionTrainer.train(
        { rows, features, params: { epochs: 1_000_000 }, seed: 1 },
        context({ signal: controller.signal }),
      ),
    );
    expect(err.message).toBe('cancelled by timer');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses bad params with InvalidInput naming the param', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ epochs: 0 }, 'epochs'],
      [{ learningRate: -1 }, 'learningRate'],
      [{ l2: 'a lot' }, 'l2'],
      [{ epoch: 10 }, '"epoch"'],
    ];
    for (const [params, name] of cases) {
      const err = await rejection(logisticRegressionTrainer.train({ rows, features, params, seed: 1 }, context()));
      expect(err).toMatchObject({ type: SlipwayErrorType.InvalidInput });
      expect(err.message).toContain('Trainer "logistic-regression" got invalid params');
      expect(err.message).toContain(name);
    }
  });

  it('refuses a non-binary target naming the column and the values', async () => {
    const err = await rejection(
      logisticRegressionTrainer.train(
        { rows, features: { ...features, target: 'plan', categorical: [] }, params: {}, seed: 1 },
        context(),
      ),
    );
    expect(err).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect(err.message).toContain('Target column "plan" must be binary');
    expect(err.message).toMatch(/values found: .*"basic"/);
  });

  it('uses positiveClass to choose the positive class', async () => {
    const result = await logisticRegressionTrainer.train(
      { rows, features, params: { epochs: 30, positiveClass: false }, seed: 1 },
      context(),
    );
    expect(LogisticRegressionModel.parse(result.model).target).toEqual({
      column: 'churned',
      negative: true,
      positive: false,
    });
  });
});

describe('loadLogisticRegression', () => {
  it('scores sigmoid(w · encode(row)) from the model JSON alone', async () => {
    const model = {
      kind: 'logistic-regression',
      version: 1,
      features: { numeric: ['a'], categorical: ['c'], target: 'y' },
      target: { column: 'y', negative: 0, positive: 1 },
      encoding: {
        numeric: [{ column: 'a', mean: 10, std: 2 }],
        categorical: [{ column: 'c', categories: ['u', 'v'] }],
      },
      featureNames: ['(bias)', 'a', 'c=u', 'c=v'],
      weights: [0.5, 1.5, -2, 3],
      params: {},
      training: { rows: 10, epochs: 1, loss: 0.5 },
    };
    const predictor = loadLogisticRegression(model);
    expect(predictor.kind).toBe('logistic-regression');
    expect(predictor.features).toEqual(model.features);
    expect(predictor.task).toBe('binary');
    expect(await positiveScore(predictor, { a: 14, c: 'v' })).toBeCloseTo(sigmoid(0.5 + 1.5 * 2 + 3), 15);
    expect(await positiveScore(predictor, { a: null, c: 'u' })).toBeCloseTo(sigmoid(0.5 - 2), 15);
    expect(await positiveScore(predictor, {})).toBeCloseTo(sigmoid(0.5), 15);
    await expect(positiveScore(predictor, { a: 'ten', c: 'u' })).rejects.toThrow(
      'Feature "a": expected a number, got "ten"',
    );
  });

  it('refuses an invalid model with InvalidInput', () => {
    let caught: unknown;
    try {
      loadLogisticRegression({ kind: 'logistic-regression', version: 1, weights: [1] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect((caught as Error).message).toContain('Not a valid logistic-regression model');
  });

  it('is registered in builtinPredictors and builtinTrainers', () => {
    expect(builtinPredictors['logistic-regression']).toBe(loadLogisticRegression);
    expect(builtinTrainers['logistic-regression']).toBe(logisticRegressionTrainer);
  });

  it('keeps the logistic function finite for large logits', () => {
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(0)).toBe(0.5);
  });
});
