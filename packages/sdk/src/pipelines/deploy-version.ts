import { z } from 'zod';
import { definePipeline } from '../pipeline.js';
import { ModelName, ModelVersionRef } from '../schemas/model.js';
import { RolloutResult } from '../schemas/rollout-state.js';
import { RolloutPlan } from '../schemas/rollout.js';
import { SignedStart } from '../signing/payloads.js';
import { stepOptionsFor, TrainAndPromoteResult } from './train-and-promote.js';

/** The steps of `deployVersion`, in order. */
export const DEPLOY_VERSION_STEPS = ['check', 'deploy'] as const;

/**
 * The id of a model's `deployVersion` run, `deploy:<model>`: one such deploy per model at a time. The deploy step
 * accepts there the approval the registry records for the version (its proof names the promotion's workflow).
 */
export function deployWorkflowId(model: string): string {
  return `deploy:${model}`;
}

/** Input of `deployVersion`: a registered version whose approval is on record, and where it goes. */
export const DeployVersionInput = z.object({
  model: ModelName,
  version: z.number().int().positive(),
  deploy: z.object({ serverUrl: z.url(), alias: z.string().min(1).default('champion') }),
  /** How to roll it out; without a plan it is deployed in one swap by the deploy step. */
  rollout: RolloutPlan.optional(),
  startedBy: z.string().min(1).optional(),
  start: SignedStart.optional(),
  /** Per-step activity option overrides. */
  stepOptions: stepOptionsFor(['check', 'deploy', 'resolveApprovers']),
});
/** Input of `deployVersion` after defaults. */
export type DeployVersionInput = z.infer<typeof DeployVersionInput>;
/** Input of `deployVersion` as callers write it. */
export type DeployVersionInputRaw = z.input<typeof DeployVersionInput>;

/** What `deployVersion` returns. */
export const DeployVersionResult = z.object({
  status: z.enum(['deployed', 'rolled_back', 'deploy_aborted']),
  model: z.string(),
  version: ModelVersionRef,
  /** The workflow whose gate approved the version (the approval on record). */
  approvedBy: z.string(),
  deployment: TrainAndPromoteResult.shape.deployment,
  rollout: RolloutResult.optional(),
  deployAbort: TrainAndPromoteResult.shape.deployAbort,
});
/** What `deployVersion` returns. */
export type DeployVersionResult = z.infer<typeof DeployVersionResult>;

/**
 * Deploys a version whose approval is on record, without a new gate (`slipway deploy <model>@<version>`): checks
 * the approval (on record with its proof, not rolled back since, still verifying, given against the champion serving
 * now, and the run started by one of the people its policy lets decide), then deploys it in one swap, or rolls it out
 * as `rollout:<model>` with a plan. Started with the id `deployWorkflowId(model)`. Its workflow function is
 * `deployVersion` in `@slipway/sdk/pipelines`.
 */
export const deployVersion = definePipeline({
  name: 'deployVersion',
  description: 'deploy a version whose approval is on record, without a new gate',
  input: DeployVersionInput,
  output: DeployVersionResult,
  steps: DEPLOY_VERSION_STEPS,
});
