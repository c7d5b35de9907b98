import { definePipeline } from '../pipeline.js';
import { DriftReport } from '../schemas/drift.js';
import { monitorStep } from '../steps/monitor.js';

/**
 * The ready-made drift check: one run of the monitor step on a deployed model, comparing the features it served
 * with its training profile. Its input is the monitor step's (`model`, `serverUrl`, optional `version` or
 * `alias`, thresholds); it returns the drift report. Its workflow function is `checkDrift` in
 * `@slipway/sdk/pipelines`.
 *
 * ```ts
 * const { runId } = await slipway.start(checkDrift, { model: 'churn', serverUrl: 'http://127.0.0.1:8765' });
 * const report = await slipway.result(runId, checkDrift); // DriftReport
 * ```
 */
export const checkDrift = definePipeline({
  name: 'checkDrift',
  description: 'compare what a deployed model served with its training profile',
  input: monitorStep.input,
  output: DriftReport,
  steps: ['monitor'],
});
