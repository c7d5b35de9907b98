/**
 * The model server's deployments: which version of each model serves, which one is staged, the rollout's candidate
 * and its share of the traffic, the loaded predictors, and the two-phase deploy (stage → smoke-check → commit),
 * discard, rollback, and the rollout's split, promote and abort. Changes are serialized, persisted before they take
 * effect, and swapped in with one assignment, so a request is scored entirely by the old or entirely by the new
 * version. A staged deployment never outlives the process: at start-up it is recorded as abandoned and the stable
 * version serves. A candidate does: at start-up it is loaded again and gets its share, as the state file says.
 */
import type { ArtifactStore, PredictorLoader } from '@slipway/activities';
import {
  rootMessage,
  type AbortCandidateAnswer,
  type CommitAnswer,
  type DiscardAnswer,
  type PromoteCandidateAnswer,
  type RollbackAnswer,
  type SetTrafficRequest,
  type StageAnswer,
  type StageRequest,
  type TrafficAnswer,
  type TrafficMode,
  type TrafficWeights,
} from '@slipway/sdk';
import {
  deploymentOf,
  liveOf,
  loadVersions,
  statusOf,
  type LiveDeployment,
  type ModelStatus,
} from './deployment-status.js';
import { notOnStagingPath, notStaged } from './deployment-refusals.js';
import {
  abandonStaged,
  commitAnswer,
  createSerializer,
  discardAnswer,
  replayRollback,
  stageAnswer,
  stageReplay,
} from './deployment-replays.js';
import { loadModel } from './load-model.js';
import { ServeError, ServeErrorCode } from './protocol.js';
import {
  loadServingState,
  saveServingState,
  type ModelServingState,
  type RolledBackEntry,
  type ServingState,
  type StagedEntry,
} from './serving-state.js';
import { locateDeployment, withCommitted, withRollback, withStaged, withStagedEnded } from './serving-transitions.js';
import {
  candidateConflict,
  trafficAnswer,
  withAborted,
  withPromoted,
  withTraffic,
  type TrafficChange,
} from './traffic-transitions.js';

export type { LiveDeployment, ModelStatus, ServableEntry } from './deployment-status.js';

/** What a model's predictions are routed by: the split, and the loaded candidate (undefined when none is loaded). */
export interface ModelSplit {
  readonly weights: TrafficWeights;
  readonly mode: TrafficMode;
  readonly candidate: LiveDeployment | undefined;
}

/** Stages, commits, discards, rolls back, splits traffic and looks up model deployments. */
export interface Deployments {
  /** Loads a version and stages it under `deploymentId`; idempotent by id. */
  stage(model: string, deploymentId: string, request: StageRequest): Promise<StageAnswer>;
  /** Makes the staged deployment `deploymentId` the stable one; a repeat of a committed id answers the same. */
  commit(model: string, deploymentId: string): Promise<CommitAnswer>;
  /** Drops the staged deployment `deploymentId` without serving it; a repeat answers the same. */
  discard(model: string, deploymentId: string, reason: string): Promise<DiscardAnswer>;
  /** Restores the stable deployment before `deploymentId`, which must be stable; a repeat answers the same. */
  rollback(model: string, deploymentId: string): Promise<RollbackAnswer>;
  /** Gives the staged deployment or the candidate its share of the traffic; the same request again changes nothing. */
  setTraffic(model: string, request: SetTrafficRequest): Promise<TrafficAnswer>;
  /** Makes the candidate `deploymentId` stable with all the traffic; a repeat answers the same. */
  promote(model: string, deploymentId: string): Promise<PromoteCandidateAnswer>;
  /** All traffic back to stable; the candidate (or staged deployment) `deploymentId` rolled back. */
  abort(model: string, deploymentId: string, reason: string): Promise<AbortCandidateAnswer>;
  /** The traffic split of a model; throws a 404 {@link ServeError} for a model never deployed. */
  traffic(model: string): TrafficAnswer;
  /** What routes a model's predictions (all to stable for a model without a candidate). */
  split(model: string): ModelSplit;
  /** The stable deployment of a model; throws a 404/503 {@link ServeError} when there is none. */
  live(model: string): LiveDeployment;
  /** The deployment `deploymentId` (staged, candidate or stable) for a smoke prediction; else a {@link ServeError}. */
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

export { ABANDONED_AT_RESTART } from './deployment-replays.js';

/**
 * Opens the deployments persisted at `statePath`: staged deployments left by the previous process are recorded as
 * abandoned, and every stable version and candidate is loaded (the split is restored as the file says). A stable
 * version that fails to load leaves its model `unavailable` (with the reason) until the next commit; a candidate
 * that fails to load gets no traffic (its share goes to stable; the status says why) until it is promoted or
 * aborted. The server still starts.
 *
 * @throws Error naming the file when the state cannot be read.
 */
export async function openDeployments(options: DeploymentsOptions): Promise<Deployments> {
  let state: ServingState = await loadServingState(options.statePath);
  const abandoned = abandonStaged(state, new Date().toISOString());
  if (abandoned) {
    await saveServingState(options.statePath, abandoned);
    state = abandoned;
  }
  const stable = await loadVersions(state, options, (s) => s.stable);
  const candidates = await loadVersions(state, options, (s) => s.candidate);
  return new ServerDeployments(options, state, stable, candidates);
}

/** Loaded predictors by model, and why a model's version could not be loaded. */
type Loaded = Awaited<ReturnType<typeof loadVersions>>;

/** The deployments of one server: the persisted state, the loaded predictors, changes one at a time. */
class ServerDeployments implements Deployments {
  private readonly stagedLive = new Map<string, LiveDeployment>();
  private readonly serialize = createSerializer();
  private readonly stableLive: Map<string, LiveDeployment>;
  private readonly loadErrors: Map<string, string>;
  private readonly candidateLive: Map<string, LiveDeployment>;
  private readonly candidateErrors: Map<string, string>;

  constructor(
    private readonly options: DeploymentsOptions,
    private state: ServingState,
    stable: Loaded,
    candidates: Loaded,
  ) {
    this.stableLive = stable.live;
    this.loadErrors = stable.loadErrors;
    this.candidateLive = candidates.live;
    this.candidateErrors = candidates.loadErrors;
  }

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
          if (current.candidate) throw candidateConflict(model, deploymentId, current.candidate);
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
      if (current.candidate) throw candidateConflict(model, deploymentId, current.candidate);
      const next = withRollback(current, new Date().toISOString());
      const predictor = next.stable ? await this.restore(next.stable.artifact, 'the previous deployment') : null;
      await this.persist(model, next);
      this.loadErrors.delete(model);
      if (next.stable && predictor) this.stableLive.set(model, { entry: next.stable, predictor });
      else this.stableLive.delete(model);
      const rolledBack = next.rolledBack.at(-1) as RolledBackEntry;
      return { model, rolledBack: { version: rolledBack.version, deploymentId }, current: rolledBack.restored };
    });
  }

  setTraffic(model: string, request: SetTrafficRequest): Promise<TrafficAnswer> {
    return this.serialize(async () => {
      const current = this.modelOf(model);
      const change = withTraffic(model, current, request, new Date().toISOString());
      const staged = this.stagedLive.get(model);
      if (change.next?.candidate && current?.staged?.deploymentId === request.candidate) {
        if (staged?.entry.deploymentId !== request.candidate) {
          throw new ServeError(500, ServeErrorCode.Internal, `Staged deployment "${request.candidate}" is not loaded`);
        }
        await this.apply(model, change);
        this.candidateLive.set(model, { entry: change.next.candidate, predictor: staged.predictor });
        this.stagedLive.delete(model);
        return change.answer;
      }
      return this.apply(model, change);
    });
  }

  promote(model: string, deploymentId: string): Promise<PromoteCandidateAnswer> {
    return this.serialize(async () => {
      const change = withPromoted(model, this.modelOf(model), deploymentId, new Date().toISOString());
      const stable = change.next?.stable;
      if (!change.next || !stable) return change.answer;
      const candidate = this.candidateLive.get(model);
      const predictor = candidate?.predictor ?? (await this.restore(stable.artifact, 'the candidate'));
      await this.apply(model, change);
      this.stableLive.set(model, { entry: stable, predictor });
      this.loadErrors.delete(model);
      this.dropCandidate(model);
      return change.answer;
    });
  }

  abort(model: string, deploymentId: string, reason: string): Promise<AbortCandidateAnswer> {
    return this.serialize(async () => {
      const current = this.modelOf(model);
      const change = withAborted(model, current, deploymentId, reason, new Date().toISOString());
      if (!change.next) return change.answer;
      await this.apply(model, change);
      if (current?.candidate?.deploymentId === deploymentId) this.dropCandidate(model);
      else this.stagedLive.delete(model);
      return change.answer;
    });
  }

  traffic(model: string): TrafficAnswer {
    const state = this.modelOf(model);
    if (!state) throw new ServeError(404, ServeErrorCode.UnknownModel, `Model "${model}" has never been deployed here`);
    return trafficAnswer(model, state);
  }

  split(model: string): ModelSplit {
    const state = this.modelOf(model);
    const candidate = state?.candidate ? this.candidateLive.get(model) : undefined;
    return {
      weights: state?.weights ?? { stable: 100, candidate: 0 },
      mode: state?.mode ?? 'split',
      candidate,
    };
  }

  live(model: string): LiveDeployment {
    return liveOf(model, this.modelOf(model), this.stableLive, this.loadErrors);
  }

  deployment(model: string, deploymentId: string): LiveDeployment {
    const loaded = {
      live: this.stableLive,
      stagedLive: this.stagedLive,
      candidateLive: this.candidateLive,
      loadErrors: this.loadErrors,
      candidateErrors: this.candidateErrors,
    };
    return deploymentOf(model, deploymentId, this.modelOf(model), loaded);
  }

  status(model: string): ModelStatus | undefined {
    const errors = { stable: this.loadErrors.get(model), candidate: this.candidateErrors.get(model) };
    return statusOf(model, this.modelOf(model), this.stableLive.has(model), errors);
  }

  models(): string[] {
    return Object.keys(this.state.models).sort();
  }

  idle(): Promise<void> {
    return this.serialize(() => Promise.resolve());
  }

  private modelOf(model: string): ModelServingState | undefined {
    return Object.hasOwn(this.state.models, model) ? this.state.models[model] : undefined;
  }

  /** Persists a change's next state, if it has one, and gives its answer. */
  private async apply<A>(model: string, change: TrafficChange<A>): Promise<A> {
    if (change.next) await this.persist(model, change.next);
    return change.answer;
  }

  private dropCandidate(model: string): void {
    this.candidateLive.delete(model);
    this.candidateErrors.delete(model);
  }

  /** Persists the model's next state; the caller swaps the predictors in after. */
  private async persist(model: string, next: ModelServingState): Promise<void> {
    const nextState: ServingState = { ...this.state, models: { ...this.state.models, [model]: next } };
    await saveServingState(this.options.statePath, nextState);
    this.state = nextState;
  }

  /** Loads `what` (for a message) again from its artifact; a 500 naming it when it cannot be loaded. */
  private restore(artifact: StagedEntry['artifact'], what: string) {
    return loadModel(this.options.artifacts, this.options.predictors, artifact).catch((err: unknown) => {
      throw new ServeError(
        500,
        ServeErrorCode.ArtifactUnreadable,
        `Cannot load ${what} (${artifact.uri}): ${rootMessage(err)}`,
      );
    });
  }
}
