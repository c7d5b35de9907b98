/**
 * A model trained elsewhere goes the whole way: a scikit-learn regressor exported to ONNX is imported with
 * `slipway models import` (the built CLI, on the harness's home and dataset roots), promoted with the ready-made
 * `promoteVersion` pipeline on a real worker and dev server: the gate's evidence carries the regression metrics
 * Slipway computed, a person approves it, it deploys (smoke-checked) and the model server answers with a value.
 */
import { createModelServerClient, type ModelRegistry } from '@slipway/activities';
import type { PromoteVersionResult } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { writeOnnxModels, type OnnxModelFiles } from '../support/onnx-models.js';
import { runCli } from '../support/processes.js';
import { waitForGate } from '../support/waits.js';

let h: Harness;
let models: OnnxModelFiles;
let registry: ModelRegistry;

beforeAll(async () => {
  h = await startHarness({ name: 'import-promote', workflowBundle: await bundle() });
  models = await writeOnnxModels(h.data);
  registry = openConfiguredRegistry(h.config);
}, 300_000);
afterAll(async () => {
  await registry?.close();
  await h?.stop();
});

interface Imported {
  version: { name: string; version: number; digest: string };
  metrics: Record<string, number>;
}

it('imports an ONNX regressor, gates it on its regression metrics, deploys it and serves values', async () => {
  const imported = await runCli(
    [
      '--home',
      h.home,
      'models',
      'import',
      models.housesOnnx,
      '--name',
      'houses',
      '--reference',
      models.housesCsv,
      '--json',
    ],
    { SLIPWAY_DATA_ROOTS: h.data },
  );
  expect(imported.code, imported.output).toBe(0);
  const { version, metrics } = JSON.parse(imported.output) as Imported;

  const { runId } = await h.client.start('promoteVersion', {
    version,
    approval: { approvers: ['maria'] },
    deploy: { serverUrl: h.modelServer.url },
  });
  const gate = await waitForGate(h.client, runId);
  expect(gate.evidence).toMatchObject({ task: 'regression', candidate: { version: 1, metrics } });
  expect(gate.evidence.comparison?.map((c) => [c.metric, c.goal])).toEqual([
    ['rmse', 'lower'],
    ['mae', 'lower'],
    ['r2', 'higher'],
    ['mape', 'lower'],
  ]);
  await h.client.approve(runId, { as: 'maria', comment: 'rmse is fine' });
  const result = await h.client.result<PromoteVersionResult>(runId);
  expect(result).toMatchObject({
    status: 'deployed',
    model: 'houses',
    deployment: { version: 1, previousVersion: null },
  });
  expect((await registry.resolve('houses', 'champion'))?.version).toBe(1);

  const answer = await createModelServerClient(h.modelServer.url).predict('houses', [{ sqft: 1500, rooms: 3 }]);
  const value = (answer.predictions[0] as { value?: number }).value;
  // price ≈ 100·sqft + 5000·rooms (the data's generating rule), learned by a linear regression
  expect(value).toBeGreaterThan(155_000);
  expect(value).toBeLessThan(175_000);
});
