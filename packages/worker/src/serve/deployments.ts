/**
 * The model server's deployments: which version of each model serves, which one is staged, the loaded predictors,
 * and the two-phase deploy (stage → smoke-check → commit), discard and rollback. Changes are serialized, persisted
 * before they take effect, and swapped in with one assignment, so a request is scored entirely by the old or
 * entirely by the new version. A staged deployment never outlives the process: at start-up it is recorded as
 * abandoned and the stable version serves.
 */
import type { ArtifactStore, PredictorLoader } from '@slipway/activities';
import {
  rootMessage,
  type CommitAnswer,
  type DiscardAnswer,
  type RollbackAnswer,
  type StageAnswer,
  type StageRequest,
} from '@slipway/sdk';
import {
  deploymentOf,
  liveOf,
  loadStableVersions,
  served,
  statusOf,
  type LiveDeployment,
  type ModelStatus,
} from './deployment-status.js';
import { conflictingReuse, describeStable, notOnStagingPath, notStaged } from './deployment-refusals.js';
import { loadModel } from './load-model.js';
import { ServeError, ServeErrorCode } from './protocol.js';
import {
  loadServingState,
  saveServingState,
  type EndedEntry,
  type ModelServingState,
  type RolledBackEntry,
  type ServingState,
  type StagedEntry,
} from './serving-state.js';
import { locateDeployment, withCommitted, withRollback, withStaged, withStagedEnded } from './serving-transitions.js';

export type { LiveDeployment, ModelStatus, ServableEntry } from './deployment-status.js';

/** Stages, commits, discards, rolls back and looks up model deployments. */
export interface Deployments {
  /** Loads a version and stages it under `deploymentId`; idempotent by id. */
  stage(model: string, deploymentId: string, request: StageRequest): Promise<StageAnswer>;
  /** Makes the staged deployment `deploymentId` the stable one; a repeat of a committed id answers the same. */
  commit(model: string, deploymentId: string): Promise<CommitAnswer>;
  /** Drops the staged deployment `deploymentId` without serving it; a repeat answers the same. */
  discard(model: string, deploymentId: string, reason: string): Promise<DiscardAnswer>;
  /** Restores the stable deployment before `deploymentId`, which must be stable; a repeat answers the same. */
  rollback(model: string, deploymentId: string): Promise<RollbackAnswer>;
  /** The stable deployment of a model; throws a 404/503 {@link ServeError} when there is none. */
  live(model: string): LiveDeployment;
  /** The deployment `deploymentId` (staged or stable) for a smoke prediction; throws a {@link ServeError} otherwise. */
  deployment(model: string, deploymentId: string): LiveDeployment;
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

/** Why a staged deployment found at start-up is abandoned. */
export const ABANDONED_AT_RESTART = 'the model server restarted before the deployment was committed';

/**
 * Opens the deployments persisted at `statePath`: staged deployments left by the previous process are recorded as
 * abandoned, and every stable version is loaded. A version that fails to load leaves its model `unavailable`
 * (with the reason) until the next commit; the server still starts.
 *
 * @throws Error naming the file when the state cannot be read or asks for a traffic split.
 */
export async function openDeployments(options: DeploymentsOptions): Promise<Deployments> {
  let state: ServingState = await loadServingState(options.statePath);
  refuseTrafficSplit(state, options.statePath);
  const abandoned = abandonStaged(state, new Date().toISOString());
  if (abandoned) {
    await saveServingState(options.statePath, abandoned);
    state = abandoned;
  }
  const { live, loadErrors } = await loadStableVersions(state, options);
  const stagedLive = new Map<string, LiveDeployment>();
  const serialize = createSerializer();
  const load = (request: StageRequest) => loadModel(options.artifacts, options.predictors, request.artifact);

  /** Persists the model's next state; the caller swaps the predictors in after. */
  const persist = async (model: string, next: ModelServingState): Promise<void> => {
    const nextState: ServingState = { ...state, models: { ...state.models, [model]: next } };
    await saveServingState(options.statePath, nextState);
    state = nextState;
  };
  const modelOf = (model: string) => modelState(state, model);

  const stage = (model: string, deploymentId: string, request: StageRequest): Promise<StageAnswer> =>
    serialize(async () => {
      const current = modelOf(model);
      const found = locateDeployment(current, deploymentId);
      switch (found.kind) {
        case 'stable':
        case 'candidate':
        case 'staged':
          if (found.entry.version !== request.version || found.entry.artifact.digest !== request.artifact.digest)
            throw conflictingReuse(model, deploymentId, found.entry, request);
          return stageAnswer(model, found.entry, found.kind === 'staged' ? 'staged' : 'committed', current);
        case 'ended':
          if (found.entry.outcome === 'discarded') throw notOnStagingPath(model, deploymentId, found, current);
          if (found.entry.version !== request.version || found.entry.artifact.digest !== request.artifact.digest)
            throw conflictingReuse(model, deploymentId, found.entry, request);
          break; // abandoned at a restart: stage it again
        case 'superseded':
        case 'rolledBack':
          throw notOnStagingPath(model, deploymentId, found, current);
        case 'unknown':
          break;
      }
      const predictor = await load(request);
      const entry: StagedEntry = {
        deploymentId,
        version: request.version,
        artifact: request.artifact,
        stagedAt: new Date().toISOString(),
      };
      const next = withStaged(current, entry);
      await persist(model, next);
      stagedLive.set(model, { entry, predictor });
      return stageAnswer(model, entry, 'staged', next);
    });

  const commit = (model: string, deploymentId: string): Promise<CommitAnswer> =>
    serialize(async () => {
      const current = modelOf(model);
      const found = locateDeployment(current, deploymentId);
      switch (found.kind) {
        case 'stable':
          return commitAnswer(model, found.entry);
        case 'candidate':
          throw notStaged(model, deploymentId, found);
        case 'staged': {
          const staged = stagedLive.get(model);
          if (!current || staged?.entry.deploymentId !== deploymentId) {
            throw new ServeError(500, ServeErrorCode.Internal, `Staged deployment "${deploymentId}" is not loaded`);
          }
          const { next, entry } = withCommitted(current, new Date().toISOString());
          await persist(model, next);
          live.set(model, { entry, predictor: staged.predictor });
          stagedLive.delete(model);
          loadErrors.delete(model);
          return commitAnswer(model, entry);
        }
        case 'ended':
        case 'superseded':
        case 'rolledBack':
        case 'unknown':
          throw notOnStagingPath(model, deploymentId, found, current);
      }
    });

  const discard = (model: string, deploymentId: string, reason: string): Promise<DiscardAnswer> =>
    serialize(async () => {
      const current = modelOf(model);
      const found = locateDeployment(current, deploymentId);
      switch (found.kind) {
        case 'staged': {
          const { next, entry } = withStagedEnded(
            current as ModelServingState,
            'discarded',
            new Date().toISOString(),
            reason,
          );
          await persist(model, next);
          stagedLive.delete(model);
          return discardAnswer(model, entry, next);
        }
        case 'ended':
          return discardAnswer(model, found.entry, current);
        case 'unknown':
          throw notOnStagingPath(model, deploymentId, found, current);
        case 'stable':
        case 'candidate':
        case 'superseded':
        case 'rolledBack':
          throw notStaged(model, deploymentId, found);
      }
    });

  const rollback = (model: string, deploymentId: string): Promise<RollbackAnswer> =>
    serialize(async () => {
      const current = modelOf(model);
      if (!current)
        throw new ServeError(404, ServeErrorCode.UnknownModel, `Model "${model}" has never been deployed here`);
      const replay = replayRollback(model, current, deploymentId);
      if (replay) return replay;
      const next = withRollback(current, new Date().toISOString());
      const predictor = next.stable
        ? await loadModel(options.artifacts, options.predictors, next.stable.artifact).catch((err: unknown) => {
            throw new ServeError(
              500,
              ServeErrorCode.ArtifactUnreadable,
              `Cannot restore the previous deployment: ${rootMessage(err)}`,
            );
          })
        : null;
      await persist(model, next);
      loadErrors.delete(model);
      if (next.stable && predictor) live.set(model, { entry: next.stable, predictor });
      else live.delete(model);
      const rolledBack = next.rolledBack.at(-1) as RolledBackEntry;
      return { model, rolledBack: { version: rolledBack.version, deploymentId }, current: rolledBack.restored };
    });

  return {
    stage,
    commit,
    discard,
    rollback,
    live: (model) => liveOf(model, modelOf(model), live, loadErrors),
    deployment: (model, deploymentId) =>
      deploymentOf(model, deploymentId, modelOf(model), { live, stagedLive, loadErrors }),
    status: (model) => statusOf(model, modelOf(model), live.has(model), loadErrors.get(model)),
    models: () => Object.keys(state.models).sort(),
    idle: () => serialize(() => Promise.resolve()),
  };
}

/** A model's state; own properties only, so a model named like an `Object` method ("constructor") is not found. */
function modelState(state: ServingState, model: string): ModelServingState | undefined {
  return Object.hasOwn(state.models, model) ? state.models[model] : undefined;
}

/** This server version serves the stable version only: a state that gives a candidate traffic is refused. */
function refuseTrafficSplit(state: ServingState, path: string): void {
  for (const [model, s] of Object.entries(state.models)) {
    if (s.weights.candidate > 0) {
      throw new Error(
        `Model server state ${path}: model "${model}" gives candidate "${s.candidate?.deploymentId}" ` +
          `${s.weights.candidate} % of its traffic; this model server version cannot split traffic`,
      );
    }
  }
}

/** The state with every staged deployment recorded as abandoned at `at`; undefined when nothing was staged. */
function abandonStaged(state: ServingState, at: string): ServingState | undefined {
  const staged = Object.entries(state.models).filter(([, s]) => s.staged);
  if (staged.length === 0) return undefined;
  const models = { ...state.models };
  for (const [model, s] of staged) models[model] = withStagedEnded(s, 'abandoned', at, ABANDONED_AT_RESTART).next;
  return { ...state, models };
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

/** The stored answer when `deploymentId` was already rolled back; an error when it is not stable; else undefined. */
function replayRollback(model: string, state: ModelServingState, deploymentId: string): RollbackAnswer | undefined {
  const found = locateDeployment(state, deploymentId);
  switch (found.kind) {
    case 'rolledBack':
      return { model, rolledBack: { version: found.entry.version, deploymentId }, current: found.entry.restored };
    case 'stable':
      return undefined;
    case 'unknown':
      throw new ServeError(
        404,
        ServeErrorCode.UnknownDeployment,
        `Model "${model}" has no deployment "${deploymentId}" (stable: ${describeStable(state)})`,
      );
    case 'candidate':
    case 'staged':
    case 'ended':
    case 'superseded': {
      const hint = found.kind === 'staged' ? '; it is staged, not committed: discard it instead' : '';
      throw new ServeError(
        409,
        ServeErrorCode.NotCurrent,
        `Deployment "${deploymentId}" of model "${model}" is not current (stable: ${describeStable(state)}); ` +
          `only the stable deployment can be rolled back${hint}`,
      );
    }
  }
}

function stageAnswer(
  model: string,
  entry: { deploymentId: string; version: number },
  status: StageAnswer['status'],
  state: ModelServingState | undefined,
): StageAnswer {
  const stable = state?.stable ? served(state.stable) : null;
  return { model, version: entry.version, deploymentId: entry.deploymentId, status, stable };
}

function commitAnswer(
  model: string,
  entry: { deploymentId: string; version: number; previous: CommitAnswer['previous'] },
): CommitAnswer {
  return { model, version: entry.version, deploymentId: entry.deploymentId, previous: entry.previous };
}

function discardAnswer(model: string, entry: EndedEntry, state: ModelServingState | undefined): DiscardAnswer {
  const { artifact: _artifact, ...ended } = entry;
  return { model, ...ended, stable: state?.stable ? served(state.stable) : null };
}
