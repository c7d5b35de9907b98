/**
 * The files of a served log. Each model version has a folder `<serving>/<model>/v<version>/` of segment files
 * `<seq>-<day>-r<rows before>.jsonl` (`000003-2026-12-02-r000000004200.jsonl`): one JSON line per served row,
 * appended to the newest segment until the day changes or it would grow past its size limit. The name carries the
 * number of rows in the segments before it, so the total is known without reading them. The single file an earlier
 * server version wrote, `<serving>/<model>/v<version>.jsonl`, is read as the first segment.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { servedRowOfLine, type ServedRow } from '@slipway/sdk';

/** The segment name standing for the single log file of an earlier server version. */
export const LEGACY_SEGMENT = 'legacy';

const SEGMENT_NAME = /^(\d{6})-(\d{4}-\d{2}-\d{2})-r(\d{12})\.jsonl$/;

/** A segment of a version's served log. */
export interface Segment {
  /** The file name inside the version folder, or {@link LEGACY_SEGMENT}. */
  name: string;
  /** Its position: 0 for the legacy file, then 1, 2, … */
  seq: number;
  /** The UTC day its rows were served on (`YYYY-MM-DD`); empty for the legacy file. */
  day: string;
  /** How many rows the segments before it hold. */
  rowsBefore: number;
}

/** The folder of one version's segments. */
export function versionDir(servingDir: string, model: string, version: number): string {
  return join(servingDir, model, `v${version}`);
}

/** The single log file of a version written by an earlier server version. */
export function legacyLogPath(servingDir: string, model: string, version: number): string {
  return join(servingDir, model, `v${version}.jsonl`);
}

/** The path of a segment. */
export function segmentPath(servingDir: string, model: string, version: number, segment: string): string {
  return segment === LEGACY_SEGMENT
    ? legacyLogPath(servingDir, model, version)
    : join(versionDir(servingDir, model, version), segment);
}

/** The file name of a new segment. */
export function segmentName(seq: number, day: string, rowsBefore: number): string {
  return `${String(seq).padStart(6, '0')}-${day}-r${String(rowsBefore).padStart(12, '0')}.jsonl`;
}

/** The segment a file name stands for; undefined for a name that is not a segment's. */
export function parseSegmentName(name: string): Segment | undefined {
  if (name === LEGACY_SEGMENT) return { name, seq: 0, day: '', rowsBefore: 0 };
  const match = SEGMENT_NAME.exec(name);
  if (!match) return undefined;
  return { name, seq: Number(match[1]), day: match[2] as string, rowsBefore: Number(match[3]) };
}

/** Every segment of a version, oldest first (the legacy file first); none when the version never served. */
export async function listSegments(servingDir: string, model: string, version: number): Promise<Segment[]> {
  const segments: Segment[] = [];
  if ((await fileSize(legacyLogPath(servingDir, model, version))) !== undefined) {
    segments.push({ name: LEGACY_SEGMENT, seq: 0, day: '', rowsBefore: 0 });
  }
  let names: string[] = [];
  try {
    names = await readdir(versionDir(servingDir, model, version));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const name of names.sort()) {
    const segment = parseSegmentName(name);
    if (segment) segments.push(segment);
  }
  return segments;
}

/** The size of a file in bytes; undefined when it does not exist. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** One complete line of a segment and the byte offset just after its newline. */
export interface SegmentLine {
  text: string;
  end: number;
}

/**
 * The complete lines of a file from byte `start` up to byte `end` (exclusive), with the offset after each. A last
 * piece without its newline (a write torn by a crash, or one still in progress) is not a line and is not yielded.
 */
export async function* segmentLines(path: string, start: number, end: number): AsyncGenerator<SegmentLine> {
  if (end <= start) return;
  const stream = createReadStream(path, { start, end: end - 1 });
  let pending: Buffer[] = [];
  let pendingStart = start;
  let offset = start;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
        pending.push(chunk.subarray(from, nl));
        const lineEnd = offset + nl + 1;
        yield { text: Buffer.concat(pending).toString('utf8'), end: lineEnd };
        pending = [];
        pendingStart = lineEnd;
        from = nl + 1;
      }
      if (from < chunk.length) pending.push(chunk.subarray(from));
      offset += chunk.length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && pendingStart === start) return;
    throw err;
  } finally {
    stream.destroy();
  }
}

/** The served row a line holds in the log of `version`; undefined for a line that is not one (it is skipped). */
export function rowOfLine(text: string, version: number): ServedRow | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return servedRowOfLine(value, version);
}

/** What a scan of a whole segment found. */
export interface SegmentScan {
  /** Served rows it holds. */
  rows: number;
  /** Its size in bytes (0 when it does not exist). */
  bytes: number;
  /** The offset after its last complete line. */
  end: number;
}

/** Counts the served rows of one segment. */
export async function scanSegment(path: string, version: number): Promise<SegmentScan> {
  const bytes = (await fileSize(path)) ?? 0;
  let rows = 0;
  let end = 0;
  for await (const line of segmentLines(path, 0, bytes)) {
    if (rowOfLine(line.text, version)) rows++;
    end = line.end;
  }
  return { rows, bytes, end };
}
