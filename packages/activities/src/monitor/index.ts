/**
 * Drift monitoring: served features against the training profile stored with each model version — PSI per
 * feature, KS for numeric features, chi-square and Jensen–Shannon for categorical ones. The statistics and
 * sketches of `../stats` are re-exported here, so they are part of the package's API.
 *
 * ```ts
 * psi([0.5, 0.5], [0.5, 0.5]); // 0
 * const monitor = createMonitorActivity({ artifacts, registry });
 * const report = await monitor({ model: 'churn', alias: 'champion', serverUrl, psiThreshold: 0.2, minSamples: 50 });
 * ```
 *
 * @packageDocumentation
 */
export * from '../stats/index.js';
export {
  binNumeric,
  countCategorical,
  numericReferenceShares,
  categoricalReference,
  categoricalReferenceCounts,
  numericServedShares,
  categoricalServedShares,
} from './buckets.js';
export {
  featureDrift,
  computeDriftReport,
  splitImputedRows,
  type DriftInput,
  type FeatureDriftOptions,
} from './drift.js';
export { resolveVersionOrFail, loadTrainingProfile, featureProfile } from './training-profile.js';
export {
  createMonitorActivity,
  DEFAULT_MONITOR_WINDOW,
  type MonitorActivityDeps,
  type MonitorInput,
} from './monitor-activity.js';
