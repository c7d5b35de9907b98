import { z } from 'zod';
import { ModelName } from '../schemas/model.js';
import { ServedDeployment } from '../schemas/serving.js';
import { definePipeline } from '../pipeline.js';
import { SignedStart } from '../signing/payloads.js';
import { stepOptionsFor } from './train-and-promote.js';

/** The steps of `rollbackModel`, in order. */
export const ROLLBACK_MODEL_STEPS = ['plan', 'rollback'] as const;

/**
 * Input of `rollbackModel`: which model to roll back, to which version (default: the one that served before the live
 * one), why, and where it serves. The run must be started signed (`slipway rollback`, `SlipwayClient.rollback`) by
 * someone the live version's approval policy lets decide, under the workflow id `rollout:<model>`.
 */
export const RollbackModelInput = z.object({
  model: ModelName,
  /** The version to restore; it must have served before, have an approval on record, and not be the live one. */
  to: z.number().int().positive().optional(),
  /** Why, for the registry and the audit log. */
  reason: z.string().trim().min(1, 'a rollback needs a reason, for the record').max(2000),
  deploy: z.object({ serverUrl: z.url(), alias: z.string().min(1).default('champion') }),
  /** Who started the run (set by the client); the verified signer of `start` is who rolls back. */
  startedBy: z.string().min(1).optional(),
  /** The starter's signature of this run's start; the run and its steps verify it. */
  start: SignedStart.optional(),
  /** Per-step activity option overrides. */
  stepOptions: stepOptionsFor(['resolveApprovers', 'plan', 'rollback']),
});
/** Input of `rollbackModel` after defaults. */
export type RollbackModelInput = z.infer<typeof RollbackModelInput>;
/** Input of `rollbackModel` as callers write it. */
export type RollbackModelInputRaw = z.input<typeof RollbackModelInput>;

/** What `rollbackModel` returns: what was taken down, what serves now (read back), the alias, who and why. */
export const RollbackModelResult = z.object({
  status: z.literal('rolled_back'),
  model: z.string(),
  rolledBack: ServedDeployment,
  live: ServedDeployment,
  method: z.enum(['rollback', 'redeploy']),
  alias: z.string(),
  aliasVersion: z.number().int().positive(),
  by: z.string(),
  reason: z.string(),
});
/** What `rollbackModel` returns. */
export type RollbackModelResult = z.infer<typeof RollbackModelResult>;

/**
 * Rollback as a command: restores the version that served before the live one (or the one asked for) on the deploy
 * target and moves the alias with it, recorded in the registry and the audit log. Runs under the workflow id
 * `rolloutWorkflowId(model)` (`rollout:<model>`), so it never runs beside a rollout of that model.
 */
export const rollbackModel = definePipeline({
  name: 'rollbackModel',
  description: 'restore the previous (or a named) version: traffic and alias together, recorded and audited',
  input: RollbackModelInput,
  output: RollbackModelResult,
  steps: ROLLBACK_MODEL_STEPS,
});
