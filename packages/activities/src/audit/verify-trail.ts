/**
 * Verifies an audit trail: the hash chain, every line's signature against the public keys the registry records
 * for the log, and that the log reaches the head the registry stored with its last mutation.
 */
import { readFile } from 'node:fs/promises';
import type { AuditAnchor, AuditHead, AuditKeyRecord } from '../ports.js';
import type { AuditEntry } from './audit-entry.js';
import { verifyAuditSignature } from './audit-key.js';
import { defaultAuditLogId } from './audit-log.js';
import {
  checkAuditChain,
  type AuditBreak,
  type AuditBreakReason,
  type AuditChainCheck,
  type TornLine,
} from './verify.js';

/** What the registry vouches for: the log being verified, its writers' keys, and the head of its last mutation. */
export interface AuditTrust {
  logId: string;
  keys: readonly AuditKeyRecord[];
  head: AuditHead | undefined;
}

/** The result of {@link verifyAuditLog}. */
export type AuditVerification =
  | {
      ok: true;
      /** The log's id, under which the registry keeps its keys and head. */
      logId: string;
      /** How many entries the log holds. */
      entries: number;
      /** The last line's hash (the genesis hash for an empty log). */
      head: string;
      /** The head the registry stored with its last mutation (null when it records none for this log). */
      registryHead: AuditHead | null;
      /**
       * Signed lines after the registry's head: written by a mutation that has not been applied yet (a crash
       * between the append and the registry write; the retry applies it with that line). `repair` and `guardian` lines (which move no registry state) excluded.
       */
      pending: number[];
      /** How many lines are unsigned, written before lines were signed and adopted by a registered key. */
      legacy: number;
      /** A last line cut short by a crash during a write: not part of the trail (see `slipway audit repair`). */
      torn?: TornLine;
    }
  | AuditBreak;

/**
 * Verifies the audit log at `path` against the registry: the chain (see `checkAuditChain`), every line's
 * signature with the key the registry records for the log (never a key from the log itself), and that the log
 * reaches the registry's head. A removed last line, a line appended with a recomputed hash and a log re-chained
 * without the key all fail, naming the line. The log's id is its lines' `log` (or `options.logId`, or
 * {@link defaultAuditLogId} of `path` for a log without one). A missing file is an error.
 */
export async function verifyAuditLog(
  path: string,
  anchor: Pick<AuditAnchor, 'auditKeys' | 'auditHead'>,
  options: { logId?: string } = {},
): Promise<AuditVerification> {
  const chain = checkAuditChain(await readFile(path));
  const logId = options.logId ?? chain.logId ?? defaultAuditLogId(path);
  const [keys, head] = await Promise.all([anchor.auditKeys(logId), anchor.auditHead(logId)]);
  return verifyChain(chain, { logId, keys, head });
}

/** {@link verifyAuditLog} on bytes, with what the registry vouches for given. */
export function verifyAuditBytes(bytes: Buffer, trust: AuditTrust): AuditVerification {
  return verifyChain(checkAuditChain(bytes), trust);
}

function verifyChain(chain: AuditChainCheck, trust: AuditTrust): AuditVerification {
  const entries = chain.ok ? chain.entries : chain.intact;
  const legacy = legacyHead(trust.keys);
  const keys = new Map(trust.keys.map((key) => [key.keyId, key]));
  for (const entry of entries) {
    const problem = checkSignature(entry, trust, keys, legacy?.seq ?? 0);
    if (problem) return broken(entry.seq, problem, chain.torn);
  }
  if (!chain.ok) {
    const { intact: _intact, logId: _logId, ...rest } = chain;
    return rest;
  }
  const anchored = checkLegacy(entries, legacy) ?? checkHead(entries, trust.head, chain.torn);
  if (anchored) return broken(anchored.line, anchored, chain.torn);
  const after = trust.head?.seq ?? 0;
  return {
    ok: true,
    logId: trust.logId,
    entries: entries.length,
    head: chain.head,
    registryHead: trust.head ?? null,
    pending: entries.filter((e) => e.seq > after && e.kind !== 'repair' && e.kind !== 'guardian').map((e) => e.seq),
    legacy: entries.filter((e) => e.sig === undefined).length,
    ...(chain.torn ? { torn: chain.torn } : {}),
  };
}

interface Problem {
  reason: AuditBreakReason;
  message: string;
}

function broken(line: number, problem: Problem, torn: TornLine | undefined): AuditBreak {
  return { ok: false, line, ...problem, entries: line - 1, ...(torn ? { torn } : {}) };
}

function checkSignature(
  entry: AuditEntry,
  trust: AuditTrust,
  keys: ReadonlyMap<string, AuditKeyRecord>,
  legacySeq: number,
): Problem | undefined {
  if (entry.log !== undefined && entry.log !== trust.logId) {
    return { reason: 'wrong-log', message: `it belongs to log ${entry.log}, not to ${trust.logId}` };
  }
  if (entry.sig === undefined || entry.keyId === undefined) {
    if (entry.seq <= legacySeq && entry.format === undefined) return undefined;
    return {
      reason: 'unsigned',
      message:
        entry.format === undefined
          ? 'it is not signed (format 1), and no key the registry records adopted unsigned lines this far: ' +
            'it was added without the key, or written before lines were signed and not adopted yet'
          : 'it carries no signature: it was added or re-chained without the key',
    };
  }
  const key = keys.get(entry.keyId);
  if (key === undefined) {
    const known = [...keys.keys()];
    return {
      reason: 'unknown-key',
      message:
        known.length === 0
          ? `it is signed by ${entry.keyId}, but the registry records no key for log ${trust.logId}: it is empty, ` +
            'or another registry than the one this log was written with'
          : `it is signed by ${entry.keyId}, which the registry does not record for log ${trust.logId} ` +
            `(it records ${known.join(', ')}): it was signed by someone else`,
    };
  }
  if (!verifyAuditSignature(key.publicKey, entry.hash, entry.sig)) {
    return {
      reason: 'bad-signature',
      message: `its signature does not verify with ${entry.keyId}: it was forged, or re-hashed without the key`,
    };
  }
  return undefined;
}

/** The furthest unsigned line any registered key adopted. */
function legacyHead(keys: readonly AuditKeyRecord[]): { seq: number; hash: string } | undefined {
  return keys
    .map((key) => key.legacyHead)
    .filter((head) => head !== undefined)
    .reduce<{ seq: number; hash: string } | undefined>((a, b) => (a === undefined || b.seq > a.seq ? b : a), undefined);
}

function checkLegacy(
  entries: readonly AuditEntry[],
  legacy: { seq: number; hash: string } | undefined,
): (Problem & { line: number }) | undefined {
  if (legacy === undefined) return undefined;
  const entry = entries[legacy.seq - 1];
  if (entry?.hash === legacy.hash) return undefined;
  return {
    line: Math.min(legacy.seq, entries.length + 1),
    reason: entry === undefined ? 'removed' : 'edited',
    message:
      entry === undefined
        ? `the log ends at line ${entries.length}, but the registry adopted its unsigned lines up to line ${legacy.seq}`
        : `it hashes to ${entry.hash}, but the registry adopted the unsigned lines up to it as ${legacy.hash}: ` +
          'the unsigned lines were rewritten',
  };
}

function checkHead(
  entries: readonly AuditEntry[],
  head: AuditHead | undefined,
  torn: TornLine | undefined,
): (Problem & { line: number }) | undefined {
  if (head === undefined) return undefined;
  const recorded = `the registry recorded its last mutation with line ${head.seq} (${head.hash})`;
  if (entries.length < head.seq) {
    const first = entries.length + 1;
    if (torn?.line === first && first === head.seq) {
      return {
        line: first,
        reason: 'truncated',
        message: `the log ends in the middle of it, but ${recorded}: it was cut`,
      };
    }
    const lines = first === head.seq ? `line ${first} was` : `lines ${first} to ${head.seq} were`;
    return {
      line: first,
      reason: 'removed',
      message: `the log ends at line ${entries.length}, but ${recorded}: ${lines} removed, or the log was cut`,
    };
  }
  const entry = entries[head.seq - 1] as AuditEntry;
  if (entry.hash === head.hash) return undefined;
  return {
    line: head.seq,
    reason: 'edited',
    message: `it hashes to ${entry.hash}, but ${recorded}: the log was rewritten up to here`,
  };
}
