/**
 * Slipway's final error types stay final without being listed in every retry policy: `finalWhenTyped` makes a
 * failure of a final type raised retryable non-retryable (message, type, details, cause and stack kept) and leaves
 * everything else as it is; `implementStep` applies it with the contract's final types.
 */
import { implementStep } from '@slipway/activities';
import { DatasetRef, FINAL_ERROR_TYPES, SlipwayErrorType, defineStep, finalWhenTyped } from '@slipway/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

describe('finalWhenTyped', () => {
  it('makes a retryable failure of a final type non-retryable, keeping message, type, details, cause and stack', () => {
    const cause = new Error('the row that failed');
    const retryable = ApplicationFailure.create({
      message: 'bad threshold',
      type: SlipwayErrorType.InvalidInput,
      details: [{ field: 'threshold' }],
      cause,
    });
    const final = finalWhenTyped(retryable, FINAL_ERROR_TYPES);
    expect(final).toBeInstanceOf(ApplicationFailure);
    const failure = final as ApplicationFailure;
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('bad threshold');
    expect(failure.type).toBe(SlipwayErrorType.InvalidInput);
    expect(failure.details).toEqual([{ field: 'threshold' }]);
    expect(failure.cause).toBe(cause);
    expect(failure.stack).toBe(retryable.stack);
  });

  it('leaves failures of other types, already non-retryable failures and other errors as they are', () => {
    const otherType = ApplicationFailure.retryable('busy', SlipwayErrorType.SourceUnreachable);
    expect(finalWhenTyped(otherType, FINAL_ERROR_TYPES)).toBe(otherType);
    const untyped = ApplicationFailure.retryable('no type');
    expect(finalWhenTyped(untyped, FINAL_ERROR_TYPES)).toBe(untyped);
    const already = ApplicationFailure.nonRetryable('gone', SlipwayErrorType.NotFound);
    expect(finalWhenTyped(already, FINAL_ERROR_TYPES)).toBe(already);
    const plain = Object.assign(new Error('plain'), { name: SlipwayErrorType.SourceUnreachable });
    expect(finalWhenTyped(plain, FINAL_ERROR_TYPES)).toBe(plain);
    expect(finalWhenTyped('a string', FINAL_ERROR_TYPES)).toBe('a string');
  });

  it('makes a plain Error named after a final type final (Temporal reports its name as the type)', () => {
    const plain = Object.assign(new Error('bad row 3'), { name: SlipwayErrorType.InvalidInput });
    const final = finalWhenTyped(plain, FINAL_ERROR_TYPES) as ApplicationFailure;
    expect(final).toBeInstanceOf(ApplicationFailure);
    expect(final.nonRetryable).toBe(true);
    expect(final.type).toBe(SlipwayErrorType.InvalidInput);
    expect(final.message).toBe('bad row 3');
    expect(final.stack).toBe(plain.stack);
  });

  it('only knows the types it is given', () => {
    const own = ApplicationFailure.retryable('model too large', 'AcmeBadModel');
    expect(finalWhenTyped(own, FINAL_ERROR_TYPES)).toBe(own);
    expect((finalWhenTyped(own, ['AcmeBadModel']) as ApplicationFailure).nonRetryable).toBe(true);
  });
});

describe('implementStep', () => {
  const score = defineStep({
    name: 'acme.score',
    input: z.object({ dataset: DatasetRef }),
    output: z.object({ positives: z.number().int() }),
    options: { startToCloseTimeout: '1m' },
    finalErrors: ['AcmeBadModel'],
  });
  const input = { dataset: { uri: 'file:///d.csv' } };

  async function failureOf(error: Error): Promise<ApplicationFailure> {
    const activities = implementStep(score, () => Promise.reject(error));
    const thrown = await activities['acme.score'](input).catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    return thrown as ApplicationFailure;
  }

  it("makes Slipway's and the contract's final types raised retryable non-retryable", async () => {
    const slipway = await failureOf(ApplicationFailure.retryable('bad', SlipwayErrorType.InvalidInput));
    expect(slipway).toMatchObject({ type: SlipwayErrorType.InvalidInput, nonRetryable: true, message: 'bad' });
    const own = await failureOf(ApplicationFailure.retryable('too large', 'AcmeBadModel'));
    expect(own).toMatchObject({ type: 'AcmeBadModel', nonRetryable: true, message: 'too large' });
  });

  it('lets a retryable failure of another type through as it is', async () => {
    const busy = ApplicationFailure.retryable('busy', 'AcmeBusy');
    expect(await failureOf(busy)).toBe(busy);
  });
});
