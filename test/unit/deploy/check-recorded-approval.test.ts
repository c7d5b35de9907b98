/**
 * The check step of `slipway deploy <model>@<version>`, run as an activity of `deploy:<model>` on a real SQLite
 * registry, artifact store and signed directory of people: it re-verifies the run's signed start (signer, pipeline,
 * this run, this input, this version) before it reads the approval on record, and refuses a version that already is
 * the champion. The refusals that need a worker and a model server are in test/integration/deploy-on-record.test.ts.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SigningDomain,
  SlipwayErrorType,
  approvalPolicyDigest,
  checkRecordedApprovalStep,
  deployWorkflowId,
  failureType,
  recordApprovalStep,
  signPayload,
  signedApprovalOf,
  startInputDigest,
  startPayload,
  type ModelVersionRef,
  type StepInput,
  type StepOutput,
} from '@slipway/sdk';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import { implementStep } from '../../../packages/activities/src/implement-step.js';
import type { DirectorySource } from '../../../packages/activities/src/ports.js';
import { createCheckRecordedApprovalActivity } from '../../../packages/activities/src/steps/check-recorded-approval.js';
import { createRecordApprovalActivity } from '../../../packages/activities/src/steps/record-approval.js';
import { registeredVersionProof } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import { logisticModel, openWorld, registerModel, type TestWorld } from '../serve/fixtures.js';

const RUN = deployWorkflowId('churn');
let world: TestWorld;
let people: TestPeople;
let directory: DirectorySource;
let v2: ModelVersionRef;

function activity(workflowId: string, activityId: string) {
  const info = { activityId, workflowExecution: { workflowId, runId: `${workflowId}-run` } };
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
}

/** The step input of a deploy of `version` started (signed) by `signer`, for `pipeline` and `input` as signed. */
function checkInput(
  signer: string,
  options: { pipeline?: string; signedInput?: Record<string, unknown>; version?: number; legacy?: boolean } = {},
): StepInput<typeof checkRecordedApprovalStep> {
  const version = options.version ?? v2.version;
  const startInput = options.signedInput ?? { model: 'churn', version, deploy: { serverUrl: 'http://127.0.0.1:1' } };
  const at = new Date().toISOString();
  const pipeline = options.pipeline ?? 'deployVersion';
  const inputDigest = startInputDigest(startInput);
  // As clients sign starts now (with the policy's digest), or (`legacy`) as they did before.
  const policyDigest = options.legacy ? undefined : approvalPolicyDigest(signedApprovalOf(pipeline, startInput));
  const signed = policyDigest === undefined ? {} : { policyDigest };
  const payload = startPayload({ signer, at, ...signed }, { pipeline, workflowId: RUN, inputDigest });
  const key = people.keys[signer]!.privateKey;
  const signature = signPayload(SigningDomain.start, key, payload);
  return {
    version: { name: 'churn', version },
    start: { signer, pipeline, inputDigest, ...signed, at, signature },
    startInput,
  };
}

function check(
  input: StepInput<typeof checkRecordedApprovalStep>,
  deps: { directory?: DirectorySource | undefined } = {},
) {
  const fn = implementStep(
    checkRecordedApprovalStep,
    createCheckRecordedApprovalActivity({ registry: world.registry, artifacts: world.artifacts, directory, ...deps }),
  )['slipway.checkRecordedApproval'];
  return activity(RUN, 'check').run(fn, input);
}

async function refusal(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  const err = await promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e as Error,
  );
  return { type: failureType(err), message: err.message };
}

beforeAll(async () => {
  world = await openWorld('check-recorded-approval');
  people = await createTestPeople(`${world.root}/people`);
  directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
  const v1 = (await registerModel(world, 'churn', logisticModel({ bias: 0, tenure: 1, basic: 0, pro: 0 }))).record;
  await world.registry.setAlias('churn', 'champion', v1.version);
  const second = (await registerModel(world, 'churn', logisticModel({ bias: 0.5, tenure: 1, basic: 0, pro: 0 })))
    .record;
  v2 = { name: 'churn', version: second.version, digest: second.artifact.digest };
  // v2 approved by maria at a gate of workflow wf-promote (ml-leads decide), recorded with its proof.
  const proof = await registeredVersionProof(world.registry, v2, { people, workflowId: 'wf-promote' });
  const record = implementStep(
    recordApprovalStep,
    createRecordApprovalActivity({ registry: world.registry, artifacts: world.artifacts, directory }),
  )['slipway.recordApproval'];
  await activity('wf-promote', 'record').run(record, {
    version: v2,
    outcome: proof.outcome,
    decisions: proof.decisions,
    evidenceDigest: proof.evidence.digest,
    proof,
  });
});
afterAll(async () => {
  await world?.close();
});

describe('the check of a deploy on an approval on record', () => {
  it('answers the proof, the champion it was approved against and who may operate', async () => {
    const checked = (await check(checkInput('maria'))) as StepOutput<typeof checkRecordedApprovalStep>;
    expect(checked.proof.workflowId).toBe('wf-promote');
    expect(checked.champion).toBe(1);
    expect(checked.version).toEqual(v2);
    expect(checked.operators.map((o) => o.name).sort()).toEqual(['maria', 'sam']);
  });

  it('verifies a start signed before policy digests, and refuses one whose policy digest was changed', async () => {
    const legacy = (await check(checkInput('maria', { legacy: true }))) as StepOutput<typeof checkRecordedApprovalStep>;
    expect(legacy.version).toEqual(v2);
    const input = checkInput('maria');
    const changed = { ...input, start: { ...input.start, policyDigest: approvalPolicyDigest({ approvers: ['x'] }) } };
    const r = await refusal(check(changed));
    expect(r.type).toBe(SlipwayErrorType.UnverifiedStart);
    expect(r.message).toContain('its signed start does not verify');
  });

  it('refuses a start signed for another pipeline', async () => {
    const r = await refusal(check(checkInput('maria', { pipeline: 'promoteVersion' })));
    expect(r.type).toBe(SlipwayErrorType.UnverifiedStart);
    expect(r.message).toContain('its start was signed for pipeline promoteVersion, not deployVersion');
  });

  it('refuses a signed input that names another version', async () => {
    const signedInput = { model: 'churn', version: 1, deploy: { serverUrl: 'http://127.0.0.1:1' } };
    const r = await refusal(check(checkInput('maria', { signedInput })));
    expect(r.type).toBe(SlipwayErrorType.UnverifiedStart);
    expect(r.message).toContain('the signed input names churn version 1');
  });

  it('refuses an input altered after signing, and a start signed with another key', async () => {
    const altered = { ...checkInput('maria'), startInput: { model: 'churn', version: v2.version, extra: 1 } };
    expect((await refusal(check(altered))).message).toContain("the run's input hashes to");
    const input = checkInput('maria');
    const forged = { ...input, start: { ...input.start, signer: 'sam' } };
    const r = await refusal(check(forged));
    expect(r.type).toBe(SlipwayErrorType.UnverifiedStart);
    expect(r.message).toContain('its signed start does not verify');
  });

  it('refuses on a worker without a directory of people', async () => {
    const r = await refusal(check(checkInput('maria'), { directory: undefined }));
    expect(r.type).toBe(SlipwayErrorType.DirectoryNotConfigured);
  });

  it('refuses a version that already is the champion', async () => {
    await world.registry.setAlias('churn', 'champion', v2.version);
    const r = await refusal(check(checkInput('maria')));
    expect(r.type).toBe(SlipwayErrorType.NotApproved);
    expect(r.message).toBe(
      `Refusing to deploy model "churn" version ${v2.version}: it already is the champion: there is nothing to deploy`,
    );
  });
});
