/**
 * Drift ignores served rows whose features the model imputed (their values are the model's stand-ins, not
 * traffic), counts them apart in the report, and makes no verdict when nothing else is left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedRowOfLine, type FeatureRow, type ServedRow } from '@slipway/sdk';
import { computeDriftReport, splitImputedRows } from '../../../packages/activities/src/monitor/index.js';
import { createMonitorActivity } from '../../../packages/activities/src/steps/monitor.js';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import {
  FEATURES,
  PREDICTORS,
  TENURE_MEAN,
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

const imputingModel = () => ({
  ...logisticModel({ bias: 0, tenure: 1, basic: 0, pro: 1 }),
  imputation: { strategy: 'mean', values: { tenure: TENURE_MEAN, plan: 'basic' } },
});

describe('drift and imputed rows', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer;
  let monitor: ReturnType<typeof createMonitorActivity>;

  async function deploy(name: string): Promise<void> {
    const { record, artifact } = await registerModel(world, name, imputingModel());
    await world.registry.setAlias(name, 'champion', record.version);
    await modelRoutes(server.url, name).deploy(`${name}-1`, record.version, artifact);
  }

  async function serve(name: string, rows: FeatureRow[]): Promise<void> {
    const answer = await call(`${server.url}/v1/models/${name}/predict`, 'POST', { instances: rows });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }

  beforeAll(async () => {
    world = await openWorld('imputed-drift');
    home = await tempDir('imputed-drift-home');
    server = await startModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
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

  it('leaves imputed rows out of the comparison and counts them apart', async () => {
    await deploy('churn');
    await serve(
      'churn',
      trainingRows(400).map(({ tenure, plan }) => ({ tenure: tenure ?? null, plan: plan ?? null })),
    );
    // Every one of these lacks tenure and is on the 'pro' plan: compared, they would make plan drift.
    await serve(
      'churn',
      Array.from({ length: 300 }, () => ({ plan: 'pro' })),
    );
    const report = await monitor({ model: 'churn', serverUrl: server.url, minSamples: 100 });
    expect(report).toMatchObject({ samples: 400, imputedRows: 300, enoughSamples: true, drifted: false });
    expect(report.features.map((f) => [f.feature, f.drifted])).toEqual([
      ['tenure', false],
      ['plan', false],
    ]);
  });

  it('makes no verdict when every row in the window was imputed, never "no drift"', async () => {
    await deploy('all-imputed');
    await serve(
      'all-imputed',
      Array.from({ length: 200 }, (_, i) => ({ tenure: i % 40 })),
    );
    const report = await monitor({ model: 'all-imputed', serverUrl: server.url, minSamples: 50 });
    expect(report).toMatchObject({ samples: 0, imputedRows: 200, enoughSamples: false, drifted: false, features: [] });
  });

  it('reads rows logged before imputation existed as compared rows', () => {
    // Lines as an earlier server version wrote them (no version, prediction or shadow flag), read as served rows.
    const rows = [
      { ts: '2026-01-01T00:00:00Z', deploymentId: 'd', features: { tenure: 1, plan: 'basic' } },
      { ts: '2026-01-01T00:00:01Z', deploymentId: 'd', features: { plan: 'pro' }, imputed: ['tenure'] },
    ].map((line) => servedRowOfLine(line, 1) as ServedRow);
    expect(splitImputedRows(rows)).toEqual({ rows: [{ tenure: 1, plan: 'basic' }], imputedRows: 1 });
  });

  it('makes no verdict on no rows at all, whatever minSamples says', async () => {
    const { profile } = await registerModel(world, 'empty', logisticModel({ bias: 0, tenure: 0, basic: 0, pro: 0 }));
    const report = computeDriftReport({
      model: 'empty',
      version: 1,
      profile,
      profileUri: 'file:///profile.json',
      features: FEATURES,
      rows: [],
      imputedRows: 7,
      threshold: 0.2,
      minSamples: 0,
    });
    expect(report).toMatchObject({ samples: 0, imputedRows: 7, enoughSamples: false, drifted: false });
  });
});
