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
  return new ServerDeployments(options, state, live, loadErrors);
}

/** The deployments of one server: the persisted state, the loaded predictors, changes one at a time. */
class ServerDeployments implements Deployments {
  private readonly stagedLive = new Map<string, LiveDeployment>();
  private readonly serialize = createSerializer();

  constructor(
    private readonly options: DeploymentsOptions,
    private state: ServingState,
    private readonly stableLive: Map<string, LiveDeployment>,
    private readonly loadErrors: Map<string, string>,
  ) {}

  stage(model: string, deploymentId: string, request: StageRequest): Promise<StageAnswer> {
    return this.serialize(async () => {
      const current = this.modelOf(model);
      const replay = stageReplay(model, deploymentId, request, current);
      if (replay) return replay;
      const predictor = await loadModel(this.options.artifacts, this.options.predictors, request.artifact);
      const entry: StagedEntry = { deploymentId, ...request, stagedAt: new Date().toISOString() };
      const next = withStaged(current, entry);
      await this.persist(model, next);
      this.stagedLive.set(model, { entry, predictor });
      return stageAnswer(model, entry, 'staged', next);
    });
  }

  commit(model: string, deploymentId: string): Promise<CommitAnswer> {
    return this.serialize(async () => {
      const current = this.modelOf(model);
      const found = locateDeployment(current, deploymentId);
      switch (found.kind) {
        case 'stable':
          return commitAnswer(model, found.entry);
        case 'candidate':
          throw notStaged(model, deploymentId, found);
        case 'staged': {
          const staged = this.stagedLive.get(model);
          if (!current || staged?.entry.deploymentId !== deploymentId) {
            throw new ServeError(500, ServeErrorCode.Internal, `Staged deployment "${deploymentId}" is not loaded`);
          }
          const { next, entry } = withCommitted(current, new Date().toISOString());
          await this.persist(model, next);
          this.stableLive.set(model, { entry, predictor: staged.predictor });
          this.stagedLive.delete(model);
          this.loadErrors.delete(model);
          return commitAnswer(model, entry);
        }
        case 'ended':
        case 'superseded':
        case 'rolledBack':
        case 'unknown':
          throw notOnStagingPath(model, deploymentId, found, current);
      }
    });
  }

  discard(model: string, deploymentId: string, reason: string): Promise<DiscardAnswer> {
    return this.serialize(async () => {
      const current = this.modelOf(model);
      const found = locateDeployment(current, deploymentId);
      switch (found.kind) {
        case 'staged': {
          const at = new Date().toISOString();
          const { next, entry } = withStagedEnded(current as ModelServingState, 'discarded', at, reason);
          await this.persist(model, next);
          this.stagedLive.delete(model);
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
  }

  rollback(model: string, deploymentId: string): Promise<RollbackAnswer> {
    return this.serialize(async () => {
      const current = this.modelOf(model);
      if (!current)
        throw new ServeError(404, ServeErrorCode.UnknownModel, `Model "${model}" has never been deployed here`);
      const replay = replayRollback(model, current, deploymentId);
      if (replay) return replay;
      const next = withRollback(current, new Date().toISOString());
      const predictor = next.stable ? await this.restore(next.stable.artifact) : null;
      await this.persist(model, next);
      this.loadErrors.delete(model);
      if (next.stable && predictor) this.stableLive.set(model, { entry: next.stable, predictor });
      else this.stableLive.delete(model);
      const rolledBack = next.rolledBack.at(-1) as RolledBackEntry;
      return { model, rolledBack: { version: rolledBack.version, deploymentId }, current: rolledBack.restored };
    });
  }

  live(model: string): LiveDeployment {
    return liveOf(model, this.modelOf(model), this.stableLive, this.loadErrors);
  }

  deployment(model: string, deploymentId: string): LiveDeployment {
    const loaded = { live: this.stableLive, stagedLive: this.stagedLive, loadErrors: this.loadErrors };
    return deploymentOf(model, deploymentId, this.modelOf(model), loaded);
  }

  status(model: string): ModelStatus | undefined {
    return statusOf(model, this.modelOf(model), this.stableLive.has(model), this.loadErrors.get(model));
  }

  models(): string[] {
    return Object.keys(this.state.models).sort();
  }

  idle(): Promise<void> {
    return this.serialize(() => Promise.resolve());
  }

  private modelOf(model: string): ModelServingState | undefined {
    return modelState(this.state, model);
  }

  /** Persists the model's next state; the caller swaps the predictors in after. */
  private async persist(model: string, next: ModelServingState): Promise<void> {
    const nextState: ServingState = { ...this.state, models: { ...this.state.models, [model]: next } };
    await saveServingState(this.options.statePath, nextState);
    this.state = nextState;
  }

  private restore(artifact: StagedEntry['artifact']) {
    return loadModel(this.options.artifacts, this.options.predictors, artifact).catch((err: unknown) => {
      throw new ServeError(
        500,
        ServeErrorCode.ArtifactUnreadable,
        `Cannot restore the previous deployment: ${rootMessage(err)}`,
      );
    });
  }
}

/**
 * The answer when a stage request repeats a deployment that is staged or committed; an error when its id cannot be
 * staged (again); undefined when it must be loaded and staged (a new id, or one abandoned at a restart).
 */
function stageReplay(
  model: string,
  deploymentId: string,
  request: StageRequest,
  current: ModelServingState | undefined,
): StageAnswer | undefined {
  const found = locateDeployment(current, deploymentId);
  const same = (e: { version: number; artifact: { digest: string } }) =>
    e.version === request.version && e.artifact.digest === request.artifact.digest;
  switch (found.kind) {
    case 'stable':
    case 'candidate':
    case 'staged':
      if (!same(found.entry)) throw conflictingReuse(model, deploymentId, found.entry, request);
      return stageAnswer(model, found.entry, found.kind === 'staged' ? 'staged' : 'committed', current);
    case 'ended':
      if (found.entry.outcome === 'discarded') throw notOnStagingPath(model, deploymentId, found, current);
      if (!same(found.entry)) throw conflictingReuse(model, deploymentId, found.entry, request);
      return undefined;
    case 'superseded':
    case 'rolledBack':
      throw notOnStagingPath(model, deploymentId, found, current);
    case 'unknown':
      return undefined;
  }
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
