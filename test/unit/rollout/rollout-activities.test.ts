/**
 * The five rollout activities, as `createActivities` registers them, against a real model server (in process), a
 * real SQLite registry audited into a real log, a real artifact store and a directory of people with real keys.
 * Traffic is a bounded number of loopback predict requests; every assertion is about what was served, measured and
 * recorded, never about timing. After every step the registry's alias and the server's stable version agree.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  SlipwayErrorType,
  failureType,
  recordApprovalStep,
  type rolloutCompensateStep,
  type rolloutPromoteStep,
  type rolloutReadStep,
  type rolloutStageStep,
  type rolloutTrafficStep,
  rolloutWorkflowId,
  type ApprovalProof,
  type GuardReadings,
  type ModelVersionRef,
  type RolloutGuards,
  type StepInput,
} from '@slipway/sdk';
import {
  openAuditLog,
  readAuditEntries,
  withAudit,
  type AuditLog,
} from '../../../packages/activities/src/audit/index.js';
import { createActivities } from '../../../packages/activities/src/create-activities.js';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import { createModelServerClient } from '../../../packages/activities/src/model-server/index.js';
import type { DirectorySource, ModelRegistry, SerializedModel } from '../../../packages/activities/src/ports.js';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import { registeredVersionProof } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import {
  FIXED_SCORE_KIND,
  TEST_TOKEN,
  logisticModel,
  openWorld,
  registerModel,
  tempDir,
  testAccess,
  type TestWorld,
} from '../serve/fixtures.js';
import { ROLLOUT_PREDICTORS, failingModel, slowModel } from './rollout-fixtures.js';

let world: TestWorld;
let registry: ModelRegistry;
let log: AuditLog;
let people: TestPeople;
let directory: DirectorySource;
let home: { path: string; cleanup: () => Promise<void> };
let server: RunningModelServer;

const W1 = { bias: -0.5, tenure: 0.7, basic: 0.4, pro: -0.2 };
const W2 = { bias: 0.3, tenure: -0.4, basic: 0.1, pro: 0.9 };
const GUARDS: RolloutGuards = { maxErrorRate: 0.01, minRequests: 5 };

type Activities = ReturnType<typeof createActivities>;
/** The rollout steps by activity name. */
interface Steps {
  'slipway.rollout.stage': typeof rolloutStageStep;
  'slipway.rollout.traffic': typeof rolloutTrafficStep;
  'slipway.rollout.read': typeof rolloutReadStep;
  'slipway.rollout.promote': typeof rolloutPromoteStep;
  'slipway.rollout.compensate': typeof rolloutCompensateStep;
}
type Name = keyof Steps;

const startServer = (port = 0) =>
  startModelServer({
    home: home.path,
    artifacts: world.artifacts,
    predictors: ROLLOUT_PREDICTORS,
    token: TEST_TOKEN,
    port,
  });
const client = () => createModelServerClient(server.url, { token: TEST_TOKEN.value });
const activities = () =>
  createActivities({ artifacts: world.artifacts, registry, modelServer: testAccess(server.url), directory });

/** Runs the rollout activity `name` (as `createActivities` registers it) as activity `activityId` of workflow `workflowId`. */
async function run<N extends Name>(
  workflowId: string,
  activityId: string,
  name: N,
  input: StepInput<Steps[N]>,
): Promise<Awaited<ReturnType<Activities[N]>>> {
  const info = { activityId, workflowExecution: { workflowId, runId: `${workflowId}-run` } };
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  const activity = activities()[name] as (input: unknown) => Promise<unknown>;
  const output: unknown = await env.run(activity, input);
  return output as Awaited<ReturnType<Activities[N]>>;
}

async function refusal(promise: Promise<unknown>): Promise<{ type?: string; message: string; nonRetryable?: boolean }> {
  const err = await promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e as Error & { nonRetryable?: boolean },
  );
  return { type: failureType(err), message: err.message, nonRetryable: err.nonRetryable };
}

async function register(name: string, model: SerializedModel): Promise<ModelVersionRef> {
  const { record } = await registerModel(world, name, model);
  return { name: record.name, version: record.version, digest: record.artifact.digest };
}

const proofOf = (version: ModelVersionRef, workflowId: string): Promise<ApprovalProof> =>
  registeredVersionProof(registry, version, { people, workflowId });

/** The registry's alias and the server's stable version: they must agree after every step. */
async function aliasAndServed(model: string): Promise<{ alias: number | null; served: number | null }> {
  const status = await client()
    .status(model)
    .catch(() => null);
  return { alias: (await registry.getAlias(model, 'champion')) ?? null, served: status?.stable?.version ?? null };
}

async function expectAgree(model: string, version: number | null): Promise<void> {
  expect(await aliasAndServed(model)).toEqual({ alias: version, served: version });
}

/** Deploys `version` as the model's first version through the rollout steps: stage, all traffic, promote. */
async function firstRollout(version: ModelVersionRef): Promise<string> {
  const wf = `wf-first-${version.name}`;
  const proof = await proofOf(version, wf);
  const serverUrl = server.url;
  const { deploymentId } = await run(wf, 'stage', 'slipway.rollout.stage', { version, serverUrl, proof });
  await run(wf, 'traffic-0', 'slipway.rollout.traffic', {
    version,
    serverUrl,
    deploymentId,
    percent: 100,
    mode: 'split',
    windowId: `${wf}-s0-1`,
  });
  const promoted = await run(wf, 'promote', 'slipway.rollout.promote', { version, serverUrl, deploymentId, proof });
  expect(promoted).toEqual({ previousVersion: null, live: { version: version.version, deploymentId } });
  await expectAgree(version.name, version.version);
  return deploymentId;
}

/** Sends `n` one-row predict requests (tenure 0..39 in turn): which version answered each, and how many failed. */
async function traffic(model: string, n: number): Promise<{ byVersion: Record<number, number>; failed: number }> {
  const byVersion: Record<number, number> = {};
  let failed = 0;
  for (let i = 0; i < n; i++) {
    try {
      const answer = await client().predict(model, [{ tenure: i % 40, plan: i % 2 === 0 ? 'basic' : 'pro' }]);
      byVersion[answer.version] = (byVersion[answer.version] ?? 0) + 1;
    } catch {
      failed++;
    }
  }
  return { byVersion, failed };
}

async function auditLines(model: string, kind: string) {
  return (await readAuditEntries(log.path)).filter((e) => e.model === model && e.kind === kind);
}

beforeAll(async () => {
  world = await openWorld('rollout-activities');
  log = openAuditLog(`${world.root}/audit.log`);
  registry = withAudit(world.registry, log);
  people = await createTestPeople(`${world.root}/people`);
  directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
  home = await tempDir('rollout-activities-home');
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
  await world?.close();
  await home?.cleanup();
});

describe('a healthy canary', () => {
  it('stages, splits 10 % then 100 %, reads each window exactly, promotes once: the alias moves at the promotion only', async () => {
    const model = 'healthy';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, logisticModel(W2));
    const stableId = await firstRollout(v1);

    // The rollout runs in the model's rollout workflow, on the approval the promotion recorded.
    const promotion = 'wf-promote-healthy';
    const proof = await proofOf(v2, promotion);
    await recordApproval(promotion, v2, proof);
    const wf = rolloutWorkflowId(model);
    const serverUrl = server.url;
    const staged = await run(wf, 'stage', 'slipway.rollout.stage', { version: v2, serverUrl, proof });
    expect(staged.deploymentId).toMatch(/^healthy-v2-[0-9a-f]{16}$/);
    expect(staged.stable).toEqual({ version: 1, deploymentId: stableId });
    expect(staged.smokePrediction.score).toBeGreaterThan(0);
    await expectAgree(model, 1);
    const { deploymentId } = staged;
    const step = (percent: number, index: number) =>
      run(wf, `traffic-${index}`, 'slipway.rollout.traffic', {
        version: v2,
        serverUrl,
        deploymentId,
        percent,
        mode: 'split',
        windowId: `${wf}-s${index}-1`,
      });

    const ten = await step(10, 0);
    expect(ten.traffic).toMatchObject({
      weights: { stable: 90, candidate: 10 },
      mode: 'split',
      candidate: { version: 2, deploymentId },
      stable: { version: 1, deploymentId: stableId },
    });
    const first = await traffic(model, 300);
    expect(first.failed).toBe(0);
    const read0 = await run(wf, 'read-0', 'slipway.rollout.read', {
      version: v2,
      serverUrl,
      deploymentId,
      windowId: `${wf}-s0-1`,
      guards: { ...GUARDS, maxP99Ratio: 1000 },
      close: true,
    });
    if (read0.lost) throw new Error(`window lost: ${read0.reason}`);
    // The window counts exactly what each version answered after the split was set.
    expect(read0.readings.candidate).toMatchObject({
      version: 2,
      requests: first.byVersion[2],
      errors: 0,
      errorRate: 0,
    });
    expect(read0.readings.stable).toMatchObject({ version: 1, requests: first.byVersion[1], errors: 0 });
    expect((first.byVersion[1] ?? 0) + (first.byVersion[2] ?? 0)).toBe(300);
    expect(read0.readings.candidate.p99Ms).not.toBeNull();
    expect(read0.readings.p99Ratio).not.toBeNull();
    expect(read0.verdict.verdict).toBe('pass');
    await expectAgree(model, 1);

    await step(100, 1);
    const second = await traffic(model, 40);
    expect(second).toEqual({ byVersion: { 2: 40 }, failed: 0 });
    const read1 = await run(wf, 'read-1', 'slipway.rollout.read', {
      version: v2,
      serverUrl,
      deploymentId,
      windowId: `${wf}-s1-1`,
      baselineWindowId: `${wf}-s0-1`,
      guards: { ...GUARDS, maxP99Ratio: 1000 },
      close: true,
    });
    if (read1.lost) throw new Error(`window lost: ${read1.reason}`);
    // Stable served nothing at 100 %: the relative guard compares with the last window where it served enough.
    expect(read1.readings.candidate.requests).toBe(40);
    expect(read1.readings.stable).toBeNull();
    expect(read1.readings.baseline).toMatchObject({ version: 1, requests: first.byVersion[1] });
    expect(read1.verdict.verdict).toBe('pass');
    // Until the promotion the alias names the stable version, which the server still calls stable.
    await expectAgree(model, 1);

    const promoted = await run(wf, 'promote', 'slipway.rollout.promote', {
      version: v2,
      serverUrl,
      deploymentId,
      proof,
    });
    expect(promoted).toEqual({ previousVersion: 1, live: { version: 2, deploymentId } });
    await expectAgree(model, 2);
    // A retried promotion answers the same and moves the alias once.
    const again = await run(wf, 'promote', 'slipway.rollout.promote', { version: v2, serverUrl, deploymentId, proof });
    expect(again).toEqual(promoted);
    expect((await auditLines(model, 'alias')).map((e) => e.version)).toEqual([1, 2]);
    const deployments = (await registry.getVersion(model, 2))?.deployments ?? [];
    expect(deployments.map((d) => [d.deploymentId, d.status, d.previousVersion])).toEqual([
      [deploymentId, 'deployed', 1],
    ]);
  });
});

async function recordApproval(workflowId: string, version: ModelVersionRef, proof: ApprovalProof): Promise<void> {
  const info = { activityId: 'record', workflowExecution: { workflowId, runId: `${workflowId}-run` } };
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  const record = activities()[recordApprovalStep.name] as (input: unknown) => Promise<unknown>;
  await env.run(record, {
    version,
    outcome: proof.outcome,
    decisions: proof.decisions,
    evidenceDigest: proof.evidence.digest,
    proof,
  });
}

/** Stages `version` in workflow `wf` and gives it `percent` of the traffic in window `<wf>-s0-1`. */
async function canary(wf: string, version: ModelVersionRef, percent: number, mode: 'split' | 'shadow' = 'split') {
  const proof = await proofOf(version, wf);
  const serverUrl = server.url;
  const { deploymentId } = await run(wf, 'stage', 'slipway.rollout.stage', { version, serverUrl, proof });
  const windowId = `${wf}-s0-1`;
  await run(wf, 'traffic-0', 'slipway.rollout.traffic', { version, serverUrl, deploymentId, percent, mode, windowId });
  const read = (guards: RolloutGuards, close = true) =>
    run(wf, 'read-0', 'slipway.rollout.read', { version, serverUrl, deploymentId, windowId, guards, close });
  const compensate = (reason: string, readings?: GuardReadings) =>
    run(wf, 'compensate', 'slipway.rollout.compensate', {
      version,
      serverUrl,
      deploymentId,
      reason,
      step: 0,
      ...(readings ? { readings } : {}),
    });
  return { deploymentId, proof, windowId, read, compensate };
}

describe('a candidate that errors on part of the traffic', () => {
  it('breaches at its step; the compensation puts all traffic on stable, restores nothing it need not, records the rollback', async () => {
    const model = 'erroring';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, failingModel(30));
    const stableId = await firstRollout(v1);
    const c = await canary('wf-erroring', v2, 50);

    const sent = await traffic(model, 200);
    const read = await c.read(GUARDS);
    if (read.lost) throw new Error(`window lost: ${read.reason}`);
    // Every failed request was the candidate's: stable's share failed none.
    expect(sent.failed).toBeGreaterThan(0);
    expect(read.readings.candidate.errors).toBe(sent.failed);
    expect(read.readings.candidate.requests).toBe((sent.byVersion[2] ?? 0) + sent.failed);
    expect(read.readings.stable).toMatchObject({ requests: sent.byVersion[1], errors: 0 });
    expect(read.verdict.verdict).toBe('breach');
    expect(read.verdict.checks.filter((k) => k.outcome === 'breach').map((k) => k.guard)).toEqual(['maxErrorRate']);
    await expectAgree(model, 1);

    const reason = 'maxErrorRate breached at step 1';
    const compensated = await c.compensate(reason, read.readings);
    expect(compensated).toEqual({ live: { version: 1, deploymentId: stableId }, aliasVersion: 1 });
    expect(await client().status(model)).toMatchObject({
      stable: { version: 1, deploymentId: stableId },
      candidate: null,
      weights: { stable: 100, candidate: 0 },
    });
    await expectAgree(model, 1);
    expect(await traffic(model, 40)).toEqual({ byVersion: { 1: 40 }, failed: 0 });

    // Recorded once, with the reason, the step and the readings; the audit log has the rollback.
    const again = await c.compensate(reason, read.readings);
    expect(again).toEqual(compensated);
    const records = (await registry.getVersion(model, 2))?.deployments ?? [];
    expect(records.map((d) => [d.deploymentId, d.status, d.previousVersion])).toEqual([
      [c.deploymentId, 'rolled_back', 1],
    ]);
    expect(records[0]?.detail).toContain(`${reason} (at step 1); readings: {`);
    expect(records[0]?.detail).toContain(`"errors":${sent.failed}`);
    const rollbacks = await auditLines(model, 'rollback');
    expect(rollbacks.map((e) => [e.version, e.data['status'], e.data['deploymentId']])).toEqual([
      [2, 'rolled_back', c.deploymentId],
    ]);

    // A rolled-back candidate cannot be promoted afterwards.
    const late = await refusal(
      run('wf-erroring', 'promote', 'slipway.rollout.promote', {
        version: v2,
        serverUrl: server.url,
        deploymentId: c.deploymentId,
        proof: c.proof,
      }),
    );
    expect(late.nonRetryable).toBe(true);
    expect(late.message).toContain(c.deploymentId);
    await expectAgree(model, 1);
  });
});

describe('a slow candidate', () => {
  it('breaches the p99 guard', async () => {
    const model = 'slow';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, slowModel(100));
    await firstRollout(v1);
    const c = await canary('wf-slow', v2, 50);
    const sent = await traffic(model, 30);
    expect(sent.failed).toBe(0);
    const read = await c.read({ ...GUARDS, maxP99Ms: 50, maxP99Ratio: 3 });
    if (read.lost) throw new Error(`window lost: ${read.reason}`);
    expect(read.readings.candidate.p99Ms).toBeGreaterThanOrEqual(99);
    expect(read.readings.p99Ratio).not.toBeNull();
    expect(read.verdict.verdict).toBe('breach');
    expect(read.verdict.checks.find((k) => k.guard === 'maxP99Ms')?.outcome).toBe('breach');
    const compensated = await c.compensate('p99 over 50 ms', read.readings);
    expect(compensated.live?.version).toBe(1);
    await expectAgree(model, 1);
  });
});

describe('a candidate that gets no traffic', () => {
  it('holds (no data is never a pass) and reads the same open window again later', async () => {
    const model = 'idle';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, logisticModel(W2));
    await firstRollout(v1);
    const c = await canary('wf-idle', v2, 10);
    const first = await c.read(GUARDS, false);
    if (first.lost) throw new Error(`window lost: ${first.reason}`);
    expect(first.readings.candidate).toEqual({ version: 2, requests: 0, errors: 0, errorRate: null, p99Ms: null });
    expect(first.verdict.verdict).toBe('hold');
    // The open window keeps counting: traffic sent after the first read is in the second.
    const sent = await traffic(model, 100);
    const second = await c.read(GUARDS, false);
    if (second.lost) throw new Error(`window lost: ${second.reason}`);
    expect(second.readings.candidate.requests).toBe(sent.byVersion[2] ?? 0);
    await c.compensate('held past the deadline');
    await expectAgree(model, 1);
  });
});

describe('shadow traffic', () => {
  it('never answers with the candidate, and the window counts the copies it scored', async () => {
    const model = 'shadowed';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, logisticModel(W2));
    await firstRollout(v1);
    const c = await canary('wf-shadow', v2, 100, 'shadow');
    expect(await traffic(model, 30)).toEqual({ byVersion: { 1: 30 }, failed: 0 });
    // Copies are scored after the answer: wait for the window to have counted all 30.
    await vi.waitFor(
      async () => {
        const read = await c.read(GUARDS, false);
        expect(read.lost === false && read.readings.candidate.requests).toBe(30);
      },
      { timeout: 10_000 },
    );
    await expectAgree(model, 1);
    await c.compensate('shadow test done');
  });
});

describe('a model server restart', () => {
  it('loses the open window (read as lost) but keeps the split; a new window measures again', async () => {
    const model = 'restarted';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, logisticModel(W2));
    await firstRollout(v1);
    const c = await canary('wf-restart', v2, 10);
    const port = Number(new URL(server.url).port);
    await server.close();
    server = await startServer(port);
    const lost = await c.read(GUARDS);
    expect(lost).toMatchObject({ lost: true });
    expect(lost.lost && lost.reason).toContain(`no longer holds window ${c.windowId}`);
    expect(await client().status(model)).toMatchObject({
      candidate: { version: 2, deploymentId: c.deploymentId },
      weights: { stable: 90, candidate: 10 },
    });
    const retried = await run('wf-restart', 'traffic-0-2', 'slipway.rollout.traffic', {
      version: v2,
      serverUrl: server.url,
      deploymentId: c.deploymentId,
      percent: 10,
      mode: 'split',
      windowId: 'wf-restart-s0-2',
    });
    expect(retried.traffic.weights).toEqual({ stable: 90, candidate: 10 });
    await c.compensate('restart test done');
    await expectAgree(model, 1);
  });
});

describe('refusals', () => {
  let v1: ModelVersionRef;
  let v2: ModelVersionRef;
  let v3: ModelVersionRef;
  const model = 'refusals';

  beforeAll(async () => {
    v1 = await register(model, logisticModel(W1));
    v2 = await register(model, logisticModel(W2));
    v3 = await register(model, { kind: FIXED_SCORE_KIND, score: 1.5 });
    await firstRollout(v1);
  });

  it('stage refuses a version without an approval proof, or whose artifact is not the one named, touching nothing', async () => {
    const before = await client().status(model);
    const bare = await refusal(run('wf-r1', 'stage', 'slipway.rollout.stage', { version: v2, serverUrl: server.url }));
    expect(bare).toMatchObject({ type: SlipwayErrorType.NotApproved, nonRetryable: true });
    const proof = await proofOf(v2, 'wf-r1');
    const wrongDigest = { ...v2, digest: v1.digest };
    const mismatch = await refusal(
      run('wf-r1', 'stage', 'slipway.rollout.stage', { version: wrongDigest, serverUrl: server.url, proof }),
    );
    expect(mismatch.type).toBe(SlipwayErrorType.DigestMismatch);
    expect(await client().status(model)).toEqual(before);
  });

  it('stage withdraws a version that fails its smoke check and records the failure; stable keeps serving', async () => {
    const proof = await proofOf(v3, 'wf-r2');
    const failed = await refusal(
      run('wf-r2', 'stage', 'slipway.rollout.stage', { version: v3, serverUrl: server.url, proof }),
    );
    expect(failed).toMatchObject({ type: SlipwayErrorType.DeployFailed, nonRetryable: true });
    expect(failed.message).toContain('smoke check failed');
    expect(failed.message).toContain('the staged version was withdrawn and never served; version 1 keeps serving');
    const status = await client().status(model);
    expect(status).toMatchObject({ staged: null, candidate: null, stable: { version: 1 } });
    const records = (await registry.getVersion(model, 3))?.deployments ?? [];
    expect(records.map((d) => [d.status, d.previousVersion])).toEqual([['failed', 1]]);
    await expectAgree(model, 1);
  });

  it('traffic refuses a second candidate while one holds traffic, naming both; nothing changes', async () => {
    const c = await canary('wf-r3', v2, 10);
    const other = await run('wf-r3b', 'stage', 'slipway.rollout.stage', {
      version: v2,
      serverUrl: server.url,
      proof: await proofOf(v2, 'wf-r3b'),
    });
    const refused = await refusal(
      run('wf-r3b', 'traffic-0', 'slipway.rollout.traffic', {
        version: v2,
        serverUrl: server.url,
        deploymentId: other.deploymentId,
        percent: 50,
        mode: 'split',
        windowId: 'wf-r3b-s0-1',
      }),
    );
    expect(refused.nonRetryable).toBe(true);
    expect(refused.message).toContain(c.deploymentId);
    expect(refused.message).toContain(other.deploymentId);
    expect(await client().status(model)).toMatchObject({
      candidate: { deploymentId: c.deploymentId },
      weights: { stable: 90, candidate: 10 },
    });

    // A read naming another candidate than the one the window measured is refused, naming both.
    await traffic(model, 100);
    const misread = await refusal(
      run('wf-r3', 'read-x', 'slipway.rollout.read', {
        version: v2,
        serverUrl: server.url,
        deploymentId: other.deploymentId,
        windowId: c.windowId,
        guards: GUARDS,
      }),
    );
    expect(misread.type).toBe(SlipwayErrorType.InvalidOutput);
    expect(misread.message).toContain(`measured candidate "${c.deploymentId}"`);
    expect(misread.message).toContain(`not the rollout's candidate "${other.deploymentId}"`);

    // Promote refuses without a proof, before it touches the server.
    const bare = await refusal(
      run('wf-r3', 'promote', 'slipway.rollout.promote', {
        version: v2,
        serverUrl: server.url,
        deploymentId: c.deploymentId,
      }),
    );
    expect(bare.type).toBe(SlipwayErrorType.NotApproved);
    expect((await client().status(model)).candidate?.deploymentId).toBe(c.deploymentId);
    await c.compensate('refusal test done');
    await expectAgree(model, 1);
  });

  it('refuses a serverUrl that is not the configured model server before it sends the token anywhere', async () => {
    const refused = await refusal(
      run('wf-r4', 'traffic-0', 'slipway.rollout.traffic', {
        version: v2,
        serverUrl: 'http://127.0.0.1:9',
        deploymentId: 'refusals-v2-x',
        percent: 10,
        mode: 'split',
        windowId: 'wf-r4-s0-1',
      }),
    );
    expect(refused).toMatchObject({ type: SlipwayErrorType.InvalidInput, nonRetryable: true });
    expect(refused.message).toContain(
      'serverUrl http://127.0.0.1:9 is not the model server this worker is configured for',
    );
  });

  it('compensation of a candidate that was already promoted is refused: roll it back as a command', async () => {
    const c = await canary('wf-r5', v2, 100);
    await run('wf-r5', 'promote', 'slipway.rollout.promote', {
      version: v2,
      serverUrl: server.url,
      deploymentId: c.deploymentId,
      proof: c.proof,
    });
    await expectAgree(model, 2);
    const refused = await refusal(c.compensate('too late'));
    expect(refused).toMatchObject({ type: SlipwayErrorType.RolloutAborted, nonRetryable: true });
    expect(refused.message).toContain(`already serves "${c.deploymentId}" as stable`);
    await expectAgree(model, 2);
  });
});

describe("a deploy target of the worker's choosing", () => {
  it('acts through the configured factory, given the token for the configured model server only', async () => {
    const model = 'targeted';
    const v1 = await register(model, logisticModel(W1));
    await firstRollout(v1);
    const built: { url: string; token: string | undefined }[] = [];
    const custom = createActivities({
      artifacts: world.artifacts,
      registry,
      modelServer: testAccess(server.url),
      directory,
      deployTarget: (url, options) => {
        built.push({ url, token: options.token });
        return createModelServerClient(url, options);
      },
    });
    const info = { activityId: 'read', workflowExecution: { workflowId: 'wf-targeted', runId: 'run' } };
    const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
    const read = custom['slipway.rollout.read'] as (input: unknown) => Promise<unknown>;
    const input = {
      version: v1,
      serverUrl: server.url,
      deploymentId: 'unused',
      windowId: 'never-opened',
      guards: GUARDS,
    };
    expect(await env.run(read, input)).toMatchObject({ lost: true });
    expect(built).toEqual([{ url: server.url, token: TEST_TOKEN.value }]);
  });
});
