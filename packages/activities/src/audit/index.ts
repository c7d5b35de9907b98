/**
 * The audit trail: an append-only, hash-chained, signed JSON-lines log of every registry mutation (register,
 * alias move, approval, deployment, rollback) and of repairs of the log itself, by default at `<home>/audit.log`.
 *
 * - `openAuditLog(path, { keyFile })` appends entries safely from many processes (lock file, one `O_APPEND`
 *   write, fsync), each signed with the writer's Ed25519 key (`loadAuditSigner`: a 0600 key file, created on
 *   first use).
 * - `withAudit(registry, log)` writes each mutation's line before the registry applies it, and the registry
 *   stores that line's head with the mutation; the log's public key is recorded in the registry.
 * - `verifyAuditLog(path, registry)` checks the chain, every signature against the registry's keys, and that the
 *   log reaches the registry's head; it names the first line that breaks the trail, and why.
 * - `checkDecisionSignatures(entries, directory)` checks the signature of every decision on the approval lines
 *   against the directory of people.
 * - `renderModelCard(record)` renders a version's markdown model card; `withAudit` stores one per new version.
 * - `AuditSink` is how a mirror receives every line; `createS3AuditMirror` keeps one in S3 next to S3 artifacts.
 *
 * ```ts
 * const log = openAuditLog(defaultAuditLogPath('.slipway'));
 * const registry = withAudit(openSqliteRegistry('.slipway/registry.db'), log, { artifacts });
 * const result = await verifyAuditLog(log.path, registry); // { ok: true, entries, head, pending, … } or { ok: false, line, reason, message }
 * ```
 *
 * @packageDocumentation
 */
export {
  AUDIT_FORMAT,
  AuditEntry,
  AuditKind,
  GENESIS_HASH,
  auditEntryHash,
  chainEntry,
  headOf,
  parseAuditLine,
  serializeAuditEntry,
  type AuditEntryInput,
  type AuditSigning,
} from './audit-entry.js';
export {
  AUDIT_KEY_FILE_NAME,
  auditKeyId,
  defaultAuditKeyPath,
  loadAuditSigner,
  verifyAuditSignature,
  type AuditSigner,
  type LoadAuditSignerOptions,
} from './audit-key.js';
export {
  AUDIT_LOG_FILE_NAME,
  defaultAuditLogId,
  defaultAuditLogPath,
  openAuditLog,
  readAuditEntries,
  type AppendOptions,
  type AuditLog,
  type AuditLogOptions,
  type AuditRepair,
  type AuditSink,
} from './audit-log.js';
export { summarizeAuditLog, type AuditLogSummary } from './audit-summary.js';
export { tornFileOf } from './audit-tail.js';
export {
  checkAuditChain,
  type AuditBreak,
  type AuditBreakReason,
  type AuditChainCheck,
  type TornLine,
} from './verify.js';
export { verifyAuditBytes, verifyAuditLog, type AuditTrust, type AuditVerification } from './verify-trail.js';
export { checkDecisionSignatures, type DecisionSignatures, type UncheckedDecision } from './verify-decisions.js';
export { auditLogPathOf, recordAuditKey, withAudit, type AuditOptions } from './with-audit.js';
export { MODEL_CARD_MEDIA_TYPE, renderModelCard } from './model-card.js';
export {
  compareWithMirror,
  createS3AuditMirror,
  type MirrorComparison,
  type S3AuditMirror,
  type S3AuditMirrorOptions,
} from './s3-audit-mirror.js';
