import { z } from 'zod';
import { defineStep } from '../step.js';
import { ArtifactRef, Digest } from '../schemas/artifact.js';
import { DatasetRef, RowSchema } from '../schemas/dataset.js';
import { FeatureSpec, Lineage, Metrics, ModelName, ModelVersionRef } from '../schemas/model.js';
import { EvidencePacket, GateDecision } from '../schemas/approval.js';
import { DriftCriterion, DriftReport } from '../schemas/drift.js';
import { Expectation, ProfileReference } from '../schemas/expectations.js';
import { FeatureRow } from '../schemas/serving.js';
import { resolveApproversStep } from './resolve-approvers.js';

export { resolveApproversStep } from './resolve-approvers.js';

/** A dataset reference whose digest is known: what every step after validate works on. */
export const PinnedDatasetRef = DatasetRef.extend({ digest: Digest });
/** A dataset reference whose digest is known. */
export type PinnedDatasetRef = z.infer<typeof PinnedDatasetRef>;

/** One row that failed validation. Lines are 1-based file lines (the header is line 1). */
export const RowFailure = z.object({
  /** The 1-based file line (CSV, JSON lines), or the 1-based row number across row groups (Parquet). */
  line: z.number().int().positive(),
  /** Where, for messages, when a line number is not enough: e.g. `row group 2, row 17` (Parquet). */
  where: z.string().optional(),
  column: z.string().nullable(),
  message: z.string(),
});
/** One row that failed validation. */
export type RowFailure = z.infer<typeof RowFailure>;

/** What the validate step returns: counts, the first failures, and the profile and report artifacts. */
export const ValidationSummary = z.object({
  dataset: PinnedDatasetRef,
  rows: z.number().int().nonnegative(),
  badRows: z.number().int().nonnegative(),
  badRowShare: z.number().min(0).max(1),
  failures: z.array(RowFailure),
  /** The expectations' outcome: how many ran, failed at error and at warning level, and which failed. */
  checks: z.object({
    total: z.number().int().nonnegative(),
    errors: z.number().int().nonnegative(),
    warnings: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    failed: z.array(z.string()),
  }),
  profile: ArtifactRef,
  report: ArtifactRef,
});
/** What the validate step returns. */
export type ValidationSummary = z.infer<typeof ValidationSummary>;

/**
 * Reads a dataset (CSV, JSON lines or Parquet; file or S3; plain or gzip) once: checks every row against the
 * row schema and the expectations, profiles it in bounded memory and pins the sha256 of its stored bytes.
 */
export const validateStep = defineStep({
  name: 'slipway.validate',
  description: 'check rows and expectations, profile the columns, pin the sha256',
  input: z.object({
    dataset: DatasetRef,
    schema: RowSchema,
    /** Expectations checked in the same pass; error-level failures fail the step. */
    expectations: z.array(Expectation).default([]),
    /** What `distribution` expectations compare against. */
    reference: ProfileReference.optional(),
    /** Share of bad rows (0..1) above which the step fails with `SlipwayValidationFailed`. */
    maxBadRowShare: z.number().min(0).max(1).default(0),
    maxFailuresReported: z.number().int().min(1).max(1000).default(20),
  }),
  output: ValidationSummary,
  options: { startToCloseTimeout: '30m', heartbeatTimeout: '1m', retry: { maximumAttempts: 5 } },
});

/** What the train step returns. */
export const TrainingResult = z.object({
  model: ArtifactRef,
  trainer: z.string(),
  params: z.record(z.string(), z.unknown()),
  metrics: Metrics,
  trainRows: z.number().int().nonnegative(),
  testRows: z.number().int().nonnegative(),
  /** The epoch a retried attempt resumed from (0 when it started fresh). */
  resumedFromEpoch: z.number().int().nonnegative(),
  /** The code that trained the model (git commit or package version of the worker). */
  codeVersion: z.string(),
  /**
   * The experiment-tracking run that holds this training's params, per-epoch series and final metrics (the
   * registry's run id), when the worker tracks runs. Pass it on to the register step as `trackingRunId`.
   */
  trackingRunId: z.string().min(1).optional(),
});
/** What the train step returns. */
export type TrainingResult = z.infer<typeof TrainingResult>;

/** How the train step files its experiment-tracking run. */
export const TrainTracking = z.object({
  /** The experiment the run belongs to; default the train input's `modelName`, else the workflow type. */
  experiment: z.string().min(1).max(500).optional(),
  /** The run's name; default `<trainer> <workflow id>`. */
  runName: z.string().min(1).max(250).optional(),
  /** Extra searchable tags (names of letters, digits, `_`, `-`, `.`, ` `, `:`, `/`); `slipway.*` tags are Slipway's. */
  tags: z.record(z.string(), z.string().max(5000)).optional(),
});
/** How the train step files its experiment-tracking run. */
export type TrainTracking = z.infer<typeof TrainTracking>;

/**
 * Trains a model with a named trainer on a validated dataset, holds out a seeded test split, scores it. Where
 * the worker tracks runs, it logs the run: params, the per-epoch training series and the held-out metrics.
 */
export const trainStep = defineStep({
  name: 'slipway.train',
  description: 'train on the pinned dataset, score the held-out split, store the model',
  input: z.object({
    dataset: PinnedDatasetRef,
    schema: RowSchema,
    features: FeatureSpec,
    trainer: z.string().min(1).default('logistic-regression'),
    params: z.record(z.string(), z.unknown()).default({}),
    seed: z.number().int().default(42),
    testFraction: z.number().gt(0).max(0.9).default(0.2),
    /** The model being trained: names the tracking experiment (pipelines pass their own `modelName`). */
    modelName: ModelName.optional(),
    /** Overrides of how the tracking run is filed. */
    tracking: TrainTracking.optional(),
  }),
  output: TrainingResult,
  options: { startToCloseTimeout: '6h', heartbeatTimeout: '30s', retry: { maximumAttempts: 5 } },
});

/** Registers a model version with its lineage; a retried call returns the same version. */
export const registerStep = defineStep({
  name: 'slipway.register',
  description: 'register the model version with its lineage',
  input: z.object({
    modelName: ModelName,
    model: ArtifactRef,
    metrics: Metrics,
    lineage: Lineage,
    /** The tracking run that trained the model (the train step's `trackingRunId`): the version links to it. */
    trackingRunId: z.string().min(1).optional(),
  }),
  output: z.object({ version: ModelVersionRef, created: z.boolean() }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10 } },
});

/** Builds the evidence packet for a candidate: its metrics next to the champion's, and the digests. */
export const evidenceStep = defineStep({
  name: 'slipway.evidence',
  description: 'gather candidate-vs-champion evidence for the approver',
  input: z.object({ candidate: ModelVersionRef, alias: z.string().min(1).default('champion') }),
  output: EvidencePacket,
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10 } },
});

/** Records the gate's outcome and every decision in the registry. */
export const recordApprovalStep = defineStep({
  name: 'slipway.recordApproval',
  description: 'record the approval outcome and approvers in the registry',
  input: z.object({
    version: ModelVersionRef,
    outcome: z.enum(['approved', 'rejected', 'expired']),
    decisions: z.array(GateDecision),
    evidenceDigest: Digest,
  }),
  output: z.object({ recorded: z.boolean() }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10 } },
});

/** Loads an approved version into the model server, smoke-checks it and moves the alias. */
export const deployStep = defineStep({
  name: 'slipway.deploy',
  description: 'load the version in the model server, smoke-check it, move the alias',
  input: z.object({
    version: ModelVersionRef,
    serverUrl: z.url(),
    alias: z.string().min(1).default('champion'),
    /** Features for the smoke prediction; by default built from the training profile. */
    smokeFeatures: FeatureRow.optional(),
  }),
  output: z.object({
    deploymentId: z.string(),
    model: z.string(),
    version: z.number().int().positive(),
    previousVersion: z.number().int().positive().nullable(),
    serverUrl: z.string(),
    smokeScore: z.number().min(0).max(1),
  }),
  options: { startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } },
});

/** Compares the features a version served with its training profile (PSI per feature). */
export const monitorStep = defineStep({
  name: 'slipway.monitor',
  description: 'compare served features with the training profile',
  input: z.object({
    model: ModelName,
    /** The version to check; by default the one behind `alias`. */
    version: z.number().int().positive().optional(),
    alias: z.string().min(1).default('champion'),
    serverUrl: z.url(),
    psiThreshold: z.number().positive().default(0.2),
    minSamples: z.number().int().min(1).default(50),
    /** What decides drift: PSI over `psiThreshold` (default), or a test p-value under `alpha`. */
    criterion: DriftCriterion.optional(),
  }),
  output: DriftReport,
  options: { startToCloseTimeout: '10m', retry: { maximumAttempts: 5 } },
});

/** Every built-in step, keyed by the name `useSteps` gives its function. */
export const builtinSteps = {
  validate: validateStep,
  train: trainStep,
  register: registerStep,
  evidence: evidenceStep,
  recordApproval: recordApprovalStep,
  deploy: deployStep,
  monitor: monitorStep,
  resolveApprovers: resolveApproversStep,
} as const;
