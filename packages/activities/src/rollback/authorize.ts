/**
 * Who may roll a model back: a person the live version's approval lets decide. This is the one place that answers
 * it; the plan and act steps of a rollback both call {@link authorizeRollback} before anything changes.
 */
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { ApprovalRecord, DirectorySource, ModelRegistry, ModelVersionRecord } from '../ports.js';

/** What the authorization reads: the registry's approval records (and, for policies, the directory of people). */
export interface RollbackAuthorityDeps {
  registry: ModelRegistry;
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
 * on the live version: it has an approved approval on record, and the signer is among the people who decided it.
 * Until approvals on record carry their whole proof (with the policy), the people who approved the live version are
 * the ones allowed; a version without an approved approval on record cannot be rolled back by anyone.
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
  const record = await deps.registry.getVersion(model, version);
  if (record === undefined) {
    throw refuse(`version ${version}, which serves now, is not in the registry: no approval says who may take it down`);
  }
  const approval = latestApproval(record);
  if (approval === undefined) {
    throw refuse(
      `version ${version}, which serves now, has no approved approval on record: no approval policy says who may take it down`,
    );
  }
  const deciders = [...new Set(approval.decisions.filter((d) => d.decision === 'approve').map((d) => d.approver))];
  if (!deciders.includes(signer)) {
    throw refuse(
      `${signer} is not among the people allowed to decide on version ${version} (its approval of ` +
        `${approval.recordedAt} by workflow ${approval.workflowId} was decided by ${deciders.join(', ') || 'the policy alone'})`,
    );
  }
  return { approval };
}

/** The version's latest approved approval on record, if any. */
export function latestApproval(record: ModelVersionRecord): ApprovalRecord | undefined {
  return record.approvals
    .filter((a) => a.outcome === 'approved')
    .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt))
    .at(-1);
}
