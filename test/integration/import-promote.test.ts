/**
 * A model trained elsewhere goes the whole way: a scikit-learn regressor exported to ONNX is imported with
 * `slipway models import` (the built CLI, on the harness's home and dataset roots), promoted with the ready-made
 * `promoteVersion` pipeline on a real worker and dev server: the gate's evidence carries the regression metrics
 * Slipway computed, a person approves it, it deploys (smoke-checked) and the model server answers with a value.
 * That approved and deployed run is the replay fixture `promote-version-approved-deployed.json` (written with
 * `SLIPWAY_RECORD_HISTORIES=1`, see test/support/record-history.ts).
 */
import { createModelServerClient, type ModelRegistry } from '@slipway/activities';
import { promoteVersion, type PromoteVersionResult } from '@slipway/sdk';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { writeOnnxModels, type OnnxModelFiles } from '../support/onnx-models.js';
import { runCli } from '../support/processes.js';
import { machineValues, recordFixture } from '../support/record-history.js';
import { waitForGate } from '../support/waits.js';

let h: Harness;
let models: OnnxModelFiles;
let registry: ModelRegistry;
let workflowBundle: { code: string };

beforeAll(async () => {
  workflowBundle = await bundle();
  h = await startHarness({ name: 'import-promote', workflowBundle });
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

  // The run as a replay fixture: no machine value left, and it still replays.
  const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
  const fixture = await recordFixture(h, history, 'promote-version-approved-deployed.json');
  for (const machine of machineValues(h)) expect(fixture.json, machine).not.toContain(machine);
  expect(fixture.json).toContain('"name": "promoteVersion"');
  expect(fixture.json).toContain('"name": "slipway.deploy"');
  await expect(Worker.runReplayHistory({ workflowBundle }, fixture.history, runId)).resolves.toBeUndefined();
});

it('never auto-approves a regressor whose rmse rose (the old rule read a rise as an improvement)', async () => {
  const imported = await runCli(
    [
      '--home',
      h.home,
      'models',
      'import',
      models.housesWorseOnnx,
      '--name',
      'houses',
      '--reference',
      models.housesCsv,
      '--json',
    ],
    { SLIPWAY_DATA_ROOTS: h.data },
  );
  expect(imported.code, imported.output).toBe(0);
  const worse = JSON.parse(imported.output) as Imported;
  expect(worse.version.version).toBe(2);
  const champion = await registry.resolve('houses', 'champion');
  expect(worse.metrics['rmse']! - champion!.metrics['rmse']!).toBeGreaterThan(1000);

  const { runId } = await h.client.start('promoteVersion', {
    version: worse.version,
    approval: { approvers: ['maria'], autoApprove: { metric: 'rmse', minImprovement: 1 } },
    deploy: { serverUrl: h.modelServer.url },
  });
  const gate = await waitForGate(h.client, runId);
  expect(gate.evidence.comparison?.find((c) => c.metric === 'rmse')).toMatchObject({ goal: 'lower', verdict: 'worse' });
  expect(gate.status).toBe('pending');
  expect(gate.decisions).toEqual([]);
  // A person may still approve it (it becomes the champion the next test improves on).
  await h.client.approve(runId, { as: 'maria', comment: 'approved by hand despite the rmse' });
  expect(await h.client.result<PromoteVersionResult>(runId)).toMatchObject({ status: 'deployed' });
  expect((await registry.resolve('houses', 'champion'))?.version).toBe(2);
});

it('auto-approves a regressor whose rmse fell by the margin, and the deploy accepts that approval', async () => {
  const better = await registry.getVersion('houses', 1);
  const { runId } = await h.client.start('promoteVersion', {
    version: { name: 'houses', version: 1, digest: better!.artifact.digest },
    approval: { approvers: ['maria'], autoApprove: { metric: 'rmse', minImprovement: 1000 } },
    deploy: { serverUrl: h.modelServer.url },
  });
  const result = await h.client.result<PromoteVersionResult>(runId);
  expect(result).toMatchObject({ status: 'deployed', deployment: { version: 1, previousVersion: 2 } });
  expect(result.decisions).toEqual([
    expect.objectContaining({
      approver: 'slipway:auto-approve',
      via: 'policy',
      comment: expect.stringMatching(/^rmse .* \(lower is better\): improvement/),
    }),
  ]);
  expect((await registry.resolve('houses', 'champion'))?.version).toBe(1);
});

it('fails a run whose auto-approve rule names a metric Slipway does not know, before any step', async () => {
  const champion = await registry.resolve('houses', 'champion');
  const version = { name: 'houses', version: 1, digest: champion!.artifact.digest };
  const input = {
    version,
    approval: { approvers: ['maria'], autoApprove: { metric: 'RMSE', minImprovement: 1 } },
    deploy: { serverUrl: h.modelServer.url },
  };
  // The client refuses it before a run starts; a caller that bypasses the client meets the gate's own check.
  await expect(h.client.start(promoteVersion, input)).rejects.toThrow(/approval\.autoApprove\.metric: "RMSE"/);
  const handle = await h.client.temporal.workflow.start('promoteVersion', {
    taskQueue: h.config.taskQueue,
    workflowId: `unknown-metric-${Date.now()}`,
    args: [input],
  });
  const failure = await handle.result().then(
    () => undefined,
    (err: unknown) => err as { cause?: { type?: string; message?: string } },
  );
  expect(failure?.cause).toMatchObject({ type: 'SlipwayInvalidInput' });
  expect(failure?.cause?.message).toMatch(
    /approval policy is invalid: approval\.autoApprove\.metric: "RMSE" is not a metric/,
  );
  const history = await handle.fetchHistory();
  const scheduled = history.events?.filter((e) => e.activityTaskScheduledEventAttributes) ?? [];
  expect(scheduled).toEqual([]);
});
