import {
  SlipwayErrorType,
  finalFailure,
  type ApprovalProof,
  type StepParsedInput,
  type recordApprovalStep,
} from '@slipway/sdk';
import { verifyProofWhereItActs } from '../approval/verify-proof.js';
import { canonicalJson } from '../util/digest.js';
import type { ArtifactStore, DirectorySource, ModelRegistry } from '../ports.js';
import { resolveVersionOrFail } from '../registry/resolve-version.js';
import { currentStepIdentity, stepIdempotencyKey } from '../util/idempotency.js';

/** What the record-approval activity needs. */
export interface RecordApprovalActivityDeps {
  registry: ModelRegistry;
  /** Where the verified proof is stored (content-addressed JSON) so the approval can be acted on later. */
  artifacts: ArtifactStore;
  /** The worker's directory of people, which the gate's proof is verified against; without it nothing is recorded. */
  directory?: DirectorySource | undefined;
}

/**
 * The record-approval activity: verifies the gate's proof against the worker's own directory of people (see
 * `verifyApprovalProof`; any closed outcome may be recorded, but only a proof that verifies), then writes the
 * outcome and every decision (with its signature) to the registry, once, with the whole proof (stored as
 * content-addressed JSON in the artifact store, referenced by the record: see `readRecordedApproval`). The audit
 * line also carries the gate's nonce, the verified signer of the run's start and the stored proof's reference.
 * Without a proof, with a proof that does not verify, or with input that disagrees with its proof, nothing is
 * written.
 */
export function createRecordApprovalActivity(deps: RecordApprovalActivityDeps) {
  return async (input: StepParsedInput<typeof recordApprovalStep>) => {
    const { name, version } = input.version;
    const registered = await resolveVersionOrFail(deps.registry, name, version);
    const context = {
      version: input.version,
      require: 'closed',
      registered,
      action: 'record the approval of',
    } as const;
    const verified = await verifyProofWhereItActs(input.proof, deps.directory, context);
    const proof = input.proof as ApprovalProof;
    assertInputMatchesProof(input, proof);
    const step = currentStepIdentity();
    // Content-addressed: every attempt stores the same bytes under the same digest.
    const stored = await deps.artifacts.putJson(proof);
    await deps.registry.recordApproval({
      name,
      version,
      outcome: proof.outcome,
      decisions: proof.decisions,
      evidenceDigest: proof.evidence.digest,
      // Inside an activity this is the proof's workflow (verified); the audit check rebuilds signed payloads with it.
      workflowId: step?.workflowId ?? proof.workflowId,
      runId: step?.runId ?? 'local',
      gateNonce: verified.gateNonce,
      startedBy: verified.startedBy,
      ...(proof.refused && proof.refused.length > 0 ? { refused: proof.refused } : {}),
      proof: { uri: stored.uri, digest: stored.digest },
      idempotencyKey: stepIdempotencyKey(`approval/${name}/${version}/${proof.evidence.digest}`),
    });
    return { recorded: true };
  };
}

/** The outcome, decisions and evidence digest the step names must be the proof's, which is what gets recorded. */
function assertInputMatchesProof(input: StepParsedInput<typeof recordApprovalStep>, proof: ApprovalProof): void {
  const differs =
    input.outcome !== proof.outcome
      ? 'outcome'
      : input.evidenceDigest !== proof.evidence.digest
        ? 'evidenceDigest'
        : canonicalJson(input.decisions) !== canonicalJson(proof.decisions)
          ? 'decisions'
          : undefined;
  if (differs === undefined) return;
  throw finalFailure(
    SlipwayErrorType.InvalidApprovalProof,
    `Refusing to record the approval of model "${input.version.name}" version ${input.version.version}: the step's ` +
      `${differs} is not the one its verified proof holds`,
    { model: input.version.name, version: input.version.version, field: differs },
  );
}
