/**
 * Slipway's final error types stay final though step retry policies no longer list them: a user step and a raw
 * activity that raise `SlipwayInvalidInput` / `SlipwayNotFound` *retryable* fail their run after exactly one attempt
 * on a Slipway worker, while the scheduled activity's retry policy lists only the contract's own final type (or
 * nothing). Against the real dev server.
 */
import { join } from 'node:path';
import { implementStep } from '@slipway/activities';
import { SlipwayErrorType } from '@slipway/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { acmeCheckStep, type AcmeRawActivities } from './final-errors/steps.js';

let h: Harness;

const raw: AcmeRawActivities = {
  acmeLookup: (name) => Promise.reject(ApplicationFailure.retryable(`no model "${name}"`, SlipwayErrorType.NotFound)),
};

beforeAll(async () => {
  const workflowBundle = await bundle(join(import.meta.dirname, 'final-errors', 'workflows.ts'));
  const activities = {
    ...implementStep(acmeCheckStep, ({ threshold }) =>
      Promise.reject(ApplicationFailure.retryable(`threshold ${threshold} is out of range`, 'SlipwayInvalidInput')),
    ),
    ...raw,
  };
  h = await startHarness({ name: 'final-errors', workflowBundle, activities });
});
afterAll(async () => {
  await h?.stop();
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Runs `workflow` to its failure and returns the history's activity events. */
async function failedRun(workflow: string, arg: unknown): Promise<HistoryEvent[]> {
  const workflowId = `${workflow}-${Date.now().toString(36)}`;
  const handle = await h.client.temporal.workflow.start(workflow, {
    workflowId,
    taskQueue: h.config.taskQueue,
    args: [arg],
  });
  await expect(handle.result()).rejects.toThrow();
  return (await handle.fetchHistory()).events ?? [];
}

function activityEvents(events: HistoryEvent[]) {
  const scheduled = events.flatMap((e) =>
    e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : [],
  );
  const attempts = events.flatMap((e) =>
    e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : [],
  );
  const failed = events.flatMap((e) =>
    e.activityTaskFailedEventAttributes ? [e.activityTaskFailedEventAttributes] : [],
  );
  return { scheduled, attempts, failed };
}

it('a step raising a Slipway final type retryable fails after one attempt; its policy lists only its own type', async () => {
  const { scheduled, attempts, failed } = activityEvents(await failedRun('checkOnce', 7));
  expect(scheduled).toHaveLength(1);
  expect(scheduled[0]?.retryPolicy?.maximumAttempts).toBe(3);
  expect(scheduled[0]?.retryPolicy?.nonRetryableErrorTypes).toEqual(['AcmeBadModel']);
  expect(attempts).toEqual([1]);
  expect(failed).toHaveLength(1);
  const failure = failed[0]?.failure;
  expect(failure?.message).toBe('threshold 7 is out of range');
  expect(failure?.applicationFailureInfo).toMatchObject({ type: 'SlipwayInvalidInput', nonRetryable: true });
  expect(failed[0]?.retryState).toBe(temporal.api.enums.v1.RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE);
});

it('a raw activity raising a Slipway final type retryable fails after one attempt on a Slipway worker', async () => {
  const { scheduled, attempts, failed } = activityEvents(await failedRun('lookupOnce', 'churn'));
  expect(scheduled).toHaveLength(1);
  expect(scheduled[0]?.retryPolicy?.nonRetryableErrorTypes ?? []).toEqual([]);
  expect(attempts).toEqual([1]);
  expect(failed[0]?.failure?.message).toBe('no model "churn"');
  expect(failed[0]?.failure?.applicationFailureInfo).toMatchObject({
    type: SlipwayErrorType.NotFound,
    nonRetryable: true,
  });
});
