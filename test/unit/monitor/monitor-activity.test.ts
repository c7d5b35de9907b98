import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, failureType, type DriftReport } from '@slipway/sdk';
import { computeDriftReport } from '../../../packages/activities/src/monitor/index.js';
import { createMonitorActivity, type MonitorInput } from '../../../packages/activities/src/steps/monitor.js';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import {
  FEATURES,
  PREDICTORS,
  TEST_TOKEN,
  call,
  logisticModel,
  modelRoutes,
  openWorld,
  registerModel,
  tempDir,
  testAccess,
  trainingRows,
  type TestWorld,
} from '../serve/fixtures.js';

describe('monitor activity', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer;
  let monitor: ReturnType<typeof createMonitorActivity>;

  const serve = (version: number, rows: object[]) =>
    call(`${server.url}/v1/models/churn/predict`, 'POST', { instances: rows }).then((r) => {
      expect(r.body.version).toBe(version);
    });

  beforeAll(async () => {
    world = await openWorld('monitor');
    home = await tempDir('monitor-home');
    server = await startModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
    const v1 = await registerModel(world, 'churn', logisticModel({ bias: 0, tenure: 1, basic: 0, pro: 1 }));
    await world.registry.setAlias('churn', 'champion', v1.record.version);
    expect((await modelRoutes(server.url).deploy('m1', 1, v1.artifact)).status).toBe(200);
    monitor = createMonitorActivity({
      artifacts: world.artifacts,
      registry: world.registry,
      modelServer: testAccess(server.url),
    });
  });

  afterAll(async () => {
    await server?.close();
    await world?.close();
    await home?.cleanup();
  });

  it('makes no verdict with fewer served rows than minSamples', async () => {
    await serve(
      1,
      trainingRows(10).map(({ tenure, plan }) => ({ tenure, plan })),
    );
    const report = await monitor({ model: 'churn', serverUrl: server.url, minSamples: 50 });
    expect(report).toEqual<DriftReport>({
      model: 'churn',
      version: 1,
      samples: 10,
      imputedRows: 0,
      threshold: 0.2,
      enoughSamples: false,
      drifted: false,
      features: [],
    });
  });

  it('finds no drift when the champion serves what it was trained on', async () => {
    await serve(
      1,
      trainingRows(400).map(({ tenure, plan }) => ({ tenure, plan })),
    );
    const input: MonitorInput = { model: 'churn', alias: 'champion', serverUrl: server.url, minSamples: 50 };
    const report = await new MockActivityEnvironment().run<[MonitorInput], DriftReport, typeof monitor>(monitor, input);
    expect(report).toMatchObject({ model: 'churn', version: 1, samples: 410, enoughSamples: true, drifted: false });
    expect(report.features.map((f) => [f.feature, f.kind])).toEqual([
      ['tenure', 'numeric'],
      ['plan', 'categorical'],
    ]);
    for (const feature of report.features) {
      expect(feature.psi).toBeLessThan(0.05);
      expect(feature.drifted).toBe(false);
      expect(feature.expected.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(feature.actual.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    // plan: basic, pro, enterprise, then "other".
    expect(report.features[1]!.expected).toEqual([0.6, 0.3, 0.1, 0]);
    // The tests agree: KS on tenure against the profile's digest, chi-square and Jensen–Shannon on plan.
    const [tenure, plan] = report.features;
    expect(tenure!.ks).toMatchObject({ method: 'asymptotic' });
    expect(tenure!.ks!.pValue).toBeGreaterThan(0.05);
    expect(plan!.chiSquare).toMatchObject({ dof: 2 });
    expect(plan!.chiSquare!.pValue).toBeGreaterThan(0.05);
    expect(plan!.jsDistance).toBeLessThan(0.05);
  });

  it('flags drift per feature on an explicitly named version', async () => {
    const v2 = await registerModel(world, 'churn', logisticModel({ bias: 1, tenure: 1, basic: 0, pro: 1 }));
    await modelRoutes(server.url).deploy('m2', 2, v2.artifact);
    // Tenure moves up by 15 (most values land in the top bins); the plan mix stays as in training.
    await serve(
      2,
      trainingRows(300, { shift: 15 }).map(({ tenure, plan }) => ({ tenure, plan })),
    );
    const report = await monitor({
      model: 'churn',
      version: 2,
      serverUrl: server.url,
      psiThreshold: 0.25,
      minSamples: 100,
    });
    expect(report).toMatchObject({ version: 2, samples: 300, threshold: 0.25, enoughSamples: true, drifted: true });
    const [tenure, plan] = report.features;
    expect(tenure).toMatchObject({ feature: 'tenure', drifted: true });
    expect(tenure!.psi).toBeGreaterThan(1);
    expect(tenure!.ks!.statistic).toBeGreaterThan(0.3);
    expect(tenure!.ks!.pValue).toBeLessThan(1e-10);
    expect(plan).toMatchObject({ feature: 'plan', drifted: false });
    expect(plan!.chiSquare!.pValue).toBeGreaterThan(0.05);

    // The alias still names version 1, which kept its own served rows.
    expect(await monitor({ model: 'churn', serverUrl: server.url })).toMatchObject({ version: 1, drifted: false });
  });

  it('puts unseen categories in the "other" bucket', async () => {
    const profile = (await registerModel(world, 'plans', logisticModel({ bias: 0, tenure: 0, basic: 0, pro: 0 })))
      .profile;
    const rows = trainingRows(200, { plan: 'student' }).map(({ tenure, plan }) => ({
      tenure: tenure ?? null,
      plan: plan ?? null,
    }));
    const report = computeDriftReport({
      model: 'plans',
      version: 1,
      profile,
      profileUri: 'test',
      features: FEATURES,
      rows,
      threshold: 0.2,
      minSamples: 1,
    });
    const plan = report.features.find((f) => f.feature === 'plan')!;
    expect(plan.actual).toEqual([0, 0, 0, 1]);
    expect(plan.drifted).toBe(true);
    expect(report.drifted).toBe(true);
  });

  it('fails with NotFound for an alias that names nothing, and names a missing profile column', async () => {
    const err = await monitor({ model: 'churn', alias: 'staging', serverUrl: server.url }).catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.NotFound);
    expect((err as Error).message).toContain('alias "staging"');

    const { profile } = await registerModel(world, 'cols', logisticModel({ bias: 0, tenure: 0, basic: 0, pro: 0 }));
    expect(() =>
      computeDriftReport({
        model: 'cols',
        version: 1,
        profile,
        profileUri: 'file:///p.json',
        features: { numeric: ['age'], categorical: [], target: 'churned' },
        rows: [{ age: 1 }],
        threshold: 0.2,
        minSamples: 1,
      }),
    ).toThrow(/file:\/\/\/p\.json has no column "age"/);
  });

  it('reports an unreachable model server as a retryable failure naming the URL', async () => {
    const closed = await startModelServer({
      home: `${world.root}/closed`,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
    await closed.close();
    const toClosed = createMonitorActivity({
      artifacts: world.artifacts,
      registry: world.registry,
      modelServer: testAccess(closed.url),
    });
    const err = await toClosed({ model: 'churn', serverUrl: closed.url }).catch((e: unknown) => e);
    expect(failureType(err)).toBe('SlipwayModelServerUnreachable');
    expect((err as { nonRetryable: boolean }).nonRetryable).toBe(false);
    expect((err as Error).message).toContain(`${closed.url}/v1/models/churn/versions/1/served`);
  });

  it('reads served rows with the token of the configured server only; without it the server refuses', async () => {
    const elsewhere = await monitor({ model: 'churn', serverUrl: 'http://127.0.0.1:1' }).catch((e: unknown) => e);
    expect(failureType(elsewhere)).toBe('SlipwayInvalidInput');
    expect((elsewhere as Error).message).toContain('is not the model server this worker is configured for');
    const tokenless = createMonitorActivity({ artifacts: world.artifacts, registry: world.registry });
    const refused = await tokenless({ model: 'churn', serverUrl: server.url }).catch((e: unknown) => e);
    expect(failureType(refused)).toBe('SlipwayModelServerRejected');
    expect((refused as Error).message).toMatch(/401 Unauthorized/);
  });
});
