/**
 * What the client signs: a run's start and a gate decision, each with a person's key. The payloads and the
 * signature format are the sdk's (`signing/`); the gate and the activities verify exactly these.
 */
import { decisionPayload, serviceDecisionPayload } from '../decision-signature.js';
import { operatorCommandDomain, operatorCommandPayload, type OperatorCommandKind } from '../operator-command.js';
import type { RolloutCommandRequest } from '../schemas/rollout-state.js';
import { loadPersonKey, type KeyLocation, type PersonKey } from '../keys/person-keys.js';
import type { GateDecisionRequest } from '../schemas/approval.js';
import { SigningDomain, signPayload, startInputDigest, startPayload, type SignedStart } from '../signing/payloads.js';
import { scheduledStartPayload, type SignedScheduledStart } from '../signing/scheduled-start.js';
import { approvalPolicyDigest, signedApprovalOf } from '../signing/signed-policy.js';
import { ClientErrorCode, SlipwayClientError } from './errors.js';

/** Finds the key a person signs with. */
export type KeyFinder = (name: string) => Promise<PersonKey>;

/** Loads a person's key file; a missing, unsafe or damaged file is a `KeyUnavailable` error saying what to do. */
export async function loadKey(name: string, location: KeyLocation | undefined): Promise<PersonKey> {
  try {
    return await loadPersonKey(name, location);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new SlipwayClientError(ClientErrorCode.KeyUnavailable, `cannot sign as ${name}: ${message}`, { cause: err });
  }
}

/**
 * The run input with its signed start: the signer's signature over the pipeline, the run id, the digest of the
 * input (as plain JSON, exactly what the workflow receives), the digest of its approval policy (`policyDigest`,
 * so an approval proof carries that policy alone) and the time. The input must be a JSON object.
 */
export async function signStart(
  start: { pipeline: string; runId: string; input: unknown; signer: string },
  keyOf: KeyFinder,
): Promise<Record<string, unknown>> {
  const plain = plainObjectInput(start.input);
  const key = await keyOf(start.signer);
  const at = new Date().toISOString();
  const policyDigest = approvalPolicyDigest(signedApprovalOf(start.pipeline, plain));
  const payload = startPayload(
    { signer: start.signer, at, policyDigest },
    { pipeline: start.pipeline, workflowId: start.runId, inputDigest: startInputDigest(plain) },
  );
  const signed: SignedStart = {
    signer: start.signer,
    at,
    policyDigest,
    signature: signPayload(SigningDomain.start, key.privateKey, payload),
  };
  return { ...plain, start: signed };
}

/**
 * A schedule's input with its signed scheduled start (`scheduled`): the creator's signature over the pipeline, the
 * schedule id, the digest of the input (as plain JSON, exactly what each run receives), the cron, the time and the
 * optional expiry. Every run the schedule starts carries it; the run verifies it against the signer's directory key.
 */
export async function signScheduledStart(
  schedule: {
    pipeline: string;
    scheduleId: string;
    cron: string;
    expiresAt?: string | undefined;
    input: unknown;
    signer: string;
  },
  keyOf: KeyFinder,
): Promise<Record<string, unknown>> {
  const plain = plainObjectInput(schedule.input);
  const key = await keyOf(schedule.signer);
  const unsigned = {
    signer: schedule.signer,
    scheduleId: schedule.scheduleId,
    cron: schedule.cron,
    at: new Date().toISOString(),
    ...(schedule.expiresAt === undefined ? {} : { expiresAt: schedule.expiresAt }),
  };
  const payload = scheduledStartPayload(unsigned, {
    pipeline: schedule.pipeline,
    inputDigest: startInputDigest(plain),
  });
  const scheduled: SignedScheduledStart = {
    ...unsigned,
    signature: signPayload(SigningDomain.scheduledStart, key.privateKey, payload),
  };
  return { ...plain, scheduled };
}

/** A run input as plain JSON without its signatures; `InvalidInput` when it is not a JSON object. */
function plainObjectInput(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SlipwayClientError(
      ClientErrorCode.InvalidInput,
      'a run input must be a JSON object (its start is signed)',
    );
  }
  const plain = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
  delete plain.start;
  delete plain.scheduled;
  return plain;
}

/** A decision request signed for one gate (its run id and nonce) with the approver's key. */
export async function signDecision(
  gate: { runId: string; nonce: string; request: GateDecisionRequest },
  keyOf: KeyFinder,
): Promise<GateDecisionRequest> {
  const { request } = gate;
  const key = await keyOf(request.approver);
  const at = new Date().toISOString();
  const payload = decisionPayload(
    { workflowId: gate.runId, nonce: gate.nonce, evidenceDigest: request.evidenceDigest },
    { ...request, at },
  );
  return { ...request, at, signature: signPayload(SigningDomain.decision, key.privateKey, payload) };
}

/**
 * A gate decision signed by a service the directory trusts to sign for the person it authenticated (the approvals
 * page), with the service's private key (base64url seed): the `ServiceDecisionPayload` of the decision and the
 * service's name, under the service-decision domain. The gate verifies it with the service's key from the
 * directory, and only for people the directory lets that service sign for.
 */
export function signServiceDecision(
  gate: { runId: string; nonce: string; request: GateDecisionRequest },
  service: { name: string; privateKey: string },
): GateDecisionRequest {
  const { request } = gate;
  const at = new Date().toISOString();
  const payload = serviceDecisionPayload(
    { workflowId: gate.runId, nonce: gate.nonce, evidenceDigest: request.evidenceDigest },
    { ...request, at },
    service.name,
  );
  const signature = signPayload(SigningDomain.serviceDecision, service.privateKey, payload);
  return { ...request, at, signature, signedBy: service.name };
}

/** A rollout command signed for one rollout (its workflow id and nonce) with the operator's key. */
export async function signRolloutCommand(
  rollout: { workflowId: string; nonce: string },
  request: Pick<RolloutCommandRequest, 'command' | 'operator' | 'reason'>,
  keyOf: KeyFinder,
): Promise<RolloutCommandRequest> {
  return signOperatorCommand({ kind: 'rollout', ...rollout }, request, keyOf);
}

/**
 * An operator's command (to a rollout, or to a run whose deploy failed) signed for one target (its workflow id and
 * the nonce it published) with the operator's key.
 */
export async function signOperatorCommand<R extends { command: string; operator: string; reason: string }>(
  target: { kind: OperatorCommandKind; workflowId: string; nonce: string },
  request: R,
  keyOf: KeyFinder,
): Promise<R & { at: string; signature: string }> {
  const key = await keyOf(request.operator);
  const at = new Date().toISOString();
  const payload = operatorCommandPayload(target, { ...request, at });
  return { ...request, at, signature: signPayload(operatorCommandDomain(target.kind), key.privateKey, payload) };
}
