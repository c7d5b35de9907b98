/**
 * Approvals on record: the record-approval activity stores the gate's whole proof with the outcome, and
 * `readRecordedApproval` answers the latest approved record's proof (digest-checked, bound to its record), or null
 * for a version without one, saying why. Real SQLite registry, real artifact store, proofs signed for real.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SlipwayErrorType,
  canonicalJson,
  failureType,
  recordApprovalStep,
  type ApprovalProof,
  type ModelVersionRef,
} from '@slipway/sdk';
import {
  missingApprovalReason,
  readRecordedApproval,
  rolledBackSince,
} from '../../../packages/activities/src/approval/index.js';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import { implementStep } from '../../../packages/activities/src/implement-step.js';
import type { DirectorySource } from '../../../packages/activities/src/ports.js';
import { createRecordApprovalActivity } from '../../../packages/activities/src/steps/record-approval.js';
import { registeredVersionProof } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import { approvalInput } from '../registry/registry-fixtures.js';
import { logisticModel, openWorld, registerModel, type TestWorld } from '../serve/fixtures.js';

let world: TestWorld;
let people: TestPeople;
let directory: DirectorySource;

let versions = 0;

/** A new version of churn (each with other weights, so each registers anew). */
async function newVersion(): Promise<ModelVersionRef> {
  versions += 1;
  const model = logisticModel({ bias: versions / 100, tenure: 1, basic: 0, pro: 0 });
  const { record } = await registerModel(world, 'churn', model);
  return { name: record.name, version: record.version, digest: record.artifact.digest };
}

/** Records the proof's outcome through the record-approval activity, as the promotion does. */
async function recordThroughActivity(proof: ApprovalProof, version: ModelVersionRef): Promise<void> {
  const info = { activityId: 'record', workflowExecution: { workflowId: proof.workflowId, runId: 'run-1' } };
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  const deps = { registry: world.registry, artifacts: world.artifacts, directory };
  const record = implementStep(recordApprovalStep, createRecordApprovalActivity(deps));
  await env.run(record['slipway.recordApproval'], {
    version,
    outcome: proof.outcome,
    decisions: proof.decisions,
    evidenceDigest: proof.evidence.digest,
    proof,
  });
}

const deps = () => ({ registry: world.registry, artifacts: world.artifacts });

beforeAll(async () => {
  world = await openWorld('recorded-approval');
  people = await createTestPeople(`${world.root}/people`);
  directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
});
afterAll(async () => {
  await world?.close();
});

describe('the approval proof on record', () => {
  it('is stored with the recorded outcome and read back whole, digest-checked', async () => {
    const v = await newVersion();
    const proof = await registeredVersionProof(world.registry, v, { people, workflowId: 'wf-promote-a' });
    await recordThroughActivity(proof, v);
    const recorded = await readRecordedApproval(deps(), v.name, v.version);
    expect(recorded).not.toBeNull();
    expect(canonicalJson(recorded?.proof)).toBe(canonicalJson(proof));
    expect(recorded?.record).toMatchObject({ outcome: 'approved', workflowId: 'wf-promote-a' });
    expect(recorded?.record.proof.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Retried, the activity stores the same bytes and writes no second record.
    await recordThroughActivity(proof, v);
    const again = await world.registry.getVersion(v.name, v.version);
    expect(again?.approvals).toHaveLength(1);
    expect(again?.approvals[0]?.proof).toEqual(recorded?.record.proof);
  });

  it('answers the latest approved record: a later approval replaces an earlier one', async () => {
    const v = await newVersion();
    const first = await registeredVersionProof(world.registry, v, { people, workflowId: 'wf-first' });
    const second = await registeredVersionProof(world.registry, v, { people, workflowId: 'wf-second' });
    await recordThroughActivity(first, v);
    await recordThroughActivity(second, v);
    const recorded = await readRecordedApproval(deps(), v.name, v.version);
    expect(recorded?.proof.workflowId).toBe('wf-second');
  });

  it('answers null for a version with no approval, and says so', async () => {
    const v = await newVersion();
    expect(await readRecordedApproval(deps(), v.name, v.version)).toBeNull();
    const registered = await world.registry.getVersion(v.name, v.version);
    expect(registered && missingApprovalReason(registered)).toBe('it has no approval on record');
  });

  it('answers null for a rejected version, naming its last gate', async () => {
    const v = await newVersion();
    await world.registry.recordApproval({
      ...approvalInput(v.name, v.version, `rejected-${v.version}`),
      outcome: 'rejected',
      workflowId: 'wf-rejected',
    });
    expect(await readRecordedApproval(deps(), v.name, v.version)).toBeNull();
    const registered = await world.registry.getVersion(v.name, v.version);
    expect(registered && missingApprovalReason(registered)).toBe(
      'it has no approval on record (its last gate was rejected, workflow wf-rejected)',
    );
  });

  it('answers null for an approval recorded before proofs were stored, and says it must be approved again', async () => {
    const v = await newVersion();
    await world.registry.recordApproval({
      ...approvalInput(v.name, v.version, `old-${v.version}`),
      workflowId: 'wf-old',
    });
    expect(await readRecordedApproval(deps(), v.name, v.version)).toBeNull();
    const registered = await world.registry.getVersion(v.name, v.version);
    const reason = registered ? missingApprovalReason(registered) : undefined;
    expect(reason).toContain('its approval on record (workflow wf-old,');
    expect(reason).toContain('was recorded before approvals stored their proof');
  });

  it("refuses a record whose stored proof is another approval's", async () => {
    const v = await newVersion();
    const proof = await registeredVersionProof(world.registry, v, { people, workflowId: 'wf-real' });
    const stored = await world.artifacts.putJson(proof);
    await world.registry.recordApproval({
      ...approvalInput(v.name, v.version, `swapped-${v.version}`),
      evidenceDigest: proof.evidence.digest,
      workflowId: 'wf-claimed',
      proof: { uri: stored.uri, digest: stored.digest },
    });
    const err = await readRecordedApproval(deps(), v.name, v.version).then(
      () => expect.fail('expected a refusal'),
      (e: unknown) => e as Error,
    );
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidApprovalProof);
    expect(err.message).toContain('is from workflow wf-real, but the record is from workflow wf-claimed');
  });

  it('fails NotFound for a version that is not registered', async () => {
    const err = await readRecordedApproval(deps(), 'churn', 999).then(
      () => expect.fail('expected a refusal'),
      (e: unknown) => e as Error,
    );
    expect(failureType(err)).toBe(SlipwayErrorType.NotFound);
  });

  it('finds a rollback recorded after the approval', async () => {
    const v = await newVersion();
    const rollback = (key: string) =>
      world.registry.recordDeployment({
        name: v.name,
        version: v.version,
        deploymentId: key,
        serverUrl: 'http://127.0.0.1:1',
        alias: 'champion',
        previousVersion: null,
        status: 'rolled_back',
        idempotencyKey: key,
      });
    const proof = await registeredVersionProof(world.registry, v, { people, workflowId: 'wf-after-rollback' });
    await recordThroughActivity(proof, v);
    const recorded = await readRecordedApproval(deps(), v.name, v.version);
    if (!recorded) throw new Error('expected an approval on record');
    expect(rolledBackSince(recorded.registered, recorded.record)).toBeUndefined();
    await rollback(`after-${v.version}`);
    const later = await readRecordedApproval(deps(), v.name, v.version);
    if (!later) throw new Error('expected an approval on record');
    expect(rolledBackSince(later.registered, later.record)?.deploymentId).toBe(`after-${v.version}`);
  });
});
