/**
 * The log of served rows, one {@link ServedRow} per JSON line, in rotating segment files per model version (see
 * `served-segments.ts`): a new segment each UTC day and whenever the current one would grow past `maxFileBytes`.
 * Readers get the newest rows (the monitor's window) or the rows after a cursor, reading only the segments they
 * need. Appends to one version are serialized; a line torn by a crash is skipped by readers and sealed with a
 * newline before the next append, so it never swallows a later row.
 */
import { open, appendFile, mkdir } from 'node:fs/promises';
import type { FeatureRow, ServedPrediction, ServedRow } from '@slipway/sdk';
import { createCursorCodec, CursorRefused, type ServedPosition } from './served-cursor.js';
import {
  LEGACY_SEGMENT,
  fileSize,
  listSegments,
  rowOfLine,
  scanSegment,
  segmentLines,
  segmentName,
  segmentPath,
  versionDir,
  type Segment,
} from './served-segments.js';

export { CursorRefused } from './served-cursor.js';

/** The size past which a served-log segment is closed and the next row starts a new one (32 MiB). */
export const DEFAULT_SERVED_FILE_BYTES = 32 * 1024 * 1024;

/** The `after` value that reads a log from its first row. */
export const FROM_START = 'start';

/** One scored row as the log records it. */
export interface ServedEntry {
  features: FeatureRow;
  prediction: ServedPrediction;
  /** The features the model filled in; absent or empty when none. */
  imputed?: readonly string[];
}

/** Rows read from a served log, oldest first, with the cursor after the last of them and the version's total. */
export interface ServedPage {
  total: number;
  rows: ServedRow[];
  cursor: string;
}

/** Options of {@link createServedLog}. */
export interface ServedLogOptions {
  /** The key cursors are sealed with (at least 16 bytes); cursors stay valid as long as it does. */
  cursorKey: Uint8Array;
  /** The size past which a segment is closed (default {@link DEFAULT_SERVED_FILE_BYTES}). */
  maxFileBytes?: number;
  /** The clock that stamps rows and decides the day (default the system clock). */
  now?: () => Date;
}

/** Appends and reads served-row logs under one serving directory. */
export interface ServedLog {
  /**
   * Appends one line per row, stamped now; appends to one version are serialized. `shadow`: the rows were scored
   * by a version whose answer was not returned (a shadow candidate).
   */
  append(
    model: string,
    version: number,
    deploymentId: string,
    rows: readonly ServedEntry[],
    shadow?: boolean,
  ): Promise<void>;
  /** The newest `limit` rows (oldest first). A version never served has none. */
  tail(model: string, version: number, limit: number): Promise<ServedPage>;
  /**
   * Up to `limit` rows after `cursor` (a cursor a page gave, or {@link FROM_START}), oldest first.
   *
   * @throws {@link CursorRefused} when the cursor was not given out by this log for this model and version.
   */
  after(model: string, version: number, cursor: string, limit: number): Promise<ServedPage>;
  /** Resolves when every pending append has finished. */
  flush(): Promise<void>;
}

/** The folder holding one version's served-log segments. */
export function servedLogDir(servingDir: string, model: string, version: number): string {
  return versionDir(servingDir, model, version);
}

/** The segment being appended to: its size, its rows, and whether it ends in a torn line. */
interface Current {
  segment: Segment;
  bytes: number;
  rows: number;
  torn: boolean;
}

/** What the log knows of one version: the current segment (none before the first append) and the legacy rows. */
interface VersionState {
  current: Current | undefined;
  legacyRows: number;
}

/** One version's log: its state (loaded once) and the queue its appends run in. */
interface VersionLog {
  model: string;
  version: number;
  state: Promise<VersionState> | undefined;
  queue: Promise<void>;
}

/** Creates the served-row log rooted at `servingDir` (`<home>/serving`). */
export function createServedLog(servingDir: string, options: ServedLogOptions): ServedLog {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_SERVED_FILE_BYTES;
  if (!Number.isInteger(maxFileBytes) || maxFileBytes < 1) {
    throw new RangeError(`maxFileBytes must be a positive integer, got ${maxFileBytes}`);
  }
  const now = options.now ?? (() => new Date());
  const codec = createCursorCodec(options.cursorKey);
  const logs = new Map<string, VersionLog>();
  const logOf = (model: string, version: number): VersionLog => {
    const key = `${model}\u0000${version}`;
    let log = logs.get(key);
    if (!log) {
      log = { model, version, state: undefined, queue: Promise.resolve() };
      logs.set(key, log);
    }
    return log;
  };
  const stateOf = (log: VersionLog): Promise<VersionState> => {
    log.state ??= loadState(servingDir, log.model, log.version).catch((err: unknown) => {
      log.state = undefined;
      throw err;
    });
    return log.state;
  };

  const append: ServedLog['append'] = (model, version, deploymentId, rows, shadow = false) => {
    const log = logOf(model, version);
    const at = now();
    const ts = at.toISOString();
    const lines = rows.map((row) => JSON.stringify(servedLine(ts, deploymentId, version, row, shadow)) + '\n');
    const write = async () => {
      const state = await stateOf(log);
      try {
        state.current = await appendLines(servingDir, log, state, lines, at, maxFileBytes);
      } catch (err) {
        log.state = undefined; // re-read from disk: the write may have landed in part
        throw err;
      }
    };
    const next = log.queue.then(write);
    log.queue = next.catch(() => undefined);
    return next;
  };

  const snapshot = async (log: VersionLog) => {
    await log.queue;
    const state = await stateOf(log);
    const current = state.current ? { ...state.current } : undefined;
    const total = current ? current.segment.rowsBefore + current.rows : state.legacyRows;
    const newest = current?.segment.seq ?? 0;
    const segments = (await listSegments(servingDir, log.model, log.version)).filter((s) => s.seq <= newest);
    const endOf = async (name: string): Promise<number> =>
      name === current?.segment.name
        ? current.bytes
        : ((await fileSize(segmentPath(servingDir, log.model, log.version, name))) ?? 0);
    return { total, segments, endOf };
  };

  const tail: ServedLog['tail'] = async (model, version, limit) => {
    const log = logOf(model, version);
    const { total, segments, endOf } = await snapshot(log);
    const rows: ServedRow[] = [];
    let position: ServedPosition = { model, version, segment: '', offset: 0 };
    for (let i = segments.length - 1; i >= 0 && rows.length < limit; i--) {
      const segment = segments[i] as Segment;
      const path = segmentPath(servingDir, model, version, segment.name);
      const found = await newestRows(path, await endOf(segment.name), version, limit - rows.length);
      if (i === segments.length - 1) position = { model, version, segment: segment.name, offset: found.end };
      rows.unshift(...found.rows);
    }
    return { total, rows, cursor: codec.encode(position) };
  };

  const after: ServedLog['after'] = async (model, version, cursor, limit) => {
    const log = logOf(model, version);
    const start: ServedPosition =
      cursor === FROM_START ? { model, version, segment: '', offset: 0 } : codec.decode(cursor, model, version);
    const { total, segments, endOf } = await snapshot(log);
    let i = start.segment === '' ? 0 : segments.findIndex((s) => s.name === start.segment);
    if (i === -1) throw new CursorRefused(`the cursor names a log file that version ${version} does not have`);
    if (start.segment !== '') await checkBoundary(segmentPath(servingDir, model, version, start.segment), start, endOf);
    let position = start;
    const rows: ServedRow[] = [];
    for (let offset = start.offset; i < segments.length && rows.length < limit; i++, offset = 0) {
      const segment = segments[i] as Segment;
      const path = segmentPath(servingDir, model, version, segment.name);
      for await (const line of segmentLines(path, offset, await endOf(segment.name))) {
        position = { model, version, segment: segment.name, offset: line.end };
        const row = rowOfLine(line.text, version);
        if (row) rows.push(row);
        if (rows.length === limit) break;
      }
    }
    return { total, rows, cursor: codec.encode(position) };
  };

  const flush = async (): Promise<void> => {
    await Promise.all([...logs.values()].map((log) => log.queue));
  };

  return { append, tail, after, flush };
}

function servedLine(ts: string, deploymentId: string, version: number, entry: ServedEntry, shadow: boolean): ServedRow {
  const imputed = entry.imputed && entry.imputed.length > 0 ? { imputed: [...entry.imputed] } : {};
  return {
    ts,
    deploymentId,
    version,
    features: entry.features,
    prediction: entry.prediction,
    ...imputed,
    shadow,
  };
}

/** What the files of a version say: its newest segment (scanned) or, with none, the rows of the legacy file. */
async function loadState(servingDir: string, model: string, version: number): Promise<VersionState> {
  const segments = await listSegments(servingDir, model, version);
  const newest = segments.at(-1);
  if (!newest) return { current: undefined, legacyRows: 0 };
  const scan = await scanSegment(segmentPath(servingDir, model, version, newest.name), version);
  if (newest.name === LEGACY_SEGMENT) return { current: undefined, legacyRows: scan.rows };
  const current = { segment: newest, bytes: scan.bytes, rows: scan.rows, torn: scan.bytes > scan.end };
  return { current, legacyRows: 0 };
}

/** Appends lines to the current segment, or to a new one when the day changed or it would grow too large. */
async function appendLines(
  servingDir: string,
  log: VersionLog,
  state: VersionState,
  lines: readonly string[],
  at: Date,
  maxFileBytes: number,
): Promise<Current> {
  const text = lines.join('');
  const size = Buffer.byteLength(text, 'utf8');
  const day = at.toISOString().slice(0, 10);
  let current = state.current;
  if (!current || current.segment.day !== day || current.bytes + size > maxFileBytes) {
    const seq = (current?.segment.seq ?? 0) + 1;
    const rowsBefore = current ? current.segment.rowsBefore + current.rows : state.legacyRows;
    current = {
      segment: { name: segmentName(seq, day, rowsBefore), seq, day, rowsBefore },
      bytes: 0,
      rows: 0,
      torn: false,
    };
    await mkdir(versionDir(servingDir, log.model, log.version), { recursive: true });
  }
  const data = (current.torn ? '\n' : '') + text;
  await appendFile(segmentPath(servingDir, log.model, log.version, current.segment.name), data, 'utf8');
  return {
    ...current,
    bytes: current.bytes + Buffer.byteLength(data, 'utf8'),
    rows: current.rows + lines.length,
    torn: false,
  };
}

/** The newest `limit` rows of a segment up to byte `end`, and the offset after its last complete line. */
async function newestRows(
  path: string,
  end: number,
  version: number,
  limit: number,
): Promise<{ rows: ServedRow[]; end: number }> {
  // A circular buffer: row n goes to slot n % limit, so memory stays bounded by `limit`.
  const ring: ServedRow[] = [];
  let count = 0;
  let lastEnd = 0;
  for await (const line of segmentLines(path, 0, end)) {
    lastEnd = line.end;
    const row = rowOfLine(line.text, version);
    if (!row) continue;
    ring[count % limit] = row;
    count++;
  }
  const start = count > limit ? count % limit : 0;
  return { rows: [...ring.slice(start), ...ring.slice(0, start)], end: lastEnd };
}

/** Refuses a position past the end of its segment, or one that is not just after a newline. */
async function checkBoundary(
  path: string,
  position: ServedPosition,
  endOf: (segment: string) => Promise<number>,
): Promise<void> {
  const end = await endOf(position.segment);
  if (position.offset > end) throw new CursorRefused('the cursor points past the end of its log file');
  if (position.offset === 0) return;
  const file = await open(path, 'r');
  try {
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, position.offset - 1);
    if (byte[0] !== 0x0a) throw new CursorRefused('the cursor does not point at the start of a row');
  } finally {
    await file.close();
  }
}
