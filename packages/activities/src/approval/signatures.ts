/**
 * Checking the signatures an approval rests on, outside the workflow: a gate decision's (rebuilt as the
 * `DecisionPayload` its approver signed, or the `ServiceDecisionPayload` of a service the directory trusts for them) and a run start's (the `StartPayload` its starter signed), each against
 * the public key the directory of people gives the signer. Used where an approval acts (`verifyApprovalProof`)
 * and by the audit check of approval lines (`checkDecisionSignatures`).
 */
import {
  DecisionPayload,
  ServiceDecisionPayload,
  SigningDomain,
  decisionPayload,
  serviceDecisionPayload,
  trustedServiceKey,
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
 * The key a decision must verify with, from the directory: the approver's own, or for a decision a service signed
 * for them (`signedBy`) that service's, only when the directory trusts it to sign for the approver. Otherwise why
 * not (naming the directory at `location`).
 */
export function decisionKeyOf(
  directory: PeopleDirectory,
  decision: Pick<GateDecision, 'approver' | 'signedBy'>,
  location: string,
): { publicKey: string } | { problem: string } {
  const { approver, signedBy } = decision;
  if (signedBy !== undefined) {
    const groups = Object.hasOwn(directory.people, approver) ? (directory.people[approver]?.groups ?? []) : [];
    const trusted = trustedServiceKey(directory.services, signedBy, approver, groups);
    return 'problem' in trusted ? { problem: `${trusted.problem} (directory ${location})` } : trusted;
  }
  const key = directoryKeyOf(directory, approver);
  if (key === undefined) return { problem: `${approver} has no public key in the directory ${location}` };
  return { publicKey: key };
}

/**
 * Why a person's decision does not verify against `publicKey`, or undefined when it does: it carries no signature
 * or no signed time, the payload rebuilt from it and the gate is not a valid `DecisionPayload` (naming the field),
 * or the signature does not verify. A decision with `signedBy` is rebuilt as the `ServiceDecisionPayload` that
 * service signed, and `publicKey` must be the service's (see {@link decisionKeyOf}).
 */
export function decisionSignatureProblem(
  decision: Pick<GateDecision, 'decision' | 'approver' | 'comment' | 'signedAt' | 'signature' | 'signedBy'>,
  gate: GateBinding,
  publicKey: string,
): string | undefined {
  if (decision.signature === undefined) return 'it carries no signature';
  if (decision.signedAt === undefined) return 'it carries no signed time (signedAt)';
  const binding = { workflowId: gate.workflowId, nonce: gate.gateNonce, evidenceDigest: gate.evidenceDigest };
  const request = { ...decision, at: decision.signedAt };
  const service = decision.signedBy;
  const payload =
    service === undefined
      ? DecisionPayload.safeParse(decisionPayload(binding, request))
      : ServiceDecisionPayload.safeParse(serviceDecisionPayload(binding, request, service));
  if (!payload.success) return `what it signs is not a valid decision: ${describeIssues(payload.error)}`;
  const domain = service === undefined ? SigningDomain.decision : SigningDomain.serviceDecision;
  if (!verifyPayload(domain, publicKey, payload.data, decision.signature)) {
    const whose =
      service === undefined ? `${decision.approver}'s public key` : `the public key of the service ${service}`;
    return `its signature does not verify with ${whose} in the directory (forged, altered, signed by another signer than it names, or signed for another gate, run or evidence)`;
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
