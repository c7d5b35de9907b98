/**
 * What Slipway signs, in one place: a gate decision, a run start, a directory of people. Each is a zod schema of
 * its payload; the signed message is the payload's domain, a newline and the payload's canonical JSON, so a
 * signature made for one kind of payload never verifies as another.
 */
import { z } from 'zod';
import { Digest } from '../schemas/artifact.js';
import { canonicalJson, digestOfValue } from './canonical.js';
import { utf8Bytes } from './encoding.js';
import { PublicKey, Signature, signBytes, verifyBytes } from './keys.js';

/** The domain of each kind of signed payload; part of the signed message. */
export const SigningDomain = {
  decision: 'slipway.decision.v1',
  serviceDecision: 'slipway.service-decision.v1',
  start: 'slipway.start.v1',
  directory: 'slipway.directory.v1',
  rolloutCommand: 'slipway.rollout-command.v1',
  deployCommand: 'slipway.deploy-command.v1',
  scheduledStart: 'slipway.scheduled-start.v1',
  guardianCommand: 'slipway.guardian-command.v1',
} as const;
/** The domain of a kind of signed payload. */
export type SigningDomain = (typeof SigningDomain)[keyof typeof SigningDomain];

/** An ISO 8601 UTC time, as every signed payload writes times. */
export const IsoTime = z.iso.datetime({
  offset: false,
  message: 'expected an ISO 8601 UTC time, e.g. 2026-12-02T10:00:00.000Z',
});

/**
 * A gate decision as signed: bound to one gate (`gateNonce`, published when the gate opens, and the workflow
 * id), to the evidence the approver saw, and to the moment it was made. `comment` is `''` when there is none.
 */
export const DecisionPayload = z.strictObject({
  workflowId: z.string().min(1),
  gateNonce: z.string().min(16),
  evidenceDigest: Digest,
  decision: z.enum(['approve', 'reject']),
  approver: z.string().min(1),
  comment: z.string().max(2000),
  at: IsoTime,
});
/** A gate decision as signed. */
export type DecisionPayload = z.infer<typeof DecisionPayload>;

/**
 * A gate decision as a trusted service signs it for the person it authenticated (the approvals page): the
 * decision's payload and the service's name, under its own domain, so a service signature never passes as the
 * person's own and names which service vouched for them.
 */
export const ServiceDecisionPayload = DecisionPayload.extend({ service: z.string().min(1) });
/** A gate decision as a service signs it. */
export type ServiceDecisionPayload = z.infer<typeof ServiceDecisionPayload>;

/**
 * A rollout command as signed: bound to one rollout (its workflow id and the nonce it published when it started),
 * to the command and its reason, and to the moment it was made.
 */
export const RolloutCommandPayload = z.strictObject({
  workflowId: z.string().min(1),
  rolloutNonce: z.string().min(16),
  command: z.enum(['pause', 'resume', 'promote', 'abort']),
  operator: z.string().min(1),
  reason: z.string().max(2000),
  at: IsoTime,
});
/** A rollout command as signed. */
export type RolloutCommandPayload = z.infer<typeof RolloutCommandPayload>;

/**
 * An operator's command to a run whose deploy failed after its approval (retry the deploy, or abort the run), as
 * signed: bound to one wait of one run (its workflow id and the nonce it published when it began waiting), to the
 * command and its reason, and to the moment it was made.
 */
export const DeployCommandPayload = z.strictObject({
  workflowId: z.string().min(1),
  deployNonce: z.string().min(16),
  command: z.enum(['retry', 'abort']),
  operator: z.string().min(1),
  reason: z.string().max(2000),
  at: IsoTime,
});
/** A deploy command as signed. */
export type DeployCommandPayload = z.infer<typeof DeployCommandPayload>;

/**
 * An operator's command to a model guardian (pause, resume, stop), as signed: bound to one guardian (its workflow id
 * and the nonce it published when it first started), to the command and its reason, and to the moment it was made.
 */
export const GuardianCommandPayload = z.strictObject({
  workflowId: z.string().min(1),
  guardianNonce: z.string().min(16),
  command: z.enum(['pause', 'resume', 'stop']),
  operator: z.string().min(1),
  reason: z.string().max(2000),
  at: IsoTime,
});
/** A guardian command as signed. */
export type GuardianCommandPayload = z.infer<typeof GuardianCommandPayload>;

/**
 * A run start as signed: who starts which pipeline under which workflow id, with which input (the digest of
 * the input's canonical JSON without its `start` field, see {@link startInputDigest}), with which approval policy
 * (`policyDigest`, see `approvalPolicyDigest`; absent from starts signed before it was), and when.
 */
export const StartPayload = z.strictObject({
  signer: z.string().min(1),
  pipeline: z.string().min(1),
  workflowId: z.string().min(1),
  inputDigest: Digest,
  /**
   * The digest of the run's approval policy as signed (`approvalPolicyDigest(signedApprovalOf(pipeline, input))`),
   * so an approval proof can carry that policy alone instead of the whole input. Absent from older starts.
   */
  policyDigest: Digest.optional(),
  at: IsoTime,
});
/** A run start as signed. */
export type StartPayload = z.infer<typeof StartPayload>;

/**
 * The payload a start signature covers, rebuilt from the signed start and the run it starts: the one place that
 * says which fields a start signature binds (the client signs it, the workflow and the activities verify it).
 */
export function startPayload(
  start: { signer: string; at: string; policyDigest?: string | undefined },
  run: { pipeline: string; workflowId: string; inputDigest: string },
): StartPayload {
  return {
    signer: start.signer,
    pipeline: run.pipeline,
    workflowId: run.workflowId,
    inputDigest: run.inputDigest,
    // Only when signed: a start signed without it keeps verifying byte for byte.
    ...(start.policyDigest === undefined ? {} : { policyDigest: start.policyDigest }),
    at: start.at,
  };
}

/** How far a signer's clock may run ahead of the verifier's, or behind when a gate opened or a run started. */
export const SIGNING_CLOCK_SKEW_MS = 5 * 60_000;

/** A directory of people as signed by an administrator: the digest of its canonical content. */
export const DirectoryPayload = z.strictObject({ directoryDigest: Digest });
/** A directory of people as signed. */
export type DirectoryPayload = z.infer<typeof DirectoryPayload>;

/**
 * The signature a run's input carries in its `start` field: who signed, when, the digest of the approval policy
 * signed with the input (`policyDigest`, absent from starts signed before it was), and the signature. Strict: a
 * worker older than a field refuses a start that carries it, so workers are upgraded before clients.
 */
export const SignedStart = z.strictObject({
  signer: z.string().min(1),
  at: IsoTime,
  /** The run's approval policy as signed: see `StartPayload.policyDigest`. */
  policyDigest: Digest.optional(),
  signature: Signature,
});
/** The signed start a run's input carries. */
export type SignedStart = z.infer<typeof SignedStart>;

/** The administrator's signature a directory file carries in its `signature` field. */
export const DirectorySignature = z.strictObject({ publicKey: PublicKey, signature: Signature });
/** The administrator's signature of a directory. */
export type DirectorySignature = z.infer<typeof DirectorySignature>;

/** The exact bytes signed for a payload: `<domain>\n<canonical JSON>`. */
export function signingMessage(domain: SigningDomain, payload: unknown): Uint8Array {
  return utf8Bytes(`${domain}\n${canonicalJson(payload)}`);
}

/** Signs a payload of a domain with a private key (base64url seed). */
export function signPayload(domain: SigningDomain, privateKey: string, payload: unknown): Signature {
  return signBytes(privateKey, signingMessage(domain, payload));
}

/** True when `signature` is `publicKey`'s signature of the payload in that domain; never throws. */
export function verifyPayload(domain: SigningDomain, publicKey: string, payload: unknown, signature: string): boolean {
  return verifyBytes(publicKey, signingMessage(domain, payload), signature);
}

/**
 * The digest a start signature covers: the input's canonical JSON without its `start` and `scheduled` fields (the
 * signatures themselves), so a direct start and a schedule's start of the same input cover the same digest.
 */
export function startInputDigest(input: Record<string, unknown>): `sha256:${string}` {
  const { start: _start, scheduled: _scheduled, ...rest } = input;
  return digestOfValue(rest);
}
