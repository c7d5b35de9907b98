/**
 * The model server's traffic protocol, shared by the server, its client and the deploy-target port: splitting a
 * model's traffic between its stable version and a candidate (weighted or as shadow copies), promoting or
 * aborting the candidate, and the measurement windows a rollout step opens and closes to read each version's
 * requests, errors, latency and scores over exactly that step.
 */
import { z } from 'zod';
import { ServedDeployment, TrafficMode, TrafficWeights } from './serving.js';

const DeploymentId = z.string().min(1).max(200);
const Version = z.number().int().positive();

/** The header a caller sends to keep its requests on one version while the split holds (sticky routing). */
export const ROUTE_KEY_HEADER = 'x-slipway-route-key';

/**
 * Body of `PUT /v1/models/:name/traffic` (needs the token): give the candidate deployment `candidate` — staged
 * (smoke-checked) or already the candidate — `weights.candidate` percent of the traffic, as `mode` says. The
 * same body again is a no-op. `candidate` must be the current candidate or the staged deployment; a split that
 * names another deployment while a candidate holds traffic is a 409.
 */
export const SetTrafficRequest = z.object({
  candidate: DeploymentId,
  weights: TrafficWeights,
  mode: TrafficMode.default('split'),
});
/** A set-traffic request. */
export type SetTrafficRequest = z.infer<typeof SetTrafficRequest>;

/** The traffic split of a model as the server holds it (persisted; restored after a restart). */
export const TrafficAnswer = z.object({
  model: z.string(),
  stable: ServedDeployment.nullable(),
  candidate: ServedDeployment.nullable(),
  weights: TrafficWeights,
  mode: TrafficMode,
});
/** The traffic split of a model. */
export type TrafficAnswer = z.infer<typeof TrafficAnswer>;

/**
 * Body of `POST /v1/models/:name/deployments/:id/promote` (needs the token): the candidate `:id` becomes the
 * stable version with all the traffic; the old stable goes to the history (a later rollback restores it). A
 * repeat for a deployment that is already stable answers the same.
 */
export const PromoteCandidateRequest = z.object({}).strict();
/** The answer to a promote: the new stable deployment and the one it replaced. */
export const PromoteCandidateAnswer = z.object({
  model: z.string(),
  stable: ServedDeployment,
  previous: ServedDeployment.nullable(),
});
/** The answer to a promote. */
export type PromoteCandidateAnswer = z.infer<typeof PromoteCandidateAnswer>;

/**
 * Body of `POST /v1/models/:name/deployments/:id/abort` (needs the token): all traffic back to stable, the
 * candidate (or staged deployment) `:id` recorded as rolled back with `reason` and no longer loaded. A repeat
 * answers the same.
 */
export const AbortCandidateRequest = z.object({ reason: z.string().min(1).max(4000) });
/** An abort request. */
export type AbortCandidateRequest = z.infer<typeof AbortCandidateRequest>;
/** The answer to an abort: what was rolled back and what serves. */
export const AbortCandidateAnswer = z.object({
  model: z.string(),
  rolledBack: ServedDeployment,
  stable: ServedDeployment.nullable(),
});
/** The answer to an abort. */
export type AbortCandidateAnswer = z.infer<typeof AbortCandidateAnswer>;

/** A measurement window id: the rollout step that opened it chooses it (`<rollout>-step-<n>-<attempt>`). */
export const WindowId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'expected 1–200 letters, digits, ".", "_", ":" or "-"');

/**
 * The largest number of scores a window keeps per version (a uniform reservoir sample; the counts stay exact).
 */
export const WINDOW_SCORE_SAMPLE = 2000;

/**
 * What one version did within a window. `requests` counts predict requests the version scored or failed
 * (shadow copies included, for a shadow candidate); `errors` those it failed (a 500: the model's fault), never
 * requests refused for their input (a 400, counted in `rejected`). Latency is the version's own scoring time per
 * request; `p50Ms`/`p99Ms` come from a t-digest and are null without requests. `scores` is a uniform sample of at
 * most {@link WINDOW_SCORE_SAMPLE} per-row scores — binary: the positive class's probability, multiclass: the top
 * class's probability, regression: the value — for comparing the candidate's distribution with stable's.
 */
export const VersionWindowReading = z.object({
  deploymentId: DeploymentId,
  version: Version,
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  /** Rows scored (a request may carry several). */
  rows: z.number().int().nonnegative(),
  latency: z.object({ p50Ms: z.number().nonnegative().nullable(), p99Ms: z.number().nonnegative().nullable() }),
  scores: z.array(z.number()).max(WINDOW_SCORE_SAMPLE),
});
/** What one version did within a window. */
export type VersionWindowReading = z.infer<typeof VersionWindowReading>;

/**
 * Body of `PUT /v1/models/:name/windows/:windowId` (needs the token): opens a window (a repeat is a no-op).
 * Windows live in the server's memory: after a restart, reading one is a `404 UnknownWindow`, and the rollout step
 * opens a new one (what a window measured never includes another step or another process's traffic).
 */
export const OpenWindowRequest = z.object({}).strict();

/**
 * The answer to opening, reading (`GET …/windows/:windowId`) or closing (`POST …/windows/:windowId/close`) a
 * window: each version that served in it, by role at the time it served. A closed window is frozen: reading it
 * again gives the same answer.
 */
export const WindowAnswer = z.object({
  model: z.string(),
  windowId: WindowId,
  openedAt: z.string(),
  /** Set once the window is closed. */
  closedAt: z.string().nullable(),
  stable: VersionWindowReading.nullable(),
  candidate: VersionWindowReading.nullable(),
});
/** A window's readings. */
export type WindowAnswer = z.infer<typeof WindowAnswer>;

/**
 * The answer to a deploy target's health check (`GET {url}/health` of the webhook contract,
 * `docs/deploy-target-webhook.md`; the Slipway model server's own `GET /health` answers it too): the target is up
 * and accepted the token. Other fields are allowed and ignored.
 */
export const DeployTargetHealthAnswer = z.object({ status: z.literal('ok') });
/** The answer to a deploy target's health check. */
export type DeployTargetHealthAnswer = z.infer<typeof DeployTargetHealthAnswer>;
