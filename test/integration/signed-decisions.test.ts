/**
 * Signed decisions and signed starts against a real Temporal dev server, worker and model server: every forged,
 * unsigned or replayed decision is refused with its reason and recorded at the gate, a run's starter is the
 * verified signer whatever its input says, quorum counts distinct signers, racing approvals promote once, and a
 * worker whose directory activity lies cannot get a version deployed.
 */
import {
  createActivities,
  createModelServerClient,
  defaultAuditLogPath,
  readAuditEntries,
  type ModelRegistry,
} from '@slipway/activities';
import {
  GateRefusal,
  SigningDomain,
  SlipwayErrorType,
  SlipwayMessage,
  approvalPolicyDigest,
  decisionPayload,
  failureType,
  rootMessage,
  signPayload,
  startInputDigest,
  type ApprovalProof,
  type ApproverResolution,
  type GateDecisionRequest,
  type GateState,
  type TrainAndPromoteInputRaw,
  type TrainAndPromoteResult,
} from '@slipway/sdk';
import { ClientErrorCode, SlipwayClient, type SlipwayClientError } from '@slipway/sdk/client';
import type { PersonKey } from '@slipway/sdk/keys';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { embeddedDeps, openConfiguredRegistry } from '../../packages/worker/src/index.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { clientError } from '../support/failures.js';
import { runPython } from '../support/python.js';
import { activityInputOf } from '../support/start-input.js';
import { machineValues, recordFixture } from '../support/record-history.js';
import { eventually, waitForGate } from '../support/waits.js';

let h: Harness;
let registry: ModelRegistry;
let workflowBundle: { code: string };

beforeAll(async () => {
  workflowBundle = await bundle();
  h = await startHarness({ name: 'signed', workflowBundle });
  registry = openConfiguredRegistry(h.config);
});
afterAll(async () => {
  await registry?.close();
  await h?.stop();
});

const key = (name: string): PersonKey => h.people!.keys[name]!;
const input = (modelName: string, approvers = ['maria', 'lee'], quorum = 1): TrainAndPromoteInputRaw => {
  const base = churnInput({ serverUrl: h.modelServer.url, modelName, approvers });
  return { ...base, approval: { ...base.approval, quorum } };
};

/** A decision signed by `signer`'s key for a gate, as any client could build it. */
function signedDecision(
  runId: string,
  gate: GateState,
  approver: string,
  options: { signer?: string; at?: Date } = {},
): GateDecisionRequest {
  const signer = options.signer ?? approver;
  const at = (options.at ?? new Date()).toISOString();
  const request = { decision: 'approve' as const, approver, evidenceDigest: gate.evidence.digest };
  const payload = decisionPayload(
    { workflowId: runId, nonce: gate.nonce!, evidenceDigest: gate.evidence.digest },
    {
      ...request,
      at,
    },
  );
  return { ...request, at, signature: signPayload(SigningDomain.decision, key(signer).privateKey, payload) };
}

/** Sends a decision as a raw Temporal Update (no Slipway client) and returns the failure's type and message. */
async function rawUpdateRefusal(runId: string, request: unknown): Promise<{ type?: string; message: string }> {
  const err = await h.client.temporal.workflow
    .getHandle(runId)
    .executeUpdate(SlipwayMessage.gateDecide, { args: [request] })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err, 'the update should have been refused').toBeDefined();
  return { type: failureType(err), message: rootMessage(err) };
}

/** Nothing of the model serves and no alias points at it. */
async function expectNothingDeployed(model: string): Promise<void> {
  expect(await registry.getAlias(model, 'champion')).toBeUndefined();
  await expect(createModelServerClient(h.modelServer.url).status(model)).rejects.toThrow();
}

describe('signed decisions at the gate', () => {
  it('refuses unsigned, wrongly signed and replayed decisions, recording each, and deploys nothing', async () => {
    const { runId: a } = await h.client.start('trainAndPromote', input('signed-a'), {
      runId: `signed-a-${Date.now()}`,
    });
    const { runId: b } = await h.client.start('trainAndPromote', input('signed-b'));
    const gateA = await waitForGate(h.client, a);
    const gateB = await waitForGate(h.client, b);
    expect(gateA.nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(gateA.nonce).not.toBe(gateB.nonce);

    const unsigned = { decision: 'approve', approver: 'maria', evidenceDigest: gateA.evidence.digest };
    expect(await rawUpdateRefusal(a, unsigned)).toEqual({
      type: GateRefusal.UnsignedDecision,
      message: expect.stringContaining('the decision by maria is not signed') as string,
    });
    const otherKey = await clientError(h.client.approve(a, { as: 'maria', key: key('mallory') }));
    expect(otherKey.code).toBe(ClientErrorCode.BadSignature);
    expect(otherKey.message).toContain("does not verify with maria's key from the directory");

    // maria's valid decision for run a, replayed on run b: refused (another run, another nonce).
    // Replayed as it is, it names run a's evidence; retargeted at run b's evidence, its signature no longer holds.
    const forA = signedDecision(a, gateA, 'maria');
    expect((await rawUpdateRefusal(b, forA)).type).toBe(GateRefusal.EvidenceMismatch);
    const retargeted = { ...forA, evidenceDigest: gateB.evidence.digest };
    expect((await rawUpdateRefusal(b, retargeted)).type).toBe(GateRefusal.BadSignature);

    // The same workflow id reused by a new run: its gate has a new nonce, so the old decision is refused there too.
    await h.client.terminate(a, 'test: reuse the workflow id');
    await h.client.start('trainAndPromote', input('signed-a'), { runId: a });
    const reused = await eventually('the new gate of the reused id', async () => {
      const gate = await h.client.gate(a).catch(() => undefined);
      return gate?.status === 'pending' && gate.nonce !== gateA.nonce ? gate : undefined;
    });
    expect((await rawUpdateRefusal(a, forA)).type).toBe(GateRefusal.EvidenceMismatch);
    const onReused = { ...forA, evidenceDigest: reused.evidence.digest };
    expect((await rawUpdateRefusal(a, onReused)).type).toBe(GateRefusal.BadSignature);

    // The official Temporal Python SDK, which knows nothing of Slipway's signatures: refused the same way.
    const python = await pythonDecision(b, {
      decision: 'approve',
      approver: 'lee',
      evidenceDigest: gateB.evidence.digest,
    });
    expect(python).toEqual({
      accepted: false,
      type: GateRefusal.UnsignedDecision,
      message: expect.stringContaining('the decision by lee is not signed') as string,
    });

    // Signed by the right key for the right gate, but long ago (held back and sent later): out of its window.
    const stale = signedDecision(b, gateB, 'lee', { at: new Date(Date.now() - 20 * 60_000) });
    const late = await rawUpdateRefusal(b, stale);
    expect(late.type).toBe(GateRefusal.DecisionOutOfWindow);
    expect(late.message).toContain('the decision by lee was signed');

    const refusedA = (await h.client.gate(a)).refused;
    expect(refusedA.map((r) => [r.approver, r.type, r.via])).toEqual([
      ['maria', GateRefusal.EvidenceMismatch, 'update'],
      ['maria', GateRefusal.BadSignature, 'update'],
    ]);
    const refusedB = (await h.client.gate(b)).refused;
    expect(refusedB.map((r) => r.type)).toEqual([
      GateRefusal.EvidenceMismatch,
      GateRefusal.BadSignature,
      GateRefusal.UnsignedDecision,
      GateRefusal.DecisionOutOfWindow,
    ]);
    expect(reused.decisions).toEqual([]);

    // A signed gate holding refusals, as a replay fixture for later changes to the gate.
    await expectReplayFixture(b, 'train-and-promote-signed-refusals-waiting.json');
    for (const run of [a, b]) await h.client.terminate(run, 'test done');
    await expectNothingDeployed('signed-a');
    await expectNothingDeployed('signed-b');
  }, 300_000); // three training runs and a Python client: more than the default on a busy machine

  it('quorum 2 counts distinct signers: the same person twice counts once; a second person completes it', async () => {
    const { runId } = await h.client.start('trainAndPromote', input('signed-quorum', ['maria', 'sam'], 2));
    await waitForGate(h.client, runId);
    const first = await h.client.approve(runId, { as: 'maria' });
    expect(first.status).toBe('pending');
    const twice = await clientError(h.client.approve(runId, { as: 'maria' }));
    expect(twice.code).toBe(ClientErrorCode.DuplicateApproval);
    expect((await h.client.gate(runId)).status).toBe('pending');
    const second = await h.client.approve(runId, { as: 'sam' });
    expect(second.status).toBe('approved');
    expect(second.decisions.map((d) => [d.approver, typeof d.signature])).toEqual([
      ['maria', 'string'],
      ['sam', 'string'],
    ]);
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result.status).toBe('deployed');
    // The approval's audit line carries both signatures and the refused second decision by maria.
    const entries = await readAuditEntries(defaultAuditLogPath(h.home));
    const approval = entries.find((e) => e.kind === 'approval' && e.model === 'signed-quorum');
    expect(approval?.data).toMatchObject({
      outcome: 'approved',
      gateNonce: second.nonce,
      startedBy: 'ci-bot',
      decisions: [
        { approver: 'maria', signature: expect.any(String) },
        { approver: 'sam', signature: expect.any(String) },
      ],
      refused: [{ approver: 'maria', type: GateRefusal.DuplicateApproval, via: 'update' }],
    });
    // The proof the acting activities got carries the policy the start signed, not the run's whole input.
    const signedPolicy = input('signed-quorum', ['maria', 'sam'], 2).approval;
    for (const step of ['slipway.recordApproval', 'slipway.deploy']) {
      const { proof } = (await activityInputOf(h.client, runId, step)) as { proof: ApprovalProof };
      expect(proof.startInput, step).toBeUndefined();
      expect(proof.signedPolicy, step).toEqual(signedPolicy);
      expect(proof.start?.policyDigest, step).toBe(approvalPolicyDigest(signedPolicy));
    }
    await expectReplayFixture(runId, 'train-and-promote-signed-quorum-deployed.json');
  });

  it('two approvals racing end in exactly one promotion', async () => {
    const { runId } = await h.client.start('trainAndPromote', input('signed-race'));
    await waitForGate(h.client, runId);
    const outcomes = await Promise.allSettled([
      h.client.approve(runId, { as: 'maria' }),
      h.client.approve(runId, { as: 'lee' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as SlipwayClientError).code).toBe(ClientErrorCode.GateClosed);
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result.status).toBe('deployed');
    expect(result.decisions).toHaveLength(1);
    const version = await registry.getVersion('signed-race', result.version.version);
    expect(version?.approvals).toHaveLength(1);
    expect(version?.deployments).toHaveLength(1);
    // Its start signed the policy's digest, and its proofs carry the policy alone.
    await expectReplayFixture(runId, 'train-and-promote-policy-digest-deployed.json');
  });
});

describe('signed starts', () => {
  it('a run started by lee cannot be approved by lee, whatever its input says', async () => {
    const lee = await SlipwayClient.connect({
      address: h.config.temporal.address,
      namespace: h.config.temporal.namespace,
      taskQueue: h.config.taskQueue,
      user: 'lee',
      keys: { keysDir: h.people!.keysDir },
    });
    try {
      const { runId } = await lee.start('trainAndPromote', input('signed-self'));
      const gate = await waitForGate(h.client, runId);
      expect(gate.startedBy).toBe('lee');
      const self = await clientError(lee.approve(runId, { as: 'lee' }));
      expect(self.code).toBe(ClientErrorCode.SelfApproval);
      expect((await h.client.gate(runId)).refused.map((r) => r.type)).toEqual([GateRefusal.SelfApproval]);

      // An input that names someone else but is signed by lee: the run fails before any step.
      const forged = await lee.temporal.workflow.start('trainAndPromote', {
        workflowId: `signed-forged-${Date.now()}`,
        taskQueue: h.config.taskQueue,
        args: [signedStartInput({ ...input('signed-forged'), startedBy: 'maria' }, 'lee', `signed-forged-x`)],
      });
      const failed = await forged.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failureType(failed)).toBe(SlipwayErrorType.UnverifiedStart);
      await h.client.terminate(runId, 'test done');
    } finally {
      await lee.close();
    }
  });

  it("a start whose signed policy digest is not its input's policy fails at start, naming both", async () => {
    const raw = input('signed-policy');
    const workflowId = `signed-policy-${Date.now()}`;
    // Signed by ci-bot over this input, but with the digest of another policy (a quorum of 5).
    const policyDigest = approvalPolicyDigest({ ...raw.approval, quorum: 5 });
    const handle = await h.client.temporal.workflow.start('trainAndPromote', {
      workflowId,
      taskQueue: h.config.taskQueue,
      args: [signedStartInput(raw, 'ci-bot', workflowId, policyDigest)],
    });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failureType(err)).toBe(SlipwayErrorType.UnverifiedStart);
    expect(rootMessage(err)).toMatch(
      /the start's policyDigest sha256:\w+ is not the digest of the input's approval policy \(sha256:\w+\)/,
    );
    const status = await h.client.status(handle.workflowId);
    expect(status.progress?.steps.every((s) => s.status === 'pending')).toBe(true);
  });

  it('an unsigned start, or one signed for another run id, fails at start with its reason and runs no step', async () => {
    const unsigned = await h.client.temporal.workflow.start('trainAndPromote', {
      workflowId: `signed-unsigned-${Date.now()}`,
      taskQueue: h.config.taskQueue,
      args: [{ ...input('signed-unsigned'), startedBy: 'maria' }],
    });
    const err = await unsigned.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failureType(err)).toBe(SlipwayErrorType.UnverifiedStart);
    expect(rootMessage(err)).toContain('the run was started without a signature');
    const status = await h.client.status(unsigned.workflowId);
    expect(status.progress?.steps.every((s) => s.status === 'pending')).toBe(true);

    const elsewhere = await h.client.temporal.workflow.start('trainAndPromote', {
      workflowId: `signed-moved-${Date.now()}`,
      taskQueue: h.config.taskQueue,
      args: [signedStartInput(input('signed-moved'), 'ci-bot', 'some-other-run')],
    });
    const moved = await elsewhere.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failureType(moved)).toBe(SlipwayErrorType.UnverifiedStart);
    expect(rootMessage(moved)).toContain('does not verify for pipeline trainAndPromote');
  });
});

describe('verified again where it acts', () => {
  it('a worker whose directory activity lies cannot get a version deployed', async () => {
    const liar = await startHarness({ name: 'signed-liar', workflowBundle, worker: false });
    const connection = await NativeConnection.connect({ address: liar.config.temporal.address });
    const deps = embeddedDeps(liar.config);
    const honest = createActivities(deps);
    const mallory = liar.people!.keys.mallory!;
    const forged = async (): Promise<ApproverResolution> => ({
      approvers: [{ name: 'mallory', named: true, groups: [], publicKey: mallory.publicKey }],
      directoryDigest: (await deps.directory!.read()).digest,
      emptyGroups: [],
      keys: { 'ci-bot': liar.people!.keys['ci-bot']!.publicKey },
    });
    const worker = await Worker.create({
      connection,
      namespace: liar.config.temporal.namespace,
      taskQueue: liar.config.taskQueue,
      workflowBundle,
      activities: { ...honest, 'slipway.resolveApprovers': forged },
    });
    const running = worker.run();
    try {
      const model = 'signed-liar';
      const { runId } = await liar.client.start('trainAndPromote', {
        ...churnInput({ serverUrl: liar.modelServer.url, modelName: model }),
      });
      await waitForGate(liar.client, runId);
      await liar.client.approve(runId, { as: 'mallory' }); // the lying gate accepts mallory
      const err = await liar.client.result(runId).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, 'the run must fail').toBeDefined();
      expect(rootMessage(err)).toContain('mallory');
      const liarRegistry = openConfiguredRegistry(liar.config);
      try {
        expect(await liarRegistry.getAlias(model, 'champion')).toBeUndefined();
      } finally {
        await liarRegistry.close();
      }
      await expect(createModelServerClient(liar.modelServer.url).status(model)).rejects.toThrow();
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
      await deps.registry.close();
      await liar.stop();
    }
  });
});

/** The run's history as a replay fixture (written with SLIPWAY_RECORD_HISTORIES=1): no machine value, replays. */
async function expectReplayFixture(runId: string, name: string): Promise<void> {
  const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
  const fixture = await recordFixture(h, history, name);
  for (const value of machineValues(h)) expect(fixture.json, value).not.toContain(value);
  await expect(Worker.runReplayHistory({ workflowBundle }, fixture.history, runId)).resolves.toBeUndefined();
}

/** Sends a decision with the official Temporal Python SDK (`execute_update`), as a script outside Slipway would. */
function pythonDecision(runId: string, decision: unknown) {
  const script = `
import asyncio
from temporalio.client import Client, WorkflowUpdateFailedError

async def decide():
    client = await Client.connect(data["address"], namespace=data["namespace"])
    handle = client.get_workflow_handle(data["runId"])
    try:
        await handle.execute_update("${SlipwayMessage.gateDecide}", data["decision"])
        return {"accepted": True}
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        return {"accepted": False, "type": getattr(cause, "type", None), "message": getattr(cause, "message", str(cause))}

result = asyncio.run(decide())
`;
  const { address, namespace } = h.config.temporal;
  return runPython<{ accepted: boolean; type?: string; message?: string }>(script, {
    address,
    namespace,
    runId,
    decision,
  });
}

/**
 * An input with a start signed by `signer` for `workflowId` (which may differ from the run's real id), over
 * `policyDigest` when given (which may not be the input's policy's).
 */
function signedStartInput(
  raw: TrainAndPromoteInputRaw,
  signer: string,
  workflowId: string,
  policyDigest?: string,
): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
  const at = new Date().toISOString();
  const policy = policyDigest === undefined ? {} : { policyDigest };
  const inputDigest = startInputDigest(plain);
  const payload = { signer, pipeline: 'trainAndPromote', workflowId, inputDigest, ...policy, at };
  return {
    ...plain,
    start: { signer, at, ...policy, signature: signPayload(SigningDomain.start, key(signer).privateKey, payload) },
  };
}
