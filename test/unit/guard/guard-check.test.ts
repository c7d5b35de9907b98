/**
 * The guard-check activity against a real model server (served traffic logged on a test clock), the real
 * filesystem artifact store and SQLite registry: windows, cursor, verdict, per-feature tests, prediction drift,
 * health, and the three artifacts.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardReport, SlipwayErrorType, failureType, type DatasetProfile, type GuardCheckResult } from '@slipway/sdk';
import { createGuardCheckActivity, type GuardCheckInput } from '../../../packages/activities/src/guard/index.js';
import {
  FIXED_SCORE_KIND,
  modelRoutes,
  openWorld,
  testAccess,
  trainingRows,
  type TestWorld,
} from '../serve/fixtures.js';
import {
  POLICY,
  deployChampion,
  registerGuarded,
  serveRows,
  startClockedServer,
  testClock,
  type TestClock,
} from './fixtures.js';

describe('guard-check activity (model-server source)', () => {
  let world: TestWorld;
  let clock: TestClock;
  let server: Awaited<ReturnType<typeof startClockedServer>>;
  let check: ReturnType<typeof createGuardCheckActivity>;
  const t: string[] = [];

  const input = (over: Partial<GuardCheckInput> = {}): GuardCheckInput => ({
    checkId: 'guardian:churn/check-1',
    model: 'churn',
    source: { kind: 'model-server', serverUrl: server.server.url },
    window: { from: t[0]!, to: t[1]! },
    policy: POLICY,
    ...over,
  });

  beforeAll(async () => {
    world = await openWorld('guard-check');
    clock = testClock();
    server = await startClockedServer(world, clock);
    await deployChampion(world, server.server.url, 'churn', await registerGuarded(world, 'churn'));
    check = createGuardCheckActivity({
      artifacts: world.artifacts,
      registry: world.registry,
      modelServer: testAccess(server.server.url),
    });
    // Window 1 (t0, t1]: 400 rows as in training. Window 2 (t1, t2]: 300 rows with tenure 15 higher.
    t.push(clock.advance(1000));
    clock.advance(1000);
    await serveRows(server.server.url, 'churn', trainingRows(400));
    t.push(clock.advance(1000));
    clock.advance(1000);
    await serveRows(server.server.url, 'churn', trainingRows(300, { shift: 15 }));
    t.push(clock.advance(1000));
  });

  afterAll(async () => {
    await server?.cleanup();
    await world?.close();
  });

  it('finds no drift in a window served as in training, and stores the report, page and serving profile', async () => {
    const result = await new MockActivityEnvironment().run<[GuardCheckInput], GuardCheckResult, typeof check>(
      check,
      input(),
    );
    expect(result).toMatchObject({
      model: 'churn',
      version: 1,
      samples: 400,
      enoughSamples: true,
      drifted: false,
      driftShare: 0,
      driftedFeatures: [],
      window: { from: t[0], to: t[1] },
    });
    expect(result.window.cursor).toEqual(expect.any(String));
    const report = GuardReport.parse(await world.artifacts.getJson(result.report));
    expect(report.features.map((f) => [f.feature, f.test, f.drifted])).toEqual([
      ['tenure', 'psi', false],
      ['plan', 'psi', false],
    ]);
    expect(report.features[1]!.bins).toEqual(['basic', 'pro', 'enterprise', 'other']);
    expect(report.features[1]!.expected).toEqual([0.6, 0.3, 0.1, 0]);
    expect(result.page.mediaType).toBe('text/html');
    const page = (await world.artifacts.getBytes(result.page)).toString('utf8');
    expect(page.match(/<svg /g)).toHaveLength(3); // tenure, plan, prediction score
    const profile = await world.artifacts.getJson<DatasetProfile>(result.servingProfile!);
    expect(profile.rows).toBe(400);
    expect(Object.keys(profile.columns).sort()).toEqual(['plan', 'tenure']);
  });

  it('finds drift in the shifted window: the drifted share reaches driftShare', async () => {
    const result = await check(input({ checkId: 'c2', window: { from: t[1]!, to: t[2]! } }));
    expect(result).toMatchObject({ samples: 300, enoughSamples: true, drifted: true, driftShare: 0.5 });
    expect(result.driftedFeatures).toEqual(['tenure']);
    // The same window under a stricter share: one drifted feature in two is not enough.
    const strict = await check(
      input({ checkId: 'c2s', window: { from: t[1]!, to: t[2]! }, policy: { ...POLICY, driftShare: 0.75 } }),
    );
    expect(strict).toMatchObject({ drifted: false, driftShare: 0.5, driftedFeatures: ['tenure'] });
  });

  it('resumes at the cursor: the next check reads only rows after the previous one', async () => {
    const first = await check(input({ window: { to: t[1]! } }));
    expect(first.samples).toBe(400);
    const next = await check(
      input({ checkId: 'c3', window: { from: t[1]!, to: t[2]!, cursor: first.window.cursor! } }),
    );
    expect(next.samples).toBe(300);
    expect(next.drifted).toBe(true);
    // Nothing served since: the cursor stays, no rows, no verdict.
    const idle = await check(
      input({ checkId: 'c4', window: { from: t[2]!, to: clock.advance(1000), cursor: next.window.cursor! } }),
    );
    expect(idle).toMatchObject({ samples: 0, enoughSamples: false, drifted: false, servingProfile: null });
    expect(idle.window.cursor).toBe(next.window.cursor);
  });

  it('keeps the newest maxRows rows of the window', async () => {
    const result = await check(
      input({ checkId: 'c5', window: { from: t[0]!, to: t[2]! }, policy: { ...POLICY, maxRows: 300 } }),
    );
    const report = GuardReport.parse(await world.artifacts.getJson(result.report));
    expect(report).toMatchObject({ samples: 300, windowRows: 700, drifted: true });
  });

  it('makes no verdict with fewer rows than minSamples, whatever they show', async () => {
    const result = await check(
      input({ checkId: 'c6', window: { from: t[1]!, to: t[2]! }, policy: { ...POLICY, minSamples: 301 } }),
    );
    expect(result).toMatchObject({
      samples: 300,
      enoughSamples: false,
      drifted: false,
      driftShare: 0,
      driftedFeatures: [],
    });
    const report = GuardReport.parse(await world.artifacts.getJson(result.report));
    expect(report.features).toEqual([]);
    const page = (await world.artifacts.getBytes(result.page)).toString('utf8');
    expect(page).toContain('No verdict: 300 rows compared, fewer than the 301 needed');
  });

  it('applies a per-feature override', async () => {
    const policy = { ...POLICY, features: { plan: { test: 'chi-square' as const, threshold: 0.05 } } };
    const result = await check(input({ checkId: 'c7', window: { from: t[1]!, to: t[2]! }, policy }));
    const report = GuardReport.parse(await world.artifacts.getJson(result.report));
    expect(report.features[1]).toMatchObject({ feature: 'plan', test: 'chi-square', override: true, drifted: false });
    expect(report.features[1]!.pValue).toBeGreaterThan(0.05);
    expect(report.features[0]).toMatchObject({ feature: 'tenure', test: 'psi', override: false, drifted: true });
  });

  it('refuses a test that does not apply to the feature kind, naming the feature', async () => {
    const ksOnPlan = { ...POLICY, features: { plan: { test: 'ks' as const, threshold: 0.05 } } };
    const err = await check(input({ checkId: 'c8', policy: ksOnPlan })).catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
    expect((err as Error).message).toContain('policy.features.plan: feature "plan" is categorical, and the ks test');
    const chiOnNumeric = { ...POLICY, numeric: { test: 'chi-square' as const, threshold: 0.05 } };
    const err2 = await check(input({ checkId: 'c9', policy: chiOnNumeric })).catch((e: unknown) => e);
    expect((err2 as Error).message).toContain('policy.numeric: feature "tenure" is numeric, and the chi-square test');
    const unknown = { ...POLICY, features: { tenur: { test: 'psi' as const, threshold: 0.1 } } };
    const err3 = await check(input({ checkId: 'c10', policy: unknown })).catch((e: unknown) => e);
    expect((err3 as Error).message).toContain('policy.features names "tenur", not a feature of the model');
  });

  it('measures prediction drift against the held-out predictions, counted only when the policy says so', async () => {
    const steady = await check(input({ checkId: 'p1' }));
    expect(steady.prediction).toMatchObject({ test: 'psi', drifted: false });
    const shifted = await check(input({ checkId: 'p2', window: { from: t[1]!, to: t[2]! } }));
    expect(shifted.prediction).toMatchObject({ test: 'psi', drifted: true });
    expect(shifted.driftShare).toBe(0.5); // not counted: 1 of 2 features
    const counted = await check(
      input({
        checkId: 'p3',
        window: { from: t[1]!, to: t[2]! },
        policy: { ...POLICY, countPrediction: true, driftShare: 0.6 },
      }),
    );
    expect(counted.driftedFeatures).toEqual(['tenure', 'prediction']);
    expect(counted.driftShare).toBeCloseTo(2 / 3, 12);
    expect(counted.drifted).toBe(true);
    const ks = await check(
      input({
        checkId: 'p4',
        window: { from: t[1]!, to: t[2]! },
        policy: { ...POLICY, prediction: { test: 'ks', threshold: 0.01 } },
      }),
    );
    expect(ks.prediction!.test).toBe('ks');
    expect(ks.prediction!.pValue).toBeLessThan(0.01);
  });

  it('has no prediction drift for a version without a held-out prediction profile, and says why', async () => {
    const registered = await registerGuarded(world, 'plain', { withPrediction: false });
    await deployChampion(world, server.server.url, 'plain', registered);
    const from = clock.iso();
    clock.advance(10);
    await serveRows(server.server.url, 'plain', trainingRows(200));
    const to = clock.advance(10);
    const result = await check(input({ checkId: 'plain-1', model: 'plain', window: { from, to } }));
    expect(result).toMatchObject({ samples: 200, prediction: null, drifted: false });
    const report = GuardReport.parse(await world.artifacts.getJson(result.report));
    expect(report.predictionNote).toContain('no held-out prediction profile');
  });

  it('reports the serving health of the window and a breach of the error rate', async () => {
    const ok = await check(input({ checkId: 'h1', policy: { ...POLICY, health: { maxErrorRate: 0.01 } } }));
    expect(ok.health).toMatchObject({ requests: 4, errors: 0, errorRate: 0, breached: false });
    expect(ok.health!.p99Ms).toEqual(expect.any(Number));
    // A version whose model fails every request (a score out of range is a 500).
    const broken = await world.artifacts.putJson({ kind: FIXED_SCORE_KIND, score: 1.5 });
    const registered = await registerGuarded(world, 'broken', { withPrediction: false });
    await modelRoutes(server.server.url, 'broken').deploy('b1', registered.record.version, broken);
    await world.registry.setAlias('broken', 'champion', registered.record.version);
    const from = clock.iso();
    clock.advance(10);
    for (let i = 0; i < 3; i++) {
      const answer = await modelRoutes(server.server.url, 'broken').predict([{ tenure: 1, plan: 'basic' }]);
      expect(answer.status).toBe(500);
    }
    const to = clock.advance(10);
    const result = await check(
      input({
        checkId: 'h2',
        model: 'broken',
        window: { from, to },
        policy: { ...POLICY, health: { maxErrorRate: 0.5 } },
      }),
    );
    expect(result.health).toMatchObject({ requests: 3, errors: 3, errorRate: 1, breached: true });
    expect(result).toMatchObject({ samples: 0, enoughSamples: false, drifted: false });
  });

  it('stores the same artifacts when a check is retried', async () => {
    const one = await check(input({ checkId: 'retry', window: { from: t[1]!, to: t[2]! } }));
    const two = await check(input({ checkId: 'retry', window: { from: t[1]!, to: t[2]! } }));
    expect(two).toEqual(one);
    expect([two.report.digest, two.page.digest, two.servingProfile!.digest]).toEqual([
      one.report.digest,
      one.page.digest,
      one.servingProfile!.digest,
    ]);
  });

  it('refuses a serverUrl that is not the configured model server', async () => {
    const err = await check(input({ source: { kind: 'model-server', serverUrl: 'http://127.0.0.1:9' } })).catch(
      (e: unknown) => e,
    );
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
    expect((err as Error).message).toContain('is not the model server this worker is configured for');
  });
});
