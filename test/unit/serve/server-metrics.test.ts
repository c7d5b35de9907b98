/**
 * `GET /metrics` serves Prometheus text, open like `/health`: per model, version and role the requests a version
 * scored or failed, its errors, the requests refused for their input, the rows, and a latency histogram; shadow
 * copies under role `shadow`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRef } from '@slipway/sdk';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import { routeBucket } from '../../../packages/worker/src/serve/routing.js';
import { PREDICTORS, TEST_TOKEN, logisticModel, modelRoutes, openWorld, tempDir, type TestWorld } from './fixtures.js';

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return samples;
}

describe('model server metrics', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer;
  let v1: ArtifactRef;
  let v2: ArtifactRef;
  const churn = () => modelRoutes(server.url);

  beforeAll(async () => {
    world = await openWorld('metrics');
    home = await tempDir('metrics-home');
    v1 = await world.artifacts.putJson(logisticModel({ bias: 0, tenure: 1, basic: 0, pro: 1 }));
    v2 = await world.artifacts.putJson(logisticModel({ bias: 1, tenure: 1, basic: 0, pro: 1 }));
    server = await startModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
    await churn().deploy('s1', 1, v1);
    await churn().stage('c2', 2, v2);
  });

  afterAll(async () => {
    await server?.close();
    await world?.close();
    await home?.cleanup();
  });

  it('counts requests, errors, rejected requests, rows and latency per model, version and role', async () => {
    await churn().traffic('c2', { stable: 50, candidate: 50 });
    const keys = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const candidateKeys = keys.filter((k) => routeBucket(k, 'c2') < 50).length;
    for (const key of keys) {
      const answer = await churn().predict(
        [
          { tenure: 1, plan: 'pro' },
          { tenure: 2, plan: 'basic' },
        ],
        { 'x-slipway-route-key': key },
      );
      expect(answer.status).toBe(200);
    }
    const stableKey = keys.find((k) => routeBucket(k, 'c2') >= 50) as string;
    expect((await churn().predict([{ tenure: 1 }], { 'x-slipway-route-key': stableKey })).status).toBe(400);
    await churn().traffic('c2', { stable: 0, candidate: 100 }, 'shadow');
    for (let i = 0; i < 3; i++) await churn().predict([{ tenure: 1, plan: 'pro' }]);
    await server.server.flush();

    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseMetrics(await response.text());
    const at = (name: string, version: number, role: string) =>
      samples.get(`${name}{model="churn",version="${version}",role="${role}"}`);
    expect(at('slipway_model_requests_total', 2, 'candidate')).toBe(candidateKeys);
    expect(at('slipway_model_requests_total', 1, 'stable')).toBe(keys.length - candidateKeys + 3);
    expect(at('slipway_model_rows_total', 2, 'candidate')).toBe(2 * candidateKeys);
    expect(at('slipway_model_rejected_total', 1, 'stable')).toBe(1);
    expect(at('slipway_model_requests_total', 2, 'shadow')).toBe(3);
    expect(at('slipway_model_errors_total', 1, 'stable')).toBeUndefined();
    expect(samples.get(`slipway_model_latency_seconds_count{model="churn",version="2",role="candidate"}`)).toBe(
      candidateKeys,
    );
    expect(samples.get(`slipway_model_latency_seconds_bucket{le="+Inf",model="churn",version="1",role="stable"}`)).toBe(
      keys.length - candidateKeys + 3,
    );
  });
});
