import { z } from 'zod';
import { AcceptedDeployCommand } from '../schemas/deploy-wait.js';
import { ArtifactRef, Digest } from '../schemas/artifact.js';
import { ApprovalPolicy, DurationString, GateDecision } from '../schemas/approval.js';
import { DatasetRef, RowSchema } from '../schemas/dataset.js';
import { ExpectationSet } from '../schemas/expectations.js';
import { FeatureSpec, Metrics, ModelName, ModelTask, ModelVersionRef } from '../schemas/model.js';
import { RetrainTrigger } from '../schemas/guard.js';
import { RolloutResult } from '../schemas/rollout-state.js';
import { RolloutPlan } from '../schemas/rollout.js';
import { definePipeline } from '../pipeline.js';
import { SignedStart } from '../signing/payloads.js';
import { TaskQueueName } from '../schemas/task-queue.js';

/**
 * Activity options a pipeline input may override for one step (durations as strings, so it is plain JSON).
 * `taskQueue` routes the step to the workers polling that queue, e.g. `{ train: { taskQueue: 'slipway-gpu' } }` for
 * a worker started with `slipway worker --steps train --task-queue slipway-gpu`.
 */
export const StepOptionsOverride = z.object({
  taskQueue: TaskQueueName.optional(),
  startToCloseTimeout: DurationString.optional(),
  heartbeatTimeout: DurationString.optional(),
  retry: z
    .object({
      maximumAttempts: z.number().int().min(1).optional(),
      initialInterval: DurationString.optional(),
      maximumInterval: DurationString.optional(),
      backoffCoefficient: z.number().min(1).optional(),
    })
    .optional(),
});
/** Activity options a pipeline input may override for one step. */
export type StepOptionsOverride = z.infer<typeof StepOptionsOverride>;

/**
 * A pipeline input's `stepOptions`: activity option overrides keyed by the pipeline's step names (default none).
 * A key that is not one of `steps` is refused, naming it and listing the steps, so a mistyped step name never
 * leaves that step on its default queue unnoticed.
 */
export function stepOptionsFor<const K extends readonly [string, ...string[]]>(steps: K) {
  return z
    .partialRecord(z.enum(steps), StepOptionsOverride, {
      // zod's types leave out the unrecognized-keys issue a record with enum keys raises.
      error: (issue) => {
        const keys = (issue as { code: string; keys?: string[] }).keys ?? [];
        return (issue.code as string) === 'unrecognized_keys'
          ? `unknown step${keys.length === 1 ? '' : 's'} ${keys.map((k) => JSON.stringify(k)).join(', ')}: this pipeline's steps are ${steps.join(', ')}`
          : undefined;
      },
    })
    .default({});
}

/** The steps of `trainAndPromote`, in order. */
export const TRAIN_AND_PROMOTE_STEPS = ['validate', 'train', 'register', 'approval', 'deploy'] as const;

/** Input of the ready-made `trainAndPromote` pipeline (validate → train → register → gate → deploy). */
export const TrainAndPromoteInput = z.object({
  modelName: ModelName,
  dataset: DatasetRef,
  /** Column types; may instead come with the expectation set (`expectations.schema`). */
  schema: RowSchema.optional(),
  maxBadRowShare: z.number().min(0).max(1).default(0),
  /** Expectations checked by the validate step, and the reference profile of their distribution checks. */
  expectations: ExpectationSet.optional(),
  features: FeatureSpec,
  trainer: z.string().min(1).default('logistic-regression'),
  /** What the model predicts (default `binary`): passed to the train step, recorded in the version's lineage. */
  task: ModelTask.optional(),
  params: z.record(z.string(), z.unknown()).default({}),
  seed: z.number().int().default(42),
  testFraction: z.number().gt(0).max(0.9).default(0.2),
  approval: ApprovalPolicy,
  deploy: z.object({ serverUrl: z.url(), alias: z.string().min(1).default('champion') }),
  /**
   * How to roll the approved version out (see "Rollouts and rollback" in the README). Without it the version is
   * deployed in one swap (blue/green in one step); with it the rollout saga runs the plan as the child workflow
   * `rollout:<model>`, and the run ends `rolled_back` when the rollout is compensated.
   */
  rollout: RolloutPlan.optional(),
  /**
   * Set by the model guardian on the retrain it starts (`retrain:<model>`, a child of `guardian:<model>`): the check
   * that triggered it, whose drift report is part of the gate's evidence and whose serving window is the reference of
   * the distribution checks. Refused in a run that is not the guardian's child.
   */
  retrain: RetrainTrigger.optional(),
  /**
   * Who started the run; may not approve it unless the policy allows self-approval. `SlipwayClient.start` and
   * `slipway run` set it to the caller's identity and refuse an input that names someone else.
   */
  startedBy: z.string().min(1).optional(),
  /**
   * The starter's signature of this run's start (pipeline, workflow id, this input's digest, time), added by
   * `slipway run` and `SlipwayClient.start`. The run verifies it first thing; unsigned runs fail at start.
   */
  start: SignedStart.optional(),
  /** Per-step activity option overrides, keyed by the built-in step names. */
  stepOptions: stepOptionsFor([
    'validate',
    'train',
    'register',
    'evidence',
    'recordApproval',
    'deploy',
    'resolveApprovers',
  ]),
});
/** Input of `trainAndPromote` after defaults. */
export type TrainAndPromoteInput = z.infer<typeof TrainAndPromoteInput>;
/** Input of `trainAndPromote` as callers write it. */
export type TrainAndPromoteInputRaw = z.input<typeof TrainAndPromoteInput>;

/** What `trainAndPromote` returns. */
export const TrainAndPromoteResult = z.object({
  /**
   * `rolled_back`: approved, but its rollout was compensated (see `rollout.reason`); `deploy_aborted`: approved,
   * but its deploy failed after its retries and an operator aborted the run (see `deployAbort`; nothing serving
   * changed).
   */
  status: z.enum(['deployed', 'rejected', 'expired', 'rolled_back', 'deploy_aborted']),
  model: z.string(),
  version: ModelVersionRef,
  metrics: Metrics,
  dataset: z.object({ uri: z.string(), digest: Digest, rows: z.number().int(), badRows: z.number().int() }),
  validationReport: ArtifactRef,
  evidenceDigest: Digest,
  decisions: z.array(GateDecision),
  deployment: z
    .object({
      deploymentId: z.string(),
      version: z.number().int(),
      previousVersion: z.number().int().nullable(),
      serverUrl: z.string(),
      /** The smoke prediction's positive-class score (binary models). */
      smokeScore: z.number().optional(),
    })
    .nullable(),
  /** The rollout's result, for a run with a `rollout` plan that reached it. */
  rollout: RolloutResult.optional(),
  /** Who aborted the run after its deploy failed, and why (status `deploy_aborted`). */
  deployAbort: AcceptedDeployCommand.optional(),
});
/** What `trainAndPromote` returns. */
export type TrainAndPromoteResult = z.infer<typeof TrainAndPromoteResult>;

/**
 * The ready-made pipeline: validate → train → register → approval gate → deploy. It waits at the gate (holding
 * no worker) until the policy's quorum approves, someone allowed rejects, or the timeout passes, and deploys
 * only an approved version. Its workflow function is `trainAndPromote` in `@slipway/sdk/pipelines`.
 *
 * ```ts
 * const { runId } = await slipway.start(trainAndPromote, input); // a bad input throws InvalidInput, no run starts
 * const result = await slipway.result(runId, trainAndPromote); // TrainAndPromoteResult
 * ```
 */
export const trainAndPromote = definePipeline({
  name: 'trainAndPromote',
  description: 'validate, train, register, wait for approval, deploy',
  input: TrainAndPromoteInput,
  output: TrainAndPromoteResult,
  steps: TRAIN_AND_PROMOTE_STEPS,
});
