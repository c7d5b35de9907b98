import { z } from 'zod';
import {
  ArtifactRef,
  Digest,
  GateDecision,
  Lineage,
  Metrics,
  ModelName,
  RefusedDecision,
  parseOrFail,
} from '@slipway/sdk';
import { auditKeyId } from '../audit/audit-key.js';
import type { AuditKeyRecord, RecordApprovalInput, RecordDeploymentInput, RegisterVersionInput } from '../ports.js';

const IdempotencyKey = z.string().min(1);
const VersionNumber = z.number().int().positive();

const RegisterVersionInputSchema = z.object({
  name: ModelName,
  artifact: ArtifactRef,
  metrics: Metrics,
  lineage: Lineage,
  idempotencyKey: IdempotencyKey,
  trackingRunId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a run id')
    .optional(),
});

const RecordApprovalInputSchema = z.object({
  name: ModelName,
  version: VersionNumber,
  outcome: z.enum(['approved', 'rejected', 'expired']),
  decisions: z.array(GateDecision),
  evidenceDigest: Digest,
  workflowId: z.string().min(1),
  runId: z.string().min(1),
  idempotencyKey: IdempotencyKey,
  gateNonce: z.string().min(1).optional(),
  startedBy: z.string().min(1).optional(),
  refused: z.array(RefusedDecision).optional(),
  proof: z.strictObject({ uri: z.string().min(1), digest: Digest }).optional(),
});

const RecordDeploymentInputSchema = z.object({
  name: ModelName,
  version: VersionNumber,
  deploymentId: z.string().min(1),
  serverUrl: z.string().min(1),
  alias: z.string().min(1),
  previousVersion: VersionNumber.nullable(),
  status: z.enum(['deployed', 'failed', 'rolled_back', 'retired']),
  detail: z.string().optional(),
  idempotencyKey: IdempotencyKey,
});

/** Parses registry-operation input with `schema`; fails with a final `SlipwayInvalidInput` naming `operation` and every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, operation: string): z.output<S> {
  return parseOrFail(schema, value, `${operation} got invalid input`, { operation });
}

/** Validates `registerVersion` input (model name, artifact ref, metrics, lineage, key); fails with `SlipwayInvalidInput`. */
export function parseRegisterVersionInput(value: unknown): RegisterVersionInput {
  return parseInput(RegisterVersionInputSchema, value, 'registerVersion');
}

/** Validates `recordApproval` input; fails with `SlipwayInvalidInput` naming every bad field. */
export function parseRecordApprovalInput(value: unknown): RecordApprovalInput {
  return parseInput(RecordApprovalInputSchema, value, 'recordApproval');
}

/** Validates `recordDeployment` input; fails with `SlipwayInvalidInput` naming every bad field. */
export function parseRecordDeploymentInput(value: unknown): RecordDeploymentInput {
  return parseInput(RecordDeploymentInputSchema, value, 'recordDeployment');
}

const AuditHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 lowercase hex digits');

const AuditKeyInputSchema = z
  .object({
    logId: z.string().min(1).max(200),
    keyId: z.string().regex(/^ed25519:[0-9a-f]{16}$/, 'expected "ed25519:" and 16 lowercase hex digits'),
    publicKey: z.base64().min(1).max(200),
    legacyHead: z.object({ seq: VersionNumber, hash: AuditHash }).optional(),
  })
  .refine((key) => auditKeyId(key.publicKey) === key.keyId, {
    message: 'the key id is not the hash of the public key',
    path: ['keyId'],
  });

/**
 * Validates `registerAuditKey` input: the log id, a key id that is the public key's own hash (a caller cannot
 * file a key under another key's id), and the optional legacy head; fails with `SlipwayInvalidInput`.
 */
export function parseAuditKeyInput(value: unknown): Omit<AuditKeyRecord, 'registeredAt'> {
  return parseInput(AuditKeyInputSchema, value, 'registerAuditKey');
}
