/**
 * Reading the model server's deployments: the loaded predictors (stable and staged), what answers a prediction,
 * and a model's status as `GET /v1/models/:name` shows it.
 */
import type { ArtifactStore, Predictor, PredictorLoader } from '@slipway/activities';
import { rootMessage, type ArtifactRef, type ModelStatusAnswer, type ServedDeployment } from '@slipway/sdk';
import { notOnStagingPath } from './deployment-refusals.js';
import { loadModel } from './load-model.js';
import { ServeError, ServeErrorCode } from './protocol.js';
import type { ModelServingState, ServingState } from './serving-state.js';
import { locateDeployment } from './serving-transitions.js';

/** How many ended (abandoned or discarded) staged deployments a status lists. */
export const STATUS_ENDED_LIMIT = 10;

/** The deployment a predictor answers for. */
export interface ServableEntry {
  readonly deploymentId: string;
  readonly version: number;
  readonly artifact: ArtifactRef;
}

/** A loaded deployment: what it is, and the predictor that scores for it. */
export interface LiveDeployment {
  readonly entry: ServableEntry;
  readonly predictor: Predictor;
}

/** A model's status as `GET /v1/models/:name` shows it: the protocol's {@link ModelStatusAnswer}. */
export type ModelStatus = ModelStatusAnswer;

/** The loaded predictors of a server, by model. */
export interface LoadedDeployments {
  live: ReadonlyMap<string, LiveDeployment>;
  stagedLive: ReadonlyMap<string, LiveDeployment>;
  candidateLive: ReadonlyMap<string, LiveDeployment>;
  loadErrors: ReadonlyMap<string, string>;
  candidateErrors: ReadonlyMap<string, string>;
}

/**
 * Loads the version `pick` names (the stable one, or the candidate) of every model; a failure is recorded as the
 * model's load error instead of failing.
 */
export async function loadVersions(
  state: ServingState,
  options: { artifacts: ArtifactStore; predictors: Readonly<Record<string, PredictorLoader>> },
  pick: (model: ModelServingState) => ServableEntry | null,
): Promise<{ live: Map<string, LiveDeployment>; loadErrors: Map<string, string> }> {
  const live = new Map<string, LiveDeployment>();
  const loadErrors = new Map<string, string>();
  for (const [model, modelState] of Object.entries(state.models)) {
    const entry = pick(modelState);
    if (!entry) continue;
    try {
      const predictor = await loadModel(options.artifacts, options.predictors, entry.artifact);
      live.set(model, { entry, predictor });
    } catch (err) {
      loadErrors.set(model, rootMessage(err));
    }
  }
  return { live, loadErrors };
}

/** The stable deployment that answers a model's predictions, or the 404/503 error that says why there is none. */
export function liveOf(
  model: string,
  state: ModelServingState | undefined,
  live: ReadonlyMap<string, LiveDeployment>,
  loadErrors: ReadonlyMap<string, string>,
): LiveDeployment {
  const found = live.get(model);
  if (found) return found;
  const error = loadErrors.get(model);
  if (error) {
    throw new ServeError(
      503,
      ServeErrorCode.ModelUnavailable,
      `Model "${model}" is deployed but could not be loaded: ${error}`,
    );
  }
  if (state) {
    const staged = state.staged ? `; deployment "${state.staged.deploymentId}" is staged, not committed` : '';
    throw new ServeError(
      404,
      ServeErrorCode.NoDeployment,
      `Model "${model}" has no committed deployment serving${state.rolledBack.length ? ' (it was rolled back)' : ''}${staged}`,
    );
  }
  throw new ServeError(404, ServeErrorCode.UnknownModel, `Model "${model}" has never been deployed here`);
}

/**
 * The staged, candidate or stable deployment `deploymentId`, for a smoke prediction; an error naming where it is
 * otherwise.
 */
export function deploymentOf(
  model: string,
  deploymentId: string,
  state: ModelServingState | undefined,
  loaded: LoadedDeployments,
): LiveDeployment {
  const found = locateDeployment(state, deploymentId);
  switch (found.kind) {
    case 'stable':
      return liveOf(model, state, loaded.live, loaded.loadErrors);
    case 'staged': {
      const staged = loaded.stagedLive.get(model);
      if (staged?.entry.deploymentId === deploymentId) return staged;
      throw new ServeError(500, ServeErrorCode.Internal, `Staged deployment "${deploymentId}" is not loaded`);
    }
    case 'candidate': {
      const candidate = loaded.candidateLive.get(model);
      if (candidate?.entry.deploymentId === deploymentId) return candidate;
      throw new ServeError(
        503,
        ServeErrorCode.ModelUnavailable,
        `Candidate "${deploymentId}" of model "${model}" could not be loaded: ${loaded.candidateErrors.get(model) ?? 'not loaded'}`,
      );
    }
    case 'ended':
    case 'superseded':
    case 'rolledBack':
    case 'unknown':
      throw notOnStagingPath(model, deploymentId, found, state);
  }
}

/**
 * A model's status; undefined for a model never deployed here. `errors` says why the stable version or the
 * candidate could not be loaded (the status's `error` names either).
 */
export function statusOf(
  model: string,
  state: ModelServingState | undefined,
  isLive: boolean,
  errors: { stable?: string | undefined; candidate?: string | undefined },
): ModelStatus | undefined {
  if (!state) return undefined;
  const { stable, candidate, staged } = state;
  const previous = state.history.at(-1);
  const committed = (e: NonNullable<typeof stable>) => ({
    ...served(e),
    artifact: e.artifact,
    deployedAt: e.deployedAt,
  });
  return {
    model,
    status: isLive ? 'serving' : stable ? 'unavailable' : 'idle',
    stable: stable ? committed(stable) : null,
    candidate: candidate ? committed(candidate) : null,
    weights: state.weights,
    mode: state.mode,
    staged: staged ? { ...served(staged), artifact: staged.artifact, stagedAt: staged.stagedAt } : null,
    previous: previous ? served(previous) : null,
    ended: state.ended.slice(-STATUS_ENDED_LIMIT).map(({ artifact: _artifact, ...ended }) => ended),
    ...errorOf(errors),
  };
}

/** A deployment as answers name it: version and deployment id. */
export function served(entry: { version: number; deploymentId: string }): ServedDeployment {
  return { version: entry.version, deploymentId: entry.deploymentId };
}

function errorOf(errors: { stable?: string | undefined; candidate?: string | undefined }): { error?: string } {
  const parts = [
    ...(errors.stable === undefined ? [] : [errors.stable]),
    ...(errors.candidate === undefined
      ? []
      : [`the candidate could not be loaded (it gets no traffic): ${errors.candidate}`]),
  ];
  return parts.length > 0 ? { error: parts.join('; ') } : {};
}
