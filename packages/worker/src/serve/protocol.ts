/**
 * The server-only parts of the model server's HTTP protocol: error codes, the error class that becomes an error
 * answer, and the path and query parameters. The request and answer bodies are defined once, in
 * `@slipway/sdk` (`StageRequest`, `PredictAnswer`, ...), and shared with the client in `@slipway/activities`.
 */
import { MAX_SERVED_LIMIT, ModelName } from '@slipway/sdk';
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
  DeploymentDiscarded: 'DeploymentDiscarded',
  StagedAbandoned: 'StagedAbandoned',
  NotStaged: 'NotStaged',
  NotServable: 'NotServable',
  NotCurrent: 'NotCurrent',
  /** The deployment is not the rollout's candidate (nor staged, where that would do). */
  NotCandidate: 'NotCandidate',
  /** Another candidate holds the model's traffic split: promote or abort it first. */
  CandidateConflict: 'CandidateConflict',
  /** The split would leave requests without a version to answer them (no stable deployment). */
  NoStable: 'NoStable',
  /** The measurement window is not held by this server (never opened, or the server restarted since). */
  UnknownWindow: 'UnknownWindow',
  ArtifactNotFound: 'ArtifactNotFound',
  ArtifactDigestMismatch: 'ArtifactDigestMismatch',
  ArtifactUnreadable: 'ArtifactUnreadable',
  InvalidModel: 'InvalidModel',
  UnknownModelKind: 'UnknownModelKind',
  ModelUnavailable: 'ModelUnavailable',
  PredictionFailed: 'PredictionFailed',
  NotFound: 'NotFound',
  Gone: 'Gone',
  Unauthorized: 'Unauthorized',
  CrossOriginRefused: 'CrossOriginRefused',
  UnsupportedMediaType: 'UnsupportedMediaType',
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
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 500 | 503,
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

/** A deployment id as a path segment (the caller chooses it; the deploy step derives it from its identity). */
export const DeploymentIdParam = z.string().min(1).max(200);

/** Query of `GET /v1/models/:name/versions/:version/served`. */
export const ServedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_SERVED_LIMIT).default(1000),
  /** A cursor from an earlier answer, or `start`: read the rows after it instead of the newest ones. */
  after: z.string().min(1).max(1000).optional(),
});

/** The query of a version health request: the window `from < t ≤ to` (ISO 8601 times). */
export const HealthQuery = z.object({
  from: z.iso.datetime().optional(),
  to: z.iso.datetime(),
});

/** A model version as a positive integer path segment (`3` or `v3`). */
export const VersionParam = z
  .string()
  .regex(/^v?[1-9][0-9]{0,8}$/, 'expected a positive version number such as 3 or v3')
  .transform((s) => Number(s.replace(/^v/, '')));
