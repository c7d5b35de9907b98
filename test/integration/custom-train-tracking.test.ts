/**
 * Tracking for every trainer: a pipeline whose train step is user code (`implementStep` + `trackTraining`) runs on a
 * real worker against the dev server; its tracking run has the params, the epoch series and the final metrics, the
 * registered version links to it, and `slipway runs compare` shows two such runs side by side (by version and by
 * pipeline run id), as it does for the built-in train step.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModelRegistry } from '@slipway/activities';
import { TrainRunTag } from '@slipway/activities/steps';
import type { ModelVersionRef } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DATA_DIR, pipelineJson } from '../../examples/churn/src/input.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { runCli } from '../support/processes.js';
import { acmeActivities } from './custom-train/activities.js';

let h: Harness;
let registry: ModelRegistry;

beforeAll(async () => {
  const workflowBundle = await bundle(join(import.meta.dirname, 'custom-train', 'workflows.ts'));
  h = await startHarness({ name: 'custom-train', workflowBundle, activities: acmeActivities });
  registry = openConfiguredRegistry(h.config);
});
afterAll(async () => {
  await registry?.close();
  await h?.stop();
});

interface CustomResult {
  version: ModelVersionRef;
  trackingRunId: string | null;
}

async function train(learningRate: number): Promise<{ runId: string; result: CustomResult }> {
  const base = pipelineJson();
  const input = {
    modelName: 'acme-churn',
    dataset: { uri: pathToFileURL(join(DATA_DIR, 'churn.csv')).href },
    schema: base.expectations.schema,
    features: base.features,
    params: { epochs: 40, learningRate },
  };
  const { runId } = await h.client.start('customTrainPipeline', input);
  return { runId, result: await h.client.result<CustomResult>(runId) };
}

const slipway = (...args: string[]) => runCli(['--home', h.home, ...args]);

it('tracks a custom train step like the built-in one, and runs compare shows its runs', async () => {
  const first = await train(0.05);
  const second = await train(0.2);
  expect(first.result.version.version).toBe(1);
  expect(second.result.version.version).toBe(2);

  const runId = second.result.trackingRunId;
  expect(runId).toEqual(expect.any(String));
  const run = await registry.getRun(runId as string);
  expect(run?.status).toBe('finished');
  expect(run?.tags[TrainRunTag.trainer]).toBe('acme-logistic');
  expect(run?.tags[TrainRunTag.workflowId]).toBe(second.runId);
  expect(run?.tags[TrainRunTag.codeVersion]).toBe('acme-train 1.0');
  expect(run?.params['learningRate']).toBe('0.2');
  expect(run?.metrics['auc']).toBeGreaterThan(0.6);
  const series = await registry.getMetricSeries(runId as string, 'trainLoss');
  expect(series.length).toBeGreaterThan(1);
  const version = await registry.getVersion('acme-churn', 2);
  expect(version?.trackingRunId).toBe(runId);

  const byVersion = await slipway('runs', 'compare', 'acme-churn@1', 'acme-churn@2');
  expect(byVersion.code, byVersion.output).toBe(0);
  expect(byVersion.output).toMatch(/learningRate\s*│\s*0\.05\s*│\s*0\.2\s*│\s*differs/);
  expect(byVersion.output).toMatch(/trainer\s*│\s*acme-logistic\s*│\s*acme-logistic/);
  expect(byVersion.output).toMatch(/auc\s*│\s*0\.\d+\s*│\s*0\.\d+\s*│\s*(=|[+-]\S+( \([+-]\S+%\))? (better|worse))/);

  const byRunId = await slipway('runs', 'compare', first.runId, second.runId, '--json');
  expect(byRunId.code, byRunId.output).toBe(0);
  const parsed = JSON.parse(byRunId.output) as { a: { run: { runId: string } }; b: { run: { runId: string } } };
  expect(parsed.a.run.runId).toBe(first.result.trackingRunId);
  expect(parsed.b.run.runId).toBe(runId);
});
