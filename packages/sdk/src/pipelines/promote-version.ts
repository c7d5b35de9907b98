import { z } from 'zod';
import { Digest } from '../schemas/artifact.js';
import { ApprovalPolicy, GateDecision } from '../schemas/approval.js';
import { ModelVersionRef } from '../schemas/model.js';
import { RolloutPlan } from '../schemas/rollout.js';
import { definePipeline } from '../pipeline.js';
import { SignedStart } from '../signing/payloads.js';
import { stepOptionsFor, TrainAndPromoteResult } from './train-and-promote.js';

/** The steps of `promoteVersion`, in order. */
export const PROMOTE_VERSION_STEPS = ['approval', 'deploy'] as const;

/**
 * Input of the ready-made `promoteVersion` pipeline: a version already in the registry (trained by another run, or
 * imported with `slipway models import`) goes through the approval gate and, approved, is deployed.
 */
export const PromoteVersionInput = z.object({
  /** The version to promote: name, version and its artifact digest (`slipway models show` prints it). */
  version: ModelVersionRef,
  approval: ApprovalPolicy,
  deploy: z.object({ serverUrl: z.url(), alias: z.string().min(1).default('champion') }),
  /** How to roll the approved version out; without it, one swap (see `trainAndPromote`'s `rollout`). */
  rollout: RolloutPlan.optional(),
  /** Who started the run (set by `slipway run` and `SlipwayClient.start`); may not approve it unless allowed. */
  startedBy: z.string().min(1).optional(),
  /** The starter's signature of this run's start; the run verifies it first thing. */
  start: SignedStart.optional(),
  /** Per-step activity option overrides. */
  stepOptions: stepOptionsFor(['evidence', 'recordApproval', 'deploy', 'resolveApprovers']),
});
/** Input of `promoteVersion` after defaults. */
export type PromoteVersionInput = z.infer<typeof PromoteVersionInput>;
/** Input of `promoteVersion` as callers write it. */
export type PromoteVersionInputRaw = z.input<typeof PromoteVersionInput>;

/** What `promoteVersion` returns. */
export const PromoteVersionResult = z.object({
  status: TrainAndPromoteResult.shape.status,
  model: z.string(),
  version: ModelVersionRef,
  evidenceDigest: Digest,
  decisions: z.array(GateDecision),
  deployment: TrainAndPromoteResult.shape.deployment,
  rollout: TrainAndPromoteResult.shape.rollout,
  deployAbort: TrainAndPromoteResult.shape.deployAbort,
});
/** What `promoteVersion` returns. */
export type PromoteVersionResult = z.infer<typeof PromoteVersionResult>;

/**
 * The ready-made pipeline for a version that is already registered: approval gate → deploy, with the same evidence
 * (the task's metrics next to the champion's), policy, signed decisions and proof-checked deploy as `trainAndPromote`.
 * Its workflow function is `promoteVersion` in `@slipway/sdk/pipelines`.
 */
export const promoteVersion = definePipeline({
  name: 'promoteVersion',
  description: 'wait for approval of a registered version, then deploy it',
  input: PromoteVersionInput,
  output: PromoteVersionResult,
  steps: PROMOTE_VERSION_STEPS,
});
