/**
 * The example's contracts, which workflow code, the worker and app code all import:
 * - its own step, `churn.segmentAuc`: it checks that the model ranks customers well in every segment (say,
 *   every plan), not just on average: a model that is good overall but poor for premium customers should never
 *   reach the approval gate;
 * - its pipeline, `churnPipeline`: what a run takes and returns, so the client checks an input before the run
 *   starts and types its result (the workflow function is in `workflows.ts`).
 */
import {
  ArtifactRef,
  PinnedDatasetRef,
  RolloutResult,
  RowSchema,
  TrainAndPromoteInput,
  defineStep,
  definePipeline,
} from '@slipway/sdk';
import { z } from 'zod';

/** The failure type when a segment is below the bar (final: retrying will not change it). */
export const SEGMENT_BELOW_THRESHOLD = 'ChurnSegmentBelowThreshold';

/** Per-segment AUC of a trained model on the validated dataset. */
export const segmentAucStep = defineStep({
  name: 'churn.segmentAuc',
  description: 'check the model ranks customers well in every segment',
  input: z.object({
    model: ArtifactRef,
    dataset: PinnedDatasetRef,
    schema: RowSchema,
    target: z.string().min(1),
    segmentColumn: z.string().min(1),
    minSegmentAuc: z.number().min(0).max(1),
    minSegmentRows: z.number().int().min(1).default(30),
  }),
  output: z.object({
    segments: z.array(z.object({ segment: z.string(), rows: z.number().int(), auc: z.number() })),
    worst: z.object({ segment: z.string(), auc: z.number() }),
  }),
  options: { startToCloseTimeout: '10m', heartbeatTimeout: '1m', retry: { maximumAttempts: 3 } },
  finalErrors: [SEGMENT_BELOW_THRESHOLD],
});

/** The churn pipeline's input: the ready-made pipeline's, plus the segment check. */
export const ChurnPipelineInput = TrainAndPromoteInput.extend({
  segmentColumn: z.string().min(1).default('plan'),
  minSegmentAuc: z.number().min(0).max(1).default(0.7),
});

/** What the churn pipeline returns. */
export const ChurnPipelineResult = z.object({
  /** `rolled_back`: approved, but a rollout plan's rollout was compensated. */
  status: z.enum(['deployed', 'rejected', 'expired', 'rolled_back', 'deploy_aborted']),
  model: z.string(),
  version: z.number().int().positive(),
  metrics: z.record(z.string(), z.number()),
  segments: z.array(z.object({ segment: z.string(), rows: z.number().int(), auc: z.number() })),
  approvedBy: z.array(z.string()),
  deployment: z
    .object({
      version: z.number().int().positive(),
      previousVersion: z.number().int().positive().nullable(),
      serverUrl: z.string(),
    })
    .nullable(),
  /** The rollout's result, for a run with a `rollout` plan that reached it (its steps, and what it retired). */
  rollout: RolloutResult.optional(),
});
/** What the churn pipeline returns. */
export type ChurnPipelineResult = z.infer<typeof ChurnPipelineResult>;

/** Validate → train → per-segment AUC check → register → approval gate → deploy. */
export const churnPipeline = definePipeline({
  name: 'churnPipeline',
  description: 'train a churn model, check every segment, wait for approval, deploy',
  input: ChurnPipelineInput,
  output: ChurnPipelineResult,
  steps: ['validate', 'train', 'segments', 'register', 'approval', 'deploy'],
});
