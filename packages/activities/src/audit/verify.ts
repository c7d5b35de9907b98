/**
 * The hash chain of an audit log: names the first line that breaks it, and why. Signatures and the registry's
 * head are checked on top of it by `verifyAuditLog` (verify-trail.ts).
 */
import { AuditEntry, GENESIS_HASH, auditEntryHash, serializeAuditEntry } from './audit-entry.js';

/** Why a line breaks the chain. */
export type AuditBreakReason =
  /** The line is not JSON. */
  | 'not-json'
  /** JSON, but not an audit entry (a field is missing or has the wrong type). */
  | 'malformed'
  /** The line's content was changed: it no longer matches its hash, is not in canonical form, or a rewritten line's hash was recomputed. */
  | 'edited'
  /** Lines before this one were removed, or (at the end) the log stops short of the line the registry recorded. */
  | 'removed'
  /** Lines were moved (or a line was inserted). */
  | 'reordered'
  /** The line repeats an earlier one. */
  | 'duplicated'
  /** The log ends in the middle of the line the registry recorded: it was cut. */
  | 'truncated'
  /** The line carries no signature (and is not one of the unsigned lines a registered key adopted). */
  | 'unsigned'
  /** The line's signature does not verify with its key. */
  | 'bad-signature'
  /** The line is signed by a key the registry does not record for this log. */
  | 'unknown-key'
  /** The line names another log than the one being verified. */
  | 'wrong-log';

/** A last line without its newline, set aside from the chain (a write cut short by a crash, or a cut). */
export interface TornLine {
  /** Its line number. */
  line: number;
  bytes: number;
}

/** Where a log breaks, and why. */
export interface AuditBreak {
  ok: false;
  /** The first line (1-based) that breaks the trail. */
  line: number;
  reason: AuditBreakReason;
  /** What is wrong with that line, for people. */
  message: string;
  /** How many lines before it are intact. */
  entries: number;
  torn?: TornLine;
}

/** What {@link checkAuditChain} found: the chained entries, or the first break. */
export type AuditChainCheck =
  | {
      ok: true;
      /** Every entry, in order (without a torn last line). */
      entries: AuditEntry[];
      /** The last line's hash (the genesis hash for an empty log). */
      head: string;
      torn?: TornLine;
      /** The `log` of the first line that names one. */
      logId?: string;
    }
  | (AuditBreak & { intact: AuditEntry[]; logId?: string });

/**
 * Checks the hash chain of audit log bytes, line by line: it must be JSON, a well-formed entry, in canonical
 * form, match its own hash, carry the next `seq`, and link (`prev`) to the hash of the line before it (the genesis
 * hash for line 1). Every changed, removed, moved or added byte breaks one of these, except removing whole lines
 * from the end or re-chaining lines with recomputed hashes: signatures and the registry's head catch those
 * (`verifyAuditLog`). A last line without its newline is set aside (reported as `torn`), never checked as part
 * of the chain.
 */
export function checkAuditChain(bytes: Buffer): AuditChainCheck {
  const cutShort = bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a;
  const lines = new Lines(splitLines(bytes));
  const complete = cutShort ? lines.count - 1 : lines.count;
  const torn = cutShort ? { torn: { line: lines.count, bytes: lines.line(lines.count).raw.length } } : {};
  const intact: AuditEntry[] = [];
  let logId: string | undefined;
  let prev = GENESIS_HASH;
  for (let number = 1; number <= complete; number++) {
    const line = lines.line(number);
    const broken = checkLine(line, number, prev, lines);
    if (broken !== undefined) {
      const where = { line: number, entries: number - 1, intact, ...(logId ? { logId } : {}) };
      return { ok: false, ...broken, ...where, ...torn };
    }
    const entry = line.entry as AuditEntry;
    logId ??= entry.log;
    intact.push(entry);
    prev = entry.hash;
  }
  return { ok: true, entries: intact, head: prev, ...torn, ...(logId ? { logId } : {}) };
}

interface Line {
  raw: Buffer;
  /** The parsed JSON object, when the line parses. */
  json?: Record<string, unknown>;
  entry?: AuditEntry;
  problem?: { reason: 'not-json' | 'malformed'; detail: string };
}

function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(0x0a, start);
    lines.push(bytes.subarray(start, end === -1 ? bytes.length : end));
    start = end === -1 ? bytes.length : end + 1;
  }
  return lines;
}

/** The lines of a log, each parsed when first read: a break at line k parses no later line unless its reason needs it. */
class Lines {
  private readonly parsed = new Map<number, Line>();
  constructor(private readonly raws: readonly Buffer[]) {}

  get count(): number {
    return this.raws.length;
  }

  /** Line `number` (1-based). */
  line(number: number): Line {
    const cached = this.parsed.get(number);
    if (cached !== undefined) return cached;
    const line = parseLine(this.raws[number - 1] ?? Buffer.alloc(0));
    this.parsed.set(number, line);
    return line;
  }

  /** The first line in `from..to` (1-based, inclusive) that matches. */
  find(from: number, to: number, match: (line: Line) => boolean): number | undefined {
    for (let number = from; number <= to; number++) if (match(this.line(number))) return number;
    return undefined;
  }
}

function parseLine(raw: Buffer): Line {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return { raw, problem: { reason: 'not-json', detail: err instanceof Error ? err.message : String(err) } };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { raw, problem: { reason: 'malformed', detail: 'not a JSON object' } };
  }
  const parsed = AuditEntry.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = issue ? `${issue.path.join('.') || 'line'}: ${issue.message}` : 'not an audit entry';
    return { raw, json: json as Record<string, unknown>, problem: { reason: 'malformed', detail } };
  }
  return { raw, json: json as Record<string, unknown>, entry: parsed.data };
}

function checkLine(
  line: Line,
  number: number,
  prev: string,
  lines: Lines,
): { reason: AuditBreakReason; message: string } | undefined {
  if (line.problem) {
    const what = line.problem.reason === 'not-json' ? 'not JSON' : 'not an audit entry';
    return { reason: line.problem.reason, message: `${what} (${line.problem.detail})` };
  }
  const entry = line.entry as AuditEntry;
  const json = line.json as AuditEntry;
  if (auditEntryHash(json) !== entry.hash) {
    return { reason: 'edited', message: `its content does not match its hash ${entry.hash} (seq ${entry.seq})` };
  }
  if (!line.raw.equals(Buffer.from(serializeAuditEntry(json).slice(0, -1)))) {
    return { reason: 'edited', message: 'its bytes were changed: it is not the canonical JSON the log writes' };
  }
  if (entry.seq !== number) return sequenceBreak(entry, number, lines);
  if (entry.prev !== prev) {
    return {
      reason: 'edited',
      message:
        number === 1
          ? `it links to ${entry.prev}, not to the genesis hash`
          : `it links to ${entry.prev}, but line ${number - 1} hashes to ${prev}: line ${number - 1} was rewritten ` +
            'with a recomputed hash, or this line was',
    };
  }
  return undefined;
}

function sequenceBreak(entry: AuditEntry, number: number, lines: Lines): { reason: AuditBreakReason; message: string } {
  if (entry.seq > number) {
    const later = lines.find(number + 1, lines.count, (l) => l.entry?.seq === number);
    if (later !== undefined)
      return { reason: 'reordered', message: `it has seq ${entry.seq}, but seq ${number} comes later` };
    const missing = entry.seq - number;
    return {
      reason: 'removed',
      message: `it has seq ${entry.seq} where ${number} was expected: ${missing} ${missing === 1 ? 'line was' : 'lines were'} removed before it`,
    };
  }
  const same = lines.find(1, number - 1, (l) => l.entry?.hash === entry.hash);
  if (same !== undefined) return { reason: 'duplicated', message: `it repeats line ${same} (seq ${entry.seq})` };
  return {
    reason: 'reordered',
    message: `it has seq ${entry.seq} where ${number} was expected: it was moved here, or inserted`,
  };
}
