/**
 * Predictions are strict unless the model declares otherwise: a request row is held to the model's features
 * before it is scored. Missing and unknown features are named; a model trained with `imputation: "mean"` records
 * the value per feature in its artifact and fills in exactly those, saying which; unknown features and rows with no
 * feature at all are refused either way.
 */
import { FeatureSpec, SlipwayErrorType } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';
import type { Predictor, SerializedModel, TrainerContext, TypedRow } from '../../../packages/activities/src/ports.js';
import {
  LogisticRegressionModel,
  checkPredictionRow,
  describeRowProblem,
  loadLogisticRegression,
  logisticRegressionTrainer,
  predictorFeatures,
} from '../../../packages/activities/src/train/index.js';
import { customerRows, customers } from './synthetic.js';
import { positiveScore } from '../../support/positive-score.js';

const features = FeatureSpec.parse({
  numeric: ['tenure_months', 'monthly_fee'],
  categorical: ['plan'],
  target: 'churned',
});
const context: TrainerContext = {
  checkpoint: undefined,
  progress: () => undefined,
  signal: new AbortController().signal,
};

async function trained(params: Record<string, unknown>, rows: TypedRow[] = customerRows(customers(300))) {
  const result = await logisticRegressionTrainer.train(
    { rows, features, params: { epochs: 20, ...params }, seed: 1 },
    context,
  );
  // Through JSON, as the model server reads it from the artifact store.
  const model = JSON.parse(JSON.stringify(result.model)) as SerializedModel;
  return { model, predictor: loadLogisticRegression(model) };
}

function problem(predictor: Predictor, row: TypedRow) {
  const check = checkPredictionRow(predictor, row);
  if (check.ok) throw new Error(`the row was accepted: ${JSON.stringify(check)}`);
  return { ...check.problem, message: describeRowProblem(check.problem, predictorFeatures(predictor)) };
}

describe('a strict model (the default)', () => {
  it('records no imputation and accepts a complete row as it is', async () => {
    const { model, predictor } = await trained({});
    expect(model['imputation']).toBeUndefined();
    expect(predictor.imputation).toBeUndefined();
    const row = { tenure_months: 12, monthly_fee: 40, plan: 'pro' };
    expect(checkPredictionRow(predictor, row)).toEqual({ ok: true, row, imputed: [] });
  });

  it('names missing and unknown features', async () => {
    const { predictor } = await trained({});
    const typo = problem(predictor, { tenure_month: 12, monthly_fee: 40, plan: 'pro' });
    expect(typo).toMatchObject({ missing: ['tenure_months'], unknown: ['tenure_month'], noFeatures: false });
    expect(typo.message).toBe('unknown features "tenure_month"; missing features "tenure_months"');
    expect(problem(predictor, { tenure_months: 1, monthly_fee: 2, plan: 'pro', churned: true }).unknown).toEqual([
      'churned',
    ]);
  });

  it('refuses a row with none of its features, and a null where training had none', async () => {
    const { predictor } = await trained({});
    expect(problem(predictor, { foo: 1 }).message).toBe(
      'no value for any of the model\'s features ("tenure_months", "monthly_fee", "plan"); unknown features "foo"',
    );
    expect(problem(predictor, {})).toMatchObject({ noFeatures: true, unknown: [] });
    expect(problem(predictor, { tenure_months: null, monthly_fee: 40, plan: 'pro' }).missing).toEqual([
      'tenure_months',
    ]);
  });

  it('refuses a numeric feature that is not a number, naming it', async () => {
    const { predictor } = await trained({});
    expect(problem(predictor, { tenure_months: 'long', monthly_fee: 40, plan: 'pro' }).message).toBe(
      'Feature "tenure_months": expected a number, got "long"',
    );
  });

  it('accepts null for a feature that held nulls in training, and records which those are', async () => {
    const rows = customerRows(customers(300)).map((row, i) => (i % 10 === 0 ? { ...row, plan: null } : row));
    const { model, predictor } = await trained({}, rows);
    expect(model['nullable']).toEqual(['plan']);
    expect(checkPredictionRow(predictor, { tenure_months: 3, monthly_fee: 40, plan: null })).toMatchObject({
      ok: true,
      imputed: [],
    });
    expect(problem(predictor, { tenure_months: 3, monthly_fee: 40 }).missing).toEqual(['plan']);
  });
});

describe('a model trained with imputation: "mean"', () => {
  it('records the training mean of numeric features and the most frequent category in its artifact', async () => {
    const rows = customerRows(customers(300));
    const { model, predictor } = await trained({ imputation: 'mean' }, rows);
    const mean = (column: string) => rows.reduce((sum, r) => sum + Number(r[column]), 0) / rows.length;
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(String(r['plan']), (counts.get(String(r['plan'])) ?? 0) + 1);
    const mode = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    const imputation = LogisticRegressionModel.parse(model).imputation;
    expect(imputation?.strategy).toBe('mean');
    expect(imputation?.values['tenure_months']).toBeCloseTo(mean('tenure_months'), 9);
    expect(imputation?.values['monthly_fee']).toBeCloseTo(mean('monthly_fee'), 9);
    expect(imputation?.values['plan']).toBe(mode);
    expect(predictor.imputation).toEqual(imputation?.values);
  });

  it('fills in missing features with those values and names them, scoring as the filled row', async () => {
    const { predictor } = await trained({ imputation: 'mean' });
    const check = checkPredictionRow(predictor, { tenure_months: 5, plan: null });
    expect(check).toMatchObject({ ok: true, imputed: ['monthly_fee', 'plan'] });
    if (!check.ok) return;
    const filled = {
      tenure_months: 5,
      monthly_fee: predictor.imputation?.['monthly_fee'] ?? NaN,
      plan: predictor.imputation?.['plan'] ?? '',
    };
    expect(check.row).toEqual(filled);
    expect(await positiveScore(predictor, check.row)).toBe(await positiveScore(predictor, filled));
  });

  it('still refuses unknown features and rows with no feature at all', async () => {
    const { predictor } = await trained({ imputation: 'mean' });
    expect(problem(predictor, { tenure_months: 5, monthly_fe: 40 })).toMatchObject({
      unknown: ['monthly_fe'],
      missing: [],
    });
    expect(problem(predictor, {})).toMatchObject({ noFeatures: true });
    expect(problem(predictor, { tenure_months: null, monthly_fee: null, plan: null })).toMatchObject({
      noFeatures: true,
    });
  });
});

describe('the model artifact', () => {
  it('refuses an imputation section that names no feature or imputes a numeric feature with text', async () => {
    const { model } = await trained({ imputation: 'mean' });
    const bad = {
      ...model,
      imputation: { strategy: 'mean', values: { tenure_month: 3, monthly_fee: 'high', plan: 'pro' } },
      nullable: ['nope'],
    };
    let caught: unknown;
    try {
      loadLogisticRegression(bad);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    const message = (caught as Error).message;
    expect(message).toContain('imputes "tenure_month", which is not a feature of the model');
    expect(message).toContain('imputes numeric feature "monthly_fee" with "high", not a number');
    expect(message).toContain('nullable names "nope", which is not a feature of the model');
  });

  it('refuses an unknown imputation strategy as a trainer param', async () => {
    await expect(trained({ imputation: 'median' })).rejects.toMatchObject({ type: SlipwayErrorType.InvalidInput });
  });
});
