/**
 * The rollout saga's steps (see `rolloutVersion` in `@slipway/sdk/workflow`): stage and smoke-check the candidate,
 * set its share of the traffic and open a step's measurement window, read the window against the guards, promote
 * the candidate, or compensate. Each acts on the deploy target (the model server, or a webhook target) and is
 * idempotent under retry; the ones that change what serves or the registry re-verify the version's approval.
 */
import { z } from 'zod';
import { defineStep } from '../step.js';
import { ApprovalProof } from '../schemas/approval.js';
import { ModelVersionRef } from '../schemas/model.js';
import { GuardReadings, RolloutGuards, StepVerdict } from '../schemas/rollout.js';
import { FeatureRow, Prediction, ServedDeployment, TrafficMode } from '../schemas/serving.js';
import { TrafficAnswer, WindowId } from '../schemas/traffic.js';

const Target = {
  version: ModelVersionRef,
  serverUrl: z.url(),
};

/** Stages the approved version on the target (no traffic) and smoke-checks it; a failed check discards it. */
export const rolloutStageStep = defineStep({
  name: 'slipway.rollout.stage',
  description: 'stage the approved version without traffic and smoke-check it',
  input: z.object({
    ...Target,
    /** Features for the smoke prediction; by default built from the training profile. */
    smokeFeatures: FeatureRow.optional(),
    /** The alias the rollout moves at its promotion (a failed staging is recorded under it). */
    alias: z.string().min(1).default('champion'),
    proof: ApprovalProof.optional(),
  }),
  output: z.object({
    deploymentId: z.string(),
    /** What served when the candidate was staged. */
    stable: ServedDeployment.nullable(),
    smokePrediction: Prediction,
  }),
  options: { startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } },
});

/** Gives the candidate its share of the traffic (split or shadow) and opens the step's measurement window. */
export const rolloutTrafficStep = defineStep({
  name: 'slipway.rollout.traffic',
  description: "set the candidate's share of the traffic and open the step's window",
  input: z.object({
    ...Target,
    deploymentId: z.string(),
    percent: z.number().int().min(0).max(100),
    mode: TrafficMode,
    windowId: WindowId,
  }),
  output: z.object({ traffic: TrafficAnswer, windowOpenedAt: z.string() }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10 } },
});

/**
 * Reads a step's window and judges it against the guards. `baselineWindowId` names the last window in which stable
 * served at least `minRequests` (the relative guards' baseline when stable served too little in this one). A
 * window the target no longer holds (it restarted) is `lost`: the saga opens a new one and bakes again.
 */
export const rolloutReadStep = defineStep({
  name: 'slipway.rollout.read',
  description: "read the step's window against the guards",
  input: z.object({
    ...Target,
    deploymentId: z.string(),
    windowId: WindowId,
    baselineWindowId: WindowId.optional(),
    guards: RolloutGuards,
    /** Close the window (freeze it) after reading; a held step reads it again later without closing. */
    close: z.boolean().default(false),
  }),
  output: z.discriminatedUnion('lost', [
    z.object({ lost: z.literal(false), readings: GuardReadings, verdict: StepVerdict }),
    z.object({ lost: z.literal(true), reason: z.string() }),
  ]),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10 } },
});

/** Makes the candidate the stable version with all the traffic, moves the alias, records the deployment. */
export const rolloutPromoteStep = defineStep({
  name: 'slipway.rollout.promote',
  description: 'promote the candidate to stable, move the alias, record the deployment',
  input: z.object({
    ...Target,
    deploymentId: z.string(),
    alias: z.string().min(1).default('champion'),
    proof: ApprovalProof.optional(),
  }),
  output: z.object({
    previousVersion: z.number().int().positive().nullable(),
    /** What the target says serves after the promotion (read back). */
    live: ServedDeployment.nullable(),
  }),
  options: { startToCloseTimeout: '2m', retry: { maximumAttempts: 10 } },
});

/**
 * The compensation: all traffic back to stable, the candidate dropped and marked `rolled_back` in the registry with
 * the reason and the readings, the alias on what serves, an audit entry; then the target is read back.
 */
export const rolloutCompensateStep = defineStep({
  name: 'slipway.rollout.compensate',
  description: 'return all traffic to stable, mark the candidate rolled back, confirm what is live',
  input: z.object({
    ...Target,
    deploymentId: z.string(),
    alias: z.string().min(1).default('champion'),
    reason: z.string().min(1).max(4000),
    /** The step at which the rollout stopped (0-based), and what it read there. */
    step: z.number().int().nonnegative().optional(),
    readings: GuardReadings.optional(),
  }),
  output: z.object({
    /** What the target says serves after the compensation (read back). */
    live: ServedDeployment.nullable(),
    /** The version the alias names afterwards. */
    aliasVersion: z.number().int().positive().nullable(),
  }),
  // Compensation must finish: it retries until it does (a target down for long is waited for). No
  // `maximumAttempts` means unlimited (Temporal refuses 0).
  options: { startToCloseTimeout: '2m', retry: { maximumInterval: '1m' } },
});

/**
 * After a successful rollout's drain: the version the promotion replaced (`retire`, what served as stable when the
 * candidate was staged) is recorded `retired` in the registry. Only what no longer serves is retired: the target
 * must hold it neither as stable nor as candidate, and the alias must not name it; otherwise it is kept (`kept`
 * says why) and nothing is recorded. The target keeps the replaced version in its history (a rollback restores it).
 * A retry records it once.
 */
export const rolloutRetireStep = defineStep({
  name: 'slipway.rollout.retire',
  description: 'record the version the promotion replaced as retired, after the drain',
  input: z.object({
    /** The promoted version and where it serves. */
    ...Target,
    /** The promoted deployment. */
    deploymentId: z.string(),
    alias: z.string().min(1).default('champion'),
    /** The deployment the promotion replaced. */
    retire: ServedDeployment,
    /** How long the rollout drained before it retires, for the record's detail. */
    drain: z.string().min(1),
  }),
  output: z.object({
    /** The deployment recorded retired; null when it was kept. */
    retired: ServedDeployment.nullable(),
    /** Why it was kept (it serves again, or the alias names it); null when it was retired. */
    kept: z.string().nullable(),
  }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10 } },
});
