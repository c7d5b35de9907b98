/**
 * `slipway runs compare` as a user runs it: the built CLI on a home whose registry holds two versions, each
 * trained by a tracked run, found by model version, by pipeline run id or by tracking run id.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import { TrainRunTag } from '../../../packages/activities/src/steps/train-tracking.js';
import type { ModelRegistry } from '../../../packages/activities/src/ports.js';
import { runCli } from '../../support/processes.js';
import { versionInput } from '../registry/registry-fixtures.js';

let home: string;
let secondRunId: string;

async function trackedVersion(registry: ModelRegistry, n: number, learningRate: number, auc: number) {
  const { run } = await registry.startRun({
    experiment: 'churn',
    name: `logistic-regression wf-${n}`,
    tags: { [TrainRunTag.workflowId]: `wf-${n}` },
    idempotencyKey: `compare/run/${n}`,
  });
  await registry.logParams(run.runId, { epochs: 300, learningRate });
  await registry.logMetrics({ runId: run.runId, metrics: { auc, accuracy: 0.8 }, idempotencyKey: `compare/m/${n}` });
  await registry.finishRun({ runId: run.runId, status: 'finished' });
  await registry.registerVersion(versionInput('churn', `compare/v/${n}`, { trackingRunId: run.runId }));
  return run.runId;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-cli-runs-'));
  const registry = openSqliteRegistry(join(home, 'registry.db'));
  await trackedVersion(registry, 1, 0.1, 0.8);
  secondRunId = await trackedVersion(registry, 2, 0.2, 0.84);
  await registry.registerVersion(versionInput('churn', 'compare/v/3'));
  await registry.close();
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const slipway = (...args: string[]) => runCli(['--home', home, ...args]);

it('shows two versions’ runs side by side: differing params marked, metrics with their change', async () => {
  const { code, output } = await slipway('runs', 'compare', 'churn@1', 'churn@2');
  expect(code, output).toBe(0);
  expect(output).toMatch(/learningRate\s*│\s*0\.1\s*│\s*0\.2\s*│\s*differs/);
  expect(output).toMatch(/epochs\s*│\s*300\s*│\s*300\s*│\s*│/);
  expect(output).toMatch(/auc\s*│\s*0\.8\s*│\s*0\.84\s*│\s*\+0\.04 \(\+5\.0%\) better/);
  expect(output).toMatch(/accuracy\s*│\s*0\.8\s*│\s*0\.8\s*│\s*=/);
  expect(output).toContain('finished');
});

it('finds a run by pipeline run id or tracking run id, and prints JSON with --json', async () => {
  const { code, output } = await slipway('runs', 'compare', 'wf-1', secondRunId, '--json');
  expect(code, output).toBe(0);
  const parsed = JSON.parse(output) as { a: { run: { params: object } }; b: { run: { runId: string } } };
  expect(parsed.a.run.params).toEqual({ epochs: '300', learningRate: '0.1' });
  expect(parsed.b.run.runId).toBe(secondRunId);
});

it('fails clearly for a version trained without tracking and for a reference that names nothing', async () => {
  const untracked = await slipway('runs', 'compare', 'churn@1', 'churn@3');
  expect(untracked.code).toBe(1);
  expect(untracked.output).toContain('churn v3 was registered without a tracking run');
  const unknown = await slipway('runs', 'compare', 'churn@1', 'nothing-here');
  expect(unknown.code).toBe(1);
  expect(unknown.output).toContain('"nothing-here" names no training run');
});
