/**
 * The rollout's read step: read (or close) a step's measurement window on the deploy target, compute the step's
 * readings and judge them against the plan's guards (`judgeStep`, the one place a step is judged).
 */
import {
  SlipwayErrorType,
  finalFailure,
  judgeStep,
  rootMessage,
  type StepParsedInput,
  type WindowAnswer,
  type rolloutReadStep,
} from '@slipway/sdk';
import { modelServerFailureDetail } from '../model-server/client.js';
import type { DeployTarget } from '../ports.js';
import { guardReadings } from '../rollout/readings.js';
import { rolloutTarget, type RolloutTargetDeps } from '../rollout/target.js';

/** The read step's input (defaults applied). */
export type RolloutReadInput = StepParsedInput<typeof rolloutReadStep>;

/** The code a target answers for a window it does not hold (it restarted since the window was opened). */
const UNKNOWN_WINDOW = 'UnknownWindow';

/**
 * Creates the `slipway.rollout.read` activity. Reads the window `windowId` (closing it first when `close` is set:
 * a closed window is frozen, so a retry reads the same figures), and the baseline window when one is named, then
 * returns the readings (see `guardReadings`) and their verdict. A window the target no longer holds is `lost` (the
 * saga opens a new one and bakes again); a lost baseline window only leaves the step without that baseline (its
 * relative guards hold). A window that measured another candidate than `deploymentId` is a final
 * `SlipwayInvalidOutput`.
 */
export function createRolloutReadActivity(deps: RolloutTargetDeps) {
  return async (input: RolloutReadInput) => {
    const { name, version } = input.version;
    const target = await rolloutTarget(deps, input.serverUrl);
    const window = await windowOrLost(target, name, input.windowId, input.close);
    if ('lost' in window) return window;
    const baseline =
      input.baselineWindowId === undefined || input.baselineWindowId === input.windowId
        ? null
        : await windowOrLost(target, name, input.baselineWindowId, false);
    let readings;
    try {
      readings = guardReadings({
        window,
        baselineWindow: baseline && !('lost' in baseline) ? baseline : null,
        candidate: { deploymentId: input.deploymentId, version },
        minRequests: input.guards.minRequests,
        readAt: new Date().toISOString(),
      });
    } catch (err) {
      throw finalFailure(
        SlipwayErrorType.InvalidOutput,
        `${target.baseUrl} answered readings of model "${name}" that cannot be judged: ${rootMessage(err)}`,
        { model: name, windowId: input.windowId, serverUrl: target.baseUrl },
      );
    }
    return { lost: false as const, readings, verdict: judgeStep(input.guards, readings) };
  };
}

/** The window's answer, or `lost` when the target does not hold it. */
async function windowOrLost(
  target: DeployTarget,
  model: string,
  windowId: string,
  close: boolean,
): Promise<WindowAnswer | { lost: true; reason: string }> {
  try {
    return close ? await target.closeWindow(model, windowId) : await target.readWindow(model, windowId);
  } catch (err) {
    if (modelServerFailureDetail(err)?.code !== UNKNOWN_WINDOW) throw err;
    return {
      lost: true,
      reason:
        `${target.baseUrl} no longer holds window ${windowId} of model "${model}" (it restarted since the window ` +
        `was opened): ${rootMessage(err)}`,
    };
  }
}
