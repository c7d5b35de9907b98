/**
 * `@slipway/activities/monitor` — drift monitoring: served features against the training profile stored with each model version — PSI per
 * feature, KS for numeric features, chi-square and Jensen–Shannon for categorical ones (the `slipway.monitor`
 * step, `steps/monitor.ts`, is built on these). It is built on the statistics and sketches of `../stats`
 * (`@slipway/activities/stats`), re-exported here for the step.
 *
 * ```ts
 * psi([0.5, 0.5], [0.5, 0.5]); // 0
 * const report = computeDriftReport({ model: 'churn', version: 3, profile, profileUri, features, rows, … });
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
