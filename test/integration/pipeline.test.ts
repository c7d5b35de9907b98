/**
 * The ready-made `trainAndPromote` pipeline against a real Temporal dev server, a real worker, a real
 * model server and the embedded registry: the happy path end to end, and each way a promotion can stop.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createModelServerClient, type ModelRegistry } from '@slipway/activities';
import {
  SlipwayErrorType,
  failureType,
  rootMessage,
  type DriftReport,
  type FeatureRow,
  type PredictAnswer,
  type TrainAndPromoteInputRaw,
  type TrainAndPromoteResult,
} from '@slipway/sdk';
import { ClientErrorCode, SlipwayClient, resolveInputFiles } from '@slipway/sdk/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, churnInput } from '../../examples/churn/src/input.js';
import { runCli } from '../support/processes.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { clientError } from '../support/failures.js';
import { eventually, waitForGate } from '../support/waits.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';

let h: Harness;
let workflowBundle: { code: string };
let registry: ModelRegistry;

beforeAll(async () => {
  workflowBundle = await bundle();
  h = await startHarness({ name: 'pipeline', workflowBundle });
  registry = openConfiguredRegistry(h.config);
});
afterAll(async () => {
  await registry?.close();
  await h?.stop();
});

/** The churn input for a model; the harness client starts runs as `ci-bot` (it sets `startedBy`). */
const input = (modelName: string, extra: Partial<Parameters<typeof churnInput>[0]> = {}) =>
  churnInput({ serverUrl: h.modelServer.url, modelName, ...extra });

/** A workflow history as text, every payload's bytes decoded as UTF-8 (JSON payloads are UTF-8 JSON). */
function historyText(history: unknown): string {
  return JSON.stringify(history, (_key, value: unknown) => {
    const buffer = value as { type?: unknown; data?: unknown } | null;
    if (buffer?.type === 'Buffer' && Array.isArray(buffer.data)) return Buffer.from(buffer.data as number[]).toString();
    return value instanceof Uint8Array ? Buffer.from(value).toString() : value;
  });
}

/** Scores rows as served traffic through the typed client; a non-200 answer fails the test. */
function predict(model: string, rows: FeatureRow[]): Promise<PredictAnswer> {
  return createModelServerClient(h.modelServer.url).predict(model, rows);
}

const customer = {
  tenure_months: 3,
  monthly_charges: 99.5,
  support_calls: 6,
  plan: 'basic',
  contract: 'monthly',
  paperless: true,
};

describe('trainAndPromote on a real Temporal dev server', () => {
  it('validates, trains, registers, waits for approval, deploys, serves and monitors', async () => {
    const { runId } = await h.client.start('trainAndPromote', input('happy'));
    const gate = await waitForGate(h.client, runId);
    expect(gate.evidence.candidate.version).toBe(1);
    expect(gate.evidence.champion).toBeNull();
    expect(gate.evidence.candidate.metrics.auc).toBeGreaterThan(0.75);
    const pending = await eventually('the run in the pending list', async () => {
      const list = await h.client.pendingApprovals();
      return list.some((p) => p.runId === runId) ? list : undefined;
    });
    expect(pending.find((p) => p.runId === runId)?.listing).toMatchObject({
      model: 'happy',
      version: 1,
      status: 'pending',
    });

    const approved = await h.client.approve(runId, { as: 'maria', comment: 'looks good' });
    expect(approved.status).toBe('approved');
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({ status: 'deployed', model: 'happy', version: { version: 1 } });
    expect(result.dataset).toMatchObject({ rows: 2000, badRows: 0 });
    expect(result.deployment).toMatchObject({ version: 1, previousVersion: null });

    const champion = await registry.resolve('happy', 'champion');
    expect(champion?.version).toBe(1);
    expect(champion?.lineage.datasetDigest).toBe(result.dataset.digest);
    expect(champion?.lineage.workflowId).toBe(runId);
    expect(champion?.approvals[0]).toMatchObject({
      outcome: 'approved',
      decisions: [{ approver: 'maria', comment: 'looks good' }],
    });
    expect(champion?.deployments[0]).toMatchObject({ status: 'deployed', previousVersion: null });
    // The version links to the tracking run of its train step: params, the loss per epoch, held-out metrics.
    const run = await registry.getRun(champion?.trackingRunId ?? '');
    expect(run).toMatchObject({ experiment: 'happy', status: 'finished', tags: { 'slipway.workflow_id': runId } });
    expect(run?.params['epochs']).toBe(String(champion?.lineage.params['epochs']));
    expect(run?.metrics).toMatchObject({ auc: result.metrics['auc'] });
    expect((await registry.getMetricSeries(run?.runId ?? '', 'trainLoss')).length).toBeGreaterThan(10);

    const served = await predict('happy', [
      customer,
      { ...customer, tenure_months: 60, support_calls: 0, contract: 'annual' },
    ]);
    expect(served.version).toBe(1);
    const [risky, loyal] = served.predictions;
    expect(risky!.score).toBeGreaterThan(loyal!.score!);

    await predict(
      'happy',
      Array.from({ length: 60 }, (_, i) => ({ ...customer, tenure_months: i % 12 })),
    );
    const { runId: driftRun } = await h.client.start('checkDrift', {
      model: 'happy',
      serverUrl: h.modelServer.url,
      minSamples: 50,
    });
    const drift = await h.client.result<DriftReport>(driftRun);
    expect(drift).toMatchObject({ model: 'happy', version: 1, samples: 62, enoughSamples: true, drifted: true });
    const tenure = drift.features.find((f) => f.feature === 'tenure_months');
    expect(tenure?.drifted).toBe(true);
    expect(drift.features.find((f) => f.feature === 'contract')?.psi).toBeLessThan(tenure!.psi);

    // Determinism: the recorded histories replay against the same workflow code without a divergence.
    for (const id of [runId, driftRun]) {
      const history = await h.client.temporal.workflow.getHandle(id).fetchHistory();
      await expect(Worker.runReplayHistory({ workflowBundle }, history, id)).resolves.toBeUndefined();
    }
  });

  it('a rejection deploys nothing and leaves the champion serving', async () => {
    const first = await h.client.start('trainAndPromote', input('rejected'));
    await waitForGate(h.client, first.runId);
    await h.client.approve(first.runId, { as: 'lee' });
    expect((await h.client.result<TrainAndPromoteResult>(first.runId)).status).toBe('deployed');

    const second = await h.client.start(
      'trainAndPromote',
      input('rejected', { params: { epochs: 50, learningRate: 0.05, l2: 0.01 } }),
    );
    const gate = await waitForGate(h.client, second.runId);
    expect(gate.evidence.champion?.version).toBe(1);
    const closed = await h.client.reject(second.runId, { as: 'maria', comment: 'worse than the champion' });
    expect(closed.status).toBe('rejected');
    const result = await h.client.result<TrainAndPromoteResult>(second.runId);
    expect(result).toMatchObject({ status: 'rejected', deployment: null, version: { version: 2 } });

    expect((await registry.resolve('rejected', 'champion'))?.version).toBe(1);
    const v2 = await registry.getVersion('rejected', 2);
    expect(v2?.approvals[0]).toMatchObject({
      outcome: 'rejected',
      decisions: [{ approver: 'maria', decision: 'reject' }],
    });
    expect(v2?.deployments).toEqual([]);
    expect((await predict('rejected', [customer])).version).toBe(1);
    const progress = (await h.client.status(second.runId)).progress;
    expect(progress?.steps.find((s) => s.step === 'deploy')?.status).toBe('skipped');
  });

  it('refuses approvers outside the policy, self-approval and stale evidence, and keeps the gate open', async () => {
    const { runId } = await h.client.start('trainAndPromote', input('guarded'));
    const gate = await waitForGate(h.client, runId);

    const outsider = await clientError(h.client.approve(runId, { as: 'mallory' }));
    expect(outsider.code).toBe(ClientErrorCode.ApproverNotAllowed);
    expect(outsider.message).toContain('mallory is not allowed');
    const stale = gate.evidence.digest.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    const mismatch = await clientError(h.client.approve(runId, { as: 'maria', evidenceDigest: stale }));
    expect(mismatch.code).toBe(ClientErrorCode.EvidenceMismatch);
    const asLee = SlipwayClient.fromClient(h.client.temporal, {
      taskQueue: h.config.taskQueue,
      user: 'lee',
      keys: { keysDir: h.people!.keysDir },
    });
    const starter = await asLee.start('trainAndPromote', input('guarded-self'));
    await waitForGate(h.client, starter.runId);
    expect((await clientError(h.client.approve(starter.runId, { as: 'lee' }))).code).toBe(ClientErrorCode.SelfApproval);
    await h.client.reject(starter.runId, { as: 'maria' });

    await h.client.signalDecision(runId, 'approve', { as: 'eve' });
    const still = await eventually('the refused signal to be recorded', async () => {
      const g = await h.client.gate(runId);
      return g.refused.some((r) => r.via === 'signal') ? g : undefined;
    });
    expect(still.status).toBe('pending');
    expect(still.decisions).toEqual([]);
    // Every refusal is recorded at the gate, by update and by signal, with its type.
    expect(still.refused.map((r) => [r.approver, r.via, r.type])).toEqual([
      ['mallory', 'update', 'SlipwayApproverNotAllowed'],
      ['maria', 'update', 'SlipwayEvidenceMismatch'],
      ['eve', 'signal', 'SlipwayApproverNotAllowed'],
    ]);

    await h.client.signalDecision(runId, 'approve', { as: 'lee', comment: 'by signal' });
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result.status).toBe('deployed');
    expect(result.decisions).toMatchObject([{ approver: 'lee', via: 'signal' }]);
    const late = await clientError(h.client.approve(runId, { as: 'maria', evidenceDigest: gate.evidence.digest }));
    expect(late.code).toBe(ClientErrorCode.GateClosed);
  });

  it('fails an invalid dataset naming line and column, and registers nothing', async () => {
    const path = join(h.data, 'bad-churn.csv');
    await writeFile(
      path,
      [
        'customer_id,tenure_months,monthly_charges,support_calls,plan,contract,paperless,churned',
        'C00001,10,79.12,3,standard,monthly,false,1',
        'C00002,abc,35.72,3,basic,annual,true,0',
        'C00003,42,99.26,2,platinum,monthly,true,0',
        'C00004,21,15.77,0,basic,annual,true,0',
      ].join('\n') + '\n',
    );
    const { runId } = await h.client.start('trainAndPromote', {
      ...input('invalid'),
      dataset: { uri: pathToFileURL(path).href },
    });
    const failure = await h.client.result(runId).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.ValidationFailed);
    const message = rootMessage(failure);
    expect(message).toContain('line 3, column "tenure_months"');
    expect(message).toContain('line 4, column "plan"');
    expect(message).toContain('bad-churn.csv');
    expect((await h.client.status(runId)).status).toBe('FAILED');
    expect(await registry.listVersions('invalid')).toEqual([]);
  });

  it('fails the validate step on an expectation on a misspelt column, naming it and the columns there are', async () => {
    const base = input('misspelt');
    const expectations = base.expectations as { expectations: object[] };
    const { runId } = await h.client.start('trainAndPromote', {
      ...base,
      expectations: {
        ...expectations,
        expectations: [
          ...expectations.expectations,
          { expect: 'notNull', column: 'tenure_month', severity: 'warning' },
        ],
      },
    });
    const failure = await h.client.result(runId).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.ValidationFailed);
    expect(rootMessage(failure)).toContain(
      'notNull(tenure_month) failed: header: column "tenure_month" does not exist; columns are "customer_id", ',
    );
    expect(await registry.listVersions('misspelt')).toEqual([]);
  });

  it('refuses an expectation set with min > max when the run starts, naming the field, before any step', async () => {
    const base = input('inverted');
    const expectations = base.expectations as { expectations: object[] };
    const { runId } = await h.client.start('trainAndPromote', {
      ...base,
      expectations: {
        ...expectations,
        expectations: [{ expect: 'between', column: 'tenure_months', min: 120, max: 0 }],
      },
    });
    const failure = await h.client.result(runId).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.InvalidInput);
    expect(rootMessage(failure)).toContain('expectations.expectations.0: between: min 120 is greater than max 0');
    expect((await h.client.status(runId)).progress?.steps ?? []).toEqual([]);
    expect(await registry.listVersions('inverted')).toEqual([]);
  });

  it('refuses a dataset outside the dataset roots before reading it: nothing of it in the failure or the history', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'slipway-outside-'));
    try {
      const marker = `m-${randomUUID().slice(0, 8)}`;
      const secret = join(outside, 'shadow');
      const firstLine = 'root:$6$salt:19000:0:99999:7:::';
      await writeFile(secret, `${firstLine}\n${marker}:$6$hash:19000:0:99999:7:::\n`);
      // As `slipway run` reads an input file: a relative dataset path resolves against the input's folder.
      const inputs = join(h.data, 'inputs');
      await mkdir(inputs, { recursive: true });
      const climb = '../'.repeat(inputs.split(sep).length + 1);
      const raw = {
        ...input('leak'),
        expectations: undefined,
        dataset: { uri: `${climb}${secret.slice(1)}`, format: 'csv', csv: { delimiter: '\t' } },
        schema: { columns: { [firstLine]: { type: 'number' } } },
        features: { target: firstLine },
      };
      const resolved = resolveInputFiles(raw, inputs) as TrainAndPromoteInputRaw;
      expect(resolved.dataset.uri).toBe(pathToFileURL(secret).href);
      const { runId } = await h.client.start('trainAndPromote', resolved);
      const failure = await h.client.result(runId).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failureType(failure)).toBe(SlipwayErrorType.AccessDenied);
      const message = rootMessage(failure);
      expect(message).toContain(`resolves to ${secret}, which is outside the dataset roots (${h.data}`);
      expect(message).toContain('add a root to data.roots');
      expect(message).not.toContain(marker);
      const history = historyText(await h.client.temporal.workflow.getHandle(runId).fetchHistory());
      expect(history, 'payloads are decoded: the input names the dataset').toContain(pathToFileURL(secret).href);
      expect(history).not.toContain(marker);
      expect(await registry.listVersions('leak')).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('ends a gate nobody decides on as configured: expired, nothing deployed', async () => {
    const { runId } = await h.client.start('trainAndPromote', input('expiring', { timeout: '3s' }));
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({ status: 'expired', deployment: null, decisions: [] });
    expect(await registry.resolve('expiring', 'champion')).toBeUndefined();
    expect((await registry.getVersion('expiring', 1))?.approvals[0]?.outcome).toBe('expired');
  });

  it('a snapshot pins the exact bytes: two runs on it train bit-identical models with the same lineage', async () => {
    const snap = await runCli(['--home', h.home, 'data', 'snapshot', join(DATA_DIR, 'churn.csv')]);
    expect(snap.code, snap.output).toBe(0);
    const ref = JSON.parse(snap.output.slice(snap.output.indexOf('{'), snap.output.indexOf('}\n') + 1)) as {
      uri: string;
      digest: string;
    };
    expect(ref.uri).toMatch(/\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}\.csv$/);
    const versions = [];
    for (const decision of ['approve', 'reject'] as const) {
      const { runId } = await h.client.start('trainAndPromote', { ...input('snapshotted'), dataset: ref });
      await waitForGate(h.client, runId);
      await h.client[decision](runId, { as: 'lee' });
      versions.push((await h.client.result<TrainAndPromoteResult>(runId)).version.version);
    }
    const [first, second] = await Promise.all(versions.map((v) => registry.getVersion('snapshotted', v)));
    expect(first?.lineage).toMatchObject({ datasetUri: ref.uri, datasetDigest: ref.digest });
    expect(second?.lineage).toMatchObject({ datasetUri: ref.uri, datasetDigest: ref.digest });
    expect(second?.artifact.digest).toBe(first?.artifact.digest);
    expect(second?.metrics).toEqual(first?.metrics);
  });

  it('names an unknown run clearly', async () => {
    const err = await clientError(h.client.status('no-such-run'));
    expect(err.code).toBe(ClientErrorCode.UnknownRun);
    expect(err.message).toContain('no-such-run');
  });
});
