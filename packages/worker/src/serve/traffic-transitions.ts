/**
 * The rollout's changes of a model's serving state, as pure functions: give a candidate its share of the traffic,
 * promote it to stable, abort it. Each answers what the route answers, and the next state when something changes
 * (the caller persists it before it acts on it); a repeat of a change already made answers the same and changes
 * nothing. A step the state does not allow is a {@link ServeError} naming the deployments involved.
 */
import type {
  AbortCandidateAnswer,
  PromoteCandidateAnswer,
  SetTrafficRequest,
  TrafficAnswer,
  TrafficWeights,
} from '@slipway/sdk';
import { notOnStagingPath } from './deployment-refusals.js';
import { served } from './deployment-status.js';
import { ServeError, ServeErrorCode } from './protocol.js';
import {
  MAX_HISTORY,
  MAX_ROLLED_BACK,
  type DeploymentEntry,
  type ModelServingState,
  type RolledBackEntry,
} from './serving-state.js';
import { locateDeployment } from './serving-transitions.js';

/** A change's answer, and the next state when the change is not a repeat. */
export interface TrafficChange<A> {
  answer: A;
  next?: ModelServingState;
}

/** All traffic on stable, no candidate. */
const STABLE_ONLY: { weights: TrafficWeights; mode: 'split' } = {
  weights: { stable: 100, candidate: 0 },
  mode: 'split',
};

/** The split of a model as `GET …/traffic` answers it. */
export function trafficAnswer(model: string, state: ModelServingState): TrafficAnswer {
  return {
    model,
    stable: state.stable ? served(state.stable) : null,
    candidate: state.candidate ? served(state.candidate) : null,
    weights: state.weights,
    mode: state.mode,
  };
}

/**
 * The state after `request` was applied at `at`: the staged deployment becomes the candidate (it stays loaded), or
 * the current candidate gets new weights or mode. Refused: a model never deployed or a deployment never seen
 * (404), a second candidate while one is set, the stable deployment, one that was superseded, rolled back or
 * ended, and a split that leaves stable a share when there is no stable deployment (409).
 */
export function withTraffic(
  model: string,
  state: ModelServingState | undefined,
  request: SetTrafficRequest,
  at: string,
): TrafficChange<TrafficAnswer> {
  if (!state) throw unknownModel(model);
  const id = request.candidate;
  const found = locateDeployment(state, id);
  if (found.kind === 'staged' && state.candidate) throw candidateConflict(model, id, state.candidate);
  if (found.kind !== 'staged' && found.kind !== 'candidate') {
    if (found.kind !== 'stable') throw notOnStagingPath(model, id, found, state);
    throw new ServeError(
      409,
      ServeErrorCode.NotCandidate,
      `Deployment "${id}" of model "${model}" (version ${found.entry.version}) is stable, neither staged nor ` +
        `the candidate (candidate: ${describe(state.candidate)}; staged: ${describe(state.staged)}); stage it first`,
    );
  }
  if (!state.stable && (request.mode !== 'split' || request.weights.candidate !== 100)) {
    throw new ServeError(
      409,
      ServeErrorCode.NoStable,
      `Model "${model}" has no stable deployment to answer the requests deployment "${id}" would not ` +
        `(mode ${request.mode}, stable weight ${request.weights.stable}); give the candidate all the traffic ` +
        '(mode split, weights { stable: 0, candidate: 100 })',
    );
  }
  const split = { weights: request.weights, mode: request.mode };
  if (found.kind === 'candidate') {
    if (sameSplit(state, split)) return { answer: trafficAnswer(model, state) };
    const next = { ...state, ...split };
    return { answer: trafficAnswer(model, next), next };
  }
  const candidate: DeploymentEntry = {
    deploymentId: found.entry.deploymentId,
    version: found.entry.version,
    artifact: found.entry.artifact,
    stagedAt: found.entry.stagedAt,
    deployedAt: at,
    previous: state.stable ? served(state.stable) : null,
  };
  const next: ModelServingState = { ...state, candidate, staged: null, ...split };
  return { answer: trafficAnswer(model, next), next };
}

/**
 * The state after the candidate `deploymentId` was promoted at `at`: it is stable with all the traffic, the old
 * stable in the history (a rollback restores it). A repeat for the stable deployment answers the same. Refused: a
 * staged deployment (give it traffic, or commit it), anything else that is not the candidate.
 */
export function withPromoted(
  model: string,
  state: ModelServingState | undefined,
  deploymentId: string,
  at: string,
): TrafficChange<PromoteCandidateAnswer> {
  if (!state) throw unknownModel(model);
  const found = locateDeployment(state, deploymentId);
  switch (found.kind) {
    case 'stable':
      return { answer: { model, stable: served(found.entry), previous: found.entry.previous } };
    case 'candidate': {
      const old = state.stable;
      const stable: DeploymentEntry = {
        ...found.entry,
        deployedAt: at,
        previous: old ? served(old) : null,
      };
      const history = old ? [...state.history, old].slice(-MAX_HISTORY) : state.history;
      const next: ModelServingState = { ...state, stable, candidate: null, history, ...STABLE_ONLY };
      return { answer: { model, stable: served(stable), previous: stable.previous }, next };
    }
    case 'staged':
      throw new ServeError(
        409,
        ServeErrorCode.NotCandidate,
        `Deployment "${deploymentId}" of model "${model}" is staged, not the candidate ` +
          `(candidate: ${describe(state.candidate)}); give it traffic first, or commit it`,
      );
    case 'ended':
    case 'superseded':
    case 'rolledBack':
    case 'unknown':
      throw notOnStagingPath(model, deploymentId, found, state);
  }
}

/**
 * The state after the candidate (or staged deployment) `deploymentId` was aborted at `at` for `reason`: all
 * traffic on stable, the deployment recorded as rolled back with the reason. A repeat answers the same. Refused:
 * the stable deployment (roll it back instead), deployments that ended or were superseded, unknown ones.
 */
export function withAborted(
  model: string,
  state: ModelServingState | undefined,
  deploymentId: string,
  reason: string,
  at: string,
): TrafficChange<AbortCandidateAnswer> {
  if (!state) throw unknownModel(model);
  const found = locateDeployment(state, deploymentId);
  switch (found.kind) {
    case 'rolledBack':
      return { answer: { model, rolledBack: served(found.entry), stable: found.entry.restored } };
    case 'candidate':
    case 'staged': {
      const restored = state.stable ? served(state.stable) : null;
      const entry: RolledBackEntry = { ...served(found.entry), rolledBackAt: at, restored, reason };
      const rolledBack = [...state.rolledBack, entry].slice(-MAX_ROLLED_BACK);
      const next: ModelServingState =
        found.kind === 'candidate'
          ? { ...state, candidate: null, rolledBack, ...STABLE_ONLY }
          : { ...state, staged: null, rolledBack };
      return { answer: { model, rolledBack: served(found.entry), stable: restored }, next };
    }
    case 'stable':
      throw new ServeError(
        409,
        ServeErrorCode.NotCandidate,
        `Deployment "${deploymentId}" of model "${model}" is stable, not the candidate ` +
          `(candidate: ${describe(state.candidate)}); roll it back with POST /v1/models/${model}/rollback instead`,
      );
    case 'ended':
    case 'superseded':
    case 'unknown':
      throw notOnStagingPath(model, deploymentId, found, state);
  }
}

/** The error for a change that needs no candidate to be set (commit, rollback, a second candidate). */
export function candidateConflict(model: string, asked: string, candidate: DeploymentEntry): ServeError {
  return new ServeError(
    409,
    ServeErrorCode.CandidateConflict,
    `Model "${model}" has candidate "${candidate.deploymentId}" (version ${candidate.version}) in a traffic split; ` +
      `deployment "${asked}" must wait: promote or abort "${candidate.deploymentId}" first`,
  );
}

function sameSplit(state: ModelServingState, split: { weights: TrafficWeights; mode: string }): boolean {
  return (
    state.mode === split.mode &&
    state.weights.stable === split.weights.stable &&
    state.weights.candidate === split.weights.candidate
  );
}

function describe(entry: { deploymentId: string; version: number } | null): string {
  return entry ? `"${entry.deploymentId}" (version ${entry.version})` : 'nothing';
}

function unknownModel(model: string): ServeError {
  return new ServeError(404, ServeErrorCode.UnknownModel, `Model "${model}" has never been deployed here`);
}
