/**
 * `@slipway/activities/stats` — drift statistics and the sketches that feed them, in one module with no I/O: PSI, the two-sample
 * Kolmogorov–Smirnov test (on raw samples, or on CDF sketches such as a profile's t-digest), Pearson's chi-square
 * test of homogeneity, the Jensen–Shannon distance, and the bounded-memory sketches a dataset profile is built
 * from (t-digest, Space-Saving, HyperLogLog). Each statistic is checked against scipy in the unit tests.
 *
 * ```ts
 * import { psi, ksTwoSample, chiSquareHomogeneity, jensenShannonDistance } from '@slipway/activities/stats';
 * psi([0.5, 0.5], [0.6, 0.4]); // 0.0405…
 * ksTwoSample(training, served); // { statistic, pValue, method: 'exact' | 'asymptotic' }
 * chiSquareHomogeneity([60, 30, 10], [50, 30, 20]); // { statistic, dof: 2, pValue }
 * jensenShannonDistance([60, 30, 10], [50, 30, 20]); // base 2, in [0, 1]
 * ```
 *
 * @packageDocumentation
 */
export { DEFAULT_PSI_EPSILON, psi, toShares } from './psi.js';
export { KS_EXACT_MAX_N, ksTwoSample, type KsMethod, type KsResult } from './ks.js';
export { KS_EXACT_MAX_STEPS, kolmogorovSurvival, ksAsymptoticPValue, ksExactPValue } from './kolmogorov.js';
export {
  cdfAt,
  cdfBelow,
  cdfQuantile,
  checkCdfSketch,
  empiricalCdf,
  ksDistance,
  ksTwoSampleCdf,
  type CdfSketch,
} from './cdf-sketch.js';
export { chiSquareHomogeneity, type ChiSquareResult } from './chi-square.js';
export { chiSquareSurvival, logGamma, regularizedGammaP, regularizedGammaQ } from './gamma.js';
export { jensenShannonDistance } from './jensen-shannon.js';
export { DEFAULT_COMPRESSION, TDigest, centroidCdf, type TDigestOptions } from './t-digest.js';
export { SpaceSaving, type HeavyHitter } from './space-saving.js';
export { HyperLogLog, hashString } from './hyperloglog.js';
