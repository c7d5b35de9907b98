/**
 * The rules for a signed gate decision, pure so the gate applies them in workflow code and tests call them
 * directly: the decision must carry a signature by the approver's key from the directory, over a payload bound
 * to this gate (its nonce and the workflow id), the evidence and the decision, made within the gate's window.
 */
import { GateRefusal } from './errors.js';
import type { Refusal } from './gate-rules.js';
import type { GateDecisionRequest, GateState } from './schemas/approval.js';
import type { ResolvedApprover } from './schemas/directory.js';
import {
  SIGNING_CLOCK_SKEW_MS,
  SigningDomain,
  verifyPayload,
  type DecisionPayload,
  type ServiceDecisionPayload,
} from './signing/payloads.js';

/** How old a signature may be when the gate receives it: a signed decision is not a standing order. */
export const DECISION_MAX_AGE_MS = 15 * 60_000;

/** The payload a decision's signature covers, rebuilt from the request and the gate it was sent to. */
export function decisionPayload(
  gate: { workflowId: string; nonce: string; evidenceDigest: string },
  request: Pick<GateDecisionRequest, 'decision' | 'approver' | 'comment'> & { at: string },
): DecisionPayload {
  return {
    workflowId: gate.workflowId,
    gateNonce: gate.nonce,
    evidenceDigest: gate.evidenceDigest,
    decision: request.decision,
    approver: request.approver,
    comment: request.comment ?? '',
    at: request.at,
  };
}

/** The payload a service's signature of a decision covers: the decision's payload and the service's name. */
export function serviceDecisionPayload(
  gate: { workflowId: string; nonce: string; evidenceDigest: string },
  request: Pick<GateDecisionRequest, 'decision' | 'approver' | 'comment'> & { at: string },
  service: string,
): ServiceDecisionPayload {
  return { ...decisionPayload(gate, request), service };
}

/**
 * Why a decision's signature is refused at a gate, or undefined when it verifies. `nowMs` is the workflow's
 * time; `publicKey` the approver's key as the gate resolved it from the directory (undefined when they have none);
 * `delegates` the services the directory trusts to sign for the approver, as the gate resolved them. A decision
 * with `signedBy` verifies only with that delegate's key, over the `ServiceDecisionPayload`; one without, only with
 * the approver's own key.
 */
export function decisionSignatureRefusal(
  gate: Pick<GateState, 'nonce' | 'openedAt' | 'evidence'> & { workflowId: string },
  request: GateDecisionRequest,
  publicKey: string | undefined,
  nowMs: number,
  delegates: ResolvedApprover['delegates'] = [],
): Refusal | undefined {
  const who = request.approver;
  if (gate.nonce === undefined) return undefined; // a gate opened before decisions were signed
  if (request.signature === undefined || request.at === undefined) {
    return refusal(
      GateRefusal.UnsignedDecision,
      `the decision by ${who} is not signed: this gate accepts only decisions signed with the approver's key (\`slipway approve\` and SlipwayClient sign them)`,
    );
  }
  if (request.signedBy !== undefined) {
    const signed = { ...request, signature: request.signature, at: request.at, signedBy: request.signedBy };
    return serviceSignatureRefusal(gate, signed, delegates, nowMs);
  }
  if (publicKey === undefined) {
    return refusal(
      GateRefusal.BadSignature,
      `${who} has no public key in the directory of people, so no decision of theirs can be verified: add it (\`slipway keys create --as ${who}\`, then the directory's administrator adds the key and signs the directory)`,
    );
  }
  const at = Date.parse(request.at);
  if (Number.isNaN(at)) return refusal(GateRefusal.InvalidDecision, `the decision's time ${request.at} is not a time`);
  const window = timeWindowProblem(at, Date.parse(gate.openedAt), nowMs);
  if (window) return refusal(GateRefusal.DecisionOutOfWindow, `the decision by ${who} was ${window}`);
  const payload = decisionPayload(
    { workflowId: gate.workflowId, nonce: gate.nonce, evidenceDigest: request.evidenceDigest },
    { ...request, at: request.at },
  );
  if (!verifyPayload(SigningDomain.decision, publicKey, payload, request.signature)) {
    return refusal(
      GateRefusal.BadSignature,
      `the signature of the decision by ${who} does not verify with ${who}'s key from the directory: it was made with another key, altered after signing, or made for another gate or run`,
    );
  }
  return undefined;
}

/** Why a decision a service signed for the approver (`signedBy`) is refused, or undefined when it verifies. */
function serviceSignatureRefusal(
  gate: Pick<GateState, 'nonce' | 'openedAt'> & { workflowId: string },
  request: GateDecisionRequest & { signature: string; at: string; signedBy: string },
  delegates: NonNullable<ResolvedApprover['delegates']>,
  nowMs: number,
): Refusal | undefined {
  const { approver: who, signedBy: service } = request;
  const delegate = delegates.find((d) => d.service === service);
  if (delegate === undefined) {
    const trusted = delegates.map((d) => d.service).join(', ') || 'none';
    return refusal(
      GateRefusal.BadSignature,
      `the decision by ${who} is signed by the service ${service}, but the directory of people the gate resolved does not trust ${service} to sign for ${who} (services trusted for ${who}: ${trusted})`,
    );
  }
  const at = Date.parse(request.at);
  if (Number.isNaN(at)) return refusal(GateRefusal.InvalidDecision, `the decision's time ${request.at} is not a time`);
  const window = timeWindowProblem(at, Date.parse(gate.openedAt), nowMs);
  if (window) return refusal(GateRefusal.DecisionOutOfWindow, `the decision by ${who} was ${window}`);
  const payload = serviceDecisionPayload(
    { workflowId: gate.workflowId, nonce: gate.nonce as string, evidenceDigest: request.evidenceDigest },
    { ...request, at: request.at },
    service,
  );
  if (!verifyPayload(SigningDomain.serviceDecision, delegate.publicKey, payload, request.signature)) {
    return refusal(
      GateRefusal.BadSignature,
      `the signature of the decision by ${who} does not verify with the key of the service ${service} from the directory: it was made with another key (a person's own signature does not carry signedBy), altered after signing, or made for another gate or run`,
    );
  }
  return undefined;
}

/**
 * Why a signature made at `at` is out of its window (before `openedMs`, in the future, or older than
 * {@link DECISION_MAX_AGE_MS}), or undefined when it is within it. Times in milliseconds; `before` says what
 * `openedMs` is, for the message.
 */
export function timeWindowProblem(
  at: number,
  openedMs: number,
  nowMs: number,
  before = 'this gate opened (a decision made for another gate)',
): string | undefined {
  if (at < openedMs - SIGNING_CLOCK_SKEW_MS) return `signed before ${before}`;
  if (at > nowMs + SIGNING_CLOCK_SKEW_MS) return 'signed with a time in the future (more than 5 minutes ahead)';
  if (at < nowMs - DECISION_MAX_AGE_MS) return 'signed more than 15 minutes before it reached the gate: sign it again';
  return undefined;
}

function refusal(type: GateRefusal, message: string): Refusal {
  return { type, message };
}
