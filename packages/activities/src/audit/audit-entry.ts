/**
 * The audit log's line format: one JSON object per line, hash-chained. Each line is the canonical JSON (keys
 * sorted, no spaces) of an {@link AuditEntry}; its `hash` is the sha256 of the canonical JSON of the same object
 * without `hash`, and its `prev` is the previous line's `hash` ({@link GENESIS_HASH} for the first line).
 */
import { z } from 'zod';
import { canonicalJson, sha256Digest } from '../util/digest.js';

/** What a registry mutation did, as the audit log records it. */
export const AuditKind = z.enum(['register', 'alias', 'approval', 'deployment', 'rollback']);
/** What a registry mutation did: `register`, `alias`, `approval`, `deployment` or `rollback`. */
export type AuditKind = z.infer<typeof AuditKind>;

const HASH = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 lowercase hex digits');

/** The `prev` of the first line: a fixed all-zero hash. */
export const GENESIS_HASH = `sha256:${'0'.repeat(64)}`;

const AuditEntryFields = z.object({
  /** 1 for the first line, then consecutive: the line number. */
  seq: z.number().int().positive(),
  /** When the line was appended (ISO 8601, UTC). */
  at: z.string().min(1),
  kind: AuditKind,
  model: z.string().min(1),
  version: z.number().int().positive(),
  /** Who made the change, when known: the approvers of an approval, the workflow or user otherwise. */
  actor: z.string().optional(),
  /** What changed, by kind (see `withAudit`). */
  data: z.record(z.string(), z.unknown()),
  /** The previous line's hash. */
  prev: HASH,
  /** sha256 of the canonical JSON of this line without `hash`. */
  hash: HASH,
});

/**
 * One audit log line. Fields a later format version may add are accepted (and covered by the hash), so an
 * older verifier still checks a newer log.
 */
export const AuditEntry = AuditEntryFields.loose();
/** One audit log line: `{ seq, at, kind, model, version, actor?, data, prev, hash }`. */
export type AuditEntry = z.infer<typeof AuditEntryFields>;

/** What an appender supplies; the log adds `seq`, `at`, `prev` and `hash`. */
export interface AuditEntryInput {
  kind: AuditKind;
  model: string;
  version: number;
  actor?: string | undefined;
  data: Record<string, unknown>;
}

/** The hash of an entry: sha256 of the canonical JSON of every field but `hash`. */
export function auditEntryHash(entry: Omit<AuditEntry, 'hash'> | AuditEntry): string {
  const { hash: _hash, ...rest } = entry as AuditEntry;
  return sha256Digest(canonicalJson(rest));
}

/** Builds the next entry of a chain whose last line is `last` (undefined for an empty log). */
export function chainEntry(input: AuditEntryInput, last: AuditEntry | undefined, at: string): AuditEntry {
  // A JSON round trip first, so the hash covers exactly what a reader will parse back (no undefined, no NaN).
  const body = JSON.parse(
    canonicalJson({
      seq: last === undefined ? 1 : last.seq + 1,
      at,
      kind: input.kind,
      model: input.model,
      version: input.version,
      actor: input.actor,
      data: input.data,
      prev: last?.hash ?? GENESIS_HASH,
    }),
  ) as Omit<AuditEntry, 'hash'>;
  return { ...body, hash: auditEntryHash(body) };
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
