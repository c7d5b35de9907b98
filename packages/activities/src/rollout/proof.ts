/**
 * The approval check of the rollout steps that change what serves (stage, promote): the proof is verified where it
 * acts. A rollout runs in its own workflow (`rollout:<model>`, a child of the promotion), and `slipway deploy` in
 * `deploy:<model>`, whose ids are not the one the proof names: there the proof must also be the approval the
 * registry recorded for this version, and the version must not have been rolled back since. The deploy activity
 * checks its proof here too.
 */
import {
  SlipwayErrorType,
  finalFailure,
  deployWorkflowId,
  rolloutWorkflowId,
  type ApprovalProof,
  type ModelVersionRef,
} from '@slipway/sdk';
import { rolledBackSince } from '../approval/recorded-approval.js';
import { verifyProofWhereItActs, type VerifiedApproval } from '../approval/verify-proof.js';
import type { DirectorySource, ModelVersionRecord } from '../ports.js';
import { currentStepIdentity } from '../util/idempotency.js';

/** What {@link verifyRolloutProof} checks. */
export interface RolloutProofContext {
  version: ModelVersionRef;
  /** The registry's record of the version (its approvals and deployments are read). */
  registered: ModelVersionRecord;
  /** What the step is about to do, for messages: `stage`, `promote`. */
  action: string;
  /** The workflow the step runs in; by default the current activity's. */
  workflowId?: string | undefined;
}

/**
 * Verifies the approval proof of a rollout step before it acts (see `verifyProofWhereItActs`: a missing proof, a
 * gate that did not approve, a proof that does not verify against the worker's directory are final failures).
 * Outside the model's rollout or deploy workflow the proof must be this workflow's. Inside, the proof is bound instead to
 * the approval the registry recorded: approved, by the proof's workflow, over the proof's evidence; and a version
 * rolled back after that approval is refused (a new approval is needed), both as final `SlipwayNotApproved`.
 */
export async function verifyRolloutProof(
  proof: ApprovalProof | undefined,
  directory: DirectorySource | undefined,
  context: RolloutProofContext,
): Promise<VerifiedApproval> {
  const { version, registered, action } = context;
  const base = { version, require: 'approved', registered, action } as const;
  const workflowId = context.workflowId ?? currentStepIdentity()?.workflowId;
  const onRecord = [rolloutWorkflowId(version.name), deployWorkflowId(version.name)];
  if (workflowId === undefined || !onRecord.includes(workflowId) || proof === undefined) {
    return verifyProofWhereItActs(proof, directory, { ...base, workflowId });
  }
  const verified = await verifyProofWhereItActs(proof, directory, { ...base, workflowId: proof.workflowId });
  const refuse = (reason: string) =>
    finalFailure(
      SlipwayErrorType.NotApproved,
      `Refusing to ${action} model "${version.name}" version ${version.version}: ${reason}`,
      { model: version.name, version: version.version, reason },
    );
  const recorded = registered.approvals.find(
    (a) => a.outcome === 'approved' && a.workflowId === proof.workflowId && a.evidenceDigest === proof.evidence.digest,
  );
  if (!recorded) {
    throw refuse(
      `the registry records no approval of it by workflow ${proof.workflowId} over evidence ${proof.evidence.digest}: ` +
        'a rollout acts only on an approval on record',
    );
  }
  const rolledBack = rolledBackSince(registered, recorded);
  if (rolledBack) {
    throw refuse(
      `it was rolled back (deployment ${rolledBack.deploymentId}, ${rolledBack.recordedAt}) after its approval ` +
        `(${recorded.recordedAt}): it needs a new approval`,
    );
  }
  return verified;
}
