/**
 * Drift monitoring: PSI of served features against the training profile stored with each model version.
 *
 * ```ts
 * psi([0.5, 0.5], [0.5, 0.5]); // 0
 * const monitor = createMonitorActivity({ artifacts, registry });
 * const report = await monitor({ model: 'churn', alias: 'champion', serverUrl, psiThreshold: 0.2, minSamples: 50 });
 * ```
 *
 * @packageDocumentation
 */
export {
  psi,
  DEFAULT_PSI_EPSILON,
  toShares,
  binNumeric,
  countCategorical,
  numericReferenceShares,
  categoricalReference,
  numericServedShares,
  categoricalServedShares,
} from './psi.js';
export { featureDrift, computeDriftReport, type DriftInput } from './drift.js';
export { resolveVersionOrFail, loadTrainingProfile, featureProfile } from './training-profile.js';
export {
  createMonitorActivity,
  DEFAULT_MONITOR_WINDOW,
  type MonitorActivityDeps,
  type MonitorInput,
} from './monitor-activity.js';
