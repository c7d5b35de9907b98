/**
 * What an audit log says happened, in a few numbers: enough to tell that a registry which knows nothing is not
 * new but lost.
 */
import { readFileSync } from 'node:fs';
import { parseAuditLine } from './audit-entry.js';

/** What {@link summarizeAuditLog} found. */
export interface AuditLogSummary {
  path: string;
  /** False when there is no log file. */
  exists: boolean;
  /** How many lines record registry mutations (every kind but `repair`). */
  mutations: number;
  /** The last well-formed line's `seq` (0 for none). */
  lastSeq: number;
  /** The log's id, from its first signed line. */
  logId?: string;
  /** Whether any line is signed (format 2). */
  signed: boolean;
}

/**
 * Reads the log at `path` (synchronously, so that it can guard opening a registry) and counts its mutations.
 * Lines that do not parse are skipped: `verifyAuditLog` is the place that judges them.
 */
export function summarizeAuditLog(path: string): AuditLogSummary {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { path, exists: false, mutations: 0, lastSeq: 0, signed: false };
    throw new Error(`The audit log ${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const summary: AuditLogSummary = { path, exists: true, mutations: 0, lastSeq: 0, signed: false };
  for (const line of text.split('\n')) {
    const entry = parseAuditLine(line);
    if (entry === undefined) continue;
    if (entry.kind !== 'repair') summary.mutations++;
    summary.lastSeq = entry.seq;
    if (entry.sig !== undefined) summary.signed = true;
    if (summary.logId === undefined && entry.log !== undefined) summary.logId = entry.log;
  }
  return summary;
}
