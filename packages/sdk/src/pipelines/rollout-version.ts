import { z } from 'zod';
import { ApprovalPolicy, ApprovalProof } from '../schemas/approval.js';
import { ModelVersionRef } from '../schemas/model.js';
import { RolloutResult } from '../schemas/rollout-state.js';
import { RolloutPlan } from '../schemas/rollout.js';
import { FeatureRow } from '../schemas/serving.js';
import { definePipeline } from '../pipeline.js';
import { SignedStart } from '../signing/payloads.js';
import { stepOptionsFor } from './train-and-promote.js';

/**
 * The steps of `rolloutVersion`, in order (`compensate` replaces `promote` when the rollout is rolled back; a
 * promotion that replaced a version adds `retire` after the drain).
 */
export const ROLLOUT_VERSION_STEPS = ['stage', 'rollout', 'promote'] as const;

/**
 * Input of `rolloutVersion`: the approved version, where it goes, the plan, and who may command the rollout. A
 * pipeline that approved the version passes its approval proof (re-verified by the steps that change what
 * serves); whoever may decide under the proof's policy (else `approval`'s) may pause, resume, promote or abort.
 */
export const RolloutVersionInput = z.object({
  version: ModelVersionRef,
  deploy: z.object({ serverUrl: z.url(), alias: z.string().min(1).default('champion') }),
  plan: RolloutPlan.prefault({}),
  /** The proof that the version was approved; its policy says who may command the rollout. */
  proof: ApprovalProof.optional(),
  /** Who may command the rollout when there is no proof. */
  approval: ApprovalPolicy.optional(),
  /** Features for the smoke prediction; by default built from the training profile. */
  smokeFeatures: FeatureRow.optional(),
  startedBy: z.string().min(1).optional(),
  start: SignedStart.optional(),
  /** Per-step activity option overrides. */
  stepOptions: stepOptionsFor(['stage', 'traffic', 'read', 'promote', 'compensate', 'retire', 'resolveApprovers']),
});
/** Input of `rolloutVersion` after defaults. */
export type RolloutVersionInput = z.infer<typeof RolloutVersionInput>;
/** Input of `rolloutVersion` as callers write it. */
export type RolloutVersionInputRaw = z.input<typeof RolloutVersionInput>;

/**
 * The rollout saga as a pipeline: stage the version, move traffic to it step by step under the plan's guards,
 * then promote it or compensate. Its workflow function is `rolloutVersion` in `@slipway/sdk/pipelines`; pipelines
 * start it as a child with the id `rolloutWorkflowId(model)` (`rollout:<model>`), one rollout per model at a time.
 */
export const rolloutVersion = definePipeline({
  name: 'rolloutVersion',
  description: 'roll an approved version out step by step under guards; promote it or roll it back',
  input: RolloutVersionInput,
  output: RolloutResult,
  steps: ROLLOUT_VERSION_STEPS,
});
