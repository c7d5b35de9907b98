/**
 * The validate step's input of a `trainAndPromote` run: unchanged without `retrain`; for a retrain, the serving
 * window of the triggering check as the reference (next to the expectation set's, which it replaces in the report)
 * and the dataset pinned to the digest the trigger resolved; a dataset pinning another digest is refused.
 */
import { describe, expect, it } from 'vitest';
import { SlipwayErrorType, TrainAndPromoteInput, type RetrainTrigger } from '@slipway/sdk';
import { validateInput, validateStepInput } from '@slipway/sdk/workflow';
import { churnInput } from '../../../examples/churn/src/input.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const ref = (c: string) => ({ uri: `file:///art/${c}.json`, digest: digest(c), size: 1 });
const trigger: RetrainTrigger = {
  guardian: 'guardian:churn',
  checkId: 'guardian:churn/check-2',
  driftReport: ref('a'),
  driftPage: ref('b'),
  servingProfile: ref('c'),
  datasetDigest: digest('d'),
};
const base = TrainAndPromoteInput.parse(churnInput({ serverUrl: 'http://127.0.0.1:1' }));

describe('the validate input of a retrain', () => {
  it('is what it always was without retrain', () => {
    expect(validateStepInput(base)).toEqual(validateInput(base));
  });

  it('compares with the serving window and pins the dataset to the resolved digest', () => {
    const input = validateStepInput({ ...base, retrain: trigger });
    expect(input).toEqual({
      ...validateInput(base),
      dataset: { ...base.dataset, digest: digest('d') },
      servingWindow: { guardian: 'guardian:churn', checkId: 'guardian:churn/check-2', profile: ref('c') },
    });
    expect(input.reference).toEqual({ model: 'churn', alias: 'champion' });
  });

  it('refuses a dataset that pins another digest than the trigger resolved', () => {
    const dataset = { ...base.dataset, digest: digest('e') };
    expect(() => validateStepInput({ ...base, dataset, retrain: trigger })).toThrow(
      expect.objectContaining({ type: SlipwayErrorType.InvalidInput, message: expect.stringContaining(digest('e')) }),
    );
  });
});
