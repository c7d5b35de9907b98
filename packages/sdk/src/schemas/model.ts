import { z } from 'zod';
import { ArtifactRef, Digest } from './artifact.js';

/** Named scalar metrics, e.g. `{ accuracy: 0.91, auc: 0.95, logLoss: 0.27 }`. */
export const Metrics = z.record(z.string(), z.number());
/** Named scalar metrics. */
export type Metrics = z.infer<typeof Metrics>;

/** What a model predicts: a class out of two, a class out of several, or a number. */
export const ModelTask = z.enum(['binary', 'multiclass', 'regression']);
/** What a model predicts: a class out of two, a class out of several, or a number. */
export type ModelTask = z.infer<typeof ModelTask>;

/** A class of a classifier, as the target column holds it: a string, a number or a boolean. */
export const ClassLabel = z.union([z.string(), z.number(), z.boolean()]);
/** A class of a classifier. */
export type ClassLabel = z.infer<typeof ClassLabel>;

/** Model names: lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
export const ModelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'expected lowercase letters, digits, ".", "_" or "-" (at most 100)');
/** A model name. */
export type ModelName = z.infer<typeof ModelName>;

/** A reference to one registered model version. */
export const ModelVersionRef = z.object({
  name: ModelName,
  version: z.number().int().positive(),
  digest: Digest,
});
/** A reference to one registered model version. */
export type ModelVersionRef = z.infer<typeof ModelVersionRef>;

/** Which columns feed the model and which one it predicts. */
export const FeatureSpec = z.object({
  numeric: z.array(z.string().min(1)).default([]),
  categorical: z.array(z.string().min(1)).default([]),
  target: z.string().min(1),
});
/** Which columns feed the model and which one it predicts. */
export type FeatureSpec = z.infer<typeof FeatureSpec>;

/**
 * What is known of a model trained outside Slipway (`slipway models import`), and what is not: the ONNX file's
 * digest and the metrics its trainer reported (never Slipway's own: those are the version's `metrics`, computed on
 * the reference dataset), and the parts of its training nobody can vouch for.
 */
export const ExternalTraining = z.object({
  /** sha256 of the imported `.onnx` file. */
  onnxDigest: Digest,
  /** The imported file's name, without its directory (absent in versions imported before it was recorded). */
  fileName: z.string().min(1).optional(),
  /** The metrics the trainer reported (`--metrics`), as given; empty when none were. */
  trainerMetrics: Metrics,
  /** What Slipway does not know about the training (its data, params, code, run). */
  unknown: z.array(z.string()),
});
/** What is known of a model trained outside Slipway, and what is not. */
export type ExternalTraining = z.infer<typeof ExternalTraining>;

/** Where a model version came from, as written today. */
const LineageFields = z.object({
  datasetUri: z.string(),
  datasetDigest: Digest,
  validationReport: ArtifactRef,
  profile: ArtifactRef,
  trainer: z.string(),
  params: z.record(z.string(), z.unknown()),
  features: FeatureSpec,
  codeVersion: z.string(),
  /** The Temporal workflow id of the run that trained it (the client's `runId`). */
  workflowId: z.string(),
  /** The Temporal run id of that workflow execution (one workflow id can have several runs). */
  temporalRunId: z.string(),
  /** What the model predicts (absent in lineage written before tasks: a binary classifier). */
  task: ModelTask.optional(),
  /**
   * The stored profile of the model's predictions on the held-out split (the reference of prediction drift), when
   * the train step stored one.
   */
  predictionProfile: ArtifactRef.optional(),
  /**
   * Set for a model trained outside Slipway (then `trainer` is `external`, the dataset is the reference it was
   * evaluated on, and `workflowId`/`temporalRunId` are empty: no workflow trained it).
   */
  external: ExternalTraining.optional(),
});

/** Lineage as written before `runId` was renamed `temporalRunId`: registry records and in-flight step inputs. */
export type LegacyLineageInput = Omit<z.input<typeof LineageFields>, 'temporalRunId'> & { runId: string };

/**
 * Lineage with the Temporal run id under its old name `runId` (records registered before the rename, and register
 * inputs scheduled by a run started before it) read as today's: `runId` becomes `temporalRunId`. Anything else is
 * returned as it is.
 */
export function upgradeLineage<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (!('runId' in record) || 'temporalRunId' in record) return value;
  const { runId, ...rest } = record;
  return { ...rest, temporalRunId: runId } as T;
}

/**
 * Where a model version came from: the dataset and its digest, the validation report and profile, the trainer, its
 * params and features, the code version, and the workflow that trained it. Old lineage (`runId` for the Temporal run
 * id) parses too, as today's (see {@link upgradeLineage}).
 */
export const Lineage = z.preprocess(
  (value: z.input<typeof LineageFields> | LegacyLineageInput) => upgradeLineage(value),
  LineageFields,
);
/** Where a model version came from. */
export type Lineage = z.infer<typeof Lineage>;
