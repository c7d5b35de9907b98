/**
 * Scanning a dataset for the validate step (counts, failures, profile, digest in one pass) and the report
 * artifact that records the result.
 */
import type { ArtifactRef, DatasetProfile, RowFailure, RowSchema } from '@slipway/sdk';
import { throwIfAborted, type ActivityHooks, createThrottle } from './activity-context.js';
import { readCsvRows } from './csv-reader.js';
import { createProfiler } from './profile.js';

/** The validation report keeps at most this many failures (the step summary keeps fewer). */
export const REPORT_FAILURE_LIMIT = 1000;

/** How often (at most) the validate activity heartbeats, in milliseconds. */
export const VALIDATE_HEARTBEAT_INTERVAL_MS = 1000;

/** What one pass over a dataset found. */
export interface DatasetScan {
  path: string;
  digest: `sha256:${string}`;
  bytes: number;
  header: readonly string[];
  rows: number;
  badRows: number;
  /** Failing cells per schema column (ragged rows count under `null`-column failures, not here). */
  columnFailureCounts: Record<string, number>;
  /** Ragged rows: rows whose field count differs from the header's. */
  raggedRows: number;
  /** The first {@link REPORT_FAILURE_LIMIT} failures, in file order. */
  failures: RowFailure[];
  profile: DatasetProfile;
}

/**
 * Reads a dataset once: checks every row, profiles the good ones, hashes the bytes, and heartbeats
 * `{ rows, bytes }` (throttled) through `hooks`.
 */
export async function scanDataset(uri: string, schema: RowSchema, hooks: ActivityHooks): Promise<DatasetScan> {
  const reader = readCsvRows(uri, { schema, signal: hooks.signal });
  const profiler = createProfiler(schema);
  const columnFailureCounts: Record<string, number> = Object.fromEntries(
    Object.keys(schema.columns).map((c) => [c, 0]),
  );
  const failures: RowFailure[] = [];
  const throttle = createThrottle(VALIDATE_HEARTBEAT_INTERVAL_MS);
  let rows = 0;
  let badRows = 0;
  let raggedRows = 0;
  for await (const event of reader) {
    rows++;
    if (event.ok) profiler.add(event.row);
    else {
      badRows++;
      for (const failure of event.failures) {
        if (failure.column === null) raggedRows++;
        else columnFailureCounts[failure.column] = (columnFailureCounts[failure.column] ?? 0) + 1;
        if (failures.length < REPORT_FAILURE_LIMIT) failures.push(failure);
      }
    }
    if (rows % 256 === 0 && throttle.ready()) hooks.heartbeat({ rows, bytes: reader.bytesRead });
  }
  throwIfAborted(hooks.signal);
  hooks.heartbeat({ rows, bytes: reader.bytesRead });
  const header = reader.header ?? [];
  const profile = profiler.finish();
  return {
    path: reader.path,
    digest: reader.digest(),
    bytes: reader.bytesRead,
    header,
    rows,
    badRows,
    columnFailureCounts,
    raggedRows,
    failures,
    profile,
  };
}

/** The validation report artifact: everything the step found, deterministic for the same bytes and schema. */
export interface ValidationReport {
  kind: 'slipway.validation-report';
  version: 1;
  dataset: { uri: string; digest: string; bytes: number; header: readonly string[] };
  schema: RowSchema;
  rows: number;
  goodRows: number;
  badRows: number;
  badRowShare: number;
  maxBadRowShare: number;
  passed: boolean;
  raggedRows: number;
  columnFailureCounts: Record<string, number>;
  /** The first failures (at most {@link REPORT_FAILURE_LIMIT}), in file order. */
  failures: RowFailure[];
  /** True when there were more failures than the report keeps. */
  failuresTruncated: boolean;
  profile: ArtifactRef;
}

/** Builds the report artifact of a scan. */
export function buildValidationReport(
  scan: DatasetScan,
  input: { uri: string; schema: RowSchema; maxBadRowShare: number },
  profile: ArtifactRef,
): ValidationReport {
  const badRowShare = badShare(scan);
  const totalFailures = scan.raggedRows + Object.values(scan.columnFailureCounts).reduce((a, b) => a + b, 0);
  return {
    kind: 'slipway.validation-report',
    version: 1,
    dataset: { uri: input.uri, digest: scan.digest, bytes: scan.bytes, header: scan.header },
    schema: input.schema,
    rows: scan.rows,
    goodRows: scan.rows - scan.badRows,
    badRows: scan.badRows,
    badRowShare,
    maxBadRowShare: input.maxBadRowShare,
    passed: scan.rows > 0 && badRowShare <= input.maxBadRowShare,
    raggedRows: scan.raggedRows,
    columnFailureCounts: scan.columnFailureCounts,
    failures: scan.failures,
    failuresTruncated: totalFailures > scan.failures.length,
    profile,
  };
}

/** The share of bad rows (0 for an empty dataset). */
export function badShare(scan: Pick<DatasetScan, 'rows' | 'badRows'>): number {
  return scan.rows === 0 ? 0 : scan.badRows / scan.rows;
}

/** Formats one failure as `line 14, column "tenure_months": expected a number, got "abc"`. */
export function formatFailure(failure: RowFailure): string {
  const where =
    failure.column === null ? `line ${failure.line}` : `line ${failure.line}, column ${JSON.stringify(failure.column)}`;
  return `${where}: ${failure.message}`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;
}

/** The message of a failed validation: the file, the counts, and the first bad rows by line and column. */
export function validationFailedMessage(scan: DatasetScan, maxBadRowShare: number, shown = 5): string {
  const head =
    `Dataset ${scan.path} failed validation: ${scan.badRows} of ${scan.rows} rows are bad ` +
    `(${percent(badShare(scan))}, at most ${percent(maxBadRowShare)} allowed)`;
  const first = scan.failures.slice(0, shown).map(formatFailure);
  const more = scan.failures.length > shown ? '; …' : '';
  return first.length === 0 ? head : `${head}. First failures: ${first.join('; ')}${more}`;
}
