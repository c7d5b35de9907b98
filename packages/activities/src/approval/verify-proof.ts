/**
 * "Verified again where it acts": the activities that record an approval, move an alias or deploy do not trust
 * what the workflow tells them. Before they write anything they check the gate's proof against the directory of
 * people this worker reads itself: the directory's digest, the evidence's digest (and the registry's record of the
 * candidate), who may decide under the policy, every signed decision, the signed start of the run and the policy it
 * signed, separation of duties, the quorum, and that decisions made by the policy really follow from it. A workflow
 * running altered code cannot get a version deployed without the private keys of enough approvers.
 */
import {
  ApprovalPolicy,
  GUARDIAN_PIPELINE,
  SlipwayErrorType,
  approvalPolicyDigest,
  canonicalJson,
  finalFailure,
  guardianOfRetrain,
  resolveApprovers,
  signedApprovalOf,
  startInputDigest,
  type ApprovalProof,
  type ApproverResolution,
  type ModelVersionRef,
} from '@slipway/sdk';
import type { ApplicationFailure } from '@temporalio/common';
import type { LoadedDirectory } from '../directory/load-directory.js';
import type { DirectorySource, ModelVersionRecord } from '../ports.js';
import { candidateEvidenceMismatch, evidenceDigest } from './evidence-packet.js';
import { tallyDecisions, type DecisionTally } from './proof-decisions.js';
import { directoryKeyOf, startSignatureProblem } from './signatures.js';
import { currentStepIdentity } from '../util/idempotency.js';

/** What a proof must show: an approval (deploy, alias move), or any closed outcome (recording it). */
export type ProofRequirement = 'approved' | 'closed';

/** What a proof is checked against. */
export interface ProofContext {
  /** The directory of people this worker read itself (its admin signature already checked by the source). */
  directory: LoadedDirectory;
  /** The version the activity acts on. */
  version: ModelVersionRef;
  require: ProofRequirement;
  /** The registry's record of the version: when given, the evidence's candidate must match it. */
  registered?: ModelVersionRecord | undefined;
  /** What the activity is about to do, for messages: `deploy`, `record the approval of`, … (default `act on`). */
  action?: string | undefined;
  /**
   * The workflow the acting activity runs in: when given, the proof must be this workflow's (a proof made for
   * another run is refused). {@link verifyProofWhereItActs} passes the current activity's workflow id.
   */
  workflowId?: string | undefined;
  /** The worker's clock (default: now); signed times after it (plus 5 minutes of skew) are refused. */
  now?: Date | undefined;
}

/** The facts a proof established. */
export interface VerifiedApproval {
  outcome: ApprovalProof['outcome'];
  workflowId: string;
  gateNonce: string;
  evidenceDigest: string;
  directoryDigest: string;
  /** Who started the run: the verified signer of its start. */
  startedBy: string;
  /** People whose signed approval verified, each once, in the order they decided. */
  approvers: string[];
  /** People whose signed rejection verified. */
  rejecters: string[];
  /** The decision the policy made, when it made one that holds. */
  policyDecision?: 'auto-approve' | 'timeout';
}

/**
 * Verifies an approval proof where it acts and returns what it established, or throws a final failure naming
 * exactly what failed: `SlipwayNotApproved` when `require` is `approved` and the gate did not approve,
 * `SlipwayInvalidApprovalProof` for everything else (version, directory digest, evidence, signed start, a decision's
 * eligibility, key, signature or time, a policy decision the policy does not make, self-approval, the quorum).
 */
export function verifyApprovalProof(proof: ApprovalProof, context: ProofContext): VerifiedApproval {
  const fail = (problem: string) => proofFailure(context, problem);
  const { name, version } = context.version;
  const about = proof.evidence;
  if (about.model !== name || about.candidate.version !== version) {
    throw fail(`the proof is about model "${about.model}" version ${about.candidate.version}, not this one`);
  }
  if (context.workflowId !== undefined && context.workflowId !== proof.workflowId) {
    throw fail(
      `the proof is for workflow ${proof.workflowId}, but this activity runs in workflow ${context.workflowId}`,
    );
  }
  if (context.require === 'approved' && proof.outcome !== 'approved') {
    throw notApproved(context, `the gate's outcome was ${proof.outcome}, not approved (workflow ${proof.workflowId})`);
  }
  const eligible = checkDirectoryAndEvidence(proof, context);
  if (eligible.problem !== undefined) throw fail(eligible.problem);
  const start = startProblem(proof, context.directory);
  if (start.problem !== undefined) throw fail(start.problem);
  const counted = tallyDecisions({
    proof,
    directory: context.directory,
    eligible: eligible.resolution,
    now: (context.now ?? new Date()).getTime(),
  });
  if ('problem' in counted) throw fail(counted.problem);
  const problem = outcomeProblem(proof, counted.tally, start.signer);
  if (problem !== undefined) throw fail(problem);
  const { tally } = counted;
  return {
    outcome: proof.outcome,
    workflowId: proof.workflowId,
    gateNonce: proof.gateNonce,
    evidenceDigest: proof.evidence.digest,
    directoryDigest: context.directory.digest,
    startedBy: start.signer,
    approvers: [...tally.approvers],
    rejecters: [...tally.rejecters],
    ...(tally.timedOut ? { policyDecision: 'timeout' } : tally.autoApproved ? { policyDecision: 'auto-approve' } : {}),
  };
}

/**
 * What the acting activities call before they write anything: refuses a missing proof (`SlipwayNotApproved`),
 * a worker without a directory of people (`SlipwayDirectoryNotConfigured`), then reads the directory through the
 * worker's own source and verifies the proof against it ({@link verifyApprovalProof}), bound to the workflow of the
 * current activity (when it runs as one).
 */
export async function verifyProofWhereItActs(
  proof: ApprovalProof | undefined,
  directory: DirectorySource | undefined,
  context: Omit<ProofContext, 'directory'>,
): Promise<VerifiedApproval> {
  if (proof === undefined) {
    throw notApproved(
      context,
      'no approval proof came with the request: only a version approved at a gate, with its signed decisions, may be acted on',
    );
  }
  if (directory === undefined) {
    throw finalFailure(
      SlipwayErrorType.DirectoryNotConfigured,
      `${refusing(context)}: no directory of people is configured on this worker, so the approval cannot be verified ` +
        '(set `directory` in slipway.config.json, or SLIPWAY_DIRECTORY, to the signed directory of people)',
      { model: context.version.name, version: context.version.version },
    );
  }
  const workflowId = context.workflowId ?? currentStepIdentity()?.workflowId;
  return verifyApprovalProof(proof, { ...context, workflowId, directory: await directory.read() });
}

function checkDirectoryAndEvidence(
  proof: ApprovalProof,
  context: ProofContext,
): { problem: string; resolution?: never } | { problem?: undefined; resolution: ApproverResolution } {
  const { directory } = context;
  if (proof.directoryDigest !== directory.digest) {
    const named = proof.directoryDigest === null ? 'no directory' : `directory ${proof.directoryDigest}`;
    return {
      problem:
        `the gate resolved its approvers from ${named}, but the directory this worker reads (${directory.location}) ` +
        `has digest ${directory.digest}: the proof was not made with this worker's directory, or the directory changed since`,
    };
  }
  const digest = evidenceDigest(proof.evidence);
  if (digest !== proof.evidence.digest) {
    return {
      problem: `the evidence hashes to ${digest}, but the proof names ${proof.evidence.digest}: the evidence was altered`,
    };
  }
  const mismatch = context.registered ? candidateEvidenceMismatch(proof.evidence, context.registered) : undefined;
  if (mismatch !== undefined) {
    return { problem: `the evidence's ${mismatch} is not what the registry records for this version` };
  }
  const people = { people: directory.directory.people, digest: directory.digest };
  return { resolution: resolveApprovers(proof.policy, people) };
}

function startProblem(
  proof: ApprovalProof,
  directory: LoadedDirectory,
): { problem: string; signer?: never } | { problem?: undefined; signer: string } {
  const { start } = proof;
  if (start === null) return { problem: 'the run was started unsigned: who started it cannot be verified' };
  const key = directoryKeyOf(directory.directory, start.signer);
  if (key === undefined) {
    return {
      problem: `the run's start is signed by ${start.signer}, who has no public key in the directory ${directory.location}`,
    };
  }
  const signedFor = signedWorkflowId(proof);
  if (signedFor === undefined) {
    return {
      problem: `the run's start is the model guardian's, but the run ${proof.workflowId} is not a guardian's retrain (retrain:<model>)`,
    };
  }
  const problem = startSignatureProblem(start, signedFor, key);
  if (problem !== undefined) return { problem: `the run's signed start does not verify: ${problem}` };
  const policy = signedPolicyProblem(proof, start);
  if (policy !== undefined) return { problem: policy };
  return { signer: start.signer };
}

/**
 * The workflow id the proof's start was signed for: the run's own, or for a retrain (`retrain:<m>`) started by
 * its model guardian, the guardian's (`guardian:<m>`), whose signed start it carries; undefined when a guardian's
 * start comes with a run that is no retrain.
 */
function signedWorkflowId(proof: ApprovalProof): string | undefined {
  if (proof.start?.pipeline !== GUARDIAN_PIPELINE) return proof.workflowId;
  return guardianOfRetrain(proof.workflowId);
}

/**
 * The proof's policy must be the one its starter signed (not one the workflow chose). A start that signed its
 * policy's digest (`policyDigest`) comes with that policy (`signedPolicy`), which must hash to it; an older one
 * with the whole signed input (`startInput`), which must hash to the signed `inputDigest`.
 */
function signedPolicyProblem(proof: ApprovalProof, start: NonNullable<ApprovalProof['start']>): string | undefined {
  const signed =
    start.policyDigest === undefined
      ? policyOfSignedInput(proof, start)
      : policyOfSignedDigest(proof, start.policyDigest);
  if ('problem' in signed) return signed.problem;
  // A guardian's signed input always carries the retrain's policy: one missing is a problem, not a pass.
  if (signed.value === undefined && start.pipeline !== GUARDIAN_PIPELINE) return undefined;
  const policy = ApprovalPolicy.safeParse(signed.value);
  if (!policy.success || canonicalJson(policy.data) !== canonicalJson(proof.policy)) {
    return "the proof's policy is not the approval policy of the run's signed input";
  }
  return undefined;
}

/** The policy the proof carries (`signedPolicy`), when it hashes to the signed start's `policyDigest`. */
function policyOfSignedDigest(proof: ApprovalProof, signedDigest: string): { problem: string } | { value: unknown } {
  if (proof.signedPolicy === undefined) {
    return {
      problem:
        "the run's signed start covers its approval policy, but the proof carries no signedPolicy, so its policy cannot be checked against it",
    };
  }
  const digest = approvalPolicyDigest(proof.signedPolicy);
  if (digest !== signedDigest) {
    return {
      problem: `the proof's signed policy hashes to ${digest}, but the signed start covers ${signedDigest}: the policy was altered`,
    };
  }
  return { value: proof.signedPolicy ?? undefined };
}

/** The policy in the run's input the proof carries (`startInput`), when it hashes to the signed `inputDigest`. */
function policyOfSignedInput(
  proof: ApprovalProof,
  start: NonNullable<ApprovalProof['start']>,
): { problem: string } | { value: unknown } {
  const input = proof.startInput;
  if (input === undefined) {
    return {
      problem: "the proof carries no run input, so its policy cannot be checked against the run's signed start",
    };
  }
  const digest = startInputDigest(input);
  if (digest !== start.inputDigest) {
    return {
      problem: `the run's input in the proof hashes to ${digest}, but its signed start covers ${start.inputDigest}: the input was altered`,
    };
  }
  return { value: signedApprovalOf(start.pipeline, input) };
}

function outcomeProblem(proof: ApprovalProof, tally: DecisionTally, startedBy: string): string | undefined {
  const { policy } = proof;
  if (!policy.allowSelfApproval && tally.approvers.has(startedBy)) {
    return `${startedBy} started this run (verified signed start) and approved it, which the policy does not allow`;
  }
  if (proof.outcome === 'rejected' && tally.rejecters.size === 0) {
    return 'the outcome is rejected, but no verified rejection is in the proof';
  }
  if (proof.outcome !== 'approved') return undefined;
  if (tally.rejecters.size > 0) {
    return `the outcome is approved, but ${[...tally.rejecters].join(', ')} rejected (a rejection closes the gate)`;
  }
  // As the gate counts: the policy's auto-approval is one approval; approving on timeout closes the gate.
  const approvals = tally.approvers.size + (tally.autoApproved ? 1 : 0);
  if (tally.timedOut || approvals >= policy.quorum) return undefined;
  const who = tally.approvers.size === 0 ? 'nobody' : [...tally.approvers].join(', ');
  return `the outcome is approved, but only ${approvals} of the ${policy.quorum} distinct approvals the policy needs verified (approved by ${who})`;
}

function refusing(context: Pick<ProofContext, 'version' | 'action'>): string {
  const { name, version } = context.version;
  return `Refusing to ${context.action ?? 'act on'} model "${name}" version ${version}`;
}

function proofFailure(context: Pick<ProofContext, 'version' | 'action'>, problem: string): ApplicationFailure {
  return finalFailure(
    SlipwayErrorType.InvalidApprovalProof,
    `${refusing(context)}: its approval does not verify: ${problem}`,
    {
      model: context.version.name,
      version: context.version.version,
      problem,
    },
  );
}

function notApproved(context: Pick<ProofContext, 'version' | 'action'>, reason: string): ApplicationFailure {
  return finalFailure(SlipwayErrorType.NotApproved, `${refusing(context)}: it is not approved: ${reason}`, {
    model: context.version.name,
    version: context.version.version,
    reason,
  });
}
