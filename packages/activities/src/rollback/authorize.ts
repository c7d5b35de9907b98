/**
 * Who may roll a model back: a person the live version's approval policy lets decide, read from the approval on
 * record (its stored proof) and resolved against the directory of people this worker reads now. This is the one
 * place that answers it; the plan and act steps of a rollback both call {@link authorizeRollback} before anything
 * changes.
 */
import { SlipwayErrorType, finalFailure, resolveApprovers, withoutEscalation } from '@slipway/sdk';
import type { ApprovalRecord, ArtifactStore, DirectorySource, ModelRegistry } from '../ports.js';
import { missingApprovalReason, readRecordedApproval } from '../approval/recorded-approval.js';
import { verifyApprovalProof } from '../approval/verify-proof.js';

/** What the authorization reads: the approval on record (registry and artifact store) and the directory of people. */
export interface RollbackAuthorityDeps {
  registry: ModelRegistry;
  artifacts: ArtifactStore;
  directory?: DirectorySource | undefined;
}

/** Who asks to take which live version down. */
export interface RollbackAuthorityRequest {
  model: string;
  /** The version that serves now (the one the rollback takes down). */
  version: number;
  /** The verified signer of the rollback's start. */
  signer: string;
}

/**
 * Refuses (final `SlipwayRollbackRefused`, naming the model, the version and the person) unless `signer` may decide
 * on the live version: its latest approval on record has a stored proof that still verifies against the directory,
 * and the proof's policy, resolved against the directory now, names the signer among its approvers. A version
 * without such an approval cannot be rolled back by anyone (the message says why: none on record, or one recorded
 * before proofs were stored).
 */
export async function authorizeRollback(
  deps: RollbackAuthorityDeps,
  request: RollbackAuthorityRequest,
): Promise<{ approval: ApprovalRecord }> {
  const { model, version, signer } = request;
  const refuse = (reason: string) =>
    finalFailure(SlipwayErrorType.RollbackRefused, `Refusing ${signer}'s rollback of model "${model}": ${reason}`, {
      model,
      version,
      signer,
    });
  if (deps.directory === undefined) {
    throw refuse('no directory of people is configured on this worker, so nobody can be authorized');
  }
  const registered = await deps.registry.getVersion(model, version);
  if (registered === undefined) {
    throw refuse(`version ${version}, which serves now, is not in the registry: no approval says who may take it down`);
  }
  const recorded = await readRecordedApproval(deps, model, version);
  if (recorded === null) {
    const why = missingApprovalReason(registered) ?? 'it has no approval on record';
    throw refuse(`version ${version}, which serves now, cannot be taken down on its approval: ${why}`);
  }
  const directory = await deps.directory.read();
  const { proof, record } = recorded;
  verifyApprovalProof(proof, {
    directory,
    version: { name: model, version, digest: registered.artifact.digest },
    require: 'approved',
    registered,
    workflowId: proof.workflowId,
    action: 'roll back',
  });
  const people = { people: directory.directory.people, digest: directory.digest };
  const allowed = resolveApprovers(withoutEscalation(proof.policy), people).approvers.map((a) => a.name);
  if (!allowed.includes(signer)) {
    throw refuse(
      `${signer} is not among the people the approval policy of version ${version} lets decide (its approval of ` +
        `${record.recordedAt} by workflow ${record.workflowId}; allowed now: ${allowed.join(', ') || 'nobody'})`,
    );
  }
  return { approval: record };
}
