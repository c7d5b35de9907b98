/**
 * The model server's HTTP protocol: request schemas, answer shapes and error codes. The deploy and monitor
 * activities in `@slipway/activities` hold the client side of the same protocol.
 */
import { ArtifactRef, FeatureRow, ModelName } from '@slipway/sdk';
import { z } from 'zod';

/** Error codes the server puts in `{ error: { code, message } }` answers. */
export const ServeErrorCode = {
  InvalidRequest: 'InvalidRequest',
  UnknownModel: 'UnknownModel',
  NoDeployment: 'NoDeployment',
  UnknownDeployment: 'UnknownDeployment',
  DeploymentConflict: 'DeploymentConflict',
  DeploymentSuperseded: 'DeploymentSuperseded',
  DeploymentRolledBack: 'DeploymentRolledBack',
  NotCurrent: 'NotCurrent',
  ArtifactNotFound: 'ArtifactNotFound',
  ArtifactDigestMismatch: 'ArtifactDigestMismatch',
  ArtifactUnreadable: 'ArtifactUnreadable',
  InvalidModel: 'InvalidModel',
  UnknownModelKind: 'UnknownModelKind',
  ModelUnavailable: 'ModelUnavailable',
  PredictionFailed: 'PredictionFailed',
  NotFound: 'NotFound',
  Internal: 'Internal',
} as const;
/** An error code of the model server. */
export type ServeErrorCode = (typeof ServeErrorCode)[keyof typeof ServeErrorCode];

/** An error that becomes a JSON error answer with the given HTTP status. */
export class ServeError extends Error {
  /** Always `'ServeError'`; compare this, not `instanceof`. */
  override readonly name = 'ServeError';
  /** Creates an error answered with `status` and `{ error: { code, message } }`. */
  constructor(
    readonly status: 400 | 404 | 409 | 413 | 422 | 500 | 503,
    readonly code: ServeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** True for a {@link ServeError}, also across module copies. */
export function isServeError(err: unknown): err is ServeError {
  return err instanceof Error && err.name === 'ServeError' && typeof (err as ServeError).status === 'number';
}

/** Model names are the registry's names; some file names under `serving/` are reserved. */
export const ServedModelName = ModelName.refine(
  (name) => !name.startsWith('state.json'),
  'names starting with "state.json" are reserved by the model server',
);

/** Body of `PUT /v1/models/:name/deployment`. */
export const DeployRequest = z.object({
  deploymentId: z.string().min(1).max(200),
  version: z.number().int().positive(),
  artifact: ArtifactRef,
});
/** Body of a deployment request. */
export type DeployRequest = z.infer<typeof DeployRequest>;

/** Body of `POST /v1/models/:name/rollback`. */
export const RollbackRequest = z.object({ deploymentId: z.string().min(1).max(200) });
/** Body of a rollback request. */
export type RollbackRequest = z.infer<typeof RollbackRequest>;

/** The most instances one predict request may carry. */
export const MAX_INSTANCES = 10_000;

/** Body of `POST /v1/models/:name/predict`. */
export const PredictRequest = z.object({ instances: z.array(FeatureRow).min(1).max(MAX_INSTANCES) });
/** Body of a prediction request. */
export type PredictRequest = z.infer<typeof PredictRequest>;

/** Query of `GET /v1/models/:name/versions/:version/served`. */
export const ServedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100_000).default(1000),
});

/** A model version as a positive integer path segment (`3` or `v3`). */
export const VersionParam = z
  .string()
  .regex(/^v?[1-9][0-9]{0,8}$/, 'expected a positive version number such as 3 or v3')
  .transform((s) => Number(s.replace(/^v/, '')));

/** A deployment as the server names it in answers. */
export interface ServedDeployment {
  version: number;
  deploymentId: string;
}

/** The answer to a deployment request (also the idempotent replay of one). */
export interface DeployAnswer {
  model: string;
  version: number;
  deploymentId: string;
  previous: ServedDeployment | null;
}

/** The answer to a rollback request. */
export interface RollbackAnswer {
  model: string;
  rolledBack: ServedDeployment;
  /** What serves now; null when nothing was deployed before. */
  current: ServedDeployment | null;
}

/** One prediction: the positive-class probability and the label at threshold 0.5 (1 when score ≥ 0.5). */
export interface Prediction {
  score: number;
  label: 0 | 1;
}

/** The answer to a prediction request. */
export interface PredictAnswer {
  model: string;
  version: number;
  deploymentId: string;
  predictions: Prediction[];
}

/** One logged served row. */
export interface ServedRow {
  ts: string;
  deploymentId: string;
  features: FeatureRow;
}

/** The answer to a served-rows request: the newest `limit` rows, oldest first, and how many were logged. */
export interface ServedAnswer {
  model: string;
  version: number;
  total: number;
  rows: ServedRow[];
}
