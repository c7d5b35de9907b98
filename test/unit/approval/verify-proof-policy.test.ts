/**
 * `verifyApprovalProof` and the approval policy: the policy a proof carries must be the one its run's start signed
 * (in the input, or as a policy digest), decisions the policy made itself (auto-approve, approve on timeout) must
 * follow from it, and an acting step that requires approval refuses any other outcome.
 */
import { describe, expect, it } from 'vitest';
import {
  ApprovalPolicy,
  SlipwayErrorType,
  approvalPolicyDigest,
  compareTaskMetrics,
  type EvidencePacket,
} from '@slipway/sdk';
import { evidenceDigest, verifyApprovalProof } from '../../../packages/activities/src/approval/index.js';
import { signedDecision } from '../../support/approval-proofs.js';
import { WORKFLOW, evidence, invalid, useProofFixture } from './proof-fixture.js';

const fx = useProofFixture();
const { proofOf, context, refusal } = fx;

describe("the policy is the one in the run's signed input", () => {
  const signedPolicy = { approverGroups: ['ml-leads'] };
  const input = { modelName: 'churn', approval: signedPolicy, deploy: { serverUrl: 'http://127.0.0.1:8080' } };

  it('verifies when the proof carries the signed input and its policy', () => {
    const proof = proofOf({ policy: signedPolicy, startInput: input });
    expect(verifyApprovalProof(proof, context())).toMatchObject({ approvers: ['maria'], startedBy: 'ci-bot' });
  });

  it('refuses a laxer policy than the signed one (approve on a 1 ms timeout), and an altered input', () => {
    const lax = { approvers: ['mallory'], timeout: '1ms', onTimeout: 'approve' as const };
    const forgedPolicy = proofOf({ policy: lax, startInput: input, approvers: ['mallory'] });
    expect(refusal(forgedPolicy)).toEqual(
      invalid("the proof's policy is not the approval policy of the run's signed input"),
    );
    const proof = proofOf({ policy: signedPolicy, startInput: input });
    const altered = { ...proof, startInput: { ...input, modelName: 'fraud' } };
    expect(refusal(altered)).toEqual(invalid(/the run's input in the proof hashes to .*: the input was altered/));
  });
});

describe('a start that signed its policy: the proof carries the policy, not the input', () => {
  const policy = { approverGroups: ['ml-leads'] };

  it("verifies without the input: the policy hashes to the signed digest and is the proof's policy", () => {
    const proof = proofOf({ policy });
    expect(proof.startInput).toBeUndefined();
    expect(proof.start?.policyDigest).toBe(approvalPolicyDigest(proof.signedPolicy));
    expect(verifyApprovalProof(proof, context())).toMatchObject({ approvers: ['maria'], startedBy: 'ci-bot' });
    // An input that had no policy: nothing to compare, as for an older proof whose input has no `approval`.
    expect(verifyApprovalProof(proofOf({ policy, signedPolicy: null }), context())).toMatchObject({
      approvers: ['maria'],
    });
  });

  it('refuses an altered signed policy, and a missing one', () => {
    const lax = ApprovalPolicy.parse({ approvers: ['mallory'], timeout: '1ms', onTimeout: 'approve' });
    const altered = { ...proofOf({ policy }), policy: lax, signedPolicy: lax };
    expect(refusal(altered)).toEqual(
      invalid(
        /the proof's signed policy hashes to sha256:\w+, but the signed start covers sha256:\w+: the policy was altered/,
      ),
    );
    const { signedPolicy: _dropped, ...missing } = proofOf({ policy });
    expect(refusal(missing)).toEqual(
      invalid("the run's signed start covers its approval policy, but the proof carries no signedPolicy"),
    );
    // The whole input instead does not stand in for it: the start signed the policy's digest.
    const input = { approval: policy };
    expect(refusal({ ...missing, startInput: input })).toEqual(invalid('the proof carries no signedPolicy'));
  });

  it('refuses a policy digest changed after signing (the signature no longer verifies)', () => {
    const proof = proofOf({ policy });
    const lax = { approvers: ['mallory'] };
    const start = { ...proof.start!, policyDigest: approvalPolicyDigest(lax) };
    expect(refusal({ ...proof, start, signedPolicy: lax })).toEqual(
      invalid("the run's signed start does not verify: its signature does not verify with ci-bot's public key"),
    );
  });

  it('refuses a proof whose policy is not the signed one, even when the signed policy is intact', () => {
    const lax = { approvers: ['mallory'], timeout: '1ms', onTimeout: 'approve' as const };
    const forgedPolicy = proofOf({ policy: lax, signedPolicy: policy, approvers: ['mallory'] });
    expect(refusal(forgedPolicy)).toEqual(
      invalid("the proof's policy is not the approval policy of the run's signed input"),
    );
  });

  it('refuses a policy digest added to a scheduled start, which signs none', () => {
    const proof = proofOf({ policy });
    const schedule = { scheduleId: 'nightly', cron: '0 3 * * *' };
    const start = { ...proof.start!, schedule };
    expect(refusal({ ...proof, workflowId: 'nightly-2026-12-03T03:00:00Z', start }, { workflowId: undefined })).toEqual(
      invalid('a scheduled start signs none'),
    );
  });

  it("a guardian's retrain: the policy signed for its retrains verifies; none, or another, is refused", () => {
    const retrain = {
      workflowId: 'retrain:churn',
      signedFor: { pipeline: 'modelGuardian', workflowId: 'guardian:churn' },
    };
    expect(
      verifyApprovalProof(proofOf({ ...retrain, policy }), context({ workflowId: 'retrain:churn' })),
    ).toMatchObject({
      startedBy: 'ci-bot',
      approvers: ['maria'],
    });
    const none = proofOf({ ...retrain, policy, signedPolicy: null });
    expect(refusal(none, { workflowId: 'retrain:churn' })).toEqual(
      invalid("the proof's policy is not the approval policy of the run's signed input"),
    );
    const other = proofOf({ ...retrain, policy, signedPolicy: { approvers: ['lee'] } });
    expect(refusal(other, { workflowId: 'retrain:churn' })).toEqual(
      invalid("the proof's policy is not the approval policy of the run's signed input"),
    );
  });

  it('a proof made for a start signed before policy digests (the whole input) still verifies', () => {
    const proof = proofOf({ policy, startInput: { modelName: 'churn', approval: policy } });
    expect(proof.start?.policyDigest).toBeUndefined();
    expect(proof.signedPolicy).toBeUndefined();
    expect(verifyApprovalProof(proof, context())).toMatchObject({ approvers: ['maria'], startedBy: 'ci-bot' });
  });
});

describe('decisions made by the policy', () => {
  const autoPolicy = { approverGroups: ['ml-leads'], autoApprove: { metric: 'auc', minImprovement: 0.02 } };
  const auto = (g: { evidenceDigest: string }) => [
    {
      decision: 'approve' as const,
      approver: 'slipway:auto-approve',
      comment: g.evidenceDigest,
      at: new Date().toISOString(),
      via: 'policy' as const,
    },
  ];

  it('auto-approve holds when the candidate beats the champion by the margin', () => {
    const proof = proofOf({ policy: autoPolicy, decisions: auto });
    expect(verifyApprovalProof(proof, context())).toMatchObject({ policyDecision: 'auto-approve', approvers: [] });
  });

  it('auto-approve is refused when the rule does not hold for the evidence', () => {
    const proof = proofOf({
      policy: { ...autoPolicy, autoApprove: { metric: 'auc', minImprovement: 0.1 } },
      decisions: auto,
    });
    expect(refusal(proof)).toEqual(
      invalid("is not valid: the policy's auto-approve rule does not hold for the evidence"),
    );
  });

  it('auto-approve follows the metric: a rise in rmse is refused, a fall by the margin holds', () => {
    const regression = (candidate: number): EvidencePacket => {
      const content = {
        ...evidence(),
        candidate: { version: 2, metrics: { rmse: candidate } },
        champion: { version: 1, metrics: { rmse: 10 } },
        task: 'regression' as const,
        comparison: compareTaskMetrics('regression', { rmse: candidate }, { rmse: 10 }),
      };
      const { digest: _digest, ...rest } = content;
      return { ...rest, digest: evidenceDigest(rest) };
    };
    const rmsePolicy = { approverGroups: ['ml-leads'], autoApprove: { metric: 'rmse', minImprovement: 1 } };
    // Old code read rmse 12 vs 10 as an improvement of 2 (lowerIsBetter left out) and let the deploy go ahead.
    const rose = proofOf({ policy: rmsePolicy, evidence: regression(12), decisions: auto });
    expect(refusal(rose)).toEqual(
      invalid("is not valid: the policy's auto-approve rule does not hold for the evidence"),
    );
    const fell = proofOf({ policy: rmsePolicy, evidence: regression(8), decisions: auto });
    expect(verifyApprovalProof(fell, context())).toMatchObject({ policyDecision: 'auto-approve' });
  });

  it('approve on timeout only when the policy says so, at or after the deadline', () => {
    const opened = new Date(Date.now() - 2 * 60 * 60_000);
    const policy = { approverGroups: ['ml-leads'], timeout: '1h', onTimeout: 'approve' as const };
    const timeout = (at: Date) => () => [
      { decision: 'approve' as const, approver: 'slipway:timeout', at: at.toISOString(), via: 'policy' as const },
    ];
    const deadline = new Date(opened.getTime() + 60 * 60_000);
    const ok = proofOf({ policy, openedAt: opened, decisions: timeout(deadline) });
    expect(verifyApprovalProof(ok, context())).toMatchObject({ policyDecision: 'timeout' });
    const early = proofOf({ policy, openedAt: opened, decisions: timeout(new Date(deadline.getTime() - 1)) });
    expect(refusal(early)).toEqual(invalid("before the gate's deadline"));
    const rejects = proofOf({
      policy: { ...policy, onTimeout: 'reject' },
      openedAt: opened,
      decisions: timeout(deadline),
    });
    expect(refusal(rejects)).toEqual(invalid('is not valid: the policy rejects on timeout, it does not approve'));
    const moved = { ...ok, deadline: new Date(opened.getTime() + 60_000).toISOString() };
    expect(refusal(moved)).toEqual(invalid(`the gate's deadline ${moved.deadline} is not its opening`));
  });

  it('any other decision claiming to come from the policy', () => {
    const proof = proofOf({
      decisions: () => [
        { decision: 'approve', approver: 'slipway:admin', at: new Date().toISOString(), via: 'policy' },
      ],
    });
    expect(refusal(proof)).toEqual(invalid('the policy makes only slipway:auto-approve and slipway:timeout decisions'));
  });
});

describe('require approved', () => {
  it('refuses a rejected or expired outcome as NotApproved, naming the outcome', () => {
    const proof = proofOf({
      outcome: 'rejected',
      decisions: (g) => [signedDecision(fx.people, 'sam', g, { decision: 'reject' })],
    });
    expect(refusal(proof, { action: 'deploy' })).toEqual({
      type: SlipwayErrorType.NotApproved,
      message: `Refusing to deploy model "churn" version 2: it is not approved: the gate's outcome was rejected, not approved (workflow ${WORKFLOW})`,
    });
    expect(refusal({ ...proof, outcome: 'expired', decisions: [] })).toMatchObject({
      type: SlipwayErrorType.NotApproved,
    });
  });
});
