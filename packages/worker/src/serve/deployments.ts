/**
 * The model server's deployments: which version of each model serves, the loaded predictors, deploy and
 * rollback. Changes are serialized, persisted before they take effect, and swapped in with one assignment,
 * so a request is scored entirely by the old or entirely by the new version.
 */
import type { ArtifactStore, Predictor, PredictorLoader } from '@slipway/activities';
import {
  rootMessage,
  type DeployAnswer,
  type DeployRequest,
  type ModelStatusAnswer,
  type RollbackAnswer,
  type ServedDeployment,
} from '@slipway/sdk';
import { loadModel } from './load-model.js';
import { ServeError, ServeErrorCode } from './protocol.js';
import {
  loadServingState,
  saveServingState,
  withDeployment,
  withRollback,
  type DeploymentEntry,
  type ModelServingState,
  type RolledBackEntry,
  type ServingState,
} from './serving-state.js';

/** What serves a model right now. */
export interface LiveDeployment {
  readonly entry: DeploymentEntry;
  readonly predictor: Predictor;
}

/** A model's status as `GET /v1/models/:name` shows it: the protocol's {@link ModelStatusAnswer}. */
export type ModelStatus = ModelStatusAnswer;

/** Deploys, rolls back and looks up models. */
export interface Deployments {
  deploy(model: string, request: DeployRequest): Promise<DeployAnswer>;
  rollback(model: string, deploymentId: string): Promise<RollbackAnswer>;
  /** The live deployment of a model; throws a 404/503 {@link ServeError} when there is none. */
  live(model: string): LiveDeployment;
  status(model: string): ModelStatus | undefined;
  models(): string[];
  /** Resolves when no change is in progress. */
  idle(): Promise<void>;
}

/** Options of {@link openDeployments}. */
export interface DeploymentsOptions {
  statePath: string;
  artifacts: ArtifactStore;
  predictors: Readonly<Record<string, PredictorLoader>>;
}

/**
 * Opens the deployments persisted at `statePath` and loads every current version. A version that fails to load
 * leaves its model `unavailable` (with the reason) until the next deploy; the server still starts.
 */
export async function openDeployments(options: DeploymentsOptions): Promise<Deployments> {
  let state: ServingState = await loadServingState(options.statePath);
  const { live, loadErrors } = await loadCurrentVersions(state, options);
  const serialize = createSerializer();

  /** Persists the model's next state, then swaps it in. */
  const commit = async (model: string, next: ModelServingState, predictor: Predictor | null): Promise<void> => {
    const nextState: ServingState = { ...state, models: { ...state.models, [model]: next } };
    await saveServingState(options.statePath, nextState);
    state = nextState;
    loadErrors.delete(model);
    if (next.current && predictor) live.set(model, { entry: next.current, predictor });
    else live.delete(model);
  };

  const deploy = (model: string, request: DeployRequest): Promise<DeployAnswer> =>
    serialize(async () => {
      const current = modelState(state, model);
      const replay = replayDeploy(model, current, request);
      if (replay) return replay;
      const predictor = await loadModel(options.artifacts, options.predictors, request.artifact);
      const entry: DeploymentEntry = {
        ...request,
        deployedAt: new Date().toISOString(),
        previous: current?.current ? served(current.current) : null,
      };
      await commit(model, withDeployment(current, entry), predictor);
      return deployAnswer(model, entry);
    });

  const rollback = (model: string, deploymentId: string): Promise<RollbackAnswer> =>
    serialize(async () => {
      const current = modelState(state, model);
      if (!current)
        throw new ServeError(404, ServeErrorCode.UnknownModel, `Model "${model}" has never been deployed here`);
      const replay = replayRollback(model, current, deploymentId);
      if (replay) return replay;
      const next = withRollback(current, new Date().toISOString());
      const predictor = next.current
        ? await loadModel(options.artifacts, options.predictors, next.current.artifact).catch((err: unknown) => {
            throw new ServeError(
              500,
              ServeErrorCode.ArtifactUnreadable,
              `Cannot restore the previous deployment: ${rootMessage(err)}`,
            );
          })
        : null;
      await commit(model, next, predictor);
      const rolledBack = next.rolledBack.at(-1) as RolledBackEntry;
      return { model, rolledBack: { version: rolledBack.version, deploymentId }, current: rolledBack.restored };
    });

  return {
    deploy,
    rollback,
    live: (model) => liveOf(model, state, live, loadErrors),
    status: (model) => statusOf(model, modelState(state, model), live.has(model), loadErrors.get(model)),
    models: () => Object.keys(state.models).sort(),
    idle: () => serialize(() => Promise.resolve()),
  };
}

/** A model's state; own properties only, so a model named like an `Object` method ("constructor") is not found. */
function modelState(state: ServingState, model: string): ModelServingState | undefined {
  return Object.hasOwn(state.models, model) ? state.models[model] : undefined;
}

/** Loads the current version of every model; a failure marks that model unavailable instead of failing. */
async function loadCurrentVersions(
  state: ServingState,
  options: DeploymentsOptions,
): Promise<{ live: Map<string, LiveDeployment>; loadErrors: Map<string, string> }> {
  const live = new Map<string, LiveDeployment>();
  const loadErrors = new Map<string, string>();
  for (const [model, modelState] of Object.entries(state.models)) {
    if (!modelState.current) continue;
    try {
      const predictor = await loadModel(options.artifacts, options.predictors, modelState.current.artifact);
      live.set(model, { entry: modelState.current, predictor });
    } catch (err) {
      loadErrors.set(model, rootMessage(err));
    }
  }
  return { live, loadErrors };
}

/** Runs async functions one at a time, in call order; a failure does not block the ones after it. */
function createSerializer(): <T>(fn: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const result = queue.then(fn);
    queue = result.catch(() => undefined);
    return result;
  };
}

/** The stored answer when `request` repeats a deployment; an error when its id was used otherwise; else undefined. */
function replayDeploy(
  model: string,
  state: ModelServingState | undefined,
  request: DeployRequest,
): DeployAnswer | undefined {
  const id = request.deploymentId;
  if (state?.current?.deploymentId === id) {
    const entry = state.current;
    if (entry.version !== request.version || entry.artifact.digest !== request.artifact.digest) {
      throw new ServeError(
        409,
        ServeErrorCode.DeploymentConflict,
        `Deployment "${id}" of model "${model}" already deployed version ${entry.version} (${entry.artifact.digest}); ` +
          `it cannot be reused for version ${request.version} (${request.artifact.digest})`,
      );
    }
    return deployAnswer(model, entry);
  }
  const rolledBack = state?.rolledBack.find((r) => r.deploymentId === id);
  if (rolledBack) {
    throw new ServeError(
      409,
      ServeErrorCode.DeploymentRolledBack,
      `Deployment "${id}" of model "${model}" (version ${rolledBack.version}) was rolled back at ${rolledBack.rolledBackAt}; deploy with a new deployment id`,
    );
  }
  if (state?.history.some((h) => h.deploymentId === id)) {
    throw new ServeError(
      409,
      ServeErrorCode.DeploymentSuperseded,
      `Deployment "${id}" of model "${model}" was superseded by "${state.current?.deploymentId ?? '(none)'}"; deploy with a new deployment id`,
    );
  }
  return undefined;
}

/** The stored answer when `deploymentId` was already rolled back; an error when it is not current; else undefined. */
function replayRollback(model: string, state: ModelServingState, deploymentId: string): RollbackAnswer | undefined {
  const done = state.rolledBack.find((r) => r.deploymentId === deploymentId);
  if (done) return { model, rolledBack: { version: done.version, deploymentId }, current: done.restored };
  if (state.current?.deploymentId === deploymentId) return undefined;
  const current = state.current ? `"${state.current.deploymentId}" (version ${state.current.version})` : 'nothing';
  if (state.history.some((h) => h.deploymentId === deploymentId)) {
    throw new ServeError(
      409,
      ServeErrorCode.NotCurrent,
      `Deployment "${deploymentId}" of model "${model}" is not current (current: ${current}); only the current deployment can be rolled back`,
    );
  }
  throw new ServeError(
    404,
    ServeErrorCode.UnknownDeployment,
    `Model "${model}" has no deployment "${deploymentId}" (current: ${current})`,
  );
}

function liveOf(
  model: string,
  state: ServingState,
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
  if (modelState(state, model)) {
    throw new ServeError(
      404,
      ServeErrorCode.NoDeployment,
      `Model "${model}" has no current deployment (it was rolled back)`,
    );
  }
  throw new ServeError(404, ServeErrorCode.UnknownModel, `Model "${model}" has never been deployed here`);
}

function statusOf(
  model: string,
  state: ModelServingState | undefined,
  isLive: boolean,
  error: string | undefined,
): ModelStatus | undefined {
  if (!state) return undefined;
  const current = state.current;
  const previous = state.history.at(-1);
  return {
    model,
    status: isLive ? 'serving' : current ? 'unavailable' : 'idle',
    current: current ? { ...served(current), artifact: current.artifact, deployedAt: current.deployedAt } : null,
    previous: previous ? served(previous) : null,
    ...(error === undefined ? {} : { error }),
  };
}

function served(entry: DeploymentEntry): ServedDeployment {
  return { version: entry.version, deploymentId: entry.deploymentId };
}

function deployAnswer(model: string, entry: DeploymentEntry): DeployAnswer {
  return { model, version: entry.version, deploymentId: entry.deploymentId, previous: entry.previous };
}
