/**
 * The steps the model guardian runs: one drift check over a serving window, the resolution of a retrain's dataset
 * template to a pinned dataset, and a notification.
 */
import { z } from 'zod';
import { defineStep } from '../step.js';
import { DatasetRef } from '../schemas/dataset.js';
import { CheckWindow, DatasetTemplate, DriftPolicy, GuardCheckResult, MonitorSource } from '../schemas/guard.js';
import { ModelName } from '../schemas/model.js';
import { NotificationEvent, NotifyOutcome } from '../schemas/notification.js';

/**
 * One guardian check: the served rows of the version behind `alias` in `window` (the newest `policy.maxRows` of
 * them) from `source`, against that version's training profile and held-out predictions. Stores the full report
 * and its page as artifacts named by `checkId` (so a retried check stores the same ones) and returns the verdict
 * with their references.
 */
export const guardCheckStep = defineStep({
  name: 'slipway.guard-check',
  description: 'check a serving window for drift against the training profile',
  input: z.strictObject({
    /** Stable across retries, e.g. `guardian:churn/check-17`. */
    checkId: z.string().min(1).max(300),
    model: ModelName,
    alias: z.string().min(1).default('champion'),
    source: MonitorSource,
    window: CheckWindow,
    policy: DriftPolicy,
  }),
  output: GuardCheckResult,
  options: { startToCloseTimeout: '15m', heartbeatTimeout: '1m', retry: { maximumAttempts: 5 } },
});

/** Resolves a dataset template to the newest matching dataset, pinned by the digest of its bytes. */
export const resolveDatasetStep = defineStep({
  name: 'slipway.resolve-dataset',
  description: 'resolve a dataset template to its newest dataset, pinned by digest',
  input: z.strictObject({ template: DatasetTemplate }),
  output: DatasetRef.extend({ digest: DatasetRef.shape.digest.unwrap() }),
  options: { startToCloseTimeout: '15m', heartbeatTimeout: '1m', retry: { maximumAttempts: 5 } },
});

/**
 * Sends a notification through the worker's configured notifiers (none configured: nothing is sent, and the
 * outcome has no deliveries). Never fails because a receiver is down: the outcome says how each delivery ended.
 */
export const notifyStep = defineStep({
  name: 'slipway.notify',
  description: 'send a notification to the configured receivers',
  input: NotificationEvent,
  output: NotifyOutcome,
  options: { startToCloseTimeout: '5m', retry: { maximumAttempts: 3 } },
});
