/**
 * The end of a successful rollout: after the drain, the version the promotion replaced is retired (recorded
 * `retired` in the registry once it no longer serves). Runs recorded before this step existed replay without it.
 */
import { CancellationScope } from '@temporalio/workflow';
import { slipwayPatched } from '../patches.js';
import { rootMessage } from '../../errors.js';
import type { RolloutRetirement } from '../../schemas/rollout-state.js';
import type { ServedDeployment } from '../../schemas/serving.js';
import type { RunTracker } from '../run-tracker.js';
import type { RolloutSteps } from './steps.js';

/** Where the rollout saga changed what it schedules, as `patched()` ids: runs recorded before replay as they ran. */
export const RolloutPatch = {
  /** After the drain, the version the promotion replaced is retired by the step `slipway.rollout.retire`. */
  retire: 'slipway.rollout.retire',
  /** With nothing stable, the candidate takes all the traffic in one step and is promoted (see `saga.ts`). */
  firstVersion: 'slipway.rollout.first-version',
} as const;

/** What the retirement needs: the promoted version and deployment, what it replaced, the steps and the tracker. */
export interface RetireRequest {
  version: { name: string; version: number; digest: string };
  serverUrl: string;
  alias: string;
  /** The promoted deployment. */
  deploymentId: string;
  /** What served as stable when the candidate was staged; null when nothing did. */
  replaced: ServedDeployment | null;
  drain: string;
  steps: Pick<RolloutSteps, 'retire'>;
  tracker: RunTracker;
}

/**
 * Retires the replaced version after the drain, as the tracked step `retire`. Nothing replaced: nothing to retire
 * (the step is skipped). The promotion stands whatever happens here: a retire step that fails after its retries is
 * shown failed in the progress and answered as `kept` with the reason. Undefined for a run recorded before the
 * step existed (it replays without it). The step cannot be cancelled: a cancellation cut the drain short, and the
 * promotion it ended is done.
 */
export async function retireReplaced(request: RetireRequest): Promise<RolloutRetirement | undefined> {
  const { replaced, tracker } = request;
  if (replaced === null || replaced.deploymentId === request.deploymentId) {
    tracker.skip('retire', 'nothing to retire: no other version served before');
    return { retired: null, kept: null };
  }
  if (!slipwayPatched(RolloutPatch.retire)) return undefined;
  try {
    return await tracker.run(
      'retire',
      () =>
        CancellationScope.nonCancellable(() =>
          request.steps.retire({
            version: request.version,
            serverUrl: request.serverUrl,
            deploymentId: request.deploymentId,
            alias: request.alias,
            retire: replaced,
            drain: request.drain,
          }),
        ),
      describeRetirement,
    );
  } catch (err) {
    const kept = `v${replaced.version} (${replaced.deploymentId}) not retired: ${rootMessage(err)}`;
    tracker.note('retire', kept);
    return { retired: null, kept };
  }
}

function describeRetirement(r: RolloutRetirement): string {
  if (r.retired) return `v${r.retired.version} (${r.retired.deploymentId}) retired`;
  return r.kept ?? 'nothing retired';
}
