/**
 * Verifies an audit log's hash chain and names the first line that breaks it, and why.
 */
import { readFile } from 'node:fs/promises';
import { AuditEntry, GENESIS_HASH, auditEntryHash, serializeAuditEntry } from './audit-entry.js';

/** Why a line breaks the chain. */
export type AuditBreakReason =
  /** The line is not JSON. */
  | 'not-json'
  /** JSON, but not an audit entry (a field is missing or has the wrong type). */
  | 'malformed'
  /** The line's content was changed: it no longer matches its hash, is not in canonical form, or a rewritten line's hash was recomputed. */
  | 'edited'
  /** One or more lines before this one were removed. */
  | 'removed'
  /** Lines were moved (or a line was inserted). */
  | 'reordered'
  /** The line repeats an earlier one. */
  | 'duplicated'
  /** The log ends in a partial line: it was cut. */
  | 'truncated';

/** The result of {@link verifyAuditLog}. */
export type AuditVerification =
  | {
      ok: true;
      /** How many entries the log holds. */
      entries: number;
      /** The last line's hash (the genesis hash for an empty log): note it somewhere safe to detect later truncation. */
      head: string;
    }
  | {
      ok: false;
      /** The first line (1-based) that breaks the chain. */
      line: number;
      reason: AuditBreakReason;
      /** What is wrong with that line, for people. */
      message: string;
      /** How many lines before it are intact. */
      entries: number;
    };

/** Verifies the audit log file at `path`. A missing file is an error (there is nothing to verify). */
export async function verifyAuditLog(path: string): Promise<AuditVerification> {
  return verifyAuditBytes(await readFile(path));
}

interface Line {
  raw: Buffer;
  /** The parsed JSON object, when the line parses. */
  json?: Record<string, unknown>;
  entry?: AuditEntry;
  problem?: { reason: 'not-json' | 'malformed'; detail: string };
}

/**
 * Verifies audit log bytes. Line by line: it must be JSON, a well-formed entry, in canonical form, match its own
 * hash, carry the next `seq`, and link (`prev`) to the hash of the line before it (the genesis hash for line 1).
 * Every changed, removed, moved or added byte breaks one of these. Removing whole lines from the end leaves a
 * valid, shorter chain: compare `head` with a copy kept elsewhere (such as a mirror) to detect that.
 */
export function verifyAuditBytes(bytes: Buffer): AuditVerification {
  const cutShort = bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a;
  const lines = new Lines(splitLines(bytes));
  let prev = GENESIS_HASH;
  for (let number = 1; number <= lines.count; number++) {
    const line = lines.line(number);
    const fail = (reason: AuditBreakReason, message: string): AuditVerification => ({
      ok: false,
      line: number,
      reason,
      message,
      entries: number - 1,
    });
    if (cutShort && number === lines.count) return fail('truncated', truncatedMessage(line.raw));
    const broken = checkLine(line, number, prev, lines);
    if (broken !== undefined) return fail(broken.reason, broken.message);
    prev = (line.entry as AuditEntry).hash;
  }
  return { ok: true, entries: lines.count, head: prev };
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

function truncatedMessage(raw: Buffer): string {
  return `the log ends in the middle of this line (${raw.length} bytes and no newline): it was cut or edited`;
}
