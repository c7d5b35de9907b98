/**
 * The deploy smoke check reads an answer by the task it names: a binary model's positive-class score, a multiclass
 * model's label among its classes, a regression model's finite value (which no [0, 1] check may refuse).
 */
import type { PredictAnswer, Prediction } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';
import { checkSmokeAnswer } from '../../../packages/activities/src/model-server/smoke.js';

const expected = { version: 3, deploymentId: 'd3' };

function answer(
  task: PredictAnswer['task'],
  prediction: Prediction,
  classes?: PredictAnswer['classes'],
): PredictAnswer {
  return {
    model: 'm',
    version: 3,
    deploymentId: 'd3',
    task,
    ...(classes ? { classes } : {}),
    predictions: [prediction],
  };
}

describe('smoke answer by task', () => {
  it('passes a binary answer with its score, a multiclass one with its label, a regression one of any value', () => {
    const binary = { score: 0.8, label: 'churn', scores: { stay: 0.2, churn: 0.8 } };
    expect(checkSmokeAnswer(answer('binary', binary, ['stay', 'churn']), expected)).toEqual({
      ok: true,
      prediction: binary,
      score: 0.8,
    });
    const multiclass = { label: 2, scores: { '0': 0.1, '1': 0.2, '2': 0.7 } };
    expect(checkSmokeAnswer(answer('multiclass', multiclass, [0, 1, 2]), expected)).toEqual({
      ok: true,
      prediction: multiclass,
    });
    // A house price is far outside [0, 1]: a regression answer is not a probability.
    expect(checkSmokeAnswer(answer('regression', { value: 251_000.5 }), expected)).toEqual({
      ok: true,
      prediction: { value: 251_000.5 },
    });
    expect(checkSmokeAnswer(answer('regression', { value: -3 }), { ...expected, task: 'regression' }).ok).toBe(true);
  });

  it('fails an answer that does not fit its task or the version’s, saying why', () => {
    const cases: [PredictAnswer, RegExp, PredictAnswer['task']?][] = [
      [answer('regression', { label: 1, scores: { '1': 1 } }), /regression model answered without a value/],
      [answer('binary', { value: 3 }), /binary model answered with a value/],
      [
        answer('binary', { label: 'churn', scores: { churn: 1 } }, ['stay', 'churn']),
        /binary model answered without a score/,
      ],
      [
        answer('multiclass', { label: 'd', scores: { a: 1 } }, ['a', 'b', 'c']),
        /label "d" is not one of the model's classes/,
      ],
      [answer('multiclass', { label: 'a' }, ['a', 'b', 'c']), /without class scores/],
      [
        answer('binary', { score: 0.4, label: 0, scores: {} }, [0, 1]),
        /answered as a binary model, but version 3 is regression/,
        'regression',
      ],
    ];
    for (const [given, reason, task] of cases) {
      const checked = checkSmokeAnswer(given, task ? { ...expected, task } : expected);
      expect(checked.ok, JSON.stringify(given)).toBe(false);
      expect(checked.ok ? '' : checked.reason).toMatch(reason);
    }
  });
});
