/**
 * The verdict of a guard check on rows in memory, against the real profile of the training rows: the drifted share
 * against `driftShare`, per-feature overrides, tests that do not apply to a feature's kind, too few samples,
 * prediction drift and health limits.
 */
import { describe, expect, it } from 'vitest';
import { DriftPolicy, SlipwayErrorType, failureType, type DriftPolicyInput, type FeatureRow } from '@slipway/sdk';
import { profileRows } from '../../../packages/activities/src/data/profile.js';
import { judgeFeatures, judgeHealth, predictionDrift, testFor } from '../../../packages/activities/src/guard/index.js';
import { numericReferenceShares } from '../../../packages/activities/src/monitor/buckets.js';
import { FEATURES, SCHEMA, trainingRows } from '../serve/fixtures.js';

const profile = profileRows(SCHEMA, trainingRows(1000));
const features = (rows: ReturnType<typeof trainingRows>): FeatureRow[] =>
  rows.map(({ tenure, plan }) => ({ tenure: tenure ?? null, plan: plan ?? null }));
const judge = (rows: FeatureRow[], policy: DriftPolicyInput = {}) =>
  judgeFeatures({ profile, profileUri: 'mem://profile', features: FEATURES, rows, policy: DriftPolicy.parse(policy) });

describe('guard verdict', () => {
  it('is drifted when the drifted share reaches driftShare, not before', () => {
    // Tenure shifted, plan all "student": both drift.
    const both = features(trainingRows(400, { shift: 15, plan: 'student' }));
    expect(judge(both)).toMatchObject({ drifted: true, driftShare: 1, driftedFeatures: ['tenure', 'plan'] });
    const one = features(trainingRows(400, { shift: 15 }));
    expect(judge(one)).toMatchObject({ drifted: true, driftShare: 0.5, driftedFeatures: ['tenure'] });
    expect(judge(one, { driftShare: 0.51 })).toMatchObject({ drifted: false, driftShare: 0.5 });
    expect(judge(features(trainingRows(400)))).toMatchObject({ drifted: false, driftShare: 0, driftedFeatures: [] });
  });

  it('applies per-feature overrides over the kind defaults', () => {
    const policy = DriftPolicy.parse({ features: { tenure: { test: 'ks', threshold: 0.01 } } });
    expect(testFor(policy, 'tenure', 'numeric')).toEqual({ test: { test: 'ks', threshold: 0.01 }, override: true });
    expect(testFor(policy, 'plan', 'categorical')).toEqual({ test: { test: 'psi', threshold: 0.2 }, override: false });
    const verdict = judge(features(trainingRows(400, { shift: 6 })), {
      features: { tenure: { test: 'ks', threshold: 0.01 }, plan: { test: 'js', threshold: 0.1 } },
    });
    const [tenure, plan] = verdict.features;
    expect(tenure).toMatchObject({ test: 'ks', override: true, drifted: true });
    expect(tenure!.statistic).toBe(tenure!.ks!.statistic);
    expect(tenure!.pValue).toBeLessThan(0.01);
    expect(plan).toMatchObject({ test: 'js', override: true, drifted: false });
    expect(plan!.statistic).toBeLessThan(0.1);
    // A numeric js test compares the training and serving shares per bin.
    const js = judge(features(trainingRows(400, { shift: 15 })), { numeric: { test: 'js', threshold: 0.3 } });
    expect(js.features[0]).toMatchObject({ test: 'js', drifted: true });
    expect(js.features[0]!.expected).toEqual(numericReferenceShares(profile.columns['tenure'] as never));
  });

  it('refuses a test that does not apply to the kind, even on a window too small for a verdict', () => {
    for (const [policy, message] of [
      [
        { categorical: { test: 'ks', threshold: 0.05 } },
        'policy.categorical: feature "plan" is categorical, and the ks test',
      ],
      [
        { features: { tenure: { test: 'chi-square', threshold: 0.05 } } },
        'policy.features.tenure: feature "tenure" is numeric',
      ],
    ] as const) {
      let err: unknown;
      try {
        judge([], policy);
      } catch (e) {
        err = e;
      }
      expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
      expect((err as Error).message).toContain(message);
    }
  });

  it('makes no verdict with fewer rows than minSamples, however drifted they are', () => {
    const rows = features(trainingRows(199, { shift: 30, plan: 'student' }));
    expect(judge(rows, { minSamples: 200 })).toEqual({
      enoughSamples: false,
      drifted: false,
      driftShare: 0,
      driftedFeatures: [],
      features: [],
    });
    expect(judge([], { minSamples: 1 })).toMatchObject({ enoughSamples: false, drifted: false });
  });

  it('counts prediction drift as one more feature only when the policy says so', () => {
    const scoreProfile = profileRows(
      { columns: { s: { type: 'number', nullable: false, integer: false } }, allowExtraColumns: true },
      Array.from({ length: 1000 }, (_, i) => ({ s: i / 1000 })),
    ).columns['s'] as never;
    const predictionProfile = {
      task: 'binary' as const,
      rows: 1000,
      classes: [
        { label: false, predicted: 500, share: 0.5, meanScore: 0.5 },
        { label: true, predicted: 500, share: 0.5, meanScore: 0.5 },
      ],
      score: scoreProfile,
    };
    const high = Array.from({ length: 400 }, (_, i) => 0.8 + (i % 200) / 1000);
    const policy = DriftPolicy.parse({});
    const shown = predictionDrift({ profile: predictionProfile, predictions: high, policy });
    expect(shown.result).toMatchObject({ of: 'score', drifted: true, counted: false, samples: 400 });
    const rows = features(trainingRows(400));
    expect(judge(rows)).toMatchObject({ drifted: false });
    const counted = predictionDrift({
      profile: predictionProfile,
      predictions: high,
      policy: { ...policy, countPrediction: true },
    });
    const verdict = judgeFeatures(
      { profile, profileUri: 'mem://profile', features: FEATURES, rows, policy: { ...policy, driftShare: 0.3 } },
      counted.result,
    );
    expect(verdict).toMatchObject({ drifted: true, driftedFeatures: ['prediction'] });
    expect(verdict.driftShare).toBeCloseTo(1 / 3, 12);
    expect(predictionDrift({ profile: undefined, predictions: high, policy })).toEqual({
      result: null,
      note: 'the version has no held-out prediction profile (trained before they were recorded, or imported)',
    });
    expect(predictionDrift({ profile: predictionProfile, predictions: [], policy }).result).toBeNull();
    expect(() =>
      predictionDrift({ profile: predictionProfile, predictions: [1.5], policy: { ...policy, minSamples: 1 } }),
    ).toThrow(/served prediction 1 \(1.5\) is not a positive-class score in \[0, 1\]/);
    expect(() =>
      predictionDrift({
        profile: predictionProfile,
        predictions: high,
        policy: { ...policy, prediction: { test: 'js', threshold: 0.1 } },
      }),
    ).toThrow(/policy.prediction: the js test does not apply to predictions/);
  });

  it('judges serving health against the policy limits', () => {
    const answer = { requests: 200, errors: 3, p99Ms: 120 };
    expect(judgeHealth(answer, {})).toEqual({
      requests: 200,
      errors: 3,
      errorRate: 0.015,
      p99Ms: 120,
      breached: false,
    });
    expect(judgeHealth(answer, { maxErrorRate: 0.01 }).breached).toBe(true);
    expect(judgeHealth(answer, { maxErrorRate: 0.02 }).breached).toBe(false);
    expect(judgeHealth(answer, { maxP99Ms: 100 }).breached).toBe(true);
    expect(judgeHealth(answer, { maxP99Ms: 120 }).breached).toBe(false);
    expect(judgeHealth({ requests: 0, errors: 0, p99Ms: null }, { maxErrorRate: 0, maxP99Ms: 1 })).toEqual({
      requests: 0,
      errors: 0,
      errorRate: 0,
      p99Ms: null,
      breached: false,
    });
  });
});
