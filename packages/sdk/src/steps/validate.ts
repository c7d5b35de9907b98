import { z } from 'zod';
import { defineStep } from '../step.js';
import { ArtifactRef, Digest } from '../schemas/artifact.js';
import { DatasetRef, RowSchema } from '../schemas/dataset.js';
import { Expectation, ProfileReference } from '../schemas/expectations.js';

/**
 * The serving window a retrain started by the model guardian compares its new training data with: the profile of
 * the served rows whose drift triggered it, and which guardian and check that was.
 */
export const ServingWindowReference = z.strictObject({
  guardian: z.string().min(1),
  checkId: z.string().min(1),
  profile: ArtifactRef,
});
/** The serving window a retrain compares its new training data with. */
export type ServingWindowReference = z.infer<typeof ServingWindowReference>;

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
    /**
     * Set on a retrain started by the model guardian: distribution expectations compare with this serving window
     * instead of `reference` (the data the served rows drifted away from), and the report says so.
     */
    servingWindow: ServingWindowReference.optional(),
    /** Share of bad rows (0..1) above which the step fails with `SlipwayValidationFailed`. */
    maxBadRowShare: z.number().min(0).max(1).default(0),
    maxFailuresReported: z.number().int().min(1).max(1000).default(20),
  }),
  output: ValidationSummary,
  options: { startToCloseTimeout: '30m', heartbeatTimeout: '1m', retry: { maximumAttempts: 5 } },
});
