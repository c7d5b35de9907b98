/**
 * The example's own step: a contract any workflow or worker can import. It checks that the model ranks
 * customers well in every segment (say, every plan), not just on average: a model that is good overall but
 * poor for premium customers should never reach the approval gate.
 */
import { ArtifactRef, PinnedDatasetRef, RowSchema, defineStep } from '@slipway/sdk';
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
