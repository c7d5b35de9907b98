/**
 * The changes of a model's serving state, as pure functions: stage, commit, end a staged deployment (discard or
 * abandon), roll back; and where a deployment id is found in a model's state. The caller persists the result
 * before it acts on it.
 */
import {
  MAX_ENDED,
  MAX_HISTORY,
  MAX_ROLLED_BACK,
  emptyModelState,
  type DeploymentEntry,
  type EndedEntry,
  type ModelServingState,
  type RolledBackEntry,
  type StagedEntry,
} from './serving-state.js';

/** Where a deployment id is found in a model's state. */
export type LocatedDeployment =
  | { kind: 'stable'; entry: DeploymentEntry }
  | { kind: 'candidate'; entry: DeploymentEntry }
  | { kind: 'staged'; entry: StagedEntry }
  | { kind: 'ended'; entry: EndedEntry }
  | { kind: 'superseded'; entry: DeploymentEntry }
  | { kind: 'rolledBack'; entry: RolledBackEntry }
  | { kind: 'unknown' };

/** Finds `deploymentId` in a model's state (undefined: a model never deployed). */
export function locateDeployment(state: ModelServingState | undefined, deploymentId: string): LocatedDeployment {
  if (!state) return { kind: 'unknown' };
  const is = (e: { deploymentId: string } | null): boolean => e?.deploymentId === deploymentId;
  if (state.stable && is(state.stable)) return { kind: 'stable', entry: state.stable };
  if (state.candidate && is(state.candidate)) return { kind: 'candidate', entry: state.candidate };
  if (state.staged && is(state.staged)) return { kind: 'staged', entry: state.staged };
  const ended = state.ended.findLast(is);
  if (ended) return { kind: 'ended', entry: ended };
  const rolledBack = state.rolledBack.findLast(is);
  if (rolledBack) return { kind: 'rolledBack', entry: rolledBack };
  const superseded = state.history.findLast(is);
  if (superseded) return { kind: 'superseded', entry: superseded };
  return { kind: 'unknown' };
}

/**
 * The state after `staged` was staged. A different deployment staged before it is discarded (replaced); an
 * abandoned record of the same id is dropped (it is staged again).
 */
export function withStaged(state: ModelServingState | undefined, staged: StagedEntry): ModelServingState {
  const base = state ?? emptyModelState();
  const ended = base.ended.filter((e) => e.deploymentId !== staged.deploymentId);
  const replaced = base.staged;
  if (replaced && replaced.deploymentId !== staged.deploymentId) {
    const reason = `replaced by deployment "${staged.deploymentId}" (version ${staged.version}) before it was committed`;
    ended.push(endedEntry(replaced, 'discarded', staged.stagedAt, reason));
  }
  return { ...base, staged, ended: ended.slice(-MAX_ENDED) };
}

/** The state after the staged deployment was committed at `at`: it becomes stable, the old stable moves to the history. */
export function withCommitted(
  state: ModelServingState,
  at: string,
): { next: ModelServingState; entry: DeploymentEntry } {
  const staged = state.staged;
  if (!staged) throw new Error('withCommitted: there is no staged deployment to commit');
  const stable = state.stable;
  const entry: DeploymentEntry = {
    deploymentId: staged.deploymentId,
    version: staged.version,
    artifact: staged.artifact,
    stagedAt: staged.stagedAt,
    deployedAt: at,
    previous: stable ? { version: stable.version, deploymentId: stable.deploymentId } : null,
  };
  const next: ModelServingState = {
    ...state,
    stable: entry,
    staged: null,
    history: stable ? [...state.history, stable].slice(-MAX_HISTORY) : state.history,
  };
  return { next, entry };
}

/** The state after the staged deployment ended without serving (`discarded` on request, `abandoned` at a restart). */
export function withStagedEnded(
  state: ModelServingState,
  outcome: EndedEntry['outcome'],
  at: string,
  reason: string,
): { next: ModelServingState; entry: EndedEntry } {
  const staged = state.staged;
  if (!staged) throw new Error('withStagedEnded: there is no staged deployment');
  const entry = endedEntry(staged, outcome, at, reason);
  return { next: { ...state, staged: null, ended: [...state.ended, entry].slice(-MAX_ENDED) }, entry };
}

/** The state after the stable deployment was rolled back to the last one in the history (or to nothing). */
export function withRollback(state: ModelServingState, rolledBackAt: string): ModelServingState {
  const stable = state.stable;
  if (!stable) throw new Error('withRollback: there is no stable deployment to roll back');
  const restored = state.history.at(-1) ?? null;
  const entry: RolledBackEntry = {
    deploymentId: stable.deploymentId,
    version: stable.version,
    rolledBackAt,
    restored: restored ? { version: restored.version, deploymentId: restored.deploymentId } : null,
  };
  return {
    ...state,
    stable: restored,
    history: state.history.slice(0, -1),
    rolledBack: [...state.rolledBack, entry].slice(-MAX_ROLLED_BACK),
  };
}

function endedEntry(staged: StagedEntry, outcome: EndedEntry['outcome'], at: string, reason: string): EndedEntry {
  return { ...staged, endedAt: at, outcome, reason };
}
