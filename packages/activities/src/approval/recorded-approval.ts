/**
 * Approvals on record: when a gate's outcome is recorded, the whole `ApprovalProof` is stored with it
 * (content-addressed JSON in the artifact store, referenced by the registry's approval record). Acting on an
 * approval later (`slipway deploy <model>@<version>`, a rollback to an approved version) starts from
 * {@link readRecordedApproval}: the latest approved record of a version, with its proof read back, digest-checked
 * and bound to the record it belongs to.
 */
import { ApprovalProof, SlipwayErrorType, describeIssues, finalFailure } from '@slipway/sdk';
import type {
  ApprovalRecord,
  ArtifactStore,
  DeploymentRecord,
  ModelRegistry,
  ModelVersionRecord,
  StoredProofRef,
} from '../ports.js';
import { resolveVersionOrFail } from '../registry/resolve-version.js';

/** What {@link readRecordedApproval} reads: the registry and the artifact store the proofs are stored in. */
export interface RecordedApprovalDeps {
  registry: ModelRegistry;
  artifacts: ArtifactStore;
}

/** An approval on record: the registry's record, its stored proof, and the version's record as read. */
export interface RecordedApproval {
  proof: ApprovalProof;
  record: ApprovalRecord & { proof: StoredProofRef };
  /** The version's registry record (approvals and deployments) the answer was read from. */
  registered: ModelVersionRecord;
}

/** The latest approved record of a version (records are ordered by time), or undefined when it has none. */
export function latestApproval(registered: ModelVersionRecord): ApprovalRecord | undefined {
  return registered.approvals.findLast((a) => a.outcome === 'approved');
}

/**
 * Why a version has no approval to act on, for the messages that refuse because of it: no approved record at all,
 * or a latest approval recorded before Slipway stored proofs with the outcome (it needs to be approved again).
 * Undefined when its latest approval has a stored proof.
 */
export function missingApprovalReason(registered: ModelVersionRecord): string | undefined {
  const latest = latestApproval(registered);
  if (latest === undefined) {
    const other = registered.approvals.at(-1);
    const last = other ? ` (its last gate was ${other.outcome}, workflow ${other.workflowId})` : '';
    return `it has no approval on record${last}`;
  }
  if (latest.proof === undefined) {
    return (
      `its approval on record (workflow ${latest.workflowId}, ${latest.recordedAt}) was recorded before approvals ` +
      'stored their proof, so it cannot be verified again: approve it again (slipway run promoteVersion)'
    );
  }
  return undefined;
}

/** The first deployment of the version recorded `rolled_back` at or after its approval, if any. */
export function rolledBackSince(
  registered: ModelVersionRecord,
  approval: Pick<ApprovalRecord, 'recordedAt'>,
): DeploymentRecord | undefined {
  return registered.deployments.find((d) => d.status === 'rolled_back' && d.recordedAt >= approval.recordedAt);
}

/**
 * The latest approved record of `model` version `version` with its stored proof, or null when the version has no
 * approved record, or its latest one was recorded before proofs were stored ({@link missingApprovalReason} says
 * which). The proof is read from the artifact store with its digest checked, parsed, and must be the record's:
 * approved, by the record's workflow, over the record's evidence, about this version; anything else is a final
 * `SlipwayInvalidApprovalProof` naming the difference. It is not verified against the directory of people here:
 * the code that acts on it does that (`verifyApprovalProof`).
 *
 * @throws a final `SlipwayNotFound` failure when the version is not registered.
 */
export async function readRecordedApproval(
  deps: RecordedApprovalDeps,
  model: string,
  version: number,
): Promise<RecordedApproval | null> {
  const registered = await resolveVersionOrFail(deps.registry, model, version);
  const record = latestApproval(registered);
  if (record?.proof === undefined) return null;
  const stored = record.proof;
  const raw = await deps.artifacts.getJson(stored);
  const parsed = ApprovalProof.safeParse(raw);
  const where = `the approval proof stored at ${stored.uri} for model "${model}" version ${version}`;
  if (!parsed.success) {
    throw invalid(model, version, `${where} is not an approval proof: ${describeIssues(parsed.error)}`);
  }
  const proof = parsed.data;
  const differs = proofRecordMismatch(proof, record, model, version);
  if (differs !== undefined) throw invalid(model, version, `${where} ${differs}`);
  return { proof, record: { ...record, proof: stored }, registered };
}

function proofRecordMismatch(
  proof: ApprovalProof,
  record: ApprovalRecord,
  model: string,
  version: number,
): string | undefined {
  const about = proof.evidence;
  if (about.model !== model || about.candidate.version !== version) {
    return `is about model "${about.model}" version ${about.candidate.version}`;
  }
  if (proof.outcome !== 'approved') return `has outcome ${proof.outcome}, but the record says approved`;
  if (proof.workflowId !== record.workflowId) {
    return `is from workflow ${proof.workflowId}, but the record is from workflow ${record.workflowId}`;
  }
  if (about.digest !== record.evidenceDigest) {
    return `names evidence ${about.digest}, but the record names ${record.evidenceDigest}`;
  }
  return undefined;
}

function invalid(model: string, version: number, problem: string) {
  return finalFailure(SlipwayErrorType.InvalidApprovalProof, `The approval on record is not usable: ${problem}`, {
    model,
    version,
    problem,
  });
}
