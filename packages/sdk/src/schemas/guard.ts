/**
 * The model guardian's vocabulary: where served rows come from (a monitor source), how a check judges drift (the
 * drift policy), what one check returns to the guardian (a small summary with references to its stored report and
 * page), where a retrain's fresh data comes from (a dataset template), and what a retrain started by the guardian
 * carries (the trigger). Only references and digests travel through workflow history: the full report is an
 * artifact.
 */
import { z } from 'zod';
import { ArtifactRef, Digest } from './artifact.js';
import { CsvOptions, DatasetCompression, DatasetFormat } from './dataset.js';
import { SignedStart } from '../signing/payloads.js';

/**
 * Where a check reads served rows: the model server's served-rows log of the version behind the alias, or served
 * rows written elsewhere (a model served outside Slipway) as JSON lines or Parquet files under a `file://`
 * directory (inside the worker's dataset roots) or an `s3://bucket/prefix/`, each row holding its features, a
 * timestamp column and, optionally, the prediction.
 */
export const MonitorSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('model-server'), serverUrl: z.url() }),
  z.strictObject({
    kind: z.literal('rows'),
    /** A `file://` directory or an `s3://bucket/prefix/`; every matching file under it is read. */
    uri: z.string().regex(/^(file:\/\/|s3:\/\/[^/]+\/)/, 'expected a file:// directory or s3://bucket/prefix/'),
    format: z.enum(['jsonl', 'parquet']).optional(),
    /** The column holding each row's time (ISO 8601 string or epoch milliseconds). */
    timestampColumn: z.string().min(1).default('ts'),
    /** The column holding the model's prediction (a score or a value), when the rows carry it. */
    predictionColumn: z.string().min(1).optional(),
  }),
]);
/** Where a check reads served rows. */
export type MonitorSource = z.infer<typeof MonitorSource>;

/**
 * How one feature is tested: `psi` and `js` (Jensen–Shannon distance) drift above `threshold`; `ks` (numeric) and
 * `chi-square` (categorical) drift when their p-value is below `threshold`.
 */
export const FeatureTest = z.strictObject({
  test: z.enum(['psi', 'ks', 'chi-square', 'js']),
  threshold: z.number().gt(0),
});
/** How one feature is tested. */
export type FeatureTest = z.infer<typeof FeatureTest>;

/** How a check judges drift: per-feature tests and the dataset-level verdict. */
export const DriftPolicy = z.strictObject({
  /** The newest rows of the window compared at most. */
  maxRows: z.number().int().min(1).max(1_000_000).default(10_000),
  /** A window with fewer rows makes no verdict (and neither advances nor resets the guardian's count). */
  minSamples: z.number().int().min(1).default(200),
  /** The dataset drifted when the share of drifted features reaches this. */
  driftShare: z.number().gt(0).max(1).default(0.5),
  numeric: FeatureTest.default({ test: 'psi', threshold: 0.2 }),
  categorical: FeatureTest.default({ test: 'psi', threshold: 0.2 }),
  /** Per-feature overrides of the tests above. */
  features: z.record(z.string(), FeatureTest).default({}),
  /** Prediction drift against the held-out predictions recorded at training (`psi` or `ks`). */
  prediction: FeatureTest.default({ test: 'psi', threshold: 0.2 }),
  /**
   * Whether the prediction's test counts towards the verdict as one more feature (named `prediction`); by default
   * prediction drift is reported and shown but does not count.
   */
  countPrediction: z.boolean().optional(),
  /** Serving health limits (model-server source): a breach is reported, and notified, but does not retrain. */
  health: z
    .strictObject({ maxErrorRate: z.number().min(0).max(1).optional(), maxP99Ms: z.number().positive().optional() })
    .default({}),
});
/** How a check judges drift. */
export type DriftPolicy = z.infer<typeof DriftPolicy>;
/** A drift policy as written (defaults not applied). */
export type DriftPolicyInput = z.input<typeof DriftPolicy>;

/** The time window of one check: rows with `from < ts ≤ to` (no `from`: everything up to `to`). */
export const CheckWindow = z.strictObject({
  from: z.iso.datetime().optional(),
  to: z.iso.datetime(),
  /** The model-server source's cursor after the previous check's last row: where reading resumes. */
  cursor: z.string().min(1).optional(),
});
/** The time window of one check. */
export type CheckWindow = z.infer<typeof CheckWindow>;

/** The prediction drift of a check: served predictions against the held-out predictions of the version. */
export const PredictionDriftSummary = z.strictObject({
  test: z.enum(['psi', 'ks']),
  /** PSI, or the KS statistic. */
  statistic: z.number().nonnegative(),
  pValue: z.number().min(0).max(1).optional(),
  drifted: z.boolean(),
});
/** The prediction drift of a check. */
export type PredictionDriftSummary = z.infer<typeof PredictionDriftSummary>;

/** Serving health over a check's window (model-server source). */
export const ServingHealth = z.strictObject({
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  errorRate: z.number().min(0).max(1),
  /** Null when nothing was served in the window. */
  p99Ms: z.number().nonnegative().nullable(),
  /** Whether a `health` limit of the policy was exceeded. */
  breached: z.boolean(),
});
/** Serving health over a check's window. */
export type ServingHealth = z.infer<typeof ServingHealth>;

/**
 * What one check returns to the guardian: the verdict and references. The full report (every feature's test,
 * shares, the prediction drift and health) is the `report` artifact (a `GuardReport`), its picture the `page`
 * artifact (an HTML page with a chart per feature). `servingProfile` is the dataset profile of the compared
 * rows, the reference of a retrain's distribution checks when this check triggers one.
 */
export const GuardCheckResult = z.strictObject({
  checkId: z.string().min(1),
  model: z.string().min(1),
  version: z.number().int().positive(),
  window: z.strictObject({ from: z.iso.datetime().optional(), to: z.iso.datetime(), cursor: z.string().optional() }),
  samples: z.number().int().nonnegative(),
  /** False when fewer than `minSamples` rows were compared: no verdict. */
  enoughSamples: z.boolean(),
  drifted: z.boolean(),
  /** Drifted features over tested features (0 without a verdict). */
  driftShare: z.number().min(0).max(1),
  driftedFeatures: z.array(z.string()),
  prediction: PredictionDriftSummary.nullable(),
  health: ServingHealth.nullable(),
  report: ArtifactRef,
  page: ArtifactRef,
  servingProfile: ArtifactRef.nullable(),
});
/** What one check returns to the guardian. */
export type GuardCheckResult = z.infer<typeof GuardCheckResult>;

/**
 * Where a retrain's fresh data comes from: the newest file under a `file://` directory (inside the dataset roots)
 * or the newest object under an `s3://bucket/prefix/` (newest by modification time, then by name), optionally
 * only names matching `pattern` (a glob on the file name, e.g. `*.csv`). Resolved when the retrain starts and
 * pinned by its digest, so every retry reads the same bytes.
 */
export const DatasetTemplate = z.strictObject({
  newestUnder: z.string().regex(/^(file:\/\/|s3:\/\/[^/]+\/)/, 'expected a file:// directory or s3://bucket/prefix/'),
  pattern: z.string().min(1).optional(),
  format: DatasetFormat.optional(),
  compression: DatasetCompression.optional(),
  csv: CsvOptions.optional(),
});
/** Where a retrain's fresh data comes from. */
export type DatasetTemplate = z.infer<typeof DatasetTemplate>;

/**
 * What a retrain started by the guardian carries (`trainAndPromote`'s `retrain` field): which guardian and check
 * triggered it, the drift report and page (part of the gate's evidence), and the profile of the serving window
 * that drifted — the reference its distribution checks compare the new training data with, instead of the
 * champion's training data it drifted away from. Accepted only from a run whose parent is `guardian:<model>`.
 */
export const RetrainTrigger = z.strictObject({
  guardian: z.string().min(1),
  checkId: z.string().min(1),
  driftReport: ArtifactRef,
  driftPage: ArtifactRef,
  servingProfile: ArtifactRef,
  /** The digest of the dataset the template resolved to. */
  datasetDigest: Digest.optional(),
  /**
   * The guardian's own signed start and its input as signed (without `start`): the retrain's proof of who started
   * it. The retrain verifies it for the guardian's workflow id, its gate puts it in the approval proof, and the
   * activities that act on the approval verify it again (the retrain's policy must be the signed
   * `retrain.input.approval`).
   */
  guardianStart: z.strictObject({ start: SignedStart, input: z.record(z.string(), z.unknown()) }).optional(),
});
/** What a retrain started by the guardian carries. */
export type RetrainTrigger = z.infer<typeof RetrainTrigger>;
