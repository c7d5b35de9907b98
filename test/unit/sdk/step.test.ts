import {
  DatasetRef,
  FINAL_ERROR_TYPES,
  SlipwayErrorType,
  defineStep,
  failureType,
  parseStepInput,
  parseStepOutput,
  trainStep,
} from '@slipway/sdk';
import { stepActivityOptions } from '@slipway/sdk/workflow';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const score = defineStep({
  name: 'acme.score',
  input: z.object({ dataset: DatasetRef, threshold: z.number().min(0).max(1) }),
  output: z.object({ positives: z.number().int() }),
  options: { startToCloseTimeout: '10m', retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['AcmeQuotaExceeded'] } },
  finalErrors: ['AcmeBadModel'],
});

function thrown(fn: () => unknown): Error & { type?: string; nonRetryable?: boolean } {
  try {
    fn();
  } catch (err) {
    return err as Error & { type?: string; nonRetryable?: boolean };
  }
  throw new Error('expected the call to throw');
}

describe('step contracts', () => {
  it('parses valid input and applies defaults', () => {
    const parsed = parseStepInput(
      trainStep,
      {
        dataset: { uri: 'file:///d.csv', digest: `sha256:${'a'.repeat(64)}` },
        schema: { columns: { x: { type: 'number' } } },
        features: { target: 'y' },
      },
      'workflow',
    );
    expect(parsed).toMatchObject({
      trainer: 'logistic-regression',
      seed: 42,
      testFraction: 0.2,
    });
  });

  it('refuses bad input with a final error naming the step and every field path', () => {
    const err = thrown(() =>
      parseStepInput(score, { dataset: { uri: 'http://example.test/x.csv' }, threshold: 3 }, 'workflow'),
    );
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain('Step "acme.score" got invalid input (checked in the workflow)');
    expect(err.message).toContain('dataset.uri: expected a file:// URI or s3://bucket/key');
    expect(err.message).toContain('threshold:');
  });

  it('refuses bad output with a final InvalidOutput error', () => {
    const err = thrown(() => parseStepOutput(score, { positives: 1.5 }, 'activity'));
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidOutput);
    expect(err.message).toContain('positives');
  });

  it('lists the caller and contract final types in the retry policy, not Slipway final types', () => {
    const options = stepActivityOptions(score, { taskQueue: 'slipway-gpu', retry: { maximumAttempts: 2 } });
    expect(options.taskQueue).toBe('slipway-gpu');
    expect(options.startToCloseTimeout).toBe('10m');
    expect(options.retry?.maximumAttempts).toBe(2);
    expect(options.retry?.nonRetryableErrorTypes).toEqual(['AcmeQuotaExceeded', 'AcmeBadModel']);
    expect(options.summary).toBe('acme.score');

    const caller = stepActivityOptions(score, { retry: { nonRetryableErrorTypes: ['AcmeNoQuota', 'AcmeBadModel'] } });
    expect(caller.retry?.nonRetryableErrorTypes).toEqual(['AcmeNoQuota', 'AcmeBadModel']);
  });

  it('leaves nonRetryableErrorTypes out when neither the caller nor the contract lists a type of its own', () => {
    const options = stepActivityOptions(trainStep);
    expect(trainStep.finalErrors).toEqual(expect.arrayContaining([...FINAL_ERROR_TYPES]));
    expect(options.retry).toBeDefined();
    expect(options.retry).not.toHaveProperty('nonRetryableErrorTypes');
  });

  it('refuses step names that are not activity-type safe', () => {
    expect(() => defineStep({ ...score, name: 'has space' })).toThrow(/invalid step name "has space"/);
  });
});
