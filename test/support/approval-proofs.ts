/**
 * Approval proofs for tests, signed for real as a gate and its approvers would make them: a signed run start,
 * decisions signed by people's keys over the gate's nonce, the workflow id and the evidence digest, and the
 * policy, evidence and directory digest a gate records.
 */
import { randomUUID } from 'node:crypto';
import {
  ApprovalPolicy,
  SigningDomain,
  approvalPolicyDigest,
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

/**
 * A run's signed start, as a proof carries it, signed by `signer` (or with `signWith`'s key); with `policyDigest`,
 * signed over it too (as clients sign starts now), without it as starts were signed before.
 */
export function signedStart(
  people: TestPeople,
  signer: string,
  workflowId: string,
  options: { signWith?: string; at?: string; pipeline?: string; inputDigest?: string; policyDigest?: string } = {},
): NonNullable<ApprovalProof['start']> {
  const key = people.keys[options.signWith ?? signer];
  if (!key) throw new Error(`no test key for ${options.signWith ?? signer}`);
  const at = options.at ?? new Date().toISOString();
  const pipeline = options.pipeline ?? TEST_PIPELINE;
  const inputDigest = options.inputDigest ?? TEST_INPUT_DIGEST;
  const { policyDigest } = options;
  const signed = policyDigest === undefined ? {} : { policyDigest };
  const payload = { signer, pipeline, workflowId, inputDigest, ...signed, at };
  return {
    signer,
    pipeline,
    inputDigest,
    ...signed,
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
  /**
   * Set: a proof as made for a start signed before policy digests, carrying the run's input the start is signed
   * over (its digest). Unset (the default): the start signs the digest of `signedPolicy` and the proof carries it.
   */
  startInput?: Record<string, unknown>;
  /** The approval policy the start signs and the proof carries (`null`: none); default the proof's `policy`. */
  signedPolicy?: unknown;
  /** The pipeline the start is signed for (default {@link TEST_PIPELINE}), and the workflow id (default the run's). */
  signedFor?: { pipeline: string; workflowId: string };
}

/** A proof of a gate's outcome with real signatures, as the workflow hands it to the acting activities. */
export function approvalProof(options: TestProofOptions): ApprovalProof {
  const policy = ApprovalPolicy.parse(options.policy ?? { approverGroups: ['ml-leads'] });
  const gateNonce = options.gateNonce ?? randomUUID();
  const gate: TestGate = { workflowId: options.workflowId, gateNonce, evidenceDigest: options.evidence.digest };
  const opened = options.openedAt ?? new Date(Date.now() - 60_000);
  const decisions =
    options.decisions?.(gate) ??
    (options.approvers ?? ['maria']).map((name) => signedDecision(options.people, name, gate));
  return {
    workflowId: options.workflowId,
    gateNonce,
    policy,
    evidence: options.evidence,
    directoryDigest: directoryDigest(options.people.directory),
    ...signedInputOf(options, policy),
    outcome: options.outcome ?? 'approved',
    decisions,
    openedAt: opened.toISOString(),
    deadline: new Date(opened.getTime() + durationMs(policy.timeout)).toISOString(),
  };
}

/** The proof's signed start and what it carries of the signed input: its policy, or (`startInput` given) all of it. */
function signedInputOf(
  options: TestProofOptions,
  policy: ApprovalPolicy,
): Pick<ApprovalProof, 'start' | 'startInput' | 'signedPolicy'> {
  const signer = options.startedBy ?? 'ci-bot';
  const signedFor = options.signedFor ?? { pipeline: TEST_PIPELINE, workflowId: options.workflowId };
  const at = { pipeline: signedFor.pipeline };
  if (options.startInput !== undefined) {
    const inputDigest = startInputDigest(options.startInput);
    const start = signedStart(options.people, signer, signedFor.workflowId, { ...at, inputDigest });
    return { start, startInput: options.startInput };
  }
  const signedPolicy = options.signedPolicy === undefined ? policy : options.signedPolicy;
  const policyDigest = approvalPolicyDigest(signedPolicy);
  const start = signedStart(options.people, signer, signedFor.workflowId, { ...at, policyDigest });
  return { start, signedPolicy };
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
