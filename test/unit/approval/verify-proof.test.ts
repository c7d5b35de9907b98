/**
 * `verifyApprovalProof`, the check the acting activities run: proofs signed for real with keys made on the fly,
 * checked against a directory read from its file. Every refusal names what failed. This file: proofs that verify,
 * and refusals of the directory, the evidence, the decisions and the start; `verify-proof-policy.test.ts` has the
 * policy's.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApprovalProof } from '@slipway/sdk';
import { verifyApprovalProof, type ProofContext } from '../../../packages/activities/src/approval/index.js';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import { approvalProof, signedDecision, signedStart } from '../../support/approval-proofs.js';
import { createTestPeople } from '../../support/people.js';
import { VERSION, WORKFLOW, evidence, invalid, useProofFixture } from './proof-fixture.js';

const fx = useProofFixture();
const { proofOf, context, refusal } = fx;

describe('a proof that verifies', () => {
  it('returns the verified approvers and the verified starter', () => {
    const proof = proofOf({ approvers: ['maria'] });
    expect(verifyApprovalProof(proof, context())).toEqual({
      outcome: 'approved',
      workflowId: WORKFLOW,
      gateNonce: proof.gateNonce,
      evidenceDigest: proof.evidence.digest,
      directoryDigest: fx.directory.digest,
      startedBy: 'ci-bot',
      approvers: ['maria'],
      rejecters: [],
    });
  });

  it('counts quorum 2 by distinct signers: maria and sam approve', () => {
    const proof = proofOf({ policy: { approverGroups: ['ml-leads'], quorum: 2 }, approvers: ['maria', 'sam'] });
    expect(verifyApprovalProof(proof, context()).approvers).toEqual(['maria', 'sam']);
  });

  it('accepts a signed rejection when recording any closed outcome', () => {
    const proof = proofOf({
      outcome: 'rejected',
      decisions: (gate) => [signedDecision(fx.people, 'sam', gate, { decision: 'reject', comment: 'too risky' })],
    });
    expect(verifyApprovalProof(proof, context({ require: 'closed' }))).toMatchObject({
      outcome: 'rejected',
      rejecters: ['sam'],
    });
  });
});

describe('refused: the directory and the evidence', () => {
  it('a proof made with another directory (a forged one) names both digests', () => {
    const proof = approvalProof({ people: fx.forged, workflowId: WORKFLOW, evidence: evidence() });
    expect(refusal(proof)).toEqual(
      invalid(
        `the gate resolved its approvers from directory ${proof.directoryDigest ?? ''}, but the directory this worker reads (${fx.people.directoryPath}) has digest ${fx.directory.digest}`,
      ),
    );
  });

  it("a forged directory's keys do not verify even when the proof claims this worker's directory", () => {
    const proof = { ...approvalProof({ people: fx.forged, workflowId: WORKFLOW, evidence: evidence() }) };
    proof.directoryDigest = fx.directory.digest;
    expect(refusal(proof)).toEqual(invalid(/the run's signed start does not verify: its signature does not verify/));
  });

  it('evidence altered after it was signed for', () => {
    const proof = proofOf();
    proof.evidence = { ...proof.evidence, candidate: { version: 2, metrics: { auc: 0.99 } } };
    expect(refusal(proof)).toEqual(invalid(`but the proof names ${proof.evidence.digest}: the evidence was altered`));
  });

  it('a proof about another version', () => {
    expect(refusal(proofOf(), { version: { ...VERSION, version: 3 } })).toEqual(
      invalid(
        'Refusing to act on model "churn" version 3: its approval does not verify: the proof is about model "churn" version 2',
      ),
    );
  });

  it('a proof made for another workflow than the acting one', () => {
    expect(refusal(proofOf(), { workflowId: 'wf-other' })).toEqual(
      invalid(`the proof is for workflow ${WORKFLOW}, but this activity runs in workflow wf-other`),
    );
  });

  it('evidence whose candidate differs from the registry record', () => {
    const registered = {
      name: 'churn',
      version: 2,
      metrics: { auc: 0.7 },
      lineage: {
        datasetUri: 'file:///data/churn.csv',
        datasetDigest: `sha256:${'b'.repeat(64)}`,
        validationReport: { digest: `sha256:${'c'.repeat(64)}` },
        codeVersion: 'git:0123456',
      },
    } as unknown as ProofContext['registered'];
    expect(refusal(proofOf(), { registered })).toEqual(
      invalid("the evidence's candidate is not what the registry records for this version"),
    );
  });
});

describe('refused: decisions', () => {
  it('an unsigned decision', () => {
    const proof = proofOf();
    const { signature: _s, ...unsigned } = proof.decisions[0] as ApprovalProof['decisions'][number];
    proof.decisions = [unsigned];
    expect(refusal(proof)).toEqual(
      invalid('decision 1 (approve by maria, via update) does not verify: it carries no signature'),
    );
  });

  it("a decision signed with another person's key", () => {
    const proof = proofOf({ decisions: (gate) => [signedDecision(fx.people, 'maria', gate, { signWith: 'mallory' })] });
    expect(refusal(proof)).toEqual(
      invalid(
        "decision 1 (approve by maria, via update) does not verify: its signature does not verify with maria's public key",
      ),
    );
  });

  it('a valid decision replayed on another gate of the same workflow (another nonce)', () => {
    const proof = proofOf({
      decisions: (gate) => [signedDecision(fx.people, 'maria', { ...gate, gateNonce: 'an-earlier-gate-nonce-0001' })],
    });
    expect(refusal(proof)).toEqual(invalid(/decision 1 \(approve by maria.*signature does not verify/));
  });

  it('a valid decision replayed on another run (another workflow id)', () => {
    const proof = proofOf({
      decisions: (gate) => [signedDecision(fx.people, 'maria', { ...gate, workflowId: 'wf-another-run' })],
    });
    expect(refusal(proof)).toEqual(invalid(/decision 1 \(approve by maria.*signature does not verify/));
  });

  it('a decision whose comment was changed after signing', () => {
    const proof = proofOf({
      decisions: (gate) => [signedDecision(fx.people, 'maria', gate, { comment: 'looks fine' })],
    });
    proof.decisions = [{ ...(proof.decisions[0] as ApprovalProof['decisions'][number]), comment: 'ship it now' }];
    expect(refusal(proof)).toEqual(invalid(/signature does not verify/));
  });

  it('a person the policy does not allow, even with a valid signature', () => {
    expect(refusal(proofOf({ approvers: ['eve'] }))).toEqual(
      invalid('decision 1 (approve by eve, via update) is not valid: eve may not decide'),
    );
  });

  it('an approver without a public key in the directory', async () => {
    const keyless = await createTestPeople(join(fx.root, 'keyless'), undefined, { withoutKey: ['sam'] });
    const keylessDirectory = await loadPeopleDirectory(keyless.directoryPath);
    const proof = approvalProof({ people: keyless, workflowId: WORKFLOW, evidence: evidence(), approvers: ['sam'] });
    expect(refusal(proof, { directory: keylessDirectory })).toEqual(
      invalid(`cannot be verified: sam has no public key in the directory ${keyless.directoryPath}`),
    );
  });

  it('a decision signed long before the gate opened, or in the future', () => {
    const opened = new Date(Date.now() - 60 * 60_000);
    const early = new Date(opened.getTime() - 6 * 60_000).toISOString();
    const before = proofOf({
      openedAt: opened,
      decisions: (g) => [signedDecision(fx.people, 'maria', g, { at: early })],
    });
    expect(refusal(before)).toEqual(invalid(`it was signed at ${early}, more than 5 minutes before the gate opened`));
    const late = new Date(Date.now() + 10 * 60_000).toISOString();
    const future = proofOf({ decisions: (g) => [signedDecision(fx.people, 'maria', g, { at: late })] });
    expect(refusal(future)).toEqual(invalid(`it was signed at ${late}, in the future of this worker`));
  });

  it('quorum 2 with the same person twice counts once', () => {
    const proof = proofOf({ policy: { approverGroups: ['ml-leads'], quorum: 2 }, approvers: ['maria', 'maria'] });
    expect(refusal(proof)).toEqual(
      invalid('only 1 of the 2 distinct approvals the policy needs verified (approved by maria)'),
    );
  });

  it('an approved outcome that holds a rejection, and a rejected outcome without one', () => {
    const mixed = proofOf({
      decisions: (g) => [
        signedDecision(fx.people, 'maria', g),
        signedDecision(fx.people, 'sam', g, { decision: 'reject' }),
      ],
    });
    expect(refusal(mixed)).toEqual(invalid('the outcome is approved, but sam rejected'));
    const rejected = proofOf({ outcome: 'rejected' });
    expect(refusal(rejected, { require: 'closed' })).toEqual(
      invalid('the outcome is rejected, but no verified rejection is in the proof'),
    );
  });
});

describe('refused: the start and separation of duties', () => {
  it('a run started by lee cannot be approved by lee, whatever the policy names', () => {
    const policy = { approvers: ['lee'], approverGroups: ['ml-leads'] };
    const proof = proofOf({ policy, startedBy: 'lee', approvers: ['lee'] });
    expect(refusal(proof)).toEqual(
      invalid('lee started this run (verified signed start) and approved it, which the policy does not allow'),
    );
    const allowed = proofOf({ policy: { ...policy, allowSelfApproval: true }, startedBy: 'lee', approvers: ['lee'] });
    expect(verifyApprovalProof(allowed, context())).toMatchObject({ startedBy: 'lee', approvers: ['lee'] });
  });

  it('an unsigned start, a start signed with another key, and a start made for another run', () => {
    const unsigned = { ...proofOf(), start: null };
    expect(refusal(unsigned)).toEqual(invalid('the run was started unsigned: who started it cannot be verified'));
    const forgedStart = { ...proofOf(), start: signedStart(fx.people, 'ci-bot', WORKFLOW, { signWith: 'lee' }) };
    expect(refusal(forgedStart)).toEqual(
      invalid("the run's signed start does not verify: its signature does not verify with ci-bot's public key"),
    );
    const elsewhere = { ...proofOf(), start: signedStart(fx.people, 'ci-bot', 'wf-another-run') };
    expect(refusal(elsewhere)).toEqual(invalid("the run's signed start does not verify"));
  });
});
