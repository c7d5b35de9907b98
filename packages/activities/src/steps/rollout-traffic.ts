/**
 * The rollout's traffic step: give the candidate its share of the traffic (split or shadow), then open the step's
 * measurement window, so that the window counts only what the new split served.
 */
import { SlipwayErrorType, finalFailure, type StepParsedInput, type rolloutTrafficStep } from '@slipway/sdk';
import { rolloutTarget, type RolloutTargetDeps } from '../rollout/target.js';

/** The traffic step's input (defaults applied). */
export type RolloutTrafficInput = StepParsedInput<typeof rolloutTrafficStep>;

/**
 * Creates the `slipway.rollout.traffic` activity: sets the split (`percent` to the candidate, the rest to stable,
 * as `mode` says), checks that the target's answer is that split for that deployment and version, and opens the
 * window `windowId`. Both calls are idempotent, so a retry sets the same split and finds the window open. A target
 * that refuses the split (the deployment is neither staged nor the candidate, or another candidate holds traffic)
 * fails for good, with the target's reason; an answer that is not the split asked for is a final
 * `SlipwayInvalidOutput` naming both.
 */
export function createRolloutTrafficActivity(deps: RolloutTargetDeps) {
  return async (input: RolloutTrafficInput) => {
    const { name, version } = input.version;
    const target = await rolloutTarget(deps, input.serverUrl);
    const weights = { stable: 100 - input.percent, candidate: input.percent };
    const traffic = await target.setTraffic(name, { candidate: input.deploymentId, weights, mode: input.mode });
    const candidate = traffic.candidate;
    const problem =
      candidate?.deploymentId !== input.deploymentId || candidate.version !== version
        ? `its candidate is ${candidate ? `"${candidate.deploymentId}" (version ${candidate.version})` : 'none'}`
        : traffic.weights.candidate !== input.percent || traffic.mode !== input.mode
          ? `its split is ${traffic.weights.candidate} % ${traffic.mode}`
          : undefined;
    if (problem !== undefined) {
      throw finalFailure(
        SlipwayErrorType.InvalidOutput,
        `${target.baseUrl} answered a split of model "${name}" that is not the one asked for (${input.percent} % ` +
          `${input.mode} to "${input.deploymentId}", version ${version}): ${problem}`,
        { model: name, deploymentId: input.deploymentId, serverUrl: target.baseUrl },
      );
    }
    const window = await target.openWindow(name, input.windowId);
    return { traffic, windowOpenedAt: window.openedAt };
  };
}
