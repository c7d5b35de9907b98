/**
 * `verifyApprovalProof`, the check the acting activities run: proofs signed for real with keys made on the fly
 * (`createTestPeople`), checked against a directory read from its file. Every refusal names what failed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApprovalPolicy,
  SlipwayErrorType,
  approvalPolicyDigest,
  compareTaskMetrics,
  failureType,
  type ApprovalProof,
  type EvidencePacket,
} from '@slipway/sdk';
import {
  evidenceDigest,
  verifyApprovalProof,
  type ProofContext,
} from '../../../packages/activities/src/approval/index.js';
import { loadPeopleDirectory, type LoadedDirectory } from '../../../packages/activities/src/directory/index.js';
import { approvalProof, signedDecision, signedStart, type TestProofOptions } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';

let root: string;
let people: TestPeople;
let directory: LoadedDirectory;
/** Another administrator's directory with the same names but keys of its own: what a forger would make. */
let forged: TestPeople;

const VERSION = { name: 'churn', version: 2, digest: `sha256:${'a'.repeat(64)}` };
const WORKFLOW = 'wf-verify-proof';

function evidence(champion: { version: number; auc: number } | null = { version: 1, auc: 0.8 }): EvidencePacket {
  const content = {
    model: 'churn',
    candidate: { version: 2, metrics: { auc: 0.85 } },
    champion: champion ? { version: champion.version, metrics: { auc: champion.auc } } : null,
    datasetUri: 'file:///data/churn.csv',
    datasetDigest: `sha256:${'b'.repeat(64)}`,
    validationReportDigest: `sha256:${'c'.repeat(64)}`,
    codeVersion: 'git:0123456',
  };
  return { ...content, digest: evidenceDigest(content) };
}

const proofOf = (options: Partial<TestProofOptions> = {}): ApprovalProof =>
  approvalProof({ people, workflowId: WORKFLOW, evidence: evidence(), ...options });

const context = (overrides: Partial<ProofContext> = {}): ProofContext => ({
  directory,
  version: VERSION,
  require: 'approved',
  ...overrides,
});

/** The failure `verifyApprovalProof` throws, as `{ type, message }`. */
function refusal(proof: ApprovalProof, overrides: Partial<ProofContext> = {}): { type?: string; message: string } {
  try {
    verifyApprovalProof(proof, context(overrides));
  } catch (err) {
    expect((err as { nonRetryable?: boolean }).nonRetryable).toBe(true);
    return { type: failureType(err), message: (err as Error).message };
  }
  return expect.fail('expected the proof to be refused');
}

const invalid = (message: string | RegExp) => ({
  type: SlipwayErrorType.InvalidApprovalProof,
  message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message),
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-verify-proof-'));
  people = await createTestPeople(join(root, 'people'));
  forged = await createTestPeople(join(root, 'forged'));
  directory = await loadPeopleDirectory(people.directoryPath);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a proof that verifies', () => {
  it('returns the verified approvers and the verified starter', () => {
    const proof = proofOf({ approvers: ['maria'] });
    expect(verifyApprovalProof(proof, context())).toEqual({
      outcome: 'approved',
      workflowId: WORKFLOW,
      gateNonce: proof.gateNonce,
      evidenceDigest: proof.evidence.digest,
      directoryDigest: directory.digest,
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
      decisions: (gate) => [signedDecision(people, 'sam', gate, { decision: 'reject', comment: 'too risky' })],
    });
    expect(verifyApprovalProof(proof, context({ require: 'closed' }))).toMatchObject({
      outcome: 'rejected',
      rejecters: ['sam'],
    });
  });
});

describe('refused: the directory and the evidence', () => {
  it('a proof made with another directory (a forged one) names both digests', () => {
    const proof = approvalProof({ people: forged, workflowId: WORKFLOW, evidence: evidence() });
    expect(refusal(proof)).toEqual(
      invalid(
        `the gate resolved its approvers from directory ${proof.directoryDigest ?? ''}, but the directory this worker reads (${people.directoryPath}) has digest ${directory.digest}`,
      ),
    );
  });

  it("a forged directory's keys do not verify even when the proof claims this worker's directory", () => {
    const proof = { ...approvalProof({ people: forged, workflowId: WORKFLOW, evidence: evidence() }) };
    proof.directoryDigest = directory.digest;
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
    const proof = proofOf({ decisions: (gate) => [signedDecision(people, 'maria', gate, { signWith: 'mallory' })] });
    expect(refusal(proof)).toEqual(
      invalid(
        "decision 1 (approve by maria, via update) does not verify: its signature does not verify with maria's public key",
      ),
    );
  });

  it('a valid decision replayed on another gate of the same workflow (another nonce)', () => {
    const proof = proofOf({
      decisions: (gate) => [signedDecision(people, 'maria', { ...gate, gateNonce: 'an-earlier-gate-nonce-0001' })],
    });
    expect(refusal(proof)).toEqual(invalid(/decision 1 \(approve by maria.*signature does not verify/));
  });

  it('a valid decision replayed on another run (another workflow id)', () => {
    const proof = proofOf({
      decisions: (gate) => [signedDecision(people, 'maria', { ...gate, workflowId: 'wf-another-run' })],
    });
    expect(refusal(proof)).toEqual(invalid(/decision 1 \(approve by maria.*signature does not verify/));
  });

  it('a decision whose comment was changed after signing', () => {
    const proof = proofOf({ decisions: (gate) => [signedDecision(people, 'maria', gate, { comment: 'looks fine' })] });
    proof.decisions = [{ ...(proof.decisions[0] as ApprovalProof['decisions'][number]), comment: 'ship it now' }];
    expect(refusal(proof)).toEqual(invalid(/signature does not verify/));
  });

  it('a person the policy does not allow, even with a valid signature', () => {
    expect(refusal(proofOf({ approvers: ['eve'] }))).toEqual(
      invalid('decision 1 (approve by eve, via update) is not valid: eve may not decide'),
    );
  });

  it('an approver without a public key in the directory', async () => {
    const keyless = await createTestPeople(join(root, 'keyless'), undefined, { withoutKey: ['sam'] });
    const keylessDirectory = await loadPeopleDirectory(keyless.directoryPath);
    const proof = approvalProof({ people: keyless, workflowId: WORKFLOW, evidence: evidence(), approvers: ['sam'] });
    expect(refusal(proof, { directory: keylessDirectory })).toEqual(
      invalid(`cannot be verified: sam has no public key in the directory ${keyless.directoryPath}`),
    );
  });

  it('a decision signed long before the gate opened, or in the future', () => {
    const opened = new Date(Date.now() - 60 * 60_000);
    const early = new Date(opened.getTime() - 6 * 60_000).toISOString();
    const before = proofOf({ openedAt: opened, decisions: (g) => [signedDecision(people, 'maria', g, { at: early })] });
    expect(refusal(before)).toEqual(invalid(`it was signed at ${early}, more than 5 minutes before the gate opened`));
    const late = new Date(Date.now() + 10 * 60_000).toISOString();
    const future = proofOf({ decisions: (g) => [signedDecision(people, 'maria', g, { at: late })] });
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
      decisions: (g) => [signedDecision(people, 'maria', g), signedDecision(people, 'sam', g, { decision: 'reject' })],
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
    const forgedStart = { ...proofOf(), start: signedStart(people, 'ci-bot', WORKFLOW, { signWith: 'lee' }) };
    expect(refusal(forgedStart)).toEqual(
      invalid("the run's signed start does not verify: its signature does not verify with ci-bot's public key"),
    );
    const elsewhere = { ...proofOf(), start: signedStart(people, 'ci-bot', 'wf-another-run') };
    expect(refusal(elsewhere)).toEqual(invalid("the run's signed start does not verify"));
  });
});

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
      decisions: (g) => [signedDecision(people, 'sam', g, { decision: 'reject' })],
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
