import { z } from 'zod';
import { ArtifactRef, Digest } from './artifact.js';

/** Named scalar metrics, e.g. `{ accuracy: 0.91, auc: 0.95, logLoss: 0.27 }`. */
export const Metrics = z.record(z.string(), z.number());
/** Named scalar metrics. */
export type Metrics = z.infer<typeof Metrics>;

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

/** Where a model version came from. */
export const Lineage = z.object({
  datasetUri: z.string(),
  datasetDigest: Digest,
  validationReport: ArtifactRef,
  profile: ArtifactRef,
  trainer: z.string(),
  params: z.record(z.string(), z.unknown()),
  features: FeatureSpec,
  codeVersion: z.string(),
  workflowId: z.string(),
  runId: z.string(),
});
/** Where a model version came from. */
export type Lineage = z.infer<typeof Lineage>;
