/**
 * "Verified again where it acts": the record-approval and deploy activities, on a real SQLite registry audited
 * into a real log, a real filesystem artifact store, a real model server and a directory of people made on the fly,
 * re-verify the gate's proof before they write anything. Each refusal leaves the registry, the audit log and the
 * model server as they were, and names what failed.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SlipwayErrorType,
  failureType,
  recordApprovalStep,
  type ApprovalProof,
  type ModelVersionRef,
  type StepInput,
} from '@slipway/sdk';
import { evidenceDigest } from '../../../packages/activities/src/approval/index.js';
import {
  openAuditLog,
  readAuditEntries,
  withAudit,
  type AuditLog,
} from '../../../packages/activities/src/audit/index.js';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import { implementStep } from '../../../packages/activities/src/implement-step.js';
import { createModelServerClient } from '../../../packages/activities/src/model-server/index.js';
import type { DirectorySource, ModelRegistry } from '../../../packages/activities/src/ports.js';
import { createDeployActivity, type DeployInput } from '../../../packages/activities/src/steps/deploy.js';
import { createRecordApprovalActivity } from '../../../packages/activities/src/steps/record-approval.js';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import { registeredVersionProof, signedDecision } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import {
  PREDICTORS,
  TEST_TOKEN,
  logisticModel,
  openWorld,
  registerModel,
  tempDir,
  testAccess,
  type TestWorld,
} from '../serve/fixtures.js';

const SMOKE = { tenure: 3, plan: 'pro' };

let world: TestWorld;
let registry: ModelRegistry;
let log: AuditLog;
let people: TestPeople;
let forged: TestPeople;
let directory: DirectorySource;
let home: { path: string; cleanup: () => Promise<void> };
let server: RunningModelServer;
let clients = 0;
let v1: ModelVersionRef;
let v2: ModelVersionRef;

/** Runs `fn(input)` as an activity of workflow `workflowId`. */
function inWorkflow<I, O>(workflowId: string, fn: (input: I) => Promise<O>, input: I): Promise<O> {
  const info = { activityId: 'step', workflowExecution: { workflowId, runId: `${workflowId}-run` } };
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  return env.run(fn, input);
}

async function failure(promise: Promise<unknown>): Promise<{ type?: string; message: string; nonRetryable?: boolean }> {
  const err = await promise.then(
    () => expect.fail('expected the activity to refuse'),
    (e: unknown) => e as Error & { nonRetryable?: boolean },
  );
  return { type: failureType(err), message: err.message, nonRetryable: err.nonRetryable };
}

/** What a refusal must leave untouched. */
async function snapshot(version: ModelVersionRef) {
  const record = await registry.getVersion(version.name, version.version);
  return {
    champion: await registry.getAlias(version.name, 'champion'),
    approvals: record?.approvals.length,
    deployments: record?.deployments.length,
    auditLines: (await readAuditEntries(log.path)).length,
    served: await createModelServerClient(server.url, { token: TEST_TOKEN.value })
      .status(version.name)
      .catch(() => null),
    clients,
  };
}

const proofFor = (
  version: ModelVersionRef,
  workflowId: string,
  options: Partial<Parameters<typeof registeredVersionProof>[2]> = {},
) => registeredVersionProof(registry, version, { people, workflowId, ...options });

beforeAll(async () => {
  world = await openWorld('acting-activities');
  log = openAuditLog(`${world.root}/audit.log`);
  registry = withAudit(world.registry, log);
  world = { ...world, registry };
  people = await createTestPeople(`${world.root}/people`);
  forged = await createTestPeople(`${world.root}/forged`);
  directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
  home = await tempDir('acting-activities-home');
  server = await startModelServer({
    home: home.path,
    artifacts: world.artifacts,
    predictors: PREDICTORS,
    token: TEST_TOKEN,
  });
  const ref = (r: { record: { name: string; version: number; artifact: { digest: string } } }) => ({
    name: r.record.name,
    version: r.record.version,
    digest: r.record.artifact.digest,
  });
  v1 = ref(await registerModel(world, 'churn', logisticModel({ bias: -0.5, tenure: 0.7, basic: 0.4, pro: -0.2 })));
  v2 = ref(await registerModel(world, 'churn', logisticModel({ bias: 0.3, tenure: -0.4, basic: 0.1, pro: 0.9 })));
});
afterAll(async () => {
  await server?.close();
  await world?.close();
  await home?.cleanup();
});

describe('recordApproval verifies the proof before it records anything', () => {
  const record = (deps: { directory?: DirectorySource }) =>
    implementStep(recordApprovalStep, createRecordApprovalActivity({ registry, artifacts: world.artifacts, ...deps }))[
      'slipway.recordApproval'
    ];
  const inputOf = (proof: ApprovalProof, version = v1): StepInput<typeof recordApprovalStep> => ({
    version,
    outcome: proof.outcome,
    decisions: proof.decisions,
    evidenceDigest: proof.evidence.digest,
    proof,
  });

  it('records a verified approval; its audit line carries the signatures, the gate nonce and the verified starter', async () => {
    const proof = await proofFor(v1, 'wf-record-1', {
      policy: { approverGroups: ['ml-leads'], quorum: 2 },
      decisions: (gate) => [
        signedDecision(people, 'maria', gate, { comment: 'holds up' }),
        signedDecision(people, 'sam', gate, { via: 'signal' }),
      ],
    });
    expect(await inWorkflow('wf-record-1', record({ directory }), inputOf(proof))).toEqual({ recorded: true });
    const approvals = (await registry.getVersion('churn', 1))?.approvals;
    expect(approvals).toHaveLength(1);
    expect(approvals?.[0]?.decisions).toEqual(proof.decisions);
    const line = (await readAuditEntries(log.path)).findLast((e) => e.kind === 'approval');
    expect(line?.data).toMatchObject({
      outcome: 'approved',
      gateNonce: proof.gateNonce,
      startedBy: 'ci-bot',
      evidenceDigest: proof.evidence.digest,
      workflowId: 'wf-record-1',
    });
    const decisions = line?.data['decisions'] as { approver: string; signature: string; signedAt: string }[];
    expect(decisions.map((d) => [d.approver, d.signature, d.signedAt])).toEqual(
      proof.decisions.map((d) => [d.approver, d.signature, d.signedAt]),
    );
  });

  it('refuses without a proof, writing nothing', async () => {
    const proof = await proofFor(v1, 'wf-record-2');
    const before = await snapshot(v1);
    const { proof: _p, ...unproven } = inputOf(proof);
    expect(await failure(inWorkflow('wf-record-2', record({ directory }), unproven))).toEqual({
      type: SlipwayErrorType.NotApproved,
      message:
        'Refusing to record the approval of model "churn" version 1: it is not approved: no approval proof came ' +
        'with the request: only a version approved at a gate, with its signed decisions, may be acted on',
      nonRetryable: true,
    });
    expect(await snapshot(v1)).toEqual(before);
  });

  it("refuses a decision signed with another person's key, naming it, writing nothing", async () => {
    const proof = await proofFor(v1, 'wf-record-3', {
      decisions: (gate) => [signedDecision(people, 'maria', gate, { signWith: 'mallory' })],
    });
    const before = await snapshot(v1);
    const refused = await failure(inWorkflow('wf-record-3', record({ directory }), inputOf(proof)));
    expect(refused.type).toBe(SlipwayErrorType.InvalidApprovalProof);
    expect(refused.message).toContain(
      "decision 1 (approve by maria, via update) does not verify: its signature does not verify with maria's public key",
    );
    expect(await snapshot(v1)).toEqual(before);
  });

  it('refuses on a worker without a directory of people, writing nothing', async () => {
    const proof = await proofFor(v1, 'wf-record-4');
    const before = await snapshot(v1);
    const refused = await failure(inWorkflow('wf-record-4', record({}), inputOf(proof)));
    expect(refused.type).toBe(SlipwayErrorType.DirectoryNotConfigured);
    expect(refused.message).toContain(
      'no directory of people is configured on this worker, so the approval cannot be verified',
    );
    expect(await snapshot(v1)).toEqual(before);
  });

  it('refuses step input whose decisions are not its proof’s, writing nothing', async () => {
    const proof = await proofFor(v1, 'wf-record-5');
    const extra = {
      decision: 'approve' as const,
      approver: 'sam',
      at: new Date().toISOString(),
      via: 'update' as const,
    };
    const before = await snapshot(v1);
    const input = { ...inputOf(proof), decisions: [...proof.decisions, extra] };
    expect(await failure(inWorkflow('wf-record-5', record({ directory }), input))).toMatchObject({
      type: SlipwayErrorType.InvalidApprovalProof,
      message: expect.stringContaining("the step's decisions is not the one its verified proof holds"),
    });
    expect(await snapshot(v1)).toEqual(before);
  });
});

describe('deploy verifies the proof before it touches the model server or the registry', () => {
  const deploy = (deps: { directory?: DirectorySource } = { directory }) =>
    createDeployActivity({
      artifacts: world.artifacts,
      registry,
      modelServer: testAccess(server.url),
      client: (url, options) => {
        clients += 1;
        return createModelServerClient(url, options);
      },
      ...deps,
    });
  const input = (version: ModelVersionRef, proof?: ApprovalProof): DeployInput => ({
    version,
    serverUrl: server.url,
    smokeFeatures: SMOKE,
    ...(proof ? { proof } : {}),
  });

  /** Runs a deploy that must be refused, and checks that nothing changed anywhere. */
  async function refused(
    workflowId: string,
    version: ModelVersionRef,
    proof: ApprovalProof | undefined,
    deps?: { directory?: DirectorySource },
  ) {
    const before = await snapshot(version);
    const result = await failure(inWorkflow(workflowId, deploy(deps), input(version, proof)));
    expect(result.nonRetryable).toBe(true);
    expect(await snapshot(version)).toEqual(before);
    return result;
  }

  it('deploys a version whose proof verifies', async () => {
    const proof = await proofFor(v1, 'wf-deploy-ok');
    const output = await inWorkflow('wf-deploy-ok', deploy(), input(v1, proof));
    expect(output).toMatchObject({ model: 'churn', version: 1, previousVersion: null });
    expect(await registry.getAlias('churn', 'champion')).toBe(1);
  });

  it('refuses a deploy without a proof (NotApproved)', async () => {
    expect(await refused('wf-deploy-none', v2, undefined)).toMatchObject({
      type: SlipwayErrorType.NotApproved,
      message: expect.stringContaining(
        'Refusing to deploy model "churn" version 2: it is not approved: no approval proof',
      ),
    });
  });

  it('refuses the proof of a rejected gate (NotApproved)', async () => {
    const proof = await proofFor(v2, 'wf-deploy-rejected', {
      outcome: 'rejected',
      decisions: (gate) => [signedDecision(people, 'sam', gate, { decision: 'reject' })],
    });
    expect(await refused('wf-deploy-rejected', v2, proof)).toMatchObject({
      type: SlipwayErrorType.NotApproved,
      message: expect.stringContaining("the gate's outcome was rejected, not approved"),
    });
  });

  it('refuses a proof resolved from a forged directory: a worker whose directory step lied cannot deploy', async () => {
    const proof = await registeredVersionProof(registry, v2, { people: forged, workflowId: 'wf-deploy-forged' });
    const result = await refused('wf-deploy-forged', v2, proof);
    expect(result.type).toBe(SlipwayErrorType.InvalidApprovalProof);
    expect(result.message).toContain(`but the directory this worker reads (${people.directoryPath}) has digest`);
  });

  it('refuses a valid proof of another run, and a valid proof of another version', async () => {
    const other = await proofFor(v2, 'wf-deploy-elsewhere');
    expect(await refused('wf-deploy-here', v2, other)).toMatchObject({
      type: SlipwayErrorType.InvalidApprovalProof,
      message: expect.stringContaining(
        'the proof is for workflow wf-deploy-elsewhere, but this activity runs in workflow wf-deploy-here',
      ),
    });
    const ofV1 = await proofFor(v1, 'wf-deploy-v1-for-v2');
    expect(await refused('wf-deploy-v1-for-v2', v2, ofV1)).toMatchObject({
      type: SlipwayErrorType.InvalidApprovalProof,
      message: expect.stringContaining('the proof is about model "churn" version 1, not this one'),
    });
  });

  it('refuses a proof whose evidence claims better metrics than the registry records', async () => {
    const honest = await proofFor(v2, 'wf-deploy-inflated');
    const { digest: _d, ...content } = { ...honest.evidence, candidate: { version: 2, metrics: { accuracy: 0.99 } } };
    const evidence = { ...content, digest: evidenceDigest(content) };
    const inflated = await proofFor(v2, 'wf-deploy-inflated', {
      decisions: (gate) => [signedDecision(people, 'maria', { ...gate, evidenceDigest: evidence.digest })],
    });
    const result = await refused('wf-deploy-inflated', v2, { ...inflated, evidence });
    expect(result).toMatchObject({
      type: SlipwayErrorType.InvalidApprovalProof,
      message: expect.stringContaining("the evidence's candidate is not what the registry records for this version"),
    });
  });

  it('refuses on a worker without a directory of people', async () => {
    const proof = await proofFor(v2, 'wf-deploy-nodir');
    expect(await refused('wf-deploy-nodir', v2, proof, {})).toMatchObject({
      type: SlipwayErrorType.DirectoryNotConfigured,
      message: expect.stringContaining(
        'no directory of people is configured on this worker, so the approval cannot be verified',
      ),
    });
  });
});
