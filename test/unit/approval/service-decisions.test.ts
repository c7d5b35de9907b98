/**
 * Decisions a service signed for a person (the approvals page), and decisions by people eligible only through
 * escalation, where approvals act (`verifyApprovalProof`) and in the audit check (`checkDecisionSignatures`):
 * signed for real, checked against a directory read from its file that trusts `approvals-page` for the `ml-leads`
 * group and `lee-page` for lee alone. Every refusal names what failed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SlipwayErrorType,
  failureType,
  type ApprovalProof,
  type EvidencePacket,
  type GateDecision,
} from '@slipway/sdk';
import { evidenceDigest, verifyApprovalProof } from '../../../packages/activities/src/approval/index.js';
import { checkDecisionSignatures, type AuditEntry } from '../../../packages/activities/src/audit/index.js';
import { loadPeopleDirectory, type LoadedDirectory } from '../../../packages/activities/src/directory/index.js';
import { approvalProof, signedDecision, type TestGate, type TestProofOptions } from '../../support/approval-proofs.js';
import { DEFAULT_TEST_PEOPLE, createTestPeople, type TestPeople } from '../../support/people.js';

let root: string;
let people: TestPeople;
let directory: LoadedDirectory;

const VERSION = { name: 'churn', version: 2, digest: `sha256:${'a'.repeat(64)}` };
const WORKFLOW = 'wf-service-decisions';
const POLICY = { approvers: ['lee'], approverGroups: ['ml-leads'] };

function evidence(): EvidencePacket {
  const content = {
    model: 'churn',
    candidate: { version: 2, metrics: { auc: 0.85 } },
    champion: { version: 1, metrics: { auc: 0.8 } },
    datasetUri: 'file:///data/churn.csv',
    datasetDigest: `sha256:${'b'.repeat(64)}`,
    validationReportDigest: `sha256:${'c'.repeat(64)}`,
    codeVersion: 'git:0123456',
  };
  return { ...content, digest: evidenceDigest(content) };
}

const proofWith = (
  decisions: (gate: TestGate) => GateDecision[],
  options: Partial<TestProofOptions> = {},
): ApprovalProof =>
  approvalProof({ people, workflowId: WORKFLOW, evidence: evidence(), policy: POLICY, decisions, ...options });

const verify = (proof: ApprovalProof) =>
  verifyApprovalProof(proof, { directory, version: VERSION, require: 'approved' });

function refusal(proof: ApprovalProof): { type?: string; message: string } {
  try {
    verify(proof);
  } catch (err) {
    return { type: failureType(err), message: (err as Error).message };
  }
  return expect.fail('expected the proof to be refused');
}

const invalid = (message: string) => ({
  type: SlipwayErrorType.InvalidApprovalProof,
  message: expect.stringContaining(message) as string,
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-service-decisions-'));
  people = await createTestPeople(join(root, 'people'), DEFAULT_TEST_PEOPLE, {
    services: { 'approvals-page': { groups: ['ml-leads'] }, 'lee-page': { people: ['lee'] } },
  });
  directory = await loadPeopleDirectory(people.directoryPath);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a decision a service signed for a person, where the approval acts', () => {
  it('verifies with the key of a service the directory trusts for that person (by group or by name)', () => {
    const byGroup = proofWith((gate) => [signedDecision(people, 'maria', gate, { asService: 'approvals-page' })]);
    expect(verify(byGroup).approvers).toEqual(['maria']);
    const byName = proofWith((gate) => [signedDecision(people, 'lee', gate, { asService: 'lee-page' })]);
    expect(verify(byName).approvers).toEqual(['lee']);
  });

  it('is refused when the service is not trusted for that person', () => {
    const proof = proofWith((gate) => [signedDecision(people, 'lee', gate, { asService: 'approvals-page' })]);
    expect(refusal(proof)).toEqual(
      invalid('does not trust the service approvals-page to sign for lee (neither named in its signsFor.people'),
    );
  });

  it('is refused when the directory lists no such service', () => {
    const proof = proofWith((gate) => [
      signedDecision(people, 'maria', gate, { asService: 'ghost-page', signWith: 'approvals-page' }),
    ]);
    expect(refusal(proof)).toEqual(invalid('the directory of people lists no service "ghost-page"'));
  });

  it("is refused when a service's signature is presented without signedBy (as the person's own)", () => {
    const proof = proofWith((gate) => [
      signedDecision(people, 'maria', gate, { asService: 'approvals-page', signedBy: null }),
    ]);
    expect(refusal(proof)).toEqual(invalid("its signature does not verify with maria's public key"));
  });

  it("is refused when a person's own signature is presented with signedBy", () => {
    const proof = proofWith((gate) => [signedDecision(people, 'maria', gate, { signedBy: 'approvals-page' })]);
    expect(refusal(proof)).toEqual(
      invalid('its signature does not verify with the public key of the service approvals-page'),
    );
  });

  it('is refused when what the service signed was altered (comment, approver or service)', () => {
    const altered = (change: Partial<GateDecision>) =>
      proofWith((gate) => [{ ...signedDecision(people, 'maria', gate, { asService: 'approvals-page' }), ...change }]);
    expect(refusal(altered({ comment: 'added later' }))).toEqual(invalid('does not verify'));
    expect(refusal(altered({ approver: 'sam' }))).toEqual(invalid('does not verify'));
    expect(refusal(altered({ signedBy: 'lee-page', approver: 'lee' }))).toEqual(invalid('does not verify'));
  });
});

describe('a decision by a person eligible only through escalation, where the approval acts', () => {
  const hour = 3_600_000;
  const escalating = { ...POLICY, escalateAfter: '1h', escalateTo: ['interns'] };
  const openedAt = new Date(Date.now() - 2 * hour);

  it('verifies when signed after the gate escalated (opening + escalateAfter)', () => {
    const proof = proofWith((gate) => [signedDecision(people, 'mallory', gate)], { policy: escalating, openedAt });
    expect(verify(proof).approvers).toEqual(['mallory']);
  });

  it('is refused when signed before the gate escalated', () => {
    const early = new Date(openedAt.getTime() + 10 * 60_000).toISOString();
    const proof = proofWith((gate) => [signedDecision(people, 'mallory', gate, { at: early })], {
      policy: escalating,
      openedAt,
    });
    expect(refusal(proof)).toEqual(
      invalid(`mallory may decide only through escalation (interns), which the policy allows from`),
    );
  });

  it('is refused for a member of the escalation groups under a policy that does not escalate', () => {
    const proof = proofWith((gate) => [signedDecision(people, 'mallory', gate)], { openedAt });
    expect(refusal(proof)).toEqual(invalid('mallory may not decide under the proof'));
  });
});

describe('service-signed decisions in the audit check', () => {
  const line = (decision: GateDecision, gate: TestGate): AuditEntry =>
    ({
      seq: 1,
      at: new Date().toISOString(),
      kind: 'approval',
      model: 'churn',
      version: 2,
      data: { decisions: [decision], ...gate },
    }) as unknown as AuditEntry;
  const gate: TestGate = {
    workflowId: WORKFLOW,
    gateNonce: '4b0c3c8e-6a51-4a43-9a4c-1f8a3b2e9d10',
    evidenceDigest: evidence().digest,
  };

  it('verifies a decision signed by a service the directory trusts for the approver', () => {
    const decision = signedDecision(people, 'maria', gate, { asService: 'approvals-page' });
    const result = checkDecisionSignatures([line(decision, gate)], directory);
    expect(result.broken).toBeUndefined();
    expect(result).toMatchObject({ ok: true, verified: 1 });
  });

  it('breaks on a decision signed by a service the directory does not trust for the approver', () => {
    const decision = signedDecision(people, 'lee', gate, { asService: 'approvals-page' });
    expect(checkDecisionSignatures([line(decision, gate)], directory)).toMatchObject({
      ok: false,
      broken: { approver: 'lee', message: expect.stringContaining('does not trust the service approvals-page') },
    });
  });
});
