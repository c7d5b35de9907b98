/**
 * The approval check of the rollout steps that change what serves. A rollout runs in its own workflow
 * (`rollout:<model>`), so the proof it carries names the promotion's workflow: there the proof must be the approval
 * the registry recorded, and a version rolled back since needs a new one. Real registry, real directory of people,
 * proofs signed for real.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SlipwayErrorType,
  failureType,
  recordApprovalStep,
  rolloutWorkflowId,
  type ApprovalProof,
  type ModelVersionRef,
} from '@slipway/sdk';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import { implementStep } from '../../../packages/activities/src/implement-step.js';
import type { DirectorySource } from '../../../packages/activities/src/ports.js';
import { verifyRolloutProof } from '../../../packages/activities/src/rollout/proof.js';
import { createRecordApprovalActivity } from '../../../packages/activities/src/steps/record-approval.js';
import { registeredVersionProof } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import { logisticModel, openWorld, registerModel, type TestWorld } from '../serve/fixtures.js';

let world: TestWorld;
let people: TestPeople;
let directory: DirectorySource;
let v1: ModelVersionRef;

const PROMOTION = 'wf-promote-churn';

async function refusal(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  const err = await promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e as Error,
  );
  return { type: failureType(err), message: err.message };
}

async function check(proof: ApprovalProof | undefined, workflowId: string, version = v1) {
  const registered = await world.registry.getVersion(version.name, version.version);
  if (!registered) throw new Error('test version not registered');
  return verifyRolloutProof(proof, directory, { version, registered, action: 'promote', workflowId });
}

/** Records the proof's approval in the registry as the promotion's record-approval step does. */
async function recordApproval(proof: ApprovalProof, version = v1): Promise<void> {
  const info = { activityId: 'record', workflowExecution: { workflowId: proof.workflowId, runId: 'run-1' } };
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  const record = implementStep(
    recordApprovalStep,
    createRecordApprovalActivity({ registry: world.registry, artifacts: world.artifacts, directory }),
  );
  await env.run(record['slipway.recordApproval'], {
    version,
    outcome: proof.outcome,
    decisions: proof.decisions,
    evidenceDigest: proof.evidence.digest,
    proof,
  });
}

beforeAll(async () => {
  world = await openWorld('rollout-proof');
  people = await createTestPeople(`${world.root}/people`);
  directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
  const { record } = await registerModel(world, 'churn', logisticModel({ bias: 0, tenure: 1, basic: 0, pro: 0 }));
  v1 = { name: record.name, version: record.version, digest: record.artifact.digest };
});
afterAll(async () => {
  await world?.close();
});

describe('verifyRolloutProof', () => {
  it('refuses a step without a proof', async () => {
    const refused = await refusal(check(undefined, rolloutWorkflowId('churn')));
    expect(refused.type).toBe(SlipwayErrorType.NotApproved);
    expect(refused.message).toContain('Refusing to promote model "churn" version 1: it is not approved');
  });

  it('accepts the proof in the workflow that ran the gate, and refuses it in another ordinary workflow', async () => {
    const proof = await registeredVersionProof(world.registry, v1, { people, workflowId: 'wf-same' });
    await expect(check(proof, 'wf-same')).resolves.toMatchObject({ outcome: 'approved', approvers: ['maria'] });
    const elsewhere = await refusal(check(proof, 'wf-elsewhere'));
    expect(elsewhere.type).toBe(SlipwayErrorType.InvalidApprovalProof);
    expect(elsewhere.message).toContain(
      'the proof is for workflow wf-same, but this activity runs in workflow wf-elsewhere',
    );
    // Another model's rollout workflow is an ordinary workflow for this model.
    expect((await refusal(check(proof, rolloutWorkflowId('fraud')))).type).toBe(SlipwayErrorType.InvalidApprovalProof);
  });

  it("in the model's rollout workflow, refuses a proof whose approval the registry does not record", async () => {
    const proof = await registeredVersionProof(world.registry, v1, { people, workflowId: PROMOTION });
    const refused = await refusal(check(proof, rolloutWorkflowId('churn')));
    expect(refused.type).toBe(SlipwayErrorType.NotApproved);
    expect(refused.message).toBe(
      `Refusing to promote model "churn" version 1: the registry records no approval of it by workflow ${PROMOTION} ` +
        `over evidence ${proof.evidence.digest}: a rollout acts only on an approval on record`,
    );
  });

  it('accepts it there once the promotion recorded the approval, and still verifies its signatures', async () => {
    const proof = await registeredVersionProof(world.registry, v1, { people, workflowId: PROMOTION });
    await recordApproval(proof);
    await expect(check(proof, rolloutWorkflowId('churn'))).resolves.toMatchObject({
      outcome: 'approved',
      workflowId: PROMOTION,
    });
    const tampered = { ...proof, decisions: proof.decisions.map((d) => ({ ...d, approver: 'sam' })) };
    expect((await refusal(check(tampered, rolloutWorkflowId('churn')))).type).toBe(
      SlipwayErrorType.InvalidApprovalProof,
    );
  });

  it('refuses a version rolled back after its approval: it needs a new one', async () => {
    const proof = await registeredVersionProof(world.registry, v1, { people, workflowId: PROMOTION });
    await recordApproval(proof);
    await expect(check(proof, rolloutWorkflowId('churn'))).resolves.toBeDefined();
    await world.registry.recordDeployment({
      name: 'churn',
      version: 1,
      deploymentId: 'churn-v1-rolled',
      serverUrl: 'http://127.0.0.1:1',
      alias: 'champion',
      previousVersion: null,
      status: 'rolled_back',
      detail: 'error rate 0.2 (at most 0.01)',
      idempotencyKey: 'test/rolled-back',
    });
    const refused = await refusal(check(proof, rolloutWorkflowId('churn')));
    expect(refused.type).toBe(SlipwayErrorType.NotApproved);
    expect(refused.message).toMatch(
      /^Refusing to promote model "churn" version 1: it was rolled back \(deployment churn-v1-rolled, .+\) after its approval \(.+\): it needs a new approval$/,
    );
  });
});
