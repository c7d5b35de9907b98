/**
 * Checking the signatures an approval rests on, outside the workflow: a gate decision's (rebuilt as the
 * `DecisionPayload` its approver signed) and a run start's (the `StartPayload` its starter signed), each against
 * the public key the directory of people gives the signer. Used where an approval acts (`verifyApprovalProof`)
 * and by the audit check of approval lines (`checkDecisionSignatures`).
 */
import {
  DecisionPayload,
  SigningDomain,
  decisionPayload,
  describeIssues,
  startSignatureMismatch,
  verifyPayload,
  type GateDecision,
  type StartFacts,
  type PeopleDirectory,
} from '@slipway/sdk';

/** What binds a decision to one gate: the workflow, the nonce the gate published, the evidence it showed. */
export interface GateBinding {
  workflowId: string;
  gateNonce: string;
  evidenceDigest: string;
}

/** A run's signed start, as an approval proof carries it (with its schedule when a schedule started the run). */
export type SignedStartFacts = StartFacts;

/** The public key the directory gives `name`, or undefined when it lists no such person or no key for them. */
export function directoryKeyOf(directory: PeopleDirectory, name: string): string | undefined {
  return Object.hasOwn(directory.people, name) ? directory.people[name]?.publicKey : undefined;
}

/**
 * Why a person's decision does not verify against `publicKey`, or undefined when it does: it carries no signature
 * or no signed time, the payload rebuilt from it and the gate is not a valid `DecisionPayload` (naming the field),
 * or the signature does not verify.
 */
export function decisionSignatureProblem(
  decision: Pick<GateDecision, 'decision' | 'approver' | 'comment' | 'signedAt' | 'signature'>,
  gate: GateBinding,
  publicKey: string,
): string | undefined {
  if (decision.signature === undefined) return 'it carries no signature';
  if (decision.signedAt === undefined) return 'it carries no signed time (signedAt)';
  const payload = DecisionPayload.safeParse(
    decisionPayload(
      { workflowId: gate.workflowId, nonce: gate.gateNonce, evidenceDigest: gate.evidenceDigest },
      { ...decision, at: decision.signedAt },
    ),
  );
  if (!payload.success) return `what it signs is not a valid decision: ${describeIssues(payload.error)}`;
  if (!verifyPayload(SigningDomain.decision, publicKey, payload.data, decision.signature)) {
    return `its signature does not verify with ${decision.approver}'s public key in the directory (forged, altered, or signed for another gate, run or evidence)`;
  }
  return undefined;
}

/**
 * Why a run's signed start does not verify against `publicKey` for `workflowId`, or undefined when it does: a
 * direct start is bound to the run's workflow id, a scheduled start to its schedule (whose runs only it names).
 */
export function startSignatureProblem(
  start: SignedStartFacts,
  workflowId: string,
  publicKey: string,
): string | undefined {
  return startSignatureMismatch(start, workflowId, publicKey);
}
