/**
 * `@slipway/activities/guard` — the model guardian's check: the `slipway.guard-check` activity and its parts —
 * reading a serving window (the model server's served-rows log, or served rows in JSON lines or Parquet files under
 * a directory or S3 prefix), per-feature tests under a drift policy with the dataset-level verdict, prediction
 * drift against the held-out predictions, serving health, and the report's HTML page.
 *
 * ```ts
 * const check = createGuardCheckActivity({ artifacts, registry, modelServer });
 * const result = await check({ checkId: 'guardian:churn/check-1', model: 'churn', source, window, policy });
 * ```
 *
 * @packageDocumentation
 */
export { createGuardCheckActivity, type GuardCheckActivityDeps, type GuardCheckInput } from './guard-check.js';
export { readCheckRows, type CheckInput, type CheckRows } from './check-source.js';
export { TESTS_BY_KIND, binLabels, checkTestApplies, testFeature, testFor } from './feature-tests.js';
export { checkOverrides, comparedFeatures, judgeFeatures, type Verdict, type VerdictInput } from './verdict.js';
export {
  predictionDrift,
  type PredictionDriftInput,
  type PredictionDriftOutcome,
  type PredictionValue,
} from './prediction-drift.js';
export { judgeHealth, servingHealth, type HealthReading } from './serving-health.js';
export { readServedWindow, SERVED_PAGE_ROWS, type ServedWindow, type ServedWindowInput } from './served-window.js';
export {
  listRowsFiles,
  rowsFormatOf,
  type ListRowsOptions,
  type RowsFile,
  type RowsFormat,
} from './list-rows-files.js';
export { readRowsSource } from './rows-source.js';
export { renderGuardPage } from './report-page.js';
export { escapeHtml } from './html.js';
export { servingProfile } from './serving-profile.js';
export { NewestByTime, NewestRows, inWindow, windowBounds, type WindowBounds } from './window-rows.js';
