/**
 * `@slipway/sdk` — step contracts, shared types and errors. Safe to import anywhere: workflow code,
 * activities, workers and app code.
 *
 * A step is a contract (a name, zod input and output schemas, default activity options) plus an
 * implementation bound on the worker. Workflow code calls steps through `useStep` from
 * `@slipway/sdk/workflow`. A pipeline is a contract too (`definePipeline`: the workflow's name, input and
 * output schemas, its steps) plus a workflow function; app code starts runs of it, checked against the
 * contract, and approves promotions with `SlipwayClient` from `@slipway/sdk/client`.
 *
 * ```ts
 * import { defineStep, DatasetRef } from '@slipway/sdk';
 * import { z } from 'zod';
 *
 * export const score = defineStep({
 *   name: 'acme.score',
 *   input: z.object({ dataset: DatasetRef, threshold: z.number().min(0).max(1) }),
 *   output: z.object({ positives: z.number().int() }),
 *   options: { startToCloseTimeout: '10m', retry: { maximumAttempts: 5 } },
 * });
 * ```
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './step.js';
export * from './pipeline.js';
export * from './messages.js';
export * from './schemas/artifact.js';
export * from './schemas/dataset.js';
export * from './schemas/model.js';
export * from './schemas/approval.js';
export * from './schemas/directory.js';
export * from './schemas/drift.js';
export * from './schemas/progress.js';
export * from './schemas/serving.js';
export * from './schemas/traffic.js';
export * from './schemas/task-queue.js';
export * from './schemas/rollout.js';
export * from './schemas/rollout-state.js';
export * from './rollout-command.js';
export * from './operator-command.js';
export * from './schemas/deploy-wait.js';
export * from './deploy-command.js';
export * from './schemas/onnx-model.js';
export * from './schemas/prediction-profile.js';
export * from './schemas/notification.js';
export * from './schemas/guard.js';
export * from './schemas/guardian.js';
export * from './guardian/index.js';
export * from './schemas/guard-report.js';
export * from './steps/builtin.js';
export * from './duration.js';
export * from './gate-rules.js';
export * from './gate-listing.js';
export * from './service-delegates.js';
export * from './metric-goals.js';
export * from './decision-signature.js';
export * from './pipelines/builtin.js';
export * from './step-queues.js';
export * from './signing/index.js';
export * from './schemas/expectations.js';
export * from './schemas/trainer-protocol.js';
export * from './schemas/trainer-protocol-json-schema.js';
