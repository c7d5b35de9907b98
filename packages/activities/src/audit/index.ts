/**
 * The audit trail: an append-only, hash-chained JSON-lines log of every registry mutation (register, alias
 * move, approval, deployment, rollback), by default at `<home>/audit.log`.
 *
 * - `openAuditLog(path)` appends entries safely from many processes (lock file, one `O_APPEND` write, fsync).
 * - `withAudit(registry, log)` makes any `ModelRegistry` write one entry per mutation that changed something.
 * - `verifyAuditLog(path)` checks the chain and names the first line that breaks it, and why.
 * - `renderModelCard(record)` renders a version's markdown model card; `withAudit` stores one per new version.
 * - `AuditSink` is how a mirror receives every line; `createS3AuditMirror` keeps one in S3 next to S3 artifacts.
 *
 * ```ts
 * const log = openAuditLog(defaultAuditLogPath('.slipway'));
 * const registry = withAudit(openSqliteRegistry('.slipway/registry.db'), log, { artifacts });
 * const result = await verifyAuditLog(log.path); // { ok: true, entries, head } or { ok: false, line, reason, message }
 * ```
 *
 * @packageDocumentation
 */
export {
  AuditEntry,
  AuditKind,
  GENESIS_HASH,
  auditEntryHash,
  chainEntry,
  parseAuditLine,
  serializeAuditEntry,
  type AuditEntryInput,
} from './audit-entry.js';
export {
  AUDIT_LOG_FILE_NAME,
  defaultAuditLogPath,
  openAuditLog,
  readAuditEntries,
  type AppendOptions,
  type AuditLog,
  type AuditLogOptions,
  type AuditSink,
} from './audit-log.js';
export { verifyAuditBytes, verifyAuditLog, type AuditBreakReason, type AuditVerification } from './verify.js';
export { auditLogPathOf, withAudit, type AuditOptions } from './with-audit.js';
export { MODEL_CARD_MEDIA_TYPE, renderModelCard } from './model-card.js';
export {
  compareWithMirror,
  createS3AuditMirror,
  defaultAuditLogId,
  type MirrorComparison,
  type S3AuditMirror,
  type S3AuditMirrorOptions,
} from './s3-audit-mirror.js';
