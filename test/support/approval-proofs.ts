/**
 * Approval proofs for tests, signed for real as a gate and its approvers would make them: a signed run start,
 * decisions signed by people's keys over the gate's nonce, the workflow id and the evidence digest, and the
 * policy, evidence and directory digest a gate records.
 */
import { randomUUID } from 'node:crypto';
import {
  ApprovalPolicy,
  SigningDomain,
  directoryDigest,
  durationMs,
  signPayload,
  startInputDigest,
  type ApprovalPolicyInput,
  type ApprovalProof,
  type EvidencePacket,
  type GateDecision,
} from '@slipway/sdk';
import { createEvidenceActivity } from '../../packages/activities/src/steps/evidence.js';
import type { ModelRegistry } from '../../packages/activities/src/ports.js';
import type { TestPeople } from './people.js';

/** The pipeline name test starts are signed for. */
export const TEST_PIPELINE = 'slipway.trainAndPromote';
/** The input digest test starts are signed over. */
export const TEST_INPUT_DIGEST = `sha256:${'1'.repeat(64)}` as const;

/** What a decision is bound to: the gate (workflow id, nonce) and the evidence its approver saw. */
export interface TestGate {
  workflowId: string;
  gateNonce: string;
  evidenceDigest: string;
}

/**
 * A person's decision, signed with their key from `people` (or with `signWith`'s key, to forge one). With
 * `asService`, signed as that service signs for the person (the `ServiceDecisionPayload`, the service's key unless
 * `signWith`), recorded with `signedBy` = the service unless `signedBy` says otherwise (`null`: left out).
 */
export function signedDecision(
  people: TestPeople,
  approver: string,
  gate: TestGate,
  options: {
    decision?: 'approve' | 'reject';
    comment?: string;
    at?: string;
    signWith?: string;
    via?: 'update' | 'signal';
    asService?: string;
    signedBy?: string | null;
  } = {},
): GateDecision {
  const decision = options.decision ?? 'approve';
  const at = options.at ?? new Date().toISOString();
  const signer = options.signWith ?? options.asService ?? approver;
  const key = people.keys[signer];
  if (!key) throw new Error(`no test key for ${signer}`);
  const payload = { ...gate, decision, approver, comment: options.comment ?? '', at };
  const signature =
    options.asService === undefined
      ? signPayload(SigningDomain.decision, key.privateKey, payload)
      : signPayload(SigningDomain.serviceDecision, key.privateKey, { ...payload, service: options.asService });
  const signedBy = options.signedBy === undefined ? options.asService : (options.signedBy ?? undefined);
  return {
    decision,
    approver,
    ...(options.comment === undefined ? {} : { comment: options.comment }),
    at,
    via: options.via ?? 'update',
    signedAt: at,
    signature,
    ...(signedBy === undefined ? {} : { signedBy }),
  };
}

/** A run's signed start, as a proof carries it, signed by `signer` (or with `signWith`'s key). */
export function signedStart(
  people: TestPeople,
  signer: string,
  workflowId: string,
  options: { signWith?: string; at?: string; pipeline?: string; inputDigest?: string } = {},
): NonNullable<ApprovalProof['start']> {
  const key = people.keys[options.signWith ?? signer];
  if (!key) throw new Error(`no test key for ${options.signWith ?? signer}`);
  const at = options.at ?? new Date().toISOString();
  const pipeline = options.pipeline ?? TEST_PIPELINE;
  const inputDigest = options.inputDigest ?? TEST_INPUT_DIGEST;
  const payload = { signer, pipeline, workflowId, inputDigest, at };
  return {
    signer,
    pipeline,
    inputDigest,
    at,
    signature: signPayload(SigningDomain.start, key.privateKey, payload),
  };
}

/** What {@link approvalProof} builds a proof from; everything but `people`, `workflowId` and `evidence` has a default. */
export interface TestProofOptions {
  people: TestPeople;
  workflowId: string;
  evidence: EvidencePacket;
  /** Default: the `ml-leads` group decides, quorum 1. */
  policy?: ApprovalPolicyInput;
  /** Who started the run (signed with their key); default `ci-bot`. */
  startedBy?: string;
  /** Who approved (each signed with their own key); default `maria`. Ignored when `decisions` is given. */
  approvers?: string[];
  /** The decisions, made with the proof's gate (see {@link TestGate}); default: one approval per approver. */
  decisions?: (gate: TestGate) => GateDecision[];
  outcome?: ApprovalProof['outcome'];
  /** When the gate opened; default one minute ago. */
  openedAt?: Date;
  gateNonce?: string;
  /** The run's input the start is signed over (its digest), carried by the proof; default `{ approval: policy }`. */
  startInput?: Record<string, unknown>;
}

/** A proof of a gate's outcome with real signatures, as the workflow hands it to the acting activities. */
export function approvalProof(options: TestProofOptions): ApprovalProof {
  const policy = ApprovalPolicy.parse(options.policy ?? { approverGroups: ['ml-leads'] });
  const gateNonce = options.gateNonce ?? randomUUID();
  const gate: TestGate = { workflowId: options.workflowId, gateNonce, evidenceDigest: options.evidence.digest };
  const opened = options.openedAt ?? new Date(Date.now() - 60_000);
  const startInput = options.startInput ?? { approval: policy };
  const decisions =
    options.decisions?.(gate) ??
    (options.approvers ?? ['maria']).map((name) => signedDecision(options.people, name, gate));
  return {
    workflowId: options.workflowId,
    gateNonce,
    policy,
    evidence: options.evidence,
    directoryDigest: directoryDigest(options.people.directory),
    start: signedStart(options.people, options.startedBy ?? 'ci-bot', options.workflowId, {
      inputDigest: startInputDigest(startInput),
    }),
    startInput,
    outcome: options.outcome ?? 'approved',
    decisions,
    openedAt: opened.toISOString(),
    deadline: new Date(opened.getTime() + durationMs(policy.timeout)).toISOString(),
  };
}

/**
 * A proof for a registered version, its evidence made by the real evidence step from `registry` (the candidate
 * against the version `alias` names): what a gate in workflow `workflowId` would hand the acting activities.
 */
export async function registeredVersionProof(
  registry: ModelRegistry,
  version: { name: string; version: number; digest: string },
  options: Omit<TestProofOptions, 'evidence'> & { alias?: string },
): Promise<ApprovalProof> {
  const evidence = await createEvidenceActivity({ registry })({
    candidate: version,
    alias: options.alias ?? 'champion',
  });
  return approvalProof({ ...options, evidence });
}

/**
 * `input` with an approval proof for its version made in workflow `workflowId` (approved by maria, started by
 * ci-bot), unless it has one already or its version is not registered (the activity must fail before it looks).
 */
export async function withApproval<
  I extends { version: { name: string; version: number; digest: string }; proof?: unknown },
>(registry: ModelRegistry, people: TestPeople, workflowId: string, input: I): Promise<I> {
  if (input.proof !== undefined) return input;
  if ((await registry.getVersion(input.version.name, input.version.version)) === undefined) return input;
  const proof = await registeredVersionProof(registry, input.version, { people, workflowId });
  return { ...input, proof };
}
