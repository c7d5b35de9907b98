/**
 * The model server's deploy bookkeeping around the state transitions: the stored answers a repeated stage or
 * rollback gets, the answers of stage, commit and discard, abandoning staged deployments at start-up, and the queue
 * that runs changes one at a time.
 */
import type { CommitAnswer, DiscardAnswer, RollbackAnswer, StageAnswer, StageRequest } from '@slipway/sdk';
import { conflictingReuse, describeStable, notOnStagingPath } from './deployment-refusals.js';
import { served } from './deployment-status.js';
import { ServeError, ServeErrorCode } from './protocol.js';
import type { EndedEntry, ModelServingState, ServingState } from './serving-state.js';
import { locateDeployment, withStagedEnded } from './serving-transitions.js';

/** Why a staged deployment found at start-up is abandoned. */
export const ABANDONED_AT_RESTART = 'the model server restarted before the deployment was committed';

/**
 * The answer when a stage request repeats a deployment that is staged or committed; an error when its id cannot be
 * staged (again); undefined when it must be loaded and staged (a new id, or one abandoned at a restart).
 */
export function stageReplay(
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

/** The state with every staged deployment recorded as abandoned at `at`; undefined when nothing was staged. */
export function abandonStaged(state: ServingState, at: string): ServingState | undefined {
  const staged = Object.entries(state.models).filter(([, s]) => s.staged);
  if (staged.length === 0) return undefined;
  const models = { ...state.models };
  for (const [model, s] of staged) models[model] = withStagedEnded(s, 'abandoned', at, ABANDONED_AT_RESTART).next;
  return { ...state, models };
}

/** Runs async functions one at a time, in call order; a failure does not block the ones after it. */
export function createSerializer(): <T>(fn: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const result = queue.then(fn);
    queue = result.catch(() => undefined);
    return result;
  };
}

/** The stored answer when `deploymentId` was already rolled back; an error when it is not stable; else undefined. */
export function replayRollback(
  model: string,
  state: ModelServingState,
  deploymentId: string,
): RollbackAnswer | undefined {
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
      const hint =
        found.kind === 'staged'
          ? '; it is staged, not committed: discard it instead'
          : found.kind === 'candidate'
            ? "; it is the rollout's candidate: abort it instead"
            : '';
      throw new ServeError(
        409,
        ServeErrorCode.NotCurrent,
        `Deployment "${deploymentId}" of model "${model}" is not current (stable: ${describeStable(state)}); ` +
          `only the stable deployment can be rolled back${hint}`,
      );
    }
  }
}

/** The answer to a stage request for `entry`. */
export function stageAnswer(
  model: string,
  entry: { deploymentId: string; version: number },
  status: StageAnswer['status'],
  state: ModelServingState | undefined,
): StageAnswer {
  const stable = state?.stable ? served(state.stable) : null;
  return { model, version: entry.version, deploymentId: entry.deploymentId, status, stable };
}

/** The answer to a commit request for `entry`. */
export function commitAnswer(
  model: string,
  entry: { deploymentId: string; version: number; previous: CommitAnswer['previous'] },
): CommitAnswer {
  return { model, version: entry.version, deploymentId: entry.deploymentId, previous: entry.previous };
}

/** The answer to a discard request for the ended `entry`. */
export function discardAnswer(model: string, entry: EndedEntry, state: ModelServingState | undefined): DiscardAnswer {
  const { artifact: _artifact, ...ended } = entry;
  return { model, ...ended, stable: state?.stable ? served(state.stable) : null };
}
