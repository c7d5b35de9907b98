/**
 * The errors the model server answers when a deployment id cannot take the asked step (stage, smoke, commit,
 * discard, roll back): each names the model, the deployment, its version, where it is, and what to do instead.
 */
import { ServeError, ServeErrorCode } from './protocol.js';
import type { ModelServingState, StagedEntry } from './serving-state.js';
import type { LocatedDeployment } from './serving-transitions.js';

/** A deployment found somewhere other than where the asked step needs it. */
type Elsewhere = Exclude<LocatedDeployment, { kind: 'unknown' }>;

/**
 * The error for a deployment id that has left the staging path for good or never was on it: superseded, rolled
 * back, discarded, abandoned (which may be staged again), or unknown.
 */
export function notOnStagingPath(
  model: string,
  deploymentId: string,
  found: Exclude<LocatedDeployment, { kind: 'stable' | 'candidate' | 'staged' }>,
  state: ModelServingState | undefined,
): ServeError {
  const what = `Deployment "${deploymentId}" of model "${model}"`;
  switch (found.kind) {
    case 'superseded':
      return new ServeError(
        409,
        ServeErrorCode.DeploymentSuperseded,
        `${what} (version ${found.entry.version}) was superseded by ${describeStable(state)}; deploy with a new deployment id`,
      );
    case 'rolledBack':
      return new ServeError(
        409,
        ServeErrorCode.DeploymentRolledBack,
        `${what} (version ${found.entry.version}) was rolled back at ${found.entry.rolledBackAt}; deploy with a new deployment id`,
      );
    case 'ended':
      return found.entry.outcome === 'abandoned'
        ? new ServeError(
            409,
            ServeErrorCode.StagedAbandoned,
            `${what} (version ${found.entry.version}) was staged at ${found.entry.stagedAt} and abandoned at ` +
              `${found.entry.endedAt}: ${found.entry.reason}; stage it again, smoke-check it, then commit`,
          )
        : new ServeError(
            409,
            ServeErrorCode.DeploymentDiscarded,
            `${what} (version ${found.entry.version}) was discarded at ${found.entry.endedAt}: ${found.entry.reason}; ` +
              'deploy with a new deployment id',
          );
    case 'unknown':
      return new ServeError(
        404,
        ServeErrorCode.UnknownDeployment,
        `Model "${model}" has no deployment "${deploymentId}" (stable: ${describeStable(state)}; staged: ${describeStaged(state?.staged ?? null)})`,
      );
  }
}

/** The error for a discard of a deployment that is committed (stable or candidate): roll it back instead. */
export function notStaged(model: string, deploymentId: string, found: Elsewhere): ServeError {
  return new ServeError(
    409,
    ServeErrorCode.NotStaged,
    `Deployment "${deploymentId}" of model "${model}" is not staged (it is ${found.kind}); only a staged deployment ` +
      'can be discarded; roll a committed one back instead',
  );
}

/** The error for a stage request whose version or artifact differ from what the deployment id already names. */
export function conflictingReuse(
  model: string,
  deploymentId: string,
  existing: { version: number; artifact: { digest: string } },
  asked: { version: number; artifact: { digest: string } },
): ServeError {
  return new ServeError(
    409,
    ServeErrorCode.DeploymentConflict,
    `Deployment "${deploymentId}" of model "${model}" already names version ${existing.version} (${existing.artifact.digest}); ` +
      `it cannot be reused for version ${asked.version} (${asked.artifact.digest})`,
  );
}

/** "`d1`" (version 3)", or "nothing". */
export function describeStable(state: ModelServingState | undefined): string {
  const stable = state?.stable;
  return stable ? `"${stable.deploymentId}" (version ${stable.version})` : 'nothing';
}

function describeStaged(staged: StagedEntry | null): string {
  return staged ? `"${staged.deploymentId}" (version ${staged.version})` : 'nothing';
}
