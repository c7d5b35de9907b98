/**
 * The audit log's line format: one JSON object per line, hash-chained and signed. Each line is the canonical JSON
 * (keys sorted, no spaces) of an {@link AuditEntry}; its `hash` is the sha256 of the canonical JSON of the same
 * object without `hash` and `sig`, its `prev` is the previous line's `hash` ({@link GENESIS_HASH} for the first
 * line), and its `sig` is the Ed25519 signature, by the key `keyId`, of the `hash` string (UTF-8).
 *
 * Format 2 (`format: 2`) adds `log`, `keyId` and `sig` to format 1 (no `format` field, unsigned), which a
 * verifier accepts only for the lines a registered key adopted (see `AuditKeyRecord.legacyHead`).
 */
import { z } from 'zod';
import { canonicalJson, sha256Digest } from '../util/digest.js';
import type { AuditSigner } from './audit-key.js';

/** What an audit line records: a registry mutation, or a repair of the log itself. */
export const AuditKind = z.enum(['register', 'alias', 'approval', 'deployment', 'rollback', 'repair', 'guardian']);
/**
 * What an audit line records: `register`, `alias`, `approval`, `deployment`, `rollback`, `repair` (of the log), or
 * `guardian` (a model guardian's decision, which changes no registry state: see `createGuardRecordActivity`).
 */
export type AuditKind = z.infer<typeof AuditKind>;

/** The line format this code writes. */
export const AUDIT_FORMAT = 2;

const HASH = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 lowercase hex digits');

/** The `prev` of the first line: a fixed all-zero hash. */
export const GENESIS_HASH = `sha256:${'0'.repeat(64)}`;

const AuditEntryFields = z.object({
  /** The line format: 2 (absent in format 1). */
  format: z.literal(AUDIT_FORMAT).optional(),
  /** 1 for the first line, then consecutive: the line number. */
  seq: z.number().int().positive(),
  /** When the line was appended (ISO 8601, UTC). */
  at: z.string().min(1),
  kind: AuditKind,
  /** The model a mutation changed (every kind but `repair`). */
  model: z.string().min(1).optional(),
  /** The version a mutation changed (every kind but `repair`). */
  version: z.number().int().positive().optional(),
  /** Who made the change, when known: the approvers of an approval, the workflow or user otherwise. */
  actor: z.string().optional(),
  /** What changed, by kind (see `withAudit`). */
  data: z.record(z.string(), z.unknown()),
  /** The log's id (format 2): the same on every line of a log, the key under which the registry keeps its keys and head. */
  log: z.string().min(1).optional(),
  /** The key that signed the line (format 2), e.g. `ed25519:0123456789abcdef`. */
  keyId: z.string().min(1).optional(),
  /** The previous line's hash. */
  prev: HASH,
  /** sha256 of the canonical JSON of this line without `hash` and `sig`. */
  hash: HASH,
  /** The Ed25519 signature of `hash` (format 2), base64. */
  sig: z.string().min(1).optional(),
});

const modelKind = (entry: { kind: AuditKind }) => entry.kind !== 'repair';

/**
 * One audit log line. Fields a later format version may add are accepted (and covered by the hash), so an
 * older verifier still checks a newer log. A mutation's line names its model and version.
 */
export const AuditEntry = AuditEntryFields.loose().refine(
  (entry) =>
    !modelKind(entry) || (entry.model !== undefined && (entry.version !== undefined || entry.kind === 'guardian')),
  { message: 'a mutation line names its model and version (a guardian line its model)', path: ['model'] },
);
/** One audit log line: `{ format, seq, at, kind, model?, version?, actor?, data, log, keyId, prev, hash, sig }`. */
export type AuditEntry = z.infer<typeof AuditEntryFields>;

/** What an appender supplies; the log adds `format`, `seq`, `at`, `log`, `keyId`, `prev`, `hash` and `sig`. */
export interface AuditEntryInput {
  kind: AuditKind;
  model?: string | undefined;
  version?: number | undefined;
  actor?: string | undefined;
  data: Record<string, unknown>;
}

/** The hash of an entry: sha256 of the canonical JSON of every field but `hash` and `sig`. */
export function auditEntryHash(entry: Omit<AuditEntry, 'hash'> | AuditEntry): string {
  const { hash: _hash, sig: _sig, ...rest } = entry as AuditEntry;
  return sha256Digest(canonicalJson(rest));
}

/** How a new line is signed: by whom, for which log. */
export interface AuditSigning {
  signer: AuditSigner;
  logId: string;
}

/** Builds the next entry of a chain whose last line is `last` (undefined for an empty log), signed. */
export function chainEntry(
  input: AuditEntryInput,
  last: AuditEntry | undefined,
  at: string,
  signing: AuditSigning,
): AuditEntry {
  // A JSON round trip first, so the hash covers exactly what a reader will parse back (no undefined, no NaN).
  const body = JSON.parse(
    canonicalJson({
      format: AUDIT_FORMAT,
      seq: last === undefined ? 1 : last.seq + 1,
      at,
      kind: input.kind,
      model: input.model,
      version: input.version,
      actor: input.actor,
      data: input.data,
      log: signing.logId,
      keyId: signing.signer.keyId,
      prev: last?.hash ?? GENESIS_HASH,
    }),
  ) as Omit<AuditEntry, 'hash'>;
  const hash = auditEntryHash(body);
  return { ...body, hash, sig: signing.signer.sign(hash) };
}

/** The head of an entry: its log, `seq` and `hash`. */
export function headOf(entry: AuditEntry, logId: string): { logId: string; seq: number; hash: string } {
  return { logId: entry.log ?? logId, seq: entry.seq, hash: entry.hash };
}

/** The line an entry is written as: its canonical JSON and a newline. */
export function serializeAuditEntry(entry: AuditEntry): string {
  return `${canonicalJson(entry)}\n`;
}

/** Parses one line (without its newline); undefined when it is not a well-formed entry. */
export function parseAuditLine(line: string): AuditEntry | undefined {
  try {
    const parsed = AuditEntry.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
