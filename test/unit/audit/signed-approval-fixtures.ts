/**
 * An audited home whose log holds an approval from before decisions were signed and one recorded by the
 * record-approval activity from a proof signed for real (maria and sam, quorum 2); and the surgery an attacker
 * holding the worker's audit key and the registry file would do: swap a decision's signature, re-hash and
 * re-sign the line and move the registry's head to it, so the hash chain verifies.
 */
import Database from 'libsql';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { SigningDomain, recordApprovalStep, signPayload, type ApprovalProof, type GateDecision } from '@slipway/sdk';
import {
  auditEntryHash,
  defaultAuditLogPath,
  openAuditLog,
  type AuditEntry,
} from '../../../packages/activities/src/audit/index.js';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import { implementStep } from '../../../packages/activities/src/implement-step.js';
import { createRecordApprovalActivity } from '../../../packages/activities/src/steps/record-approval.js';
import { canonicalJson } from '../../../packages/activities/src/util/digest.js';
import { registeredVersionProof, signedDecision } from '../../support/approval-proofs.js';
import type { TestPeople } from '../../support/people.js';
import { approvalInput, versionInput } from '../registry/registry-fixtures.js';
import { openAuditedHome, readLines, writeLines } from './audit-fixtures.js';

/** The workflow whose gate made the signed approval. */
export const SIGNED_WORKFLOW = 'wf-signed-approval';

/**
 * Writes 3 lines into `<home>/audit.log`: 1 register churn v1, 2 an approval from before signing (unsigned, no
 * nonce), 3 the signed approval (the last line, the registry's head). Returns the proof it was recorded from.
 */
export async function writeSignedApprovalHistory(home: string, people: TestPeople): Promise<ApprovalProof> {
  const { registry, artifactsDir } = openAuditedHome(home);
  try {
    const { version } = await registry.registerVersion(versionInput('churn', 'register-1'));
    await registry.recordApproval(approvalInput('churn', 1, 'approval-before-signing'));
    const ref = { name: 'churn', version: 1, digest: version.artifact.digest };
    const proof = await registeredVersionProof(registry, ref, {
      people,
      workflowId: SIGNED_WORKFLOW,
      policy: { approverGroups: ['ml-leads'], quorum: 2 },
      decisions: (gate) => [
        signedDecision(people, 'maria', gate, { comment: 'holds up in every segment' }),
        signedDecision(people, 'sam', gate),
      ],
    });
    const directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
    const record = implementStep(
      recordApprovalStep,
      createRecordApprovalActivity({ registry, artifacts: createFsArtifactStore(artifactsDir), directory }),
    );
    const info = { activityId: '5', workflowExecution: { workflowId: SIGNED_WORKFLOW, runId: 'run-1' } };
    const input = {
      version: ref,
      outcome: proof.outcome,
      decisions: proof.decisions,
      evidenceDigest: proof.evidence.digest,
      proof,
    };
    await new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') }).run(
      record['slipway.recordApproval'],
      input,
    );
    return proof;
  } finally {
    await registry.close();
  }
}

/**
 * Rewrites line `line` of the home's log with `change` applied to its decisions, re-hashed and re-signed with the
 * log's own key, and moves the registry's recorded head to it (the line must be the last one): the chain verifies.
 */
export async function rewriteDecisions(
  home: string,
  line: number,
  change: (decisions: GateDecision[]) => GateDecision[],
): Promise<void> {
  const path = defaultAuditLogPath(home);
  const lines = await readLines(path);
  if (line !== lines.length) throw new Error(`line ${line} is not the last line of ${path}`);
  const entry = JSON.parse(lines[line - 1] as string) as AuditEntry;
  const decisions = change(entry.data['decisions'] as GateDecision[]);
  const { hash: _hash, sig: _sig, ...body } = { ...entry, data: { ...entry.data, decisions } };
  const hash = auditEntryHash(body);
  const signer = await openAuditLog(path).signer();
  await writeLines(path, [...lines.slice(0, -1), canonicalJson({ ...body, hash, sig: signer.sign(hash) })]);
  const db = new Database(`${home}/registry.db`);
  try {
    db.prepare('UPDATE audit_heads SET hash = ? WHERE seq = ?').run(hash, line);
  } finally {
    db.close();
  }
}

/** `approver`'s decision with its signature replaced by one `signWith` made over the same payload: a forgery. */
export function forgeSignature(
  people: TestPeople,
  proof: ApprovalProof,
  approver: string,
  signWith: string,
): (decisions: GateDecision[]) => GateDecision[] {
  return (decisions) =>
    decisions.map((d) => {
      if (d.approver !== approver) return d;
      const payload = {
        workflowId: proof.workflowId,
        gateNonce: proof.gateNonce,
        evidenceDigest: proof.evidence.digest,
        decision: d.decision,
        approver: d.approver,
        comment: d.comment ?? '',
        at: d.signedAt,
      };
      const key = people.keys[signWith];
      if (!key) throw new Error(`no test key for ${signWith}`);
      return { ...d, signature: signPayload(SigningDomain.decision, key.privateKey, payload) };
    });
}
