import { InvalidArgumentError } from '@commander-js/extra-typings';
import { DurationString } from '@slipway/sdk';
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

/**
 * Says, on the first SIGINT or SIGTERM, that the worker is draining: Temporal's runtime stops polling on that
 * signal and lets in-flight activities finish for `grace`, then cancels them. A second signal stops the process at
 * once (both Temporal's listeners and this one are gone by then). Call it once the worker exists (Temporal's
 * runtime then listens): a listener alone would keep a signal from stopping the process. Returns a function that
 * stops listening.
 */
export function announceDrain(grace: string): () => void {
  const stop = () => {
    process.off('SIGINT', announce);
    process.off('SIGTERM', announce);
  };
  const announce = (signal: NodeJS.Signals) => {
    stop();
    console.log(
      `${signal}: stopped polling; draining in-flight activities (up to ${grace}), then exiting; send it again to stop at once`,
    );
  };
  process.on('SIGINT', announce);
  process.on('SIGTERM', announce);
  return stop;
}
