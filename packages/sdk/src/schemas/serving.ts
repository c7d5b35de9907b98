/**
 * The wire protocol of the Slipway model server (`slipway serve`): the request and answer bodies of every route.
 * The server (`@slipway/worker`) validates requests with these schemas; the client (`createModelServerClient` in
 * `@slipway/activities`) checks answers with them. Every body is JSON; a failure is {@link ServeErrorBody}.
 *
 * Deploying is two-phase: stage, smoke-check the staged version, commit. Only a commit makes a version serve.
 * - `PUT /v1/models/:name/deployments/:deploymentId` {@link StageRequest} → {@link StageAnswer}: load and stage
 * - `POST /v1/models/:name/deployments/:deploymentId/predict` {@link PredictRequest} → {@link PredictAnswer}:
 *   score with that deployment (staged, candidate or stable); never logged as served traffic
 * - `POST /v1/models/:name/deployments/:deploymentId/commit` {@link CommitRequest} → {@link CommitAnswer}
 * - `POST /v1/models/:name/deployments/:deploymentId/discard` {@link DiscardRequest} → {@link DiscardAnswer}
 * - `POST /v1/models/:name/rollback` {@link RollbackRequest} → {@link RollbackAnswer}
 * - `POST /v1/models/:name/predict` {@link PredictRequest} → {@link PredictAnswer}: the stable version, or while a
 *   rollout's candidate holds a share the version the request is routed to (see `schemas/traffic.ts`); logged
 * - `GET /v1/models/:name` → {@link ModelStatusAnswer}; `GET /v1/models` → {@link ModelListAnswer};
 *   `GET /health` → {@link HealthAnswer}
 * - `GET /v1/models/:name/versions/:version/served?after=&limit=` → {@link ServedAnswer}
 * - the rollout's routes (traffic split, promote, abort, measurement windows): see `schemas/traffic.ts`
 *
 * The control plane (stage, deployment predict, commit, discard, rollback, served rows, and the rollout's routes) needs
 * `Authorization: Bearer <token>`. Every request that changes state (those and predict) must be
 * `content-type: application/json`, and browser cross-origin requests are refused.
 */
import { z } from 'zod';
import { ArtifactRef } from './artifact.js';
import { ClassLabel, ModelTask } from './model.js';

/** A feature value as the model server accepts it. */
export const FeatureValue = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected a string, a number, a boolean or null (a feature value, not an object or array)',
});
/** A feature value as the model server accepts it. */
export type FeatureValue = z.infer<typeof FeatureValue>;

/** One request's features. */
export const FeatureRow = z.record(z.string(), FeatureValue);
/** One request's features. */
export type FeatureRow = z.infer<typeof FeatureRow>;

/** A deployment id: chosen by the caller, unique per deployment of a model (the deploy step derives it). */
const DeploymentId = z.string().min(1).max(200);

/** A model version number. */
const Version = z.number().int().positive();

/**
 * Body of `PUT /v1/models/:name/deployments/:deploymentId`: load `artifact` as `version` and stage it (it serves no
 * traffic until committed). Repeating it with the same deployment id, version and artifact answers the same.
 */
export const StageRequest = z.object({
  version: Version,
  artifact: ArtifactRef,
});
/** Body of a stage request. */
export type StageRequest = z.infer<typeof StageRequest>;

/** Body of `POST /v1/models/:name/deployments/:deploymentId/commit`: an empty JSON object. */
export const CommitRequest = z.object({});
/** Body of a commit request. */
export type CommitRequest = z.infer<typeof CommitRequest>;

/** Body of `POST /v1/models/:name/deployments/:deploymentId/discard`: why the staged deployment is dropped. */
export const DiscardRequest = z.object({ reason: z.string().min(1).max(2000) });
/** Body of a discard request. */
export type DiscardRequest = z.infer<typeof DiscardRequest>;

/** Body of `POST /v1/models/:name/rollback`: undo the deployment `deploymentId`, which must be current. */
export const RollbackRequest = z.object({ deploymentId: DeploymentId });
/** Body of a rollback request. */
export type RollbackRequest = z.infer<typeof RollbackRequest>;

/** The most instances one predict request may carry. */
export const MAX_INSTANCES = 10_000;

/** Body of `POST /v1/models/:name/predict`: 1 to {@link MAX_INSTANCES} rows to score. */
export const PredictRequest = z.object({ instances: z.array(FeatureRow).min(1).max(MAX_INSTANCES) });
/** Body of a prediction request. */
export type PredictRequest = z.infer<typeof PredictRequest>;

/** A deployment as the model server names it in answers. */
export const ServedDeployment = z.object({ version: Version, deploymentId: DeploymentId });
/** A deployment as the model server names it in answers. */
export type ServedDeployment = z.infer<typeof ServedDeployment>;

/** A deployment that was staged: loaded, smoke-checkable through its own route, serving no traffic. */
export const StagedDeployment = ServedDeployment.extend({ artifact: ArtifactRef, stagedAt: z.string() });
/** A staged deployment. */
export type StagedDeployment = z.infer<typeof StagedDeployment>;

/**
 * A staged deployment that ended without serving: `abandoned` (the server restarted before it was committed; it
 * may be staged again under the same id) or `discarded` (on request, e.g. a failed smoke check, or replaced by a
 * newer staging; its id cannot be staged again).
 */
export const EndedDeployment = ServedDeployment.extend({
  stagedAt: z.string(),
  endedAt: z.string(),
  outcome: z.enum(['abandoned', 'discarded']),
  reason: z.string(),
});
/** A staged deployment that ended without serving. */
export type EndedDeployment = z.infer<typeof EndedDeployment>;

/** The answer to a stage request (also the idempotent replay of one). */
export const StageAnswer = z.object({
  model: z.string(),
  version: Version,
  deploymentId: DeploymentId,
  /** `staged`: loaded, waiting for its commit; `committed`: an earlier commit already made it the stable version. */
  status: z.enum(['staged', 'committed']),
  /** What serves the model's traffic now. */
  stable: ServedDeployment.nullable(),
});
/** The answer to a stage request. */
export type StageAnswer = z.infer<typeof StageAnswer>;

/** The answer to a commit request (also the idempotent replay of one): the deployment now serves. */
export const CommitAnswer = z.object({
  model: z.string(),
  version: Version,
  deploymentId: DeploymentId,
  /** What served before this deployment; null for the model's first one. */
  previous: ServedDeployment.nullable(),
});
/** The answer to a commit request. */
export type CommitAnswer = z.infer<typeof CommitAnswer>;

/** The answer to a discard request (also the replay of one): how the staged deployment ended, and what serves. */
export const DiscardAnswer = EndedDeployment.extend({
  model: z.string(),
  stable: ServedDeployment.nullable(),
});
/** The answer to a discard request. */
export type DiscardAnswer = z.infer<typeof DiscardAnswer>;

/** The answer to `POST /v1/models/:name/rollback` (also the idempotent replay of one). */
export const RollbackAnswer = z.object({
  model: z.string(),
  rolledBack: ServedDeployment,
  /** What serves now; null when nothing was deployed before the rolled-back deployment. */
  current: ServedDeployment.nullable(),
});
/** The answer to a rollback request. */
export type RollbackAnswer = z.infer<typeof RollbackAnswer>;

/**
 * One prediction, by task:
 * - binary: `score`, the probability of the positive class, and `label`, the class predicted at threshold 0.5 (for
 *   the built-in model 1 or 0; for other models the class as the target column holds it); `scores` per class when
 *   the model names its classes;
 * - multiclass: `label` (the most probable class) and `scores`, the probability of each class;
 * - regression: `value`.
 * `imputed` says which features the model filled in (with the values its artifact declares) when the request left
 * them out.
 */
export const Prediction = z.object({
  score: z.number().min(0).max(1).optional(),
  label: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** The probability of each class, by the class's string form. */
  scores: z.record(z.string(), z.number().min(0).max(1)).optional(),
  value: z.number().optional(),
  /** The features the model imputed for this row; absent when it imputed none. */
  imputed: z.array(z.string()).optional(),
});
/** One prediction. */
export type Prediction = z.infer<typeof Prediction>;

/**
 * The answer to `POST /v1/models/:name/predict`: one prediction per instance, in order, who scored them, what the
 * model predicts (`task`), and for a classifier its `classes` (binary: negative, then positive), the keys of each
 * prediction's `scores` being their string forms.
 */
export const PredictAnswer = z.object({
  model: z.string(),
  version: Version,
  deploymentId: DeploymentId,
  task: ModelTask,
  classes: z.array(ClassLabel).optional(),
  predictions: z.array(Prediction),
});
/** The answer to a prediction request. */
export type PredictAnswer = z.infer<typeof PredictAnswer>;

/** Class probabilities by the class's string form. */
const ClassScores = z.record(z.string(), z.number().min(0).max(1));

/**
 * A served row's prediction, by task: binary `{ score, label, scores }` (`score` the positive class's probability),
 * multiclass `{ label, scores }`, regression `{ value }`.
 */
export const ServedPrediction = z.discriminatedUnion('task', [
  z.object({
    task: z.literal('binary'),
    score: z.number().min(0).max(1),
    label: ClassLabel,
    scores: ClassScores,
  }),
  z.object({ task: z.literal('multiclass'), label: ClassLabel, scores: ClassScores }),
  z.object({ task: z.literal('regression'), value: z.number() }),
]);
/** A served row's prediction. */
export type ServedPrediction = z.infer<typeof ServedPrediction>;

/** The fields every served row holds, as today's model server writes them. */
const ServedRowFields = {
  /** When the row was scored (ISO 8601). */
  ts: z.string(),
  deploymentId: DeploymentId,
  features: FeatureRow,
  /** The features the model imputed; absent when none (drift checks leave such rows out). */
  imputed: z.array(z.string()).optional(),
};

/**
 * One served row, the record of what a model version answered for one request row: when, by which deployment and
 * version, the features as the request sent them, the prediction, the features the model imputed (absent when
 * none), and whether it was shadow traffic (scored by a version that did not answer: a candidate in `shadow`
 * mode). Rows logged before the model server recorded predictions have no `prediction`.
 */
export const ServedRow = z.object({
  ...ServedRowFields,
  version: Version,
  /** Absent only in rows logged before the model server recorded predictions. */
  prediction: ServedPrediction.optional(),
  shadow: z.boolean(),
});
/** One served row. */
export type ServedRow = z.infer<typeof ServedRow>;

/**
 * One line of a served log as it is stored: a {@link ServedRow}, or a line written before the record held the
 * version and shadow flag (`{ ts, deploymentId, features, imputed? }`), whose version is the log's own and which
 * was never shadow traffic. {@link servedRowOfLine} reads both.
 */
export const ServedLogLine = z.object({
  ...ServedRowFields,
  version: Version.optional(),
  prediction: ServedPrediction.optional(),
  shadow: z.boolean().optional(),
});
/** One stored line of a served log. */
export type ServedLogLine = z.infer<typeof ServedLogLine>;

/**
 * The served row a stored line holds, read in the log of `version`: old lines get that version and `shadow: false`.
 * Undefined when the value is not a served row, or belongs to another version.
 */
export function servedRowOfLine(value: unknown, version: number): ServedRow | undefined {
  const parsed = ServedLogLine.safeParse(value);
  if (!parsed.success) return undefined;
  const line = parsed.data;
  if (line.version !== undefined && line.version !== version) return undefined;
  return ServedRow.parse({ ...line, version, shadow: line.shadow ?? false });
}

/** The largest number of rows one served-rows request may ask for. */
export const MAX_SERVED_LIMIT = 100_000;

/**
 * The answer to `GET /v1/models/:name/versions/:version/served`: the rows (oldest first) and `cursor`, the
 * position after the last of them, to pass as `after` to read on from there. Without `after` the rows are the
 * newest `limit`; with it, up to `limit` rows after that position. `total` is how many rows the version served in
 * all. A version that never served has none. Cursors are opaque and bound to the model server, model and version.
 */
export const ServedAnswer = z.object({
  model: z.string(),
  version: Version,
  total: z.number().int().nonnegative(),
  rows: z.array(ServedRow),
  cursor: z.string().min(1),
});
/** The answer to a served-rows request. */
export type ServedAnswer = z.infer<typeof ServedAnswer>;

/**
 * The answer to `GET /v1/models/:name/versions/:version/health?to=<time>[&from=<time>]`: the requests the version
 * answered with `from < time ≤ to` (shadow copies and rejected requests, 400s, are not counted), how many failed
 * (500s), and the 99th percentile of their latency (null when none). The server keeps these in memory: `since` is
 * the time from which it holds every request (its start, or the oldest request it still keeps); a window starting
 * before it is only partly covered.
 */
export const VersionHealthAnswer = z.object({
  model: z.string(),
  version: Version,
  since: z.iso.datetime(),
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  p99Ms: z.number().nonnegative().nullable(),
});
/** The answer to a version health request. */
export type VersionHealthAnswer = z.infer<typeof VersionHealthAnswer>;

/**
 * Traffic weights in percent: `stable` and `candidate` sum to 100. A candidate (the rollout's version under test)
 * gets traffic only when its weight is above 0; without a candidate `candidate` is 0.
 */
export const TrafficWeights = z
  .object({ stable: z.number().int().min(0).max(100), candidate: z.number().int().min(0).max(100) })
  .refine((w) => w.stable + w.candidate === 100, 'stable and candidate weights must sum to 100');
/** Traffic weights in percent. */
export type TrafficWeights = z.infer<typeof TrafficWeights>;

/**
 * How the candidate gets its share: `split` answers that share of the requests with the candidate; `shadow`
 * sends a copy of that share to the candidate, whose answer is logged (as shadow) and never returned.
 */
export const TrafficMode = z.enum(['split', 'shadow']);
/** How the candidate gets its share of the traffic. */
export type TrafficMode = z.infer<typeof TrafficMode>;

/** A committed deployment as the status names it. */
const CommittedDeployment = ServedDeployment.extend({ artifact: ArtifactRef, deployedAt: z.string() });

/** The answer to `GET /v1/models/:name`: which deployment serves the model, what is staged, and what ended. */
export const ModelStatusAnswer = z.object({
  model: z.string(),
  /** `serving`: a version answers; `unavailable`: the stable version failed to load; `idle`: nothing deployed. */
  status: z.enum(['serving', 'unavailable', 'idle']),
  /** The committed deployment that serves the model's traffic. */
  stable: CommittedDeployment.nullable(),
  /** The rollout's candidate: it gets `weights.candidate` percent of the traffic, as `mode` says; null when none. */
  candidate: CommittedDeployment.nullable(),
  weights: TrafficWeights,
  /** How the candidate gets its share (`split` when there is none). */
  mode: TrafficMode.default('split'),
  /** The deployment staged for a smoke check, serving no traffic; null when none. */
  staged: StagedDeployment.nullable(),
  /** The deployment a rollback would restore; null when there is none. */
  previous: ServedDeployment.nullable(),
  /** Recent staged deployments that never served (abandoned at a restart, or discarded), oldest first. */
  ended: z.array(EndedDeployment),
  /** Why the stable version could not be loaded (status `unavailable`). */
  error: z.string().optional(),
});
/** The answer to a model status request. */
export type ModelStatusAnswer = z.infer<typeof ModelStatusAnswer>;

/** The answer to `GET /v1/models`: the status of every model ever deployed, by name. */
export const ModelListAnswer = z.object({ models: z.array(ModelStatusAnswer) });
/** The answer to a model list request. */
export type ModelListAnswer = z.infer<typeof ModelListAnswer>;

/** The answer to `GET /health`: the server is up, and the status of every model. */
export const HealthAnswer = z.object({ status: z.literal('ok'), models: z.array(ModelStatusAnswer) });
/** The answer to a health request. */
export type HealthAnswer = z.infer<typeof HealthAnswer>;

/** The body of every error answer: a stable code (such as `DeploymentRolledBack`) and a readable message. */
export const ServeErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
/** The body of an error answer. */
export type ServeErrorBody = z.infer<typeof ServeErrorBody>;
