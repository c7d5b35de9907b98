import { InvalidArgumentError } from '@commander-js/extra-typings';
import { DurationString, durationMs } from '@slipway/sdk';
import { describeRunningActivities, type RunningActivities } from '../worker/running-activities.js';
import { builtinStepActivityNames } from '../worker/step-selection.js';

/**
 * `--steps train,register`: the names as given, checked against the built-in steps; an unknown one is refused
 * before the worker connects, naming it and listing the known steps.
 */
export function stepList(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  try {
    builtinStepActivityNames(names);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
  return names;
}

/** `--shutdown-grace 2m`: a duration string such as `30s`, `2m` or `1h`. */
export function graceDuration(value: string): string {
  const parsed = DurationString.safeParse(value.trim());
  if (parsed.success) return parsed.data;
  throw new InvalidArgumentError(`expected a duration like "30s", "2m" or "1h", got ${JSON.stringify(value)}`);
}

/** The line `slipway worker --steps` prints under its banner: which steps it serves, and whether workflows. */
export function describeServedSteps(steps: readonly string[], servesWorkflows: boolean): string {
  const names = builtinStepActivityNames(steps).join(', ');
  return servesWorkflows
    ? `  only the steps ${names}, and the workflows`
    : `  only the steps ${names}; no workflows (pipelines run on workers without --steps, or give --workflow-bundle)`;
}

/** How long past its shutdown grace a worker that has not stopped is waited for before the process exits. */
export const SHUTDOWN_FORCE_MARGIN_MS = 5_000;

/**
 * Says, on the first SIGINT or SIGTERM, that the worker is draining: Temporal's runtime stops polling on that
 * signal and lets in-flight activities finish for `grace`, then cancels them. An activity that ignores the
 * cancellation would hold the worker forever: `grace` plus {@link SHUTDOWN_FORCE_MARGIN_MS} after the signal, the
 * process exits with code 1, naming the activities still running (`running`). A second signal stops the process at
 * once (both Temporal's listeners and this one are gone by then). Call it once the worker exists (Temporal's
 * runtime then listens): a listener alone would keep a signal from stopping the process. Returns a function that
 * stops listening and waiting (call it once the worker has stopped).
 */
export function announceDrain(grace: string, running?: RunningActivities): () => void {
  let deadline: NodeJS.Timeout | undefined;
  const unlisten = () => {
    process.off('SIGINT', announce);
    process.off('SIGTERM', announce);
  };
  const announce = (signal: NodeJS.Signals) => {
    unlisten();
    console.log(
      `${signal}: stopped polling; draining in-flight activities (up to ${grace}), then exiting; send it again to stop at once`,
    );
    deadline = setTimeout(() => giveUp(grace, running), durationMs(grace) + SHUTDOWN_FORCE_MARGIN_MS);
  };
  process.on('SIGINT', announce);
  process.on('SIGTERM', announce);
  return () => {
    unlisten();
    clearTimeout(deadline);
  };
}

/** Ends a worker process whose shutdown outlasted its grace, naming what still runs. */
function giveUp(grace: string, running: RunningActivities | undefined): never {
  const still = running?.list() ?? [];
  const listed = describeRunningActivities(still);
  const what =
    still.length === 0
      ? 'the worker has not stopped. Exiting with code 1'
      : (still.length === 1
          ? `this activity ignores its cancellation and still runs: ${listed}`
          : `these ${still.length} activities ignore their cancellation and still run: ${listed}`) +
        '. Exiting with code 1 without them: Temporal retries each once its timeout expires, as its retry policy ' +
        'allows (make long steps heartbeat so they hear cancellation)';
  console.error(`shutdown grace (${grace}) ran out and ${what}`);
  process.exit(1);
}
